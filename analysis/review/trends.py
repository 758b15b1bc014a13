"""Trends over years: every indicator and each goal's volume and sentiment as a series of
quarters, the latest quarter beside the previous one and the same quarter a year before.

Each point is counted exactly for its quarter (the same indicator arithmetic and goal queries
as the dashboard, under the scope's filters, so a group filter disaggregates the whole series)
and then released through the disclosure gate (analysis.disclosure.gate): a point resting on
too few people is withheld, a filtered quarter whose population is under the threshold shows
nothing, and counts are rounded outside the backbone admin's exact view (docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from analysis.disclosure import gate
from analysis.review import charts, count_budget, goal_counts, indicators, memo, newest_day
from analysis.review.goals import AgendaGoal, Indicator
from analysis.review.periods import Period, quarters_ending, same_period_last_year
from analysis.review.scope import ReviewScope, response_period
from feedback.core.extensions import db
from feedback.responses.models import Answer

#: How many years of quarters a trend page may show.
MAX_YEARS = 5


@dataclass(frozen=True)
class Point:
    """One quarter of a series: the released value (None when withheld or no data)."""

    period: Period
    value: float | None
    n: int | None
    withheld: bool = False


@dataclass
class Series:
    """A named series of quarters with the latest one compared two ways."""

    key: str
    #: "share" (0..1), "mean" or "count".
    unit: str
    points: list[Point] = field(default_factory=list)

    def at(self, period: Period) -> Point | None:
        return next((p for p in self.points if p.period == period), None)

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def previous(self) -> Point | None:
        return self.at(self.latest.period.previous())

    @property
    def last_year(self) -> Point | None:
        return self.at(same_period_last_year(self.latest.period))

    @staticmethod
    def _change(now: Point | None, before: Point | None) -> float | None:
        if now is None or before is None or now.value is None or before.value is None:
            return None
        return now.value - before.value

    @property
    def change_previous(self) -> float | None:
        return self._change(self.latest, self.previous)

    @property
    def change_last_year(self) -> float | None:
        return self._change(self.latest, self.last_year)


@dataclass
class GoalTrend:
    goal: AgendaGoal
    volume: Series
    positive: Series


@dataclass
class Trends:
    quarters: list[Period]
    indicators: list[tuple[Indicator, Series]]
    goals: list[GoalTrend]
    #: Quarters a filtered view shows nothing for (too few people in them).
    too_few: set = field(default_factory=set)


def _small(scope: ReviewScope, policy: gate.Policy, quarter: Period) -> bool:
    """Gate rule 2: a filtered quarter whose whole population is under the threshold."""
    if not gate.is_filtered(scope):
        return False
    now, _before = gate.population(scope.with_period(quarter))
    return 0 < now < policy.min_cell


def _in_quarters(quarters: list[Period]):
    """(the index in ``quarters`` of the quarter an answer was completed in, None outside
    them; the conditions keeping the answers, and their responses, from the first to the
    last): the bucket a series' counts group by, the same boundaries as each quarter's own
    period. Every series count joins the answers' responses (scope.response_period)."""
    column = Answer.completed_at
    bucket = sa.case(*[(sa.and_(column >= q.start_dt, column < q.end_dt), i)
                       for i, q in enumerate(quarters)])
    return bucket, [
        column >= quarters[0].start_dt, column < quarters[-1].end_dt,
        *response_period(Period(quarters[0].start, quarters[-1].end))]


def _count_quarters(scope: ReviewScope, quarters: list[Period], measured: list[Indicator],
                    with_goals: bool, min_cell: int) -> list[tuple[dict, dict, dict]]:
    """Per quarter: (comments per goal and sentiment; the people behind them; {indicator id:
    its value}). Each count reads the answers of every quarter at once, grouped by quarter:
    one scan of the years, not one per quarter (and goal) as a page with years of data
    waits."""
    count_budget.whole(*quarters, times=int(with_goals) + len(measured))
    bucket, within = _in_quarters(quarters)
    counted = goal_counts.per_bucket(scope, bucket, within) if with_goals else {}
    comments = {k: goal_counts.comments_of(goals) for k, goals in counted.items()}
    people = {k: goal_counts.people_of(goals) for k, goals in counted.items()}
    values = {i.id: indicators.compute_per_bucket(i, scope, bucket, within, min_cell)
              for i in measured}
    empty = indicators.IndicatorValue(n=0, value=None)
    return [(comments.get(k, {}), people.get(k, {}),
             {i: per_bucket.get(k, empty) for i, per_bucket in values.items()})
            for k in range(len(quarters))]


