"""CSV exports: answers (row level, pseudonymous, admin only) and every summary table of the
review, as the disclosure gate released it (analysis.disclosure, docs/privacy.md).

Row-level privacy rules:
- respondents appear only as an HMAC-SHA256 pseudonym (feedback.core.pseudonyms), never by phone
  number, contact name or database id; free text has phone numbers and e-mails removed
  (analysis.disclosure.redaction);
- the demographic fields (age group, race/ethnicity, gender, neighbourhood) and the
  response's site, channel and language (each a dimension the review breaks figures down by)
  are generalised together until every combination is held by at least ``MIN_CELL_SIZE``
  respondents, each counted once however many sites or languages they answered in
  (k-anonymity, analysis.disclosure.kanon). Blank therefore means "not stated or too few to
  show". The role is not exported. Answers themselves are kept: they are the de-identified
  feedback;
- a scope (after its filters) holding fewer than ``MIN_CELL_SIZE`` respondents is refused;
- every cell is neutralised against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import sqlalchemy as sa

from analysis.disclosure import kanon
from analysis.disclosure.redaction import csv_row, redact
from analysis.models import AnswerTag, AnswerTheme, Theme
from analysis.review.cells import min_cell_size
from analysis.review.dashboard import Review
from analysis.review.scope import ReviewScope, response_conditions
from feedback.core.extensions import db
from feedback.core.pseudonyms import pseudonym_key, pseudonymize
from feedback.responses.models import Answer, PartnerSite, Respondent, RespondentRace, Response
from surveys.models import Survey

ANSWER_COLUMNS = (
    "respondent", "date", "survey", "channel", "site", "response_language", "question_key",
    "answer", "detected_language", "sentiment", "themes",
    "age_group", "gender", "race", "neighbourhood",
)
SUPPRESSED = "suppressed"


def _aggregate(column, separator: str = ";"):
    """string_agg / group_concat, whichever the database speaks."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.string_agg(column, separator)
    return sa.func.group_concat(column, separator)


