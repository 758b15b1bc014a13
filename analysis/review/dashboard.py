"""The review dashboard's figures, each one SQL aggregate over indexed columns.

Nothing here loops over answers in Python: the per-goal figures for all goals come from one
GROUP BY each (comments by sentiment, by theme, by demographic group), so the page costs a fixed
number of queries whatever the number of answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from analysis.models import SENTIMENTS, AnswerTag, AnswerTheme, Theme
from analysis.review import indicators as ind
from analysis.review.cells import Cell, Table, min_cell_size, suppress
from analysis.review.goals import AgendaGoal, goal_theme, list_goals
from analysis.review.scope import ReviewScope, dimension_join, response_conditions, site_names
from feedback.extensions import db
from feedback.models import Answer, Response

#: Phone-number-like runs (7+ digits with separators) and e-mail addresses, removed from quotes:
#: respondents sometimes type their number or address into a comment.
_PHONE = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def redact(text: str | None) -> str:
    """A quote with phone numbers and e-mail addresses replaced by [removed]."""
    text = _EMAIL.sub("[removed]", text or "")
    return _PHONE.sub(
        lambda m: "[removed]" if sum(ch.isdigit() for ch in m.group()) >= 7 else m.group(), text
    )


@dataclass
class Quote:
    text: str
    language: str | None
    sentiment: str


@dataclass
class GoalSummary:
    goal: AgendaGoal
    comments: int = 0
    previous_comments: int = 0
    sentiment: dict = field(default_factory=dict)
    previous_sentiment: dict = field(default_factory=dict)
    themes: list[tuple[Theme, int]] = field(default_factory=list)
    indicators: list[tuple] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    by_group: Table | None = None
    indicator_groups: list[tuple] = field(default_factory=list)

    @property
    def change(self) -> int:
        return self.comments - self.previous_comments

    def share(self, label: str, previous: bool = False) -> float | None:
        mix = self.previous_sentiment if previous else self.sentiment
        total = sum(mix.values())
        return mix.get(label, 0) / total if total else None


def _goal_answers(scope: ReviewScope, *columns):
    """SELECT ... FROM goal_theme -> answer_theme -> answer -> response, in scope."""
    return (
        sa.select(*columns)
        .select_from(goal_theme)
        .join(AnswerTheme, AnswerTheme.theme_id == goal_theme.c.theme_id)
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(AnswerTheme.source != "removed", *response_conditions(scope))
    )


def sentiment_by_goal(scope: ReviewScope) -> dict[int, dict[str, int]]:
    """{goal_id: {sentiment: comments}} for every goal, in one query."""
    query = (
        _goal_answers(scope, goal_theme.c.goal_id, AnswerTag.sentiment_label,
                      sa.func.count(sa.distinct(Answer.id)))
        .outerjoin(AnswerTag, AnswerTag.answer_id == Answer.id)
        .group_by(goal_theme.c.goal_id, AnswerTag.sentiment_label)
    )
    result: dict[int, dict[str, int]] = {}
    for goal_id, label, n in db.session.execute(query):
        result.setdefault(goal_id, {})[label or "untagged"] = int(n)
    return result


def comments_by_goal(scope: ReviewScope) -> dict[int, int]:
    """{goal_id: distinct comments} (an answer with two of a goal's themes counts once)."""
    query = _goal_answers(
        scope, goal_theme.c.goal_id, sa.func.count(sa.distinct(Answer.id))
    ).group_by(goal_theme.c.goal_id)
    return {goal_id: int(n) for goal_id, n in db.session.execute(query)}


def themes_by_goal(scope: ReviewScope) -> dict[int, list[tuple[int, int]]]:
    """{goal_id: [(theme_id, comments), ...]} most frequent first."""
    query = _goal_answers(
        scope, goal_theme.c.goal_id, AnswerTheme.theme_id, sa.func.count(Answer.id)
    ).group_by(goal_theme.c.goal_id, AnswerTheme.theme_id)
    result: dict[int, list] = {}
    for goal_id, theme_id, n in db.session.execute(query):
        result.setdefault(goal_id, []).append((theme_id, int(n)))
    for rows in result.values():
        rows.sort(key=lambda r: -r[1])
    return result


def goal_groups(scope: ReviewScope, dim: str, min_cell: int) -> dict[int, Table]:
    """{goal_id: comments per demographic group}, suppressed, in one query."""
    query = _goal_answers(scope)
    query, group = dimension_join(query, dim)
    query = query.with_only_columns(
        goal_theme.c.goal_id, group, sa.func.count(sa.distinct(Answer.id))
    ).group_by(goal_theme.c.goal_id, group)
    labels = site_names() if dim == "site" else {}
    tables: dict[int, Table] = {}
    for goal_id, key, n in db.session.execute(query):
        table = tables.setdefault(goal_id, Table(dimension=dim))
        name = labels.get(key, key)
        table.cells.append(Cell(group="" if name is None else str(name), n=int(n), value=n))
    for table in tables.values():
        table.cells.sort(key=lambda c: (c.group == "", c.group))
        table.total_n = sum(c.n for c in table.cells)
        suppress(table.cells, min_cell)
    return tables


def quotes_for(goal: AgendaGoal, scope: ReviewScope) -> list[Quote]:
    """The strongest comment of each sentiment (highest |score|), in its original language."""
    quotes = []
    for label in SENTIMENTS:
        query = (
            _goal_answers(scope, Answer.raw_text, AnswerTag.language)
            .join(AnswerTag, AnswerTag.answer_id == Answer.id)
            .where(goal_theme.c.goal_id == goal.id, AnswerTag.sentiment_label == label,
                   Answer.raw_text.is_not(None))
            .order_by(sa.func.abs(AnswerTag.sentiment_score).desc(), Answer.id.desc())
            .limit(1)
        )
        row = db.session.execute(query).first()
        if row and row[0]:
            quotes.append(Quote(text=redact(row[0]), language=row[1], sentiment=label))
    return quotes


def volume(scope: ReviewScope, by: str) -> tuple[str, list[tuple[str, str, int]]]:
    """Completed responses per time bucket and ``by`` ("channel" or "locale").

    Weekly for periods up to about six weeks (a month), monthly beyond (a quarter: three bars,
    so fewer cells fall under the suppression threshold). Returns (unit, [(bucket, key, n)]).
    """
    unit = "week" if scope.period.days <= 45 else "month"
    column = Response.channel if by == "channel" else Response.locale
    bucket = bucket_expression(Response.completed_at, unit)
    query = (
        sa.select(bucket, column, sa.func.count(Response.id))
        .where(*response_conditions(scope))
        .group_by(bucket, column)
        .order_by(bucket, column)
    )
    return unit, [(str(b), k, int(n)) for b, k, n in db.session.execute(query)]


def bucket_expression(column, unit: str):
    """The first day of the week (Monday) or month of ``column``, as 'YYYY-MM-DD' text."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.date_trunc(unit, column), "YYYY-MM-DD")
    if unit == "week":
        return sa.func.date(column, "weekday 0", "-6 days")
    return sa.func.strftime("%Y-%m-01", column)


def total_responses(scope: ReviewScope) -> int:
    return int(db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(*response_conditions(scope))
    ) or 0)


@dataclass
class Review:
    scope: ReviewScope
    min_cell: int
    responses: int
    previous_responses: int
    volume_unit: str
    volume_channel: list
    volume_locale: list
    goals: list[GoalSummary]
    dimension: str | None
    #: Tables from analysis.breakdowns (sentiment and share indicators by group).
    shared: list = field(default_factory=list)


def build_review(scope: ReviewScope, dimension: str | None = None,
                 with_quotes: bool = True) -> Review:
    """Every figure of the dashboard for ``scope``, disaggregated by ``dimension`` if given."""
    min_cell = min_cell_size()
    previous = scope.with_period(scope.period.previous())
    goals = list_goals(active_only=True)
    now_mix, before_mix = sentiment_by_goal(scope), sentiment_by_goal(previous)
    now_n, before_n = comments_by_goal(scope), comments_by_goal(previous)
    themes = themes_by_goal(scope)
    theme_rows = {t.id: t for t in db.session.scalars(sa.select(Theme))}
    groups = goal_groups(scope, dimension, min_cell) if dimension else {}
    labels = site_names() if dimension == "site" else {}
    summaries = []
    for goal in goals:
        summary = GoalSummary(
            goal=goal,
            comments=now_n.get(goal.id, 0),
            previous_comments=before_n.get(goal.id, 0),
            sentiment=now_mix.get(goal.id, {}),
            previous_sentiment=before_mix.get(goal.id, {}),
            themes=[(theme_rows[t], n) for t, n in themes.get(goal.id, [])[:5] if t in theme_rows],
            by_group=groups.get(goal.id, Table(dimension=dimension)) if dimension else None,
        )
        for indicator in goal.indicators:
            summary.indicators.append(
                (indicator, ind.compute(indicator, scope, min_cell),
                 ind.compute(indicator, previous, min_cell))
            )
            if dimension and indicator.rule == "mean":  # shares: see shared_tables
                summary.indicator_groups.append(
                    (indicator, ind.by_group(indicator, scope, dimension, min_cell, labels))
                )
        if with_quotes:
            summary.quotes = quotes_for(goal, scope)
        summaries.append(summary)
    shared = []
    if dimension:
        from analysis.review.shared_tables import tables_for

        shared = tables_for(scope, dimension, [i for g in goals for i in g.indicators])
    _, vol_channel = volume(scope, "channel")
    unit, vol_locale = volume(scope, "locale")
    return Review(
        scope=scope, min_cell=min_cell, responses=total_responses(scope),
        previous_responses=total_responses(previous), volume_unit=unit,
        volume_channel=vol_channel, volume_locale=vol_locale, goals=summaries,
        dimension=dimension, shared=shared,
    )
