"""Indicator arithmetic in SQL: the share of answers with chosen values, or a mean.

The same definition is applied to every site and group, so partners' figures are comparable.
Answers store the parsed value as JSON (a choice code such as "4" or "yes") and a numeric form
(``value_number``: scales, numbers, yes=1/no=0); a value matches if either form matches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from analysis.review import count_budget, newest_day
from analysis.review.cells import Cell, Table, suppress
from analysis.review.daily_totals import DailyValues
from analysis.review.goals import Indicator
from analysis.review.memo import remembered
from analysis.review.scope import (
    ReviewScope,
    answer_conditions,
    dimension_join,
    response_period,
    totals_conditions,
)
from feedback.core.extensions import db
from feedback.responses.models import Answer, Response


@dataclass
class IndicatorValue:
    """``value`` is a share in 0..1 (share_of_values) or a mean; None when there are no answers
    or fewer than the minimum cell size (then ``suppressed``)."""

    n: int
    value: float | None
    suppressed: bool = False
    #: Distinct respondents behind ``n`` answers (None: not counted; the gate then counts
    #: them itself, analysis.disclosure.gate.indicator_respondents).
    respondents: int | None = None


def match_expression(indicator: Indicator, value_text=None, value_number=None):
    """1 when an answer counts towards a share_of_values indicator, else 0 (on ``answer``'s
    columns, or on the daily totals' copies of them when given)."""
    value_text = sa.cast(Answer.value, sa.Text) if value_text is None else value_text
    value_number = Answer.value_number if value_number is None else value_number
    values = [str(v) for v in indicator.values or []]
    numbers = []
    for v in values:
        try:
            numbers.append(float(v))
        except ValueError:
            pass
    as_json = [json.dumps(v) for v in values] + [json.dumps(int(x)) for x in numbers
                                                 if x == int(x)]
    conds = [value_text.in_(as_json)]
    if numbers:
        conds.append(value_number.in_(numbers))
    return sa.case((sa.or_(*conds), 1), else_=0)


def _measure(indicator: Indicator):
    if indicator.rule == "mean":
        return sa.func.avg(Answer.value_number)
    return sa.func.sum(match_expression(indicator))


def _base(indicator: Indicator, scope: ReviewScope, *columns, with_period: bool = True):
    return (
        sa.select(*columns)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_key == indicator.question_key,
               *answer_conditions(scope, with_period=with_period),
               *(response_period(scope.period) if with_period else ()))
    )


def _value(indicator: Indicator, n: int, measure) -> float | None:
    if not n or measure is None:
        return None
    if indicator.rule == "mean":
        return float(measure)
    return float(measure) / n


def _count(indicator: Indicator):
    return (sa.func.count(Answer.value_number) if indicator.rule == "mean"
            else sa.func.count(Answer.id))


def _indicator_value(indicator: Indicator, n, measure, people, min_cell: int) -> IndicatorValue:
    """One aggregate row as a value: suppressed if fewer than ``min_cell`` answers or people."""
    n, people = int(n or 0), int(people or 0)
    if 0 < people < min_cell or 0 < n < min_cell:
        return IndicatorValue(n=n, value=None, suppressed=True, respondents=people)
    return IndicatorValue(n=n, value=_value(indicator, n, measure), respondents=people)


@remembered()
def compute(indicator: Indicator, scope: ReviewScope, min_cell: int) -> IndicatorValue:
    """The indicator over the scope: suppressed if fewer than ``min_cell`` answers."""
    count_budget.whole(scope.period)
    row = db.session.execute(_base(
        indicator, scope, _count(indicator), _measure(indicator), _respondents(indicator))).one()
    return _indicator_value(indicator, *row, min_cell)


def compute_per_bucket(indicator: Indicator, scope: ReviewScope, bucket, conditions: list,
                       min_cell: int) -> dict:
    """{bucket: the indicator in it} for the answers of ``scope`` (its period ignored) that
    meet ``conditions``, in one scan: a series of periods (analysis.review.trends) reads
    the answers once, not once per period."""
    query = (_base(indicator, scope, bucket, _count(indicator), _measure(indicator),
                   _respondents(indicator), with_period=False)
             .where(*conditions).group_by(bucket))
    return {key: _indicator_value(indicator, n, measure, people, min_cell)
            for key, n, measure, people in db.session.execute(query)}


def _respondents(indicator: Indicator):
    """Distinct respondents behind an indicator's answers (one person may answer a recurring
    survey many times): what the threshold applies to."""
    counted = (sa.case((Answer.value_number.is_not(None), Response.respondent_id))
               if indicator.rule == "mean" else Response.respondent_id)
    return sa.func.count(sa.distinct(counted))