def _csv_line(values) -> str:
    """One CSV line, every cell neutralised against spreadsheet formulas."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row(values))
    return buffer.getvalue()


class ExportRefused(Exception):
    """The answers CSV would describe fewer people than the threshold (message translated)."""


#: The answers CSV's quasi-identifiers, generalised together (analysis.disclosure.kanon).
QUASI_IDENTIFIERS = ("age_group", "race", "gender", "neighbourhood", "site", "channel",
                     "response_language")


def generalised_demographics(scope: ReviewScope, k: int) -> dict[tuple, tuple]:
    """{(respondent id, site id, channel, language): (age, race, gender, neighbourhood, site
    name, channel, language)} for everyone in scope, generalised until each combination is
    held by at least ``k`` respondents; raises ExportRefused when the scope holds fewer than
    ``k`` respondents."""
    from flask_babel import gettext as _

    races = (
        sa.select(_aggregate(RespondentRace.group))
        .where(RespondentRace.respondent_id == Respondent.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Response.respondent_id, Response.site_id, Response.channel, Response.locale,
                  Respondent.age_group, races, Respondent.gender, Respondent.neighbourhood,
                  PartnerSite.name)
        .select_from(Response)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .outerjoin(PartnerSite, PartnerSite.id == Response.site_id)
        .where(*response_conditions(scope))
        .distinct()
    ).all()
    if len({row[0] for row in rows}) < k:
        raise ExportRefused(_("Too few responses to show: this export would describe fewer "
                              "than %(n)s people. Widen the period or remove a filter.", n=k))
    records = {}
    for respondent_id, site_id, channel, language, age, race, gender, hood, site in rows:
        race = ";".join(sorted(r for r in (race or "").split(";") if r)) or None
        records[(respondent_id, site_id, channel, language)] = (
            age, race, gender, hood, site, channel, language)
    return kanon.anonymise(records, k, person=lambda key: key[0])


def answers_csv(scope: ReviewScope) -> Iterator[str]:
    """The answers in scope as CSV lines (streamed; one query, read in batches), demographic
    fields generalised to k-anonymity (k = MIN_CELL_SIZE). Call :func:`generalised_demographics`
    first (it refuses small scopes) and pass its result on: see :func:`answers_export`."""
    return answers_export(scope, generalised_demographics(scope, min_cell_size()))


def answers_export(scope: ReviewScope, demographics: dict, locale: str | None = None,
                   labels: dict | None = None) -> Iterator[str]:
    """The answers CSV lines for ``scope`` with the generalised ``demographics``, values as
    labels in ``locale`` (read before streaming: the generator runs after the view returned)."""
    from flask_babel import get_locale

    from analysis.disclosure.labels import label, label_list, value_labels

    locale = locale or str(get_locale() or "en")
    labels = labels if labels is not None else value_labels(locale)
    return _answer_lines(scope, demographics, locale, labels, label, label_list)


def _answer_lines(scope, demographics, locale, labels, label, label_list) -> Iterator[str]:
    key = pseudonym_key()
    themes = (
        sa.select(_aggregate(Theme.key))
        .select_from(AnswerTheme)
        .join(Theme, Theme.id == AnswerTheme.theme_id)
        .where(AnswerTheme.answer_id == Answer.id, AnswerTheme.source != "removed")
        .scalar_subquery()
    )
    query = (
        sa.select(
            Response.respondent_id, Response.site_id, Response.completed_at, Survey.slug,
            Response.channel, Response.locale, Answer.question_key, Answer.raw_text,
            Answer.value, AnswerTag.language, AnswerTag.sentiment_label, themes,
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(*response_conditions(scope))
        .order_by(Response.completed_at, Answer.id)
        .execution_options(yield_per=2000)
    )
    blank = (None,) * len(QUASI_IDENTIFIERS)
    yield _csv_line(ANSWER_COLUMNS)
    for row in db.session.execute(query):
        (respondent_id, site_id, completed, survey, channel, language, qkey, raw, value, lang,
         sentiment, theme_keys) = row
        answer = raw if raw is not None else (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        )
        age, race, gender, hood, site, channel, language = demographics.get(
            (respondent_id, site_id, channel, language), blank)
        yield _csv_line([
            pseudonymize(respondent_id, key), completed.date().isoformat(), survey,
            channel or "", site or "", language or "", qkey, redact(answer), lang or "",
            sentiment or "",
            ";".join(sorted((theme_keys or "").split(";"))).strip(";"),
            label("age_group", age, locale, labels) or "",
            label("gender", gender, locale, labels) or "",
            label_list("race", race, locale, labels),
            label("neighbourhood", hood, locale, labels) or "",
        ])


SUMMARY_COLUMNS = ("table", "goal", "item", "period", "group", "n", "value", "status")
#: The status of a view whose whole filtered population is under the threshold.
TOO_FEW = "too few responses to show"


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _figure(figure) -> tuple[str, str]:
    """(n, status) of a figure released by analysis.disclosure.gate."""
    if figure is None:
        return "0", ""
    if getattr(figure, "withheld", False):
        return "", SUPPRESSED
    return _fmt(getattr(figure, "value", figure)), ""


def summary_rows(review: Review) -> Iterator[list]:
    """Every table the dashboard shows, as released by the disclosure gate (the review must
    have gone through analysis.disclosure.gate.release_review); withheld cells say
    "suppressed", and a view too small to show has one row saying so."""
    period = review.scope.period.label
    previous = review.scope.period.previous().label
    if review.too_few:
        yield ["view", "", "", period, "", "", "", TOO_FEW]
        return
    n, status = _figure(review.responses)
    yield ["responses", "", "responses", period, "", n, "", status]
    n, status = _figure(review.previous_responses)
    yield ["responses", "", "responses", previous, "", n, "", status]
    for table, key in (("volume_by_channel", "channel"), ("volume_by_language", "locale")):
        for row in (review.volume_tables or {}).get(key, []):
            yield [table, "", row["key"], row["bucket"], "", _fmt(row["n"]), "",
                   SUPPRESSED if row["suppressed"] else ""]
    for s in review.goals:
        goal = s.goal.key
        for when, figure in ((period, s.comments), (previous, s.previous_comments)):
            n, status = _figure(figure)
            yield ["goal_comments", goal, "comments", when, "", n, "", status]
        for when, mix, prev in ((period, s.sentiment, False), (previous, s.previous_sentiment,
                                                                True)):
            for label, figure in sorted(mix.items()):
                n, status = _figure(figure)
                yield ["goal_sentiment", goal, label, when, "", n,
                       _fmt(s.share(label, previous=prev)), status]
        for theme, figure in s.themes:
            yield ["goal_themes", goal, theme.key, period, "", _figure(figure)[0], "", ""]
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
    """All summary tables in one CSV (one table name per row, long format), as the
    disclosure gate releases them (a review not released yet is released as published)."""
    if review.policy is None:
        from analysis.disclosure import gate

        gate.release_review(review, gate.published_policy())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SUMMARY_COLUMNS)
    writer.writerows(csv_row(row) for row in summary_rows(review))
    writer.writerows(csv_row(row) for row in shared_rows(review))
    return buffer.getvalue()
