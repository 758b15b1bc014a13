"""CSV exports: answers (row level, pseudonymous) and every summary table of the review.

Row-level privacy rules:
- respondents appear only as an HMAC-SHA256 pseudonym (feedback.pseudonyms), never by phone
  number, contact name or database id; free text has phone numbers and e-mails removed;
- a demographic value held by fewer than ``MIN_CELL_SIZE`` respondents in the export is blanked
  (with the complementary rule: if only one value of a dimension is blanked, the next smallest is
  blanked too, so "blank" never equals one small group). Blank therefore means "not stated or
  too few to show". Answers themselves are kept: they are the de-identified feedback.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import sqlalchemy as sa

from analysis.models import AnswerTag, AnswerTheme, Theme
from analysis.review.cells import Cell, min_cell_size, suppress
from analysis.review.dashboard import Review
from analysis.review.quotes import redact
from analysis.review.scope import RESPONDENT_COLUMNS, ReviewScope, response_conditions
from feedback.extensions import db
from feedback.models import Answer, PartnerSite, Respondent, RespondentRace, Response
from feedback.pseudonyms import pseudonym_key, pseudonymize
from surveys.models import Survey

ANSWER_COLUMNS = (
    "respondent", "date", "survey", "channel", "site", "response_language", "question_key",
    "answer", "detected_language", "sentiment", "themes",
    "age_group", "gender", "race", "neighbourhood", "role",
)
SUPPRESSED = "suppressed"


def _aggregate(column, separator: str = ";"):
    """string_agg / group_concat, whichever the database speaks."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.string_agg(column, separator)
    return sa.func.group_concat(column, separator)


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def small_groups(scope: ReviewScope, min_cell: int) -> dict[str, set]:
    """Per dimension, the values held by too few respondents in scope (to blank in the export)."""
    in_scope = sa.select(Response.respondent_id).where(*response_conditions(scope))
    result: dict[str, set] = {}
    for dim in (*RESPONDENT_COLUMNS, "race"):
        if dim == "race":
            column, table = RespondentRace.group, RespondentRace
            id_col = RespondentRace.respondent_id
        else:
            column, table, id_col = getattr(Respondent, dim), Respondent, Respondent.id
        rows = db.session.execute(
            sa.select(column, sa.func.count(sa.distinct(id_col)))
            .select_from(table)
            .where(id_col.in_(in_scope), column.is_not(None))
            .group_by(column)
        ).all()
        cells = suppress([Cell(group=value, n=int(n)) for value, n in rows], min_cell)
        result[dim] = {c.group for c in cells if c.suppressed}
    return result


