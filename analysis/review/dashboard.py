"""The review dashboard's figures, each one SQL aggregate over indexed columns.

Nothing here loops over answers in Python: the per-goal figures for all goals come from one
GROUP BY each (comments by sentiment, by theme, by demographic group), so the page costs a fixed
number of queries whatever the number of answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from analysis.models import AnswerTag, AnswerTheme, Theme
from analysis.review import from_totals, goal_counts, memo, newest_day, shared_tables
from analysis.review import indicators as ind
from analysis.review.cells import Cell, Table, hide_all, min_cell_size, suppress
from analysis.review.goals import AgendaGoal, goal_theme, list_goals
from analysis.review.memo import remembered
from analysis.review.periods import bucket_expression, bucket_unit, volume_series
from analysis.review.quotes import Quote, confident_label, quotes_per_goal, redact, texts_of
from analysis.review.scope import (
    ReviewScope,
    answer_conditions,
    dimension_join,
    response_conditions,
    response_period,
    site_names,
    totals_can_answer,
)
from feedback.core.extensions import db
from feedback.responses.models import Answer, Response


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
    #: Comments asking for something (answer_tag.is_request) this period: how many, the
    #: distinct people behind them, and the newest few, redacted like quotes.
    requests: object = 0
    request_people: int = 0
    request_quotes: list[Quote] = field(default_factory=list)
    by_group: Table | None = None
    indicator_groups: list[tuple] = field(default_factory=list)
    #: Shares of the released sentiment counts (set by analysis.disclosure.gate).
    shares: dict | None = None
    previous_shares: dict | None = None

    @property
    def change(self) -> int | None:
        """Comments now minus before (None when the gate withheld either)."""
        if isinstance(self.comments, int) and isinstance(self.previous_comments, int):
            return self.comments - self.previous_comments
        from analysis.disclosure.gate import change

        return change(self.comments, self.previous_comments)

    def share(self, label: str, previous: bool = False) -> float | None:
        released = self.previous_shares if previous else self.shares
        if released is not None:
            return released.get(label)
        mix = self.previous_sentiment if previous else self.sentiment
        total = sum(mix.values())
        return mix.get(label, 0) / total if total else None


def _goal_answers(scope: ReviewScope, *columns, with_period: bool = True):
    """SELECT ... FROM answer -> answer_theme -> goal_theme, in scope.

    Filters on answer's own copies of the response columns (no join to ``response``): the
    period is a range on the indexed ``answer.completed_at``."""
    return (
        sa.select(*columns)
        .select_from(Answer)
        .join(AnswerTheme, AnswerTheme.answer_id == Answer.id)
        .join(goal_theme, goal_theme.c.theme_id == AnswerTheme.theme_id)
        .where(AnswerTheme.source != "removed",
               *answer_conditions(scope, with_period=with_period))
    )


def _before(scope: ReviewScope) -> ReviewScope:
    """The scope over its previous period: counted, and remembered, on its own, so once a
    period is over its figures are read back while the current one is counted again."""
    return scope.with_period(scope.period.previous())


def goal_comments(scope: ReviewScope):
    """:func:`analysis.review.from_totals.goal_comments` counted from the answers, the
    period's counts read once: ({"now"|"before": {goal: {sentiment: n}}}, {goal: [(theme,
    n)] most first})."""
    counted = goal_counts.in_period(scope)
    mix = {"now": goal_counts.comments_of(counted["goals"]),
           "before": sentiment_by_goal(_before(scope))}
    ranked = {goal_id: sorted(((theme_id, n) for theme_id, (n, _people) in by_theme.items()),
                              key=lambda row: -row[1])
              for goal_id, by_theme in counted["themes"].items()}
    return mix, ranked


def sentiment_by_goal(scope: ReviewScope) -> dict[int, dict[str, int]]:
    """{goal_id: {sentiment: comments}} for the scope's period (an answer with two of the
    goal's themes counts once)."""
    return goal_counts.comments_of(goal_counts.in_period(scope)["goals"])


