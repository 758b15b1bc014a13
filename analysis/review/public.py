"""The public results page (/results): published "you said, we did" updates with aggregate
figures for the whole coalition, in the visitor's language, no login.

Only coalition-wide aggregates are shown (no site, partner or group filter), and an indicator
with fewer than ``MIN_CELL_SIZE`` answers is suppressed like everywhere else.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from analysis.review import indicators as ind
from analysis.review.cells import min_cell_size
from analysis.review.dashboard import sentiment_by_goal
from analysis.review.loop import published_updates
from analysis.review.periods import Period
from analysis.review.presenting import sentiment_names
from analysis.review.scope import ReviewScope

bp = Blueprint("results", __name__)


def results_context() -> list[dict]:
    """Each published update with its goal's figures for the update's period."""
    min_cell = min_cell_size()
    items, cache = [], {}
    for update in published_updates():
        period = Period(update.period_start, update.period_end, "custom")
        scope = ReviewScope(period=period)
        key = (update.period_start, update.period_end)
        if key not in cache:
            cache[key] = sentiment_by_goal(scope)
        goal_mix = cache[key].get(update.goal_id, {})
        n = sum(goal_mix.values())  # every comment has one sentiment (or "untagged")
        total = sum(v for k, v in goal_mix.items() if k != "untagged")
        shares = {}
        if n >= min_cell and total >= min_cell:
            shares = {k: goal_mix.get(k, 0) / total for k in ("positive", "neutral", "negative")}
        items.append({
            "entry": update,
            "comments": n if n >= min_cell else None,
            "shares": shares,
            "indicators": [(i, ind.compute(i, scope, min_cell)) for i in update.goal.indicators],
        })
    return items


@bp.get("/results")
def index():
    """What we heard and what we are doing about it (public)."""
    return render_template("review/results.html", items=results_context(),
                           locale=str(get_locale()), names=sentiment_names(),
                           min_cell=min_cell_size())
