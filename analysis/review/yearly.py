"""The yearly community report: for one calendar year, per goal, its indicators over the
years with the direction of change, what people said (themes and quotes), what the coalition
did (the "you said, we did" updates of that year) and the figures by group.

Everything is the agenda review's own arithmetic (analysis.review.dashboard, indicators) for a
calendar-year period, released by the disclosure gate (analysis.disclosure.gate) under the
viewer's policy, or the published policy for the public version on ``/results/<year>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from analysis.disclosure import gate
from analysis.review import indicators as ind
from analysis.review.dashboard import GoalSummary, Review, build_review
from analysis.review.goals import Indicator, LoopUpdate
from analysis.review.periods import year_of
from analysis.review.scope import ReviewScope
from feedback.core.extensions import db

#: Years of indicator history shown beside the report's year.
HISTORY_YEARS = 3
#: Changes smaller than these count as "steady" (a share in 0..1, a mean).
STEADY_SHARE = 0.01
STEADY_MEAN = 0.05


@dataclass
class IndicatorYears:
    indicator: Indicator
    #: (year, released IndicatorValue), oldest first.
    values: list[tuple[int, object]]
    #: "up", "down", "steady", or None when the last two years cannot be compared.
    direction: str | None


@dataclass
class GoalYear:
    summary: GoalSummary
    history: list[IndicatorYears] = field(default_factory=list)
    updates: list[LoopUpdate] = field(default_factory=list)


@dataclass
class YearReport:
    year: int
    review: Review
    goals: list[GoalYear]
    years: list[int]


def direction(before, now, rule: str) -> str | None:
    """The direction of change between two released indicator values."""
    if before is None or now is None or before.value is None or now.value is None:
        return None
    step = STEADY_MEAN if rule == "mean" else STEADY_SHARE
    delta = now.value - before.value
    if abs(delta) < step:
        return "steady"
    return "up" if delta > 0 else "down"


def updates_of_year(year: int) -> dict[int, list[LoopUpdate]]:
    """Published updates whose period overlaps ``year``, by goal."""
    period = year_of(year)
    rows = db.session.scalars(
        sa.select(LoopUpdate).where(LoopUpdate.published_at.is_not(None),
                                    LoopUpdate.period_start < period.end,
                                    LoopUpdate.period_end > period.start)
        .order_by(LoopUpdate.period_start))
    result: dict[int, list[LoopUpdate]] = {}
    for update in rows:
        result.setdefault(update.goal_id, []).append(update)
    return result


def build_year_report(year: int, base: ReviewScope, policy: gate.Policy,
                      dimension: str | None = None) -> YearReport:
    """The report for ``year`` under ``base``'s filters (and a viewer's site restriction)."""
    period = year_of(year)
    scope = base.with_period(period)
    review = gate.release_review(build_review(scope, dimension, with_volume=False), policy)
    years = list(range(year - HISTORY_YEARS + 1, year + 1))
    updates = updates_of_year(year)
    goals = []
    for summary in review.goals:
        goal_year = GoalYear(summary, updates=updates.get(summary.goal.id, []))
        # the report's own year is the review's figure, released already: not counted twice
        this_year = {indicator.id: now for indicator, now, _before in summary.indicators}
        for indicator in summary.goal.indicators:
            values = [(y, this_year[indicator.id] if y == year else gate.release_indicator(
                policy, ind.compute(indicator, scope.with_period(year_of(y)), policy.min_cell)))
                for y in years]
            goal_year.history.append(IndicatorYears(
                indicator, values, direction(values[-2][1] if len(values) > 1 else None,
                                             values[-1][1], indicator.rule)))
        goals.append(goal_year)
    return YearReport(year, review, goals, years)