def goal_groups(scope: ReviewScope, dim: str, min_cell: int) -> dict[int, Table]:
    """{goal_id: comments per demographic group, each with its distinct respondents},
    suppressed on the respondents."""
    counted = _group_counts(scope, dim)
    labels = site_names() if dim == "site" else {}
    tables: dict[int, Table] = {}
    for (goal_id, key), (n, people) in sorted(counted.items(), key=repr):
        table = tables.setdefault(goal_id, Table(dimension=dim))
        name = labels.get(key, key)
        table.cells.append(Cell(group="" if name is None else str(name), n=int(n), value=n,
                                respondents=int(people)))
    for table in tables.values():
        table.cells.sort(key=lambda c: (c.group == "", c.group))
        suppress(table.cells, min_cell)
    return tables


def _goal_group_answers(scope: ReviewScope, dim: str, conditions=(), answer_period=True):
    """The scope's goal comments with their responses and ``dim``: (query, group)."""
    return dimension_join(_goal_answers(scope, with_period=answer_period)
                          .join(Response, Response.id == Answer.response_id)
                          .where(*response_period(scope.period), *conditions), dim)


@remembered(by_group=True)
def _group_counts(scope: ReviewScope, dim: str) -> dict[tuple, tuple[int, int]]:
    return newest_day.counted(scope, lambda whole: _counted_by_group(whole, dim),
                              lambda head, tail: group_counts_in_two_parts(head, tail, dim))


def _counted_by_group(scope: ReviewScope, dim: str) -> dict[tuple, tuple[int, int]]:
    """{(goal_id, group): (comments, distinct respondents)}, in one query."""
    query, group = _goal_group_answers(scope, dim)
    return {(goal_id, key): (int(n), int(people)) for goal_id, key, n, people in
            db.session.execute(query.with_only_columns(
                goal_theme.c.goal_id, group, sa.func.count(sa.distinct(Answer.id)),
                sa.func.count(sa.distinct(Response.respondent_id)),
            ).group_by(goal_theme.c.goal_id, group))}


def group_counts_in_two_parts(head: ReviewScope, tail: ReviewScope, dim: str) -> dict:
    """:func:`_group_counts` over two adjacent periods (analysis.review.newest_day)."""
    def rows(scope, conditions):
        # the period bounds the responses only (analysis.review.newest_day.new_people)
        query, group = _goal_group_answers(scope, dim, conditions, answer_period=False)
        return query.with_only_columns(goal_theme.c.goal_id, group.label("grp"),
                                       Response.respondent_id)

    result = dict(_group_counts(head, dim))
    fresh = newest_day.new_people(rows, head, tail)
    for key, (comments, _people) in _counted_by_group(tail, dim).items():
        before_comments, before_people = result.get(key, (0, 0))
        result[key] = (before_comments + comments, before_people + fresh.get(key, 0))
    return result


def quotes_by_goal(scope: ReviewScope) -> dict[int, list[Quote]]:
    """Per goal, the strongest comment of each sentiment (highest |score|, then newest), in
    its original language; the texts are read for the winners only, by id."""
    best = _strongest(scope)
    texts = texts_of(answer_id for _strength, answer_id in best.values())
    return quotes_per_goal((goal_id, sentiment, *texts.get(answer_id, (None, None, False)))
                           for (goal_id, sentiment), (_strength, answer_id) in best.items())


@remembered()
def _strongest(scope: ReviewScope) -> dict[tuple[int, str], tuple[float, int]]:
    """{(goal id, sentiment): (|score|, answer id) of its strongest quotable comment}: the
    strongest of two adjacent periods is the stronger of each's (analysis.review.newest_day)."""
    return newest_day.counted(scope, _counted_strongest, strongest_in_two_parts)


