"""The public results page (/results): published "you said, we did" updates with aggregate
figures for the whole coalition, in the visitor's language, no login.

Only coalition-wide aggregates are shown (no site, partner or group filter), and an indicator
with fewer than ``MIN_CELL_SIZE`` answers is suppressed like everywhere else.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from analysis.disclosure import gate
from analysis.disclosure.windows import widen_to_weeks
from analysis.review import counting, opened
from analysis.review import indicators as ind
from analysis.review.cells import min_cell_size
from analysis.review.dashboard import sentiment_by_goal
from analysis.review.loop import published_updates
from analysis.review.periods import Period, month_of, quarter_of, year_of
from analysis.review.presenting import chart_context, sentiment_names
from analysis.review.scope import ReviewScope, earliest_day_with_data, latest_day_with_data

bp = Blueprint("results", __name__)


@bp.errorhandler(counting.OnTheWorker)
def _counting_on_the_worker(_error):
    """The report's figures are being counted on the worker: say so, and poll for them."""
    return render_template("review/counting.html", public=True), 202, {"Retry-After": "3"}


def results_context() -> list[dict]:
    """Each published update with its goal's figures for the update's period, as the
    disclosure gate releases them to the public (threshold, complementary suppression,
    rounding: analysis.disclosure.gate)."""
    policy = gate.published_policy()
    min_cell = policy.min_cell
    items, cache = [], {}
    for update in published_updates():
        period = Period(update.period_start, update.period_end, "custom")
        whole = [p for p in (quarter_of(period.start), month_of(period.start))
                 if (p.start, p.end) == (period.start, period.end)]
        period = whole[0] if whole else widen_to_weeks(period)
        scope = ReviewScope(period=period)
        key = (period.start, period.end)
        if key not in cache:
            cache[key] = (sentiment_by_goal(scope), gate.goal_respondents(scope)["now"])
        mixes, people = cache[key]
        goal_mix = {k: v for k, v in mixes.get(update.goal_id, {}).items() if k != "untagged"}
        goal_people = people.get(update.goal_id, {})
        comments = policy.figure(sum(goal_mix.values()), goal_people.get(None, 0))
        released, shares = gate.release_mix(policy, goal_mix, goal_people, comments)
        items.append({
            "entry": update,
            "comments": comments.shown,
            "shares": shares if not comments.withheld else {},
            "indicators": [(i, gate.release_indicator(policy, ind.compute(i, scope, min_cell)))
                           for i in update.goal.indicators],
        })
    return items


@bp.get("/results/<int:year>")
def year_report(year: int):
    """The yearly community report for everyone: coalition-wide figures only, rounded and
    suppressed as every published output (analysis.disclosure.gate)."""
    from flask import abort

    from analysis.review.yearly import build_year_report
    from feedback.responses.models import utcnow

    if not 2000 <= year <= utcnow().year:
        abort(404)
    base = ReviewScope(period=year_of(year))
    # counted like the staff's report: past the page's budget, on the worker
    # (docs/analysis.md, "Counting on the worker"), so no visitor holds a web process
    view = opened.Opened("year", base, None, year=year)
    report = counting.here_or_on_worker(
        view, lambda: build_year_report(year, base, gate.published_policy()))
    opened.note(view)
    return render_template("review/year_report.html", report=report, public=True,
                           locale=str(get_locale()), dimensions={}, args={},
                           charts=chart_context(report.review))


def report_years() -> list[int]:
    """The years a community report can be read for, newest first: from the first year with
    responses to the last year that ended with responses (the year under way is not yet a
    report)."""
    from feedback.responses.models import utcnow

    this_year = year_of(utcnow().year)
    coalition = ReviewScope(period=this_year)
    last = latest_day_with_data(coalition, before=this_year.start_dt)
    if last is None:
        return []
    first = earliest_day_with_data(coalition)
    return list(range(last.year, first.year - 1, -1))


@bp.get("/results")
def index():
    """What we heard and what we are doing about it (public)."""
    return render_template("review/results.html", items=results_context(),
                           locale=str(get_locale()), names=sentiment_names(),
                           min_cell=min_cell_size(), years=report_years())