def _series_counts(scope: ReviewScope, quarters: list[Period], measured: list[Indicator],
                   with_goals: bool, min_cell: int) -> list[tuple[dict, dict, dict]]:
    """:func:`_count_quarters` for every quarter, each remembered on its own
    (analysis.review.memo): a finished quarter is counted once, so a page ending with the
    quarter still receiving answers counts only that one."""
    if not memo.enabled():
        return _count_quarters(scope, quarters, measured, with_goals, min_cell)
    keys = [memo.key_for("trends.quarter", scope.with_period(q), measured, with_goals,
                         min_cell) for q in quarters]
    found = [memo.recall(key) for key in keys]
    missing = [k for k, value in enumerate(found) if value is memo.MISSING]
    if missing:
        seen = memo.forgotten_so_far()
        # the quarter still receiving answers: its remembered days plus its newest day
        open_ = [k for k in missing if newest_day.parts(scope.with_period(quarters[k]))]
        rest = [k for k in missing if k not in open_]
        counted = dict(zip(rest, _count_quarters(scope, [quarters[k] for k in rest], measured,
                                                 with_goals, min_cell) if rest else [],
                           strict=True))
        counted |= {k: _open_quarter(scope.with_period(quarters[k]), measured, with_goals,
                                     min_cell) for k in open_}
        for k in missing:
            found[k] = counted[k]
            memo.keep(keys[k], (quarters[k].start, quarters[k].end), seen, found[k],
                      by_group=scope.group_dim is not None)
    return found


def _open_quarter(scope: ReviewScope, measured: list[Indicator], with_goals: bool,
                  min_cell: int) -> tuple[dict, dict, dict]:
    """:func:`_count_quarters` of one quarter from the dashboard's own counts, which add the
    newest day to the remembered days before it (analysis.review.newest_day), instead of
    reading the whole quarter on every view after a new answer."""
    goals = goal_counts.in_period(scope)["goals"] if with_goals else {}
    answered = gate.indicator_respondents(scope)["now"]
    people = {i.id: gate.people_behind(i, answered) for i in measured}
    return (goal_counts.comments_of(goals), goal_counts.people_of(goals),
            indicators.with_people(measured, scope, people, min_cell))


def build_trends(scope: ReviewScope, policy: gate.Policy, years: int = 3) -> Trends:
    """The series of ``years`` years of quarters ending with the scope's quarter."""
    years = max(1, min(int(years), MAX_YEARS))
    quarters = quarters_ending(scope.period, 4 * years)
    too_few = {q for q in quarters if _small(scope, policy, q)}
    goals = list(db.session.scalars(
        db.select(AgendaGoal).where(AgendaGoal.active.is_(True)).order_by(AgendaGoal.position)))
    result = Trends(quarters, [], [], too_few)
    measured = [i for goal in goals for i in sorted(goal.indicators, key=lambda i: i.id)]
    counts = _series_counts(scope, quarters, measured, bool(goals), policy.min_cell)
    for goal in goals:
        for indicator in sorted(goal.indicators, key=lambda i: i.id):
            unit = "mean" if indicator.rule == "mean" else "share"
            series = Series(f"indicator-{indicator.id}", unit)
            for i, quarter in enumerate(quarters):
                if quarter in too_few:
                    series.points.append(Point(quarter, None, None, True))
                    continue
                value = gate.release_indicator(policy, counts[i][2][indicator.id])
                series.points.append(Point(quarter, value.value, value.n or None,
                                           value.suppressed))
            result.indicators.append((indicator, series))
        volume = Series(f"goal-{goal.id}-volume", "count")
        positive = Series(f"goal-{goal.id}-positive", "share")
        for i, quarter in enumerate(quarters):
            if quarter in too_few:
                volume.points.append(Point(quarter, None, None, True))
                positive.points.append(Point(quarter, None, None, True))
                continue
            mix = counts[i][0].get(goal.id, {})
            people = counts[i][1].get(goal.id, {})
            total = policy.figure(sum(mix.values()), people.get(None))
            volume.points.append(Point(quarter, total.shown, total.shown, total.withheld))
            _released, shares = gate.release_mix(policy, mix, people, total)
            share = shares.get("positive") if mix else None
            if mix and "positive" not in mix and not total.withheld:
                share = 0.0  # no positive comment at all: a zero share, safe to show
            positive.points.append(Point(quarter, share, total.shown,
                                         total.withheld or (bool(mix) and share is None)))
        result.goals.append(GoalTrend(goal, volume, positive))
    return result


def chart(series: Series) -> str:
    """The series as a line chart (a data URI); the table beside it carries the same figures
    for every reader."""
    return charts.trend_line(tuple(p.period.label for p in series.points),
                             tuple(p.value for p in series.points), series.unit)