def strongest_in_two_parts(head: ReviewScope, tail: ReviewScope) -> dict:
    """:func:`_strongest` over two adjacent periods."""
    best = dict(_strongest(head))
    for key, candidate in _counted_strongest(tail).items():
        best[key] = max(best.get(key, candidate), candidate)
    return best


def _counted_strongest(scope: ReviewScope) -> dict[tuple[int, str], tuple[float, int]]:
    """One query with a window function over the period's goal comments, ranking narrow rows
    (ids and scores), so the sort does not carry every comment's text."""
    strength = sa.func.abs(AnswerTag.sentiment_score)
    rank = sa.func.row_number().over(
        partition_by=(goal_theme.c.goal_id, AnswerTag.sentiment_label),
        order_by=(strength.desc(), Answer.id.desc()),
    )
    ranked = (
        _goal_answers(scope, goal_theme.c.goal_id, AnswerTag.sentiment_label,
                      strength.label("strength"), Answer.id.label("answer_id"),
                      rank.label("rank"))
        .join(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(Answer.raw_text.is_not(None), confident_label())
        .subquery()
    )
    return {(goal_id, sentiment): (float(strength or 0), answer_id)
            for goal_id, sentiment, strength, answer_id in db.session.execute(
                sa.select(ranked.c.goal_id, ranked.c.sentiment_label, ranked.c.strength,
                          ranked.c.answer_id).where(ranked.c.rank == 1))}


#: Requests listed per goal (the count covers them all).
REQUESTS_SHOWN = 3


def requests_by_goal(scope: ReviewScope) -> dict[int, tuple[int, int, list[Quote]]]:
    """{goal id: (request comments, distinct people behind them, the newest few)} for the
    scope's period: what people asked for (docs/analysis.md, "Requests")."""
    asked = _requests(scope)
    texts = texts_of(answer_id for _n, _people, shown in asked.values() for answer_id in shown)
    return {goal_id: (n, people, [Quote(text=redact(texts[answer_id][0]),
                                        language=texts[answer_id][1], sentiment="request")
                                  for answer_id in shown if answer_id in texts])
            for goal_id, (n, people, shown) in asked.items()}


@remembered()
def _requests(scope: ReviewScope) -> dict[int, tuple[int, int, list[int]]]:
    """{goal id: (request comments, people, the newest few answer ids, newest first)}."""
    return newest_day.counted(scope, _counted_requests, requests_in_two_parts)


def requests_in_two_parts(head: ReviewScope, tail: ReviewScope) -> dict:
    """:func:`_requests` over two adjacent periods: the comments add up, the people add the
    newest part's not counted before, the newest few are the newest of both parts'."""
    def rows(scope, conditions):
        # the period bounds the responses only (analysis.review.newest_day.new_people)
        return (_requests_of(scope, with_period=False)
                .join(Response, Response.id == Answer.response_id)
                .where(*response_period(scope.period), *conditions)
                .with_only_columns(goal_theme.c.goal_id, Response.respondent_id))

    merged = dict(_requests(head))
    fresh = newest_day.new_people(rows, head, tail)
    for goal_id, (n, _people, shown) in _counted_requests(tail).items():
        before_n, before_people, before_shown = merged.get(goal_id, (0, 0, []))
        merged[goal_id] = (before_n + n, before_people + fresh.get((goal_id,), 0),
                           sorted(before_shown + shown, reverse=True)[:REQUESTS_SHOWN])
    return merged


def _requests_of(scope: ReviewScope, with_period: bool = True):
    return (_goal_answers(scope, with_period=with_period)
            .join(AnswerTag, AnswerTag.answer_id == Answer.id)
            .where(AnswerTag.is_request.is_(True)))


def _counted_requests(scope: ReviewScope) -> dict[int, tuple[int, int, list[int]]]:
    """Two queries over the goal's comments flagged as requests."""
    requests = _requests_of(scope)
    counts = {
        goal_id: (int(n), int(people)) for goal_id, n, people in db.session.execute(
            requests.join(Response, Response.id == Answer.response_id)
            .where(*response_period(scope.period)).with_only_columns(
                goal_theme.c.goal_id, sa.func.count(sa.distinct(Answer.id)),
                sa.func.count(sa.distinct(Response.respondent_id)))
            .group_by(goal_theme.c.goal_id))
    }
    newest = sa.func.row_number().over(partition_by=goal_theme.c.goal_id,
                                       order_by=Answer.id.desc())
    ranked = requests.where(Answer.raw_text.is_not(None)).with_only_columns(
        goal_theme.c.goal_id, Answer.id.label("answer_id"), newest.label("rank"),
    ).subquery()
    shown: dict[int, list[int]] = {}
    for goal_id, answer_id in db.session.execute(
        sa.select(ranked.c.goal_id, ranked.c.answer_id)
        .where(ranked.c.rank <= REQUESTS_SHOWN).order_by(ranked.c.goal_id, ranked.c.rank)
    ):
        shown.setdefault(goal_id, []).append(answer_id)
    return {goal_id: (n, people, shown.get(goal_id, []))
            for goal_id, (n, people) in counts.items()}


def volume(scope: ReviewScope) -> tuple[str, list, list]:
    """Completed responses per time bucket by channel and by language.

    Returns (unit, [(bucket, channel, n)], [(bucket, locale, n)]).
    """
    unit = bucket_unit(scope.period)
    return (unit, *volume_series(_volume_rows(scope, unit)))


@remembered()
def _volume_rows(scope: ReviewScope, unit: str) -> list[tuple]:
    """[(bucket, channel, locale, responses)], in one query; responses add up over the two
    parts of a period still receiving answers (analysis.review.newest_day)."""
    return newest_day.counted(scope, lambda whole: _counted_volume(whole, unit),
                              lambda head, tail: volume_rows_in_two_parts(head, tail, unit))


def volume_rows_in_two_parts(head: ReviewScope, tail: ReviewScope, unit: str) -> list[tuple]:
    """:func:`_volume_rows` over two adjacent periods."""
    summed: Counter = Counter()
    for *key, n in (*_volume_rows(head, unit), *_counted_volume(tail, unit)):
        summed[tuple(key)] += n
    return [(*key, n) for key, n in summed.items()]


def _counted_volume(scope: ReviewScope, unit: str) -> list[tuple]:
    bucket = bucket_expression(Response.completed_at, unit)
    return [(str(b), channel, locale, int(n)) for b, channel, locale, n in db.session.execute(
        sa.select(bucket, Response.channel, Response.locale, sa.func.count(Response.id))
        .where(*response_conditions(scope))
        .group_by(bucket, Response.channel, Response.locale))]


def total_responses(scope: ReviewScope) -> tuple[int, int]:
    """(responses in the period, in the previous period)."""
    return _responses(scope), _responses(_before(scope))


@remembered()
def _responses(scope: ReviewScope) -> int:
    return newest_day.counted(scope, _counted_responses, responses_in_two_parts)


def responses_in_two_parts(head: ReviewScope, tail: ReviewScope) -> int:
    """:func:`_responses` over two adjacent periods."""
    return _responses(head) + _counted_responses(tail)


def _counted_responses(scope: ReviewScope) -> int:
    return int(db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(*response_conditions(scope))) or 0)


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
    #: Set by analysis.disclosure.gate.release_review: the policy applied, whether the
    #: filtered view is too small to show anything, the released population and volume rows.
    policy: object | None = None
    too_few: bool = False
    population: object | None = None
    volume_tables: dict | None = None


