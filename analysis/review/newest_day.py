"""The period still receiving answers, counted as its remembered days plus its newest day.

Why: a write forgets every remembered count whose days it touches (analysis.review.memo), and
the period still receiving answers is written all day, so each view of it counted its whole
period again: seconds per figure at ten million answers. Writes land on the newest day. So
such a period is counted in two parts: the days before the newest day with data (the *head*,
remembered like any finished period, forgotten only when one of those days is written) and
the newest day (the *tail*, a day's answers, counted on every view).

Counts of answers add up over the two parts; counts of people do not (a person in both is one
person). The tail adds only its people not already counted in the head for the same figure:
its (figure, respondent) pairs EXCEPT the head's pairs of the tail's respondents, which the
respondent index finds without reading the head (docs/analysis.md, "Speed with years of
data").
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from analysis.review import memo
from analysis.review.periods import Period
from analysis.review.scope import ReviewScope
from feedback.core.extensions import db
from feedback.responses.models import Response

#: ``pairs(scope, conditions)``: a select of (figure key columns..., respondent id) over the
#: scope's rows that also meet ``conditions`` on ``response``.
Pairs = Callable[[ReviewScope, list], sa.Select]


def parts(scope: ReviewScope) -> tuple[ReviewScope, ReviewScope] | None:
    """(head, tail) when the scope's period holds the newest day with data after its first
    day and counts are remembered; None: count the period whole (a finished period, a
    period of one day, a database without the memo)."""
    if not memo.enabled():
        return None
    return split_at(scope, memo.once_per_transaction("newest_day_with_data", _newest_day))


def counted(scope: ReviewScope, whole: Callable, in_two_parts: Callable):
    """``whole(scope)``, or ``in_two_parts(head, tail)`` when the scope's period is split
    (:func:`parts`)."""
    halves = parts(scope)
    return whole(scope) if halves is None else in_two_parts(*halves)


def split_at(scope: ReviewScope, day) -> tuple[ReviewScope, ReviewScope] | None:
    """(the scope before ``day``, the scope from ``day``) if ``day`` cuts its period."""
    period = scope.period
    if day is None or not period.start < day < period.end:
        return None
    return (scope.with_period(Period(period.start, day)),
            scope.with_period(Period(day, period.end)))


def _newest_day():
    newest = db.session.scalar(sa.select(sa.func.max(Response.completed_at)))
    return newest.date() if newest else None


def new_people(pairs: Pairs, head: ReviewScope, tail: ReviewScope) -> dict[tuple, int]:
    """{figure key: people counted in ``tail`` and not in ``head`` for that figure}."""
    newer = pairs(tail, [Response.respondent_id.is_not(None)])
    theirs = sa.select(list(newer.subquery().c)[-1])
    fresh = sa.except_(newer, pairs(head, [Response.respondent_id.in_(theirs)])).subquery()
    keys = list(fresh.c)[:-1]
    return {tuple(row[:-1]): int(row[-1]) for row in db.session.execute(
        sa.select(*keys, sa.func.count()).select_from(fresh).group_by(*keys))}


def as_one_select(*shapes: sa.Select) -> sa.Select:
    """The rows of every shape, as one plain select (a bare UNION inside EXCEPT would need
    parentheses, which SQLite refuses)."""
    return sa.select(sa.union_all(*shapes).subquery())