def compute_all(indicators: list[Indicator], scope: ReviewScope,
                min_cell: int) -> dict[int, tuple[IndicatorValue, IndicatorValue]]:
    """Every indicator for the period and the previous one.

    Returns {indicator id: (this period, previous period)}."""
    if not indicators:
        return {}
    now = _values_of_sums(indicators, _sums_in_period(indicators, scope), min_cell)
    before = _values_of_sums(
        indicators, _sums_in_period(indicators, scope.with_period(scope.period.previous())),
        min_cell)
    return {i.id: (now[i.id], before[i.id]) for i in indicators}


@remembered()
def _sums_in_period(indicators: list[Indicator], scope: ReviewScope) -> list[tuple]:
    """Per indicator, (answers counted, their sum): numbers, or matches of a share. Sums add
    up over the two parts of a period still receiving answers (analysis.review.newest_day)."""
    return newest_day.counted(scope, lambda whole: _summed_answers(indicators, whole),
                              lambda head, tail: sums_in_two_parts(indicators, head, tail))


def sums_in_two_parts(indicators: list[Indicator], head: ReviewScope,
                      tail: ReviewScope) -> list[tuple]:
    """:func:`_sums_in_period` over two adjacent periods."""
    return [(n + more, _sum_of_parts(total, added))
            for (n, total), (more, added) in zip(_sums_in_period(indicators, head),
                                                 _summed_answers(indicators, tail), strict=True)]


def _sum_of_parts(total: float | None, added: float | None) -> float | None:
    """Two parts' sums added; None (SQL's sum of no answers) only if both are."""
    return None if total is None and added is None else (total or 0) + (added or 0)


def _summed_answers(indicators: list[Indicator], scope: ReviewScope) -> list[tuple]:
    """:func:`_sums_in_period` counted, in one query (conditional aggregates over the
    answers to the indicators' questions)."""
    columns = []
    for indicator in indicators:
        asked = Answer.question_key == indicator.question_key
        if indicator.rule == "mean":
            columns += [
                sa.func.count(sa.case((asked, Answer.value_number))),
                sa.func.sum(sa.case((asked, Answer.value_number))),
            ]
        else:
            columns += [
                sa.func.count(sa.case((asked, Answer.id))),
                sa.func.sum(sa.case((asked, match_expression(indicator)), else_=0)),
            ]
    row = db.session.execute(
        sa.select(*columns).select_from(Answer)
        .where(Answer.question_key.in_({i.question_key for i in indicators}),
               *answer_conditions(scope))
    ).one()
    return [(int(row[2 * k] or 0), None if row[2 * k + 1] is None else float(row[2 * k + 1]))
            for k in range(len(indicators))]


def with_people(indicators: list[Indicator], scope: ReviewScope, people: dict,
                min_cell: int) -> dict[int, IndicatorValue]:
    """{indicator id: its value over the scope} with ``people`` ({indicator id: the people
    behind it}), as :func:`compute_per_bucket` gives a quarter's, from the remembered sums."""
    return {indicator.id: _indicator_value(indicator, n, _measure_of(indicator, n, total),
                                           people[indicator.id], min_cell)
            for indicator, (n, total) in zip(indicators, _sums_in_period(indicators, scope),
                                             strict=True)}


def _values_of_sums(indicators: list[Indicator], sums: list[tuple], min_cell: int) -> dict:
    """{indicator id: its value} from :func:`_sums_in_period`."""
    row = []
    for indicator, (n, total) in zip(indicators, sums, strict=True):
        row += [n, _measure_of(indicator, n, total)]
    return _values_of_row(indicators, row, min_cell)


def _measure_of(indicator: Indicator, n: int, total: float | None) -> float | None:
    """What :func:`_value` takes from a count and a sum: a mean's average, a share's
    matches."""
    return total / n if indicator.rule == "mean" and n and total is not None else total