def tune_for_aggregates() -> None:
    """On PostgreSQL, for the rest of the current transaction: room to sort and hash a
    quarter's answers in memory (no JIT compilation is every connection's setting:
    feedback.core.server_settings)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL work_mem = '32MB'"))


@dataclass
class _Headline:
    """The figures every review shows, whichever source they were read from."""

    mix: dict
    themes: dict
    indicators: dict
    quotes: dict
    volume: tuple
    responses: tuple


def _headline(scope: ReviewScope, indicators: list, min_cell: int,
              with_quotes: bool, with_volume: bool) -> _Headline:
    """From the daily totals when they hold the scope (no demographic group filter), else
    counted from the answers; the two give the same figures (tests/test_review_totals.py)."""
    no_volume = (bucket_unit(scope.period), [], [])
    if totals_can_answer(scope):
        links = from_totals.goal_themes()
        mix, themes = from_totals.goal_comments(scope, links)
        return _Headline(
            mix, themes, ind.compute_all_from_totals(indicators, scope, min_cell),
            from_totals.quotes_by_goal(scope, links) if with_quotes else {},
            from_totals.volume(scope) if with_volume else no_volume,
            from_totals.total_responses(scope))
    mix, themes = goal_comments(scope)
    return _Headline(
        mix, themes, ind.compute_all(indicators, scope, min_cell),
        quotes_by_goal(scope) if with_quotes else {},
        volume(scope) if with_volume else no_volume, total_responses(scope))


def build_review(scope: ReviewScope, dimension: str | None = None,
                 with_quotes: bool = True, with_volume: bool = True) -> Review:
    """Every figure of the dashboard for ``scope``, disaggregated by ``dimension`` if given
    (``with_volume`` False: no responses per week or month, for outputs that show none).

    A fixed number of queries whatever the data: the stale daily totals are recomputed first
    (usually a day or none), then comments by goal and sentiment for both periods, quotes,
    indicators for both periods, volume and totals take one query each, plus the breakdown
    tables when a dimension is chosen.
    """
    memo.refresh_once()
    tune_for_aggregates()
    min_cell = min_cell_size()
    goals = list_goals(active_only=True)
    all_indicators = [i for g in goals for i in g.indicators]
    head = _headline(scope, all_indicators, min_cell, with_quotes, with_volume)
    theme_rows = {t.id: t for t in db.session.scalars(sa.select(Theme))}
    groups = goal_groups(scope, dimension, min_cell) if dimension else {}
    asked = requests_by_goal(scope) if with_quotes else {}
    labels = site_names() if dimension == "site" else {}
    if dimension:
        counted, hidden = shared_tables.guard(scope, min_cell)
    summaries = []
    for goal in goals:
        now_mix = head.mix["now"].get(goal.id, {})
        before_mix = head.mix["before"].get(goal.id, {})
        summary = GoalSummary(
            goal=goal,
            comments=sum(now_mix.values()),
            previous_comments=sum(before_mix.values()),
            sentiment=now_mix,
            previous_sentiment=before_mix,
            themes=[(theme_rows[t], n) for t, n in head.themes.get(goal.id, [])[:5]
                    if t in theme_rows],
            by_group=groups.get(goal.id, Table(dimension=dimension)) if dimension else None,
            quotes=head.quotes.get(goal.id, []),
        )
        summary.requests, summary.request_people, summary.request_quotes = asked.get(
            goal.id, (0, 0, []))
        for indicator in goal.indicators:
            summary.indicators.append((indicator, *head.indicators[indicator.id]))
            if dimension and indicator.rule == "mean":  # shares: see shared_tables
                summary.indicator_groups.append(
                    (indicator, ind.by_group(indicator, scope, dimension, min_cell, labels))
                )
        if dimension and hidden:
            for table in [summary.by_group, *(t for _i, t in summary.indicator_groups)]:
                hide_all(table.cells, hidden)
        summaries.append(summary)
    shared = []
    if dimension:
        shared = shared_tables.tables_for(scope, dimension, all_indicators, counted)
    unit, vol_channel, vol_locale = head.volume
    responses, previous_responses = head.responses
    return Review(
        scope=scope, min_cell=min_cell, responses=responses,
        previous_responses=previous_responses, volume_unit=unit,
        volume_channel=vol_channel, volume_locale=vol_locale, goals=summaries,
        dimension=dimension, shared=shared,
    )
