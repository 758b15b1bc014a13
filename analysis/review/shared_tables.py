"""Disaggregated tables through the analysis package's shared ``breakdown`` (one rule for
every figure: primary and complementary suppression plus its differencing guard).

The review's own per-goal comment counts by group (analysis.review.cells) cover what
``breakdown`` has no measure for (comments on a goal's themes; mean indicators); everything it
does measure — sentiment by group, share-of-values indicators by group — comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analysis.breakdowns import (
    BreakdownResult,
    CellCounts,
    Filters,
    Measure,
    add_cells,
    breakdown,
    cell_counts,
    cell_figures,
    cell_rows,
    guard_reason,
    population,
    population_rows,
)
from analysis.review import newest_day
from analysis.review.goals import Indicator
from analysis.review.memo import remembered
from analysis.review.scope import ReviewScope, site_ids_for

#: Review dimension names -> analysis.breakdowns dimension names.
DIMENSION_MAP = {"race": "race_ethnicity", "locale": "language"}


def to_filters(scope: ReviewScope) -> Filters:
    """The breakdown Filters equivalent of a review scope. The viewer's sites are the scope; a
    site or partner filter narrows it, so the differencing guard covers it (a partner filter
    must not reveal the few respondents of the other partners by subtraction)."""
    group = None
    if scope.group_dim and scope.group_value:
        group = (DIMENSION_MAP.get(scope.group_dim, scope.group_dim), scope.group_value)
    only_sites = None
    if scope.site_id or scope.organization_id:
        only_sites = site_ids_for(replace(scope, site_ids=None))
    return Filters(
        start=scope.period.start_dt, end=scope.period.end_dt, survey_id=scope.survey_id,
        channel=scope.channel, locale=scope.locale, site_ids=scope.site_ids,
        only_sites=only_sites, group=group,
    )


def indicator_measure(indicator: Indicator) -> Measure:
    """Choice codes as given, plus their numeric form (scale answers may be stored as numbers)."""
    values: list = []
    for v in indicator.values or []:
        values.append(str(v))
        try:
            values.append(float(v))
        except ValueError:
            pass
    return Measure("indicator", question_key=indicator.question_key, values=tuple(values))


@dataclass
class SharedTable:
    title_key: str
    indicator: Indicator | None
    result: BreakdownResult


def guard(scope: ReviewScope, min_cell: int) -> tuple[tuple, str | None]:
    """The scope's population count and, if its breakdowns must all be hidden, why (the
    differencing guard of analysis.breakdowns, for the review's own per-goal tables too).
    Not remembered itself: derived from the remembered population at no cost."""
    counted = _population(scope)
    return counted, guard_reason(to_filters(scope), min_cell, counted)


@remembered()
def _population(scope: ReviewScope) -> tuple[int, tuple[int, ...]]:
    """The scope's :func:`population` (analysis.review.newest_day)."""
    return newest_day.counted(scope, lambda whole: population(to_filters(whole)),
                              population_in_two_parts)


def population_in_two_parts(head: ReviewScope, tail: ReviewScope) -> tuple:
    """:func:`_population` over two adjacent periods."""
    n, wider = _population(head)
    fresh = newest_day.new_people(
        lambda scope, conditions: population_rows(to_filters(scope), conditions), head, tail,
        lambda within: [(number,) for number, inside in enumerate(within) if inside])
    return (n + fresh.get((0,), 0),
            tuple(w + fresh.get((number,), 0) for number, w in enumerate(wider, start=1)))


def tables_for(scope: ReviewScope, dim: str, indicators: list[Indicator],
               counted: tuple | None = None) -> list[SharedTable]:
    """Sentiment of all comments by group, and each share indicator by group (``counted``:
    the scope's population from :func:`guard`, counted once for every table)."""
    shares = [i for i in indicators if i.rule == "share_of_values" and i.values]
    sentiment, *by_indicator = _breakdowns(scope, dim, shares, counted)
    return [SharedTable("sentiment", None, sentiment),
            *(SharedTable("indicator", i, result)
              for i, result in zip(shares, by_indicator, strict=True))]


def _breakdowns(scope: ReviewScope, dim: str, shares: list[Indicator],
                counted: tuple | None) -> list[BreakdownResult]:
    """The tables of :func:`tables_for`: sentiment, then each indicator in ``shares``, made
    from the remembered counts (suppressing a table costs no query)."""
    filters, dims = to_filters(scope), (DIMENSION_MAP.get(dim, dim),)
    counted = counted if counted is not None else _population(scope)
    return [breakdown(measure, dims, filters, counted=counted,
                      cells=_cells(scope, measure, dims))
            for measure in (Measure("sentiment"), *map(indicator_measure, shares))]


@remembered(by_group=True)
def _cells(scope: ReviewScope, measure: Measure, dims: tuple) -> CellCounts:
    """One table's counts over the scope's period (analysis.review.newest_day)."""
    return newest_day.counted(scope, lambda whole: cell_counts(measure, dims, to_filters(whole)),
                              lambda head, tail: cells_in_two_parts(head, tail, measure, dims))


def cells_in_two_parts(head: ReviewScope, tail: ReviewScope, measure: Measure,
                       dims: tuple) -> CellCounts:
    """:func:`_cells` over two adjacent periods."""
    def rows(scope, conditions):
        return cell_rows(measure, dims, to_filters(scope), conditions)

    return add_cells(_cells(head, measure, dims), cell_counts(measure, dims, to_filters(tail)),
                     newest_day.new_people(rows, head, tail, cell_figures(measure, dims)))
