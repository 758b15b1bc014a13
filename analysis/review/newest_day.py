"""The period still receiving answers, counted as its remembered days plus its newest day.

Why: a write forgets every remembered count whose days it touches (analysis.review.memo), and
the period still receiving answers is written all day, so each view of it counted its whole
period again: seconds per figure at ten million answers. Writes land on the newest day. So
such a period is counted in two parts: the days before the newest day with data (the *head*,
remembered like any finished period, forgotten only when one of those days is written) and
the newest day (the *tail*, a day's answers, counted on every view).

Counts of answers add up over the two parts; counts of people do not (a person in both is one
person). The tail adds only its people not already counted in the head for the same figure:
its (figure, respondent) pairs less the head's pairs of the tail's respondents, which the
respondent index finds without reading the head (docs/analysis.md, "Speed with years of
data").

The head itself starts from what is remembered: when a new day begins, or a write forgets the
last few days, the head is yesterday's head (or the longest one still remembered, up to a week
short) plus the days after it, counted the same way, so only the first view of a scope ever
reads its whole period.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from analysis.review import count_budget, memo
from analysis.review.periods import Period
from analysis.review.scope import ReviewScope, response_period
from feedback.core.extensions import db
from feedback.responses.models import Response

#: ``rows(scope, conditions)``: a select of (columns..., respondent id) over the scope's rows
#: that also meet ``conditions`` on ``response``.
Rows = Callable[[ReviewScope, list], sa.Select]
#: ``figures(columns)``: the keys of the figures a row counts in (by default its columns).
Figures = Callable[[tuple], Iterable[tuple]]


def parts(scope: ReviewScope) -> tuple[ReviewScope, ReviewScope] | None:
    """(head, tail) when counts are remembered and either the scope's period holds the newest
    day with data after its first day, or the count being made is remembered over the
    period less its last few days (:data:`DAYS_ADDED`); None: count the period whole (a
    finished period counted for the first time, a period of one day, a database without the
    memo)."""
    if not memo.enabled():
        return None
    newest = memo.once_per_transaction("newest_day_with_data", newest_day_with_data)
    return split_at(scope, newest) or _after_remembered_start(scope)


#: How many of a period's last days may be counted onto its remembered start.
DAYS_ADDED = 7


def _after_remembered_start(scope: ReviewScope) -> tuple[ReviewScope, ReviewScope] | None:
    period = scope.period
    ends = [period.end - timedelta(days=n) for n in range(1, DAYS_ADDED + 1)]
    start = memo.remembered_among([Period(period.start, end) for end in ends
                                   if end > period.start])
    return None if start is None else split_at(scope, start.end)


def counted(scope: ReviewScope, whole: Callable, in_two_parts: Callable):
    """``whole(scope)``, or ``in_two_parts(head, tail)`` when the scope's period is split
    (:func:`parts`)."""
    halves = parts(scope)
    if halves is None:
        count_budget.whole(scope.period)
        return whole(scope)
    with _few_rows():
        return in_two_parts(*halves)


@contextlib.contextmanager
def _few_rows():
    """While adding a few days to remembered ones (PostgreSQL): price an index look-up as on
    the solid-state disks databases run on. At the default, priced for spinning disks, the
    planner joined a day's rows to their respondents by reading every respondent (0.1 to
    0.2 s a query at ten million answers) rather than looking the day's few up. Restored
    after: counts of whole periods keep the plans they were measured with."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    before = db.session.scalar(sa.text("SELECT current_setting('random_page_cost')"))
    db.session.execute(sa.text("SET LOCAL random_page_cost = 1.1"))
    yield  # an error leaves it set: the transaction it fails is rolled back, and it with it
    db.session.execute(sa.text("SELECT set_config('random_page_cost', :cost, true)"),
                       {"cost": before})


def split_at(scope: ReviewScope, day) -> tuple[ReviewScope, ReviewScope] | None:
    """(the scope before ``day``, the scope from ``day``) if ``day`` cuts its period."""
    period = scope.period
    if day is None or not period.start < day < period.end:
        return None
    return (scope.with_period(Period(period.start, day)),
            scope.with_period(Period(day, period.end)))


def newest_day_with_data():
    """The day of the latest completed response: the day today's writes land on."""
    newest = db.session.scalar(sa.select(sa.func.max(Response.completed_at)))
    return newest.date() if newest else None


def new_people(rows: Rows, head: ReviewScope, tail: ReviewScope,
               figures: Figures = lambda columns: (columns,)) -> dict[tuple, int]:
    """{figure key: people counted in ``tail`` and not in ``head`` for that figure}.

    One query per part: a row's figures (a cell and its margins, say) come from ``figures``.
    The tail's respondents are read first, and those who answered in ``head``'s period too
    (:func:`_returning`) are named to the head's query: told a list of people, the planner
    finds their responses by the respondent index, where a subquery let it read every answer
    of ``head`` to find them. ``rows`` should bound the period on the responses only, not
    on the answers' copy of it, for the same reason."""
    def pairs(query) -> set[tuple]:
        return {(*figure, row[-1]) for row in db.session.execute(query)
                for figure in figures(tuple(row[:-1]))}

    newer = pairs(rows(tail, [Response.respondent_id.is_not(None)]))
    for named in _named(sorted({pair[-1] for pair in newer} & _returning(head, tail))):
        newer -= pairs(rows(head, [named]))
    return dict(Counter(pair[:-1] for pair in newer))


def _returning(head: ReviewScope, tail: ReviewScope) -> set[int]:
    """The people who completed a response in ``tail``'s period and one in ``head``'s (any
    site, channel or survey): only they can have been counted before. Read once per
    transaction for all the figures of a view, which then name only them to the head's
    query, or skip it: most of a day's respondents did not answer earlier in the period."""
    def read() -> set[int]:
        newer = db.session.scalars(sa.select(Response.respondent_id).distinct().where(
            Response.respondent_id.is_not(None), *response_period(tail.period))).all()
        returning: set[int] = set()
        for named in _named(newer):
            returning.update(db.session.scalars(sa.select(Response.respondent_id).distinct()
                                                .where(named, *response_period(head.period))))
        return returning

    return memo.once_per_transaction(("returning", head.period, tail.period), read)


#: Respondents named in one query of the days before the newest.
NAMED_AT_ONCE = 5000


def _named(people: list[int]):
    """``response.respondent_id`` is one of ``people``, :data:`NAMED_AT_ONCE` at a time."""
    for start in range(0, len(people), NAMED_AT_ONCE):
        yield _one_of(people[start:start + NAMED_AT_ONCE])


def _one_of(people: list[int]):
    """``response.respondent_id`` is one of ``people``: one array parameter on PostgreSQL
    (thousands of bound values cost more to send than to look up)."""
    if db.engine.dialect.name == "postgresql":
        return Response.respondent_id == sa.any_(sa.bindparam("people", people,
                                                               type_=ARRAY(sa.Integer)))
    return Response.respondent_id.in_(people)
