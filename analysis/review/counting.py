"""A review page whose figures would take long to count hands the count to the worker.

Why: a view nothing was remembered for reads its whole period, which takes seconds at
millions of answers (a first opening of a rare combination of filters, a view a late write
made forgotten before the worker's round). A web process counting it serves nobody else
meanwhile, and the wait is a blank page. So the page counts itself only up to a budget
(analysis.review.count_budget); past it, the view is counted on the worker's long jobs'
queue, where counting ahead runs, and the page answers at once that its figures are being
counted, then shows them when they are (docs/analysis.md, "Counting on the worker").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request

from analysis.disclosure import gate
from analysis.review import count_budget, memo, opened, warming
from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.responses.models import utcnow

#: The header the waiting page's script polls with: count nothing whole, only say whether
#: the figures are ready.
POLL_HEADER = "X-Review-Poll"

T = TypeVar("T")


class OnTheWorker(Exception):
    """The view's figures are being counted on the worker (the page says so)."""


def here_or_on_worker(view: opened.Opened, build: Callable[[], T]) -> T:
    """``build()``, counting whole periods up to the page's budget; past it, ask the worker
    to count ``view`` and raise :class:`OnTheWorker`. Where counts are not remembered
    (SQLite), nothing the worker counted would be read back, so the page counts it all."""
    if not memo.enabled():
        return build()
    budget = 0 if request.headers.get(POLL_HEADER) else current_app.config[
        "REVIEW_COUNT_IN_PAGE"]
    try:
        with count_budget.at_most(budget):
            return build()
    except count_budget.OverBudget:
        pass
    db.session.rollback()  # what was counted so far is remembered; the rest is the worker's
    count_view_job(opened.note(view))
    raise OnTheWorker


@queue.task(long=True, retries=2, retry_delay=30)
def count_view_job(recipe: dict) -> None:
    """Count one view a page asked for; a second request for the same view while it is
    being counted gives way (the page keeps polling until the first one is done)."""
    views = opened.views_of(recipe, utcnow().date())
    if not views:
        return
    with warming.alone(lock_for(recipe)) as first:
        if first:
            warming.again(views[0], gate.published_policy())()
            db.session.commit()


def lock_for(recipe: dict) -> int:
    """The advisory lock a count of this view holds: the first 64 bits of its key."""
    return int.from_bytes(bytes.fromhex(opened.key_of(recipe)[:16]), "big", signed=True)