def answers_csv(scope: ReviewScope) -> Iterator[str]:
    """The answers in scope as CSV lines (streamed; one query, read in batches)."""
    min_cell = min_cell_size()
    hidden = small_groups(scope, min_cell)
    key = pseudonym_key()
    themes = (
        sa.select(_aggregate(Theme.key))
        .select_from(AnswerTheme)
        .join(Theme, Theme.id == AnswerTheme.theme_id)
        .where(AnswerTheme.answer_id == Answer.id, AnswerTheme.source != "removed")
        .scalar_subquery()
    )
    races = (
        sa.select(_aggregate(RespondentRace.group))
        .where(RespondentRace.respondent_id == Response.respondent_id)
        .scalar_subquery()
    )
    query = (
        sa.select(
            Response.respondent_id, Response.completed_at, Survey.slug, Response.channel,
            PartnerSite.name, Response.locale, Answer.question_key, Answer.raw_text,
            Answer.value, AnswerTag.language, AnswerTag.sentiment_label, themes,
            Respondent.age_group, Respondent.gender, races, Respondent.neighbourhood,
            Respondent.role,
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(PartnerSite, PartnerSite.id == Response.site_id)
        .outerjoin(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(*response_conditions(scope))
        .order_by(Response.completed_at, Answer.id)
        .execution_options(yield_per=2000)
    )
    yield _csv_line(ANSWER_COLUMNS)
    for row in db.session.execute(query):
        (respondent_id, completed, survey, channel, site, locale, qkey, raw, value, lang,
         sentiment, theme_keys, age, gender, race, hood, role) = row
        answer = raw if raw is not None else (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        )
        race_shown = ";".join(
            sorted(r for r in (race or "").split(";") if r and r not in hidden["race"])
        )
        yield _csv_line([
            pseudonymize(respondent_id, key), completed.date().isoformat(), survey, channel,
            site or "", locale, qkey, redact(answer), lang or "", sentiment or "",
            ";".join(sorted((theme_keys or "").split(";"))).strip(";"),
            _shown(age, hidden["age_group"]), _shown(gender, hidden["gender"]), race_shown,
            _shown(hood, hidden["neighbourhood"]), _shown(role, hidden["role"]),
        ])


def _shown(value, hidden: set) -> str:
    return "" if value is None or value in hidden else str(value)


SUMMARY_COLUMNS = ("table", "goal", "item", "period", "group", "n", "value", "status")


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def summary_rows(review: Review) -> Iterator[list]:
    """Every table the dashboard shows, as rows; suppressed cells say "suppressed"."""
    period = review.scope.period.label
    previous = review.scope.period.previous().label
    for table, rows in (("volume_by_channel", review.volume_channel),
                        ("volume_by_language", review.volume_locale)):
        cells = suppress([Cell(group=f"{b} {k}", n=n) for b, k, n in rows], review.min_cell)
        for (bucket, key, _n), cell in zip(rows, cells, strict=True):
            yield [table, "", key, bucket, "", cell.shown_n if not cell.suppressed else "",
                   "", SUPPRESSED if cell.suppressed else ""]
    for s in review.goals:
        goal = s.goal.key
        yield ["goal_comments", goal, "comments", period, "", s.comments, "", ""]
        yield ["goal_comments", goal, "comments", previous, "", s.previous_comments, "", ""]
        for label, n in sorted(s.sentiment.items()):
            yield ["goal_sentiment", goal, label, period, "", n, _fmt(s.share(label)), ""]
        for label, n in sorted(s.previous_sentiment.items()):
            yield ["goal_sentiment", goal, label, previous, "", n,
                   _fmt(s.share(label, previous=True)), ""]
        for theme, n in s.themes:
            yield ["goal_themes", goal, theme.key, period, "", n, "", ""]
        for indicator, now, before in s.indicators:
            for when, value in ((period, now), (previous, before)):
                yield ["indicator", goal, indicator.label("en"), when, "",
                       "" if value.suppressed else value.n, _fmt(value.value),
                       SUPPRESSED if value.suppressed else ""]
        if s.by_group is not None:
            for cell in s.by_group.cells:
                yield ["goal_comments_by_" + s.by_group.dimension, goal, "comments", period,
                       cell.group, _fmt(cell.shown_n), "", SUPPRESSED if cell.suppressed else ""]
        for indicator, table in s.indicator_groups:
            for cell in table.cells:
                yield ["indicator_by_" + table.dimension, goal, indicator.label("en"), period,
                       cell.group, _fmt(cell.shown_n), _fmt(cell.shown_value),
                       SUPPRESSED if cell.suppressed else ""]


def shared_rows(review: Review) -> Iterator[list]:
    """The analysis.breakdowns tables (sentiment, share indicators by group)."""
    period = review.scope.period.label
    for shared in review.shared:
        result = shared.result
        name = f"{shared.title_key}_by_{review.dimension}"
        item = shared.indicator.label("en") if shared.indicator else ""
        for row in result.rows:
            group = result.row_labels.get(row, row)
            for col in result.cols:
                cell = result.cell(row, col)
                yield [name, "", f"{item} {col}".strip(), period,
                       "" if group is None else group, _fmt(cell.value),
                       _fmt(cell.share), SUPPRESSED if cell.suppressed else ""]


def summary_csv(review: Review) -> str:
    """All summary tables in one CSV (one table name per row, long format)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SUMMARY_COLUMNS)
    writer.writerows(summary_rows(review))
    writer.writerows(shared_rows(review))
    return buffer.getvalue()