def compute_all_from_totals(indicators: list[Indicator], scope: ReviewScope,
                            min_cell: int) -> dict[int, tuple[IndicatorValue, IndicatorValue]]:
    """:func:`compute_all` on the daily totals of answer values (the same figures, weighted by
    each value's count), for scopes the totals can answer."""
    if not indicators:
        return {}
    totals = DailyValues
    which = sa.case((totals.day >= scope.period.start, "now"), else_="before")
    columns = []
    for indicator in indicators:
        asked = totals.question_key == indicator.question_key
        if indicator.rule == "mean":
            counted = sa.and_(asked, totals.value_number.is_not(None))
            n = sa.func.sum(sa.case((counted, totals.n), else_=0))
            columns += [n, sa.func.sum(sa.case((counted, totals.value_number * totals.n)))
                        / sa.func.nullif(n, 0)]
        else:
            matched = match_expression(indicator, totals.value_text, totals.value_number)
            columns += [sa.func.sum(sa.case((asked, totals.n), else_=0)),
                        sa.func.sum(sa.case((asked, matched * totals.n), else_=0))]
    query = (
        sa.select(which, *columns)
        .where(totals.question_key.in_({i.question_key for i in indicators}),
               *totals_conditions(totals, scope, with_period=False),
               totals.day >= scope.period.previous().start, totals.day < scope.period.end)
        .group_by(which)
    )
    return _pairs(indicators, db.session.execute(query), min_cell)


def _pairs(indicators: list[Indicator], rows, min_cell: int) -> dict:
    """{indicator id: (this period, previous period)} from rows of ("now"|"before", then a
    count and a measure per indicator)."""
    found = {period: row for period, *row in rows}
    empty = [0, None] * len(indicators)
    now, before = (_values_of_row(indicators, found.get(period, empty), min_cell)
                   for period in ("now", "before"))
    return {i.id: (now[i.id], before[i.id]) for i in indicators}


def _values_of_row(indicators: list[Indicator], row, min_cell: int) -> dict:
    """{indicator id: its value} from a row of a count and a measure per indicator."""
    result = {}
    for k, indicator in enumerate(indicators):
        n, measure = int(row[2 * k] or 0), row[2 * k + 1]
        if 0 < n < min_cell:
            result[indicator.id] = IndicatorValue(n=n, value=None, suppressed=True)
        else:
            result[indicator.id] = IndicatorValue(n=n, value=_value(indicator, n, measure))
    return result


def by_group(indicator: Indicator, scope: ReviewScope, dim: str, min_cell: int,
             labels: dict | None = None) -> Table:
    """The indicator per demographic group, suppressed on each group's distinct
    respondents. Made on each view from remembered sums, so the period still receiving
    answers adds its newest day rather than counting the period again
    (analysis.review.newest_day)."""
    table = Table(dimension=dim)
    for key, (n, total, people) in _group_sums(indicator, scope, dim).items():
        name = (labels or {}).get(key, key)
        table.cells.append(Cell(group=str(name) if name is not None else "", n=n,
                                value=_value(indicator, n, _measure_of(indicator, n, total)),
                                respondents=people))
    table.cells.sort(key=lambda c: (c.group == "", c.group))
    suppress(table.cells, min_cell)
    return table


@remembered(by_group=True)
def _group_sums(indicator: Indicator, scope: ReviewScope, dim: str) -> dict:
    """{group: (answers counted, their sum, distinct respondents)}."""
    return newest_day.counted(
        scope, lambda whole: _summed_by_group(indicator, whole, dim),
        lambda head, tail: _group_sums_in_two_parts(indicator, head, tail, dim))


def _summed_by_group(indicator: Indicator, scope: ReviewScope, dim: str) -> dict:
    query, group = dimension_join(_base(indicator, scope), dim)
    summed = sa.func.sum(Answer.value_number if indicator.rule == "mean"
                         else match_expression(indicator))
    return {key: (int(n or 0), None if total is None else float(total), int(people or 0))
            for key, n, total, people in db.session.execute(query.with_only_columns(
                group, _count(indicator), summed, _respondents(indicator)).group_by(group))}


def _group_sums_in_two_parts(indicator: Indicator, head: ReviewScope, tail: ReviewScope,
                             dim: str) -> dict:
    """:func:`_group_sums` over two adjacent periods: the sums add up, the people add the
    newest day's new ones (analysis.review.newest_day.new_people)."""
    def rows(scope, conditions):
        # the period bounds the responses only (analysis.review.newest_day.new_people)
        counted = [Answer.value_number.is_not(None)] if indicator.rule == "mean" else []
        query, group = dimension_join(
            _base(indicator, scope, with_period=False).where(
                *response_period(scope.period), *counted, *conditions), dim)
        return query.with_only_columns(group.label("grp"), Response.respondent_id)

    result = dict(_group_sums(indicator, head, dim))
    fresh = newest_day.new_people(rows, head, tail)
    for key, (n, total, _people) in _summed_by_group(indicator, tail, dim).items():
        before_n, before_total, before_people = result.get(key, (0, None, 0))
        result[key] = (before_n + n, _sum_of_parts(before_total, total),
                       before_people + fresh.get((key,), 0))
    return result
