"""How much of a whole period a review page may count itself before the worker takes over.

Why: with years of data, a view nothing was remembered for reads its whole period, which
takes seconds at millions of answers, and the web process counting it serves nobody else
meanwhile (two processes by default, which Twilio's webhooks share). So a page counts whole
periods only up to a budget of responses read (``REVIEW_COUNT_IN_PAGE``); past it, the view
is counted on the worker and the page says so (analysis.review.counting; docs/analysis.md,
"Counting on the worker"). No budget is set outside a page: the worker's own counts and
counting ahead count everything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import sqlalchemy as sa

from analysis.review.daily_totals import DailyResponses
from feedback.core.extensions import db

#: Responses the page may still read whole, or None: no budget (count everything).
_left: ContextVar[list[int] | None] = ContextVar("review_count_budget", default=None)


class OverBudget(Exception):
    """Counting this period whole would read more than the page may."""


@contextlib.contextmanager
def at_most(responses: int) -> Iterator[None]:
    """Within the block, whole counts may read ``responses`` responses in all."""
    token = _left.set([responses])
    try:
        yield
    finally:
        _left.reset(token)


def whole(*periods, times: int = 1) -> None:
    """A count is about to read each of ``periods`` whole, ``times`` scans of each: charge it
    to the budget, or raise :class:`OverBudget` if it would go over. Charged as every
    response of each period, whatever the filters: a filtered count still reads the period's
    answers by time and keeps those in scope (measured: a language and a channel at once took
    as long as a quarter's plain count). One query, however many periods (a trends page
    charges years of quarters)."""
    left = _left.get()
    if left is None:
        return
    day = DailyResponses.day
    within = sa.or_(*(sa.and_(day >= period.start, day < period.end) for period in periods))
    responses = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DailyResponses.n), 0))
                                  .where(within))
    left[0] -= times * int(responses)
    if left[0] < 0:
        raise OverBudget
