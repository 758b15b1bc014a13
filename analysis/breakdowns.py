"""Breakdowns: counts of respondents, responses, comments, sentiments or an indicator by group,
computed by SQL aggregates and published only through small-cell suppression.

Every figure of the staff review calls :func:`breakdown`. One SQL statement computes the cells
and the margins (a UNION ALL of GROUP BY queries with COUNT(DISTINCT ...), so multi-select
dimensions and respondents with several responses are counted correctly), and one more counts
the filtered population for the differencing guard.

**Differencing guard.** Filters (anything but the ``site_ids`` scope) must not isolate a small
population, directly or by difference:

* if the filtered population (distinct respondents) is below ``min_cell``, everything is hidden
  (reason ``small_population``);
* if the respondents one of the viewer's filters (a group, a site or partner, a survey, a channel
  or a language) *excludes* from the same view without it number between 1 and
  ``min_cell - 1``, everything is hidden too (reason ``difference``): otherwise that wider
  table, shown for the same period, minus the filtered one would show that small group;
* within the table, suppression (analysis.disclosure.suppression) hides small cells and their
complements.

Residual risk, documented for the review pages: two *different* filters of the same kind (two
overlapping periods a day apart) can still be compared; the dashboard should offer fixed periods
(months, quarters, years) and fixed groups rather than free-form ranges.

Responses whose origin is in ``FIGURES_EXCLUDE_ORIGINS`` count nowhere, as in the review's own
figures. Only completed responses count (responses the stuffing guard holds have no completion
time until staff accept them) unless ``Filters.include_incomplete`` (SMS conversations left
half-way) is set; the period then uses the start time of incomplete responses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from analysis.disclosure.suppression import (
    REASON_DIFFERENCE,
    REASON_SMALL_POPULATION,
    PeopleCounts,
    SuppressedTable,
    all_suppressed,
    suppress,
)
from analysis.models import SENTIMENTS, AnswerTag, AnswerTheme, Theme
from feedback.core.extensions import db
from feedback.responses.models import Answer, PartnerSite, Respondent, RespondentRace, Response
from surveys.models import Question

#: Dimensions a table can be broken down by.
DIMENSIONS = (
    "race_ethnicity", "age_group", "gender", "neighbourhood", "role",
    "language", "site", "channel", "partner", "survey",
)
#: Question types whose answers are free-text comments.
FREE_TEXT_TYPES = ("short_text", "long_text")
#: Measures; the first three count units, the others split them into categories (columns).
COUNT_MEASURES = ("respondents", "responses", "comments")
CATEGORY_MEASURES = ("sentiment", "indicator", "themes")
ALL = "__all__"
_NONE = "__none__"


@dataclass(frozen=True)
class Measure:
    """What a table counts. ``indicator`` needs ``question_key`` and ``values`` (choice codes or
    numbers): the table then shows, per group, answers matching ("yes") or not ("no")."""

    kind: str
    question_key: str | None = None
    values: tuple = ()

    @classmethod
    def of(cls, measure) -> Measure:
        return measure if isinstance(measure, Measure) else cls(str(measure))


@dataclass(frozen=True)
class Filters:
    """Which responses a table covers. ``site_ids`` is the viewer's scope (None = every site);
    ``group`` is a demographic filter ``(dimension, value)``."""

    start: datetime | None = None
    end: datetime | None = None
    survey_id: int | None = None
    channel: str | None = None
    locale: str | None = None
    site_ids: Sequence[int] | None = None
    #: A site or partner filter (unlike the viewer's ``site_ids``, it narrows: guarded).
    only_sites: Sequence[int] | None = None
    group: tuple[str, object] | None = None
    question_key: str | None = None
    include_incomplete: bool = False


@dataclass
class BreakdownResult:
    """A suppressed table plus what it is: its dimensions, measure and display labels."""

    measure: Measure
    dimensions: tuple[str, ...]
    table: SuppressedTable
    row_labels: dict = field(default_factory=dict)
    col_labels: dict = field(default_factory=dict)
    #: Respondents in the filtered population, None when hidden by the guard or small.
    population: int | None = None

    def __getattr__(self, name):  # rows, cols, cells, row_totals, col_totals, total, reason
        if name == "table":
            raise AttributeError(name)
        return getattr(self.table, name)

    def cell(self, row, col):
        return self.table.cell(row, col)


def _dimension_expr(dim: str):
    """The SQL expression of a dimension (string-typed, NULL = not answered)."""
    exprs = {
        "race_ethnicity": RespondentRace.group,
        "age_group": Respondent.age_group,
        "gender": Respondent.gender,
        "neighbourhood": Respondent.neighbourhood,
        "role": Respondent.role,
        "language": Response.locale,
        "channel": Response.channel,
        "site": sa.cast(Response.site_id, sa.String),
        "partner": sa.cast(PartnerSite.organization_id, sa.String),
        "survey": sa.cast(Response.survey_id, sa.String),
    }
    if dim not in exprs:
        raise ValueError(f"unknown dimension {dim!r}")
    return exprs[dim]


def _join_dimensions(stmt, dims):
    if "race_ethnicity" in dims:
        stmt = stmt.outerjoin(RespondentRace, RespondentRace.respondent_id == Respondent.id)
    if "partner" in dims:
        stmt = stmt.outerjoin(PartnerSite, PartnerSite.id == Response.site_id)
    return stmt


def _group_condition(dim: str, value):
    if dim == "race_ethnicity":
        cond = sa.exists().where(
            RespondentRace.respondent_id == Respondent.id, RespondentRace.group == value
        )
        if value is None:
            return ~sa.exists().where(RespondentRace.respondent_id == Respondent.id)
        return cond
    if dim == "partner":
        sub = sa.select(PartnerSite.id).where(PartnerSite.organization_id == int(value))
        return Response.site_id.in_(sub)
    expr = _dimension_expr(dim)
    return expr.is_(None) if value is None else expr == str(value)


def _where(filters: Filters, scope_only: bool = False) -> list:
    conds = []
    if not filters.include_incomplete:
        conds.append(Response.completed_at.is_not(None))
    if filters.site_ids is not None:
        conds.append(Response.site_id.in_(list(filters.site_ids)))
    excluded = list(current_app.config.get("FIGURES_EXCLUDE_ORIGINS") or [])
    if excluded:  # staff-entered or imported responses, if configured (docs/privacy.md)
        conds.append(Response.origin.not_in(excluded))
    if scope_only:
        return conds
    # completed responses only: the plain (indexed) column, not an expression
    when = (sa.func.coalesce(Response.completed_at, Response.started_at)
            if filters.include_incomplete else Response.completed_at)
    if filters.start is not None:
        conds.append(when >= filters.start)
    if filters.end is not None:
        conds.append(when < filters.end)
    if filters.only_sites is not None:
        conds.append(Response.site_id.in_(list(filters.only_sites) or [-1]))
    if filters.survey_id is not None:
        conds.append(Response.survey_id == filters.survey_id)
    if filters.channel:
        conds.append(Response.channel == filters.channel)
    if filters.locale:
        conds.append(Response.locale == filters.locale)
    if filters.group is not None:
        conds.append(_group_condition(*filters.group))
    return conds


def _indicator_match(measure: Measure):
    if not measure.question_key or not measure.values:
        raise ValueError("an indicator needs question_key and values")
    text = sa.cast(Answer.value, sa.Text)
    is_number = lambda v: isinstance(v, int | float) and not isinstance(v, bool)  # noqa: E731
    numbers = [v for v in measure.values if is_number(v)]
    codes = [str(v) for v in measure.values if not is_number(v)]
    parts = [text.like("%" + json.dumps(c) + "%") for c in codes]
    if numbers:
        parts.append(Answer.value_number.in_(numbers))
    return sa.or_(*parts)


def _measure_parts(measure: Measure, filters: Filters, answer_period: bool = True):
    """(unit expression, category expression or None, extra joins function, conditions)."""
    kind = measure.kind
    conds = []

    def joins(stmt):
        if kind in ("respondents", "responses"):
            return stmt
        stmt = stmt.join(Answer, Answer.response_id == Response.id)
        if kind in ("comments", "sentiment", "themes"):
            stmt = stmt.join(Question, Question.id == Answer.question_id)
        if kind == "sentiment":
            stmt = stmt.join(AnswerTag, AnswerTag.answer_id == Answer.id)
        if kind == "themes":
            stmt = stmt.join(AnswerTheme, AnswerTheme.answer_id == Answer.id).join(
                Theme, Theme.id == AnswerTheme.theme_id
            )
        return stmt

    if kind not in ("respondents", "responses") and answer_period \
            and not filters.include_incomplete:
        # the same period on the answer's copy of completed_at: answers are cut to the
        # period before the joins (feedback.responses.models.Answer keeps the copy in step)
        if filters.start is not None:
            conds.append(Answer.completed_at >= filters.start)
        if filters.end is not None:
            conds.append(Answer.completed_at < filters.end)
    if kind in ("comments", "sentiment", "themes"):
        conds += [Question.type.in_(FREE_TEXT_TYPES), Answer.raw_text.is_not(None),
                  Answer.raw_text != ""]
        if filters.question_key:
            conds.append(Answer.question_key == filters.question_key)
    if kind == "respondents":
        return Respondent.id, None, joins, conds
    if kind == "responses":
        return Response.id, None, joins, conds
    if kind == "comments":
        return Answer.id, None, joins, conds
    if kind == "sentiment":
        return Answer.id, AnswerTag.sentiment_label, joins, conds
    if kind == "themes":
        conds.append(AnswerTheme.source != "removed")
        return Answer.id, Theme.key, joins, conds
    if kind == "indicator":
        conds.append(Answer.question_key == measure.question_key)
        category = sa.case((_indicator_match(measure), "yes"), else_="no")
        return Answer.id, category, joins, conds
    raise ValueError(f"unknown measure {kind!r}")


#: The filters a viewer picks, each of which a view can be shown with or without.
VIEWER_FILTERS = ("group", "only_sites", "survey_id", "channel", "locale")


def _views(filters: Filters) -> tuple[list[Filters], Filters]:
    """([the filters, then each view one of the viewer's filters wider], the loosest view)."""
    active = [name for name in VIEWER_FILTERS if getattr(filters, name) not in (None, "")]
    wider = [replace(filters, **{name: None}) for name in active]
    return [filters, *wider], replace(filters, **{name: None for name in active})


def _population_rows(loosest: Filters, conditions=()):
    return (sa.select().select_from(Respondent)
            .join(Response, Response.respondent_id == Respondent.id)
            .where(*_where(loosest), *conditions))


def population(filters: Filters) -> tuple[int, tuple[int, ...]]:
    """(respondents in the filtered population, respondents in each view one of the viewer's
    filters wider, for the same period): what the differencing guard compares, in one query.
    Several tables with the same filters can share one count."""
    views, loosest = _views(filters)

    def counted(view: Filters):
        within = sa.and_(sa.true(), *_where(view))
        return sa.func.count(sa.distinct(sa.case((within, Respondent.id))))

    row = db.session.execute(
        _population_rows(loosest).with_only_columns(*(counted(view) for view in views))).one()
    return int(row[0]), tuple(int(n) for n in row[1:])


def population_rows(filters: Filters, conditions=()):
    """(whether in each of :func:`population`'s views, in its order..., respondent) of the
    responses also meeting ``conditions`` (to add a newer part of a period)."""
    views, loosest = _views(filters)
    return _population_rows(loosest, conditions).with_only_columns(
        *(sa.case((sa.and_(sa.true(), *_where(view)), 1), else_=0) for view in views),
        Respondent.id)


def guard_reason(filters: Filters, min_cell: int,
                 counted: tuple[int, tuple[int, ...]] | None = None) -> str | None:
    """Why every figure under ``filters`` must be hidden (the differencing guard in the module
    docstring), or None. ``counted``: the filters' :func:`population`, if already known."""
    filtered_n, wider = counted if counted is not None else population(filters)
    if filtered_n < min_cell:
        return REASON_SMALL_POPULATION
    if any(0 < n - filtered_n < min_cell for n in wider):
        return REASON_DIFFERENCE
    return None


def _key(value):
    return None if value == _NONE else value


def _labels(dim: str, keys) -> dict:
    """Display names for sites and partners (others display their stored value)."""
    if dim not in ("site", "partner", "survey"):
        return {}
    ids = [int(k) for k in keys if k not in (None, ALL)]
    if dim == "site" and ids:
        rows = db.session.execute(sa.select(PartnerSite.id, PartnerSite.name)
                                  .where(PartnerSite.id.in_(ids)))
        return {str(i): n for i, n in rows}
    if dim == "partner" and ids:
        from feedback.responses.models import Organization

        rows = db.session.execute(sa.select(Organization.id, Organization.name)
                                  .where(Organization.id.in_(ids)))
        return {str(i): n for i, n in rows}
    if dim == "survey" and ids:
        from surveys.models import Survey

        rows = db.session.execute(sa.select(Survey.id, Survey.slug).where(Survey.id.in_(ids)))
        return {str(i): n for i, n in rows}
    return {}


def _sort_key(value):
    return (value is None, str(value) if value is not None else "")


def _one_scan(level, unique, none):
    """The cells and every margin from one scan (PostgreSQL's GROUPING SETS) instead of a
    UNION ALL that reads the answers once per margin. Group values are never NULL (a missing
    one is ``_NONE``), so a NULL marks a rolled-up margin."""
    r, c = unique[0]
    c = sa.func.coalesce(c, none) if c is not None else None
    full = level(r, c).group_by(None)
    columns = full.with_only_columns(*[col for col in full.selected_columns
                                       if col.name != "lvl"])
    if r is None and c is None:
        return columns
    sets = ["(" + ", ".join(name for name, e in (("grp_r", set_r), ("grp_c", set_c))
                            if e is not None) + ")"
            for set_r, set_c in unique]
    return columns.group_by(sa.text("GROUPING SETS (" + ", ".join(sets) + ")"))


@dataclass
class CellCounts:
    """What one table's scan counted, per level ``(has_row, has_col)``: ``found`` the measure
    and ``people`` the distinct respondents behind it, each {(row key, col key): n} with
    :data:`ALL` for a rolled-up dimension."""

    found: dict
    people: dict


def _levels(measure: Measure, dims: tuple, filters: Filters, conditions=(),
            answer_period: bool = True):
    """The pieces of one table's scan: (row expression, column expression, the statement of
    one level given its row and column expressions, the distinct levels, whether plain sums
    give the margins, the "not answered" literal)."""
    category_measure = measure.kind in CATEGORY_MEASURES
    unit, category, joins, measure_conds = _measure_parts(measure, filters, answer_period)
    none = sa.literal_column(f"'{_NONE}'", sa.String)
    row_expr = sa.func.coalesce(_dimension_expr(dims[0]), none) if dims else None
    if category_measure:
        col_expr = category
    elif len(dims) == 2:
        col_expr = sa.func.coalesce(_dimension_expr(dims[1]), none)
    else:
        col_expr = None

    # Each answer is one joined row and falls in one cell unless a respondent can be in
    # several groups (race is multi-select) or an answer in several columns (themes): then
    # the margins are plain sums of the cells, and one scan with COUNT(*) gives everything.
    # Counts of anything but respondents also carry the distinct respondents behind them, for
    # suppression on people (docs/privacy.md): those margins are not sums, so no shortcut then.
    with_people = measure.kind != "respondents"
    additive = (not with_people and measure.kind in ("comments", "sentiment", "indicator")
                and "race_ethnicity" not in dims)

    def level(r, c, *columns):
        counts = columns or (
            (sa.func.count() if additive else sa.func.count(sa.distinct(unit))).label("n"),
            sa.func.count(sa.distinct(Respondent.id)).label("p"))
        stmt = sa.select(
            (r if r is not None else sa.literal_column(f"'{ALL}'", sa.String)).label("grp_r"),
            (c if c is not None else sa.literal_column(f"'{ALL}'", sa.String)).label("grp_c"),
            sa.literal_column(f"'{int(r is not None)}{int(c is not None)}'", sa.String)
            .label("lvl"), *counts,
        ).select_from(Response).join(Respondent, Respondent.id == Response.respondent_id)
        stmt = _join_dimensions(joins(stmt), dims)
        stmt = stmt.where(*_where(filters), *measure_conds, *conditions)
        if columns:
            return stmt
        groups = [sa.literal_column(name) for name, e in (("grp_r", r), ("grp_c", c))
                  if e is not None]
        return stmt.group_by(*groups) if groups else stmt

    seen, unique = set(), []
    for r, c in ((row_expr, col_expr), (row_expr, None), (None, col_expr), (None, None)):
        tag = (r is not None, c is not None)
        if tag not in seen:
            seen.add(tag)
            unique.append((r, c))
    return row_expr, col_expr, level, unique, additive, none


def cell_counts(measure, dimensions: Sequence[str] = (),
                filters: Filters | None = None) -> CellCounts:
    """The counts :func:`breakdown` makes its table of, from one scan of the answers."""
    measure, filters, dims = Measure.of(measure), filters or Filters(), tuple(dimensions)
    row_expr, col_expr, level, unique, additive, none = _levels(measure, dims, filters)
    seen = [(r is not None, c is not None) for r, c in unique]
    found: dict = {tag: {} for tag in seen}
    people: dict = {tag: {} for tag in seen}
    if additive:
        for r, c, _lvl, n, _p in db.session.execute(level(*unique[0])):
            for has_r, has_c in seen:
                key = (_key(r) if has_r else ALL, _key(c) if has_c else ALL)
                found[(has_r, has_c)][key] = found[(has_r, has_c)].get(key, 0) + int(n)
    elif db.engine.dialect.name == "postgresql":
        for r, c, n, p in db.session.execute(_one_scan(level, unique, none)):
            tag = (row_expr is not None and r is not None, col_expr is not None and c is not None)
            key = (_key(r) if tag[0] else ALL, _key(c) if tag[1] else ALL)
            found[tag][key] = int(n)
            people[tag][key] = int(p)
    else:
        for r, c, lvl, n, p in db.session.execute(
                sa.union_all(*[level(r, c) for r, c in unique])):
            tag = (lvl[0] == "1", lvl[1] == "1")
            found[tag][(_key(r), _key(c))] = int(n)
            people[tag][(_key(r), _key(c))] = int(p)
    return CellCounts(found, people)


def cell_rows(measure, dimensions: Sequence[str], filters: Filters, conditions=()):
    """(row key, column key, respondent) of every answer :func:`cell_counts` counts that also
    meets ``conditions``: the people behind each cell, before counting (to add a newer part of
    a period to a remembered one; :func:`cell_figures` gives the margins a row also counts
    in). Measures of answers only: their counts of the measure itself add up over parts of a
    period. The period bounds the responses only: with ``conditions`` naming a few
    respondents, their answers are found through their responses, not by reading the
    period's."""
    measure, dims = Measure.of(measure), tuple(dimensions)
    if measure.kind in ("respondents", "responses"):
        raise ValueError(f"{measure.kind} do not add up over parts of a period")
    _row, _col, level, unique, _additive, none = _levels(
        measure, dims, filters, conditions, answer_period=False)
    r, c = unique[0]
    cells = level(r, None if c is None else sa.func.coalesce(c, none),
                  Respondent.id.label("respondent_id")).subquery()
    return sa.select(cells.c.grp_r, cells.c.grp_c, cells.c.respondent_id)


def cell_figures(measure, dimensions: Sequence[str]):
    """``figures(row)`` for :func:`cell_rows`: the cell and the margins a row counts in, as
    (level, (row key, column key)) in :class:`CellCounts`' keys."""
    has_r, has_c = _shape(Measure.of(measure), tuple(dimensions))
    levels = {(r and has_r, c and has_c) for r in (True, False) for c in (True, False)}

    def figures(row):
        r, c = (_key(value) for value in row)
        return [((with_r, with_c), (r if with_r else ALL, c if with_c else ALL))
                for with_r, with_c in levels]
    return figures


def _shape(measure: Measure, dims: tuple) -> tuple[bool, bool]:
    """(whether a table has rows, whether it has columns) beyond a single total."""
    return bool(dims), measure.kind in CATEGORY_MEASURES or len(dims) == 2


def add_cells(head: CellCounts, tail: CellCounts, new_people: dict) -> CellCounts:
    """``head`` and ``tail``, two adjacent parts of one period, as one: the measure adds up,
    and people add ``new_people`` ({(level, cell key): tail's people not in head}, as
    :func:`cell_figures` gives them)."""
    found = {tag: dict(cells) for tag, cells in head.found.items()}
    people = {tag: dict(cells) for tag, cells in head.people.items()}
    for tag, cells in tail.found.items():
        for key, n in cells.items():
            found[tag][key] = found[tag].get(key, 0) + n
            people[tag][key] = people[tag].get(key, 0) + new_people.get((tag, key), 0)
    return CellCounts(found, people)


def breakdown(
    measure,
    dimensions: Sequence[str] = (),
    filters: Filters | None = None,
    min_cell: int | None = None,
    counted: tuple | None = None,
    cells: CellCounts | None = None,
) -> BreakdownResult:
    """Compute and suppress one table.

    Count measures (respondents, responses, comments) take up to two dimensions (rows, then
    columns; a single column ``"count"`` otherwise) and give shares of the overall total when one
    column, of the row otherwise. Category measures (sentiment, indicator, themes) take up to one
    dimension (rows) and use their categories as columns, with shares within each row's group.
    Row keys are dimension values as strings (site, partner and survey ids as strings), None for
    "not answered", ``ALL`` when there is no row dimension. ``counted``: the filters'
    :func:`population`, when the caller already has it; ``cells``: the :func:`cell_counts`,
    likewise.
    """
    measure = Measure.of(measure)
    filters = filters or Filters()
    dims = tuple(dimensions)
    if min_cell is None:
        min_cell = int(current_app.config.get("MIN_CELL_SIZE", 10))
    for d in dims:
        _dimension_expr(d)
    category_measure = measure.kind in CATEGORY_MEASURES
    if (category_measure and len(dims) > 1) or len(dims) > 2:
        raise ValueError("too many dimensions for this measure")

    counts = cells if cells is not None else cell_counts(measure, dims, filters)
    found, people = counts.found, counts.people
    with_people = measure.kind != "respondents"
    has_r, has_c = _shape(measure, dims)
    rows = sorted({r for r, _ in found[(has_r, False)]}, key=_sort_key) if has_r else [ALL]
    if measure.kind == "sentiment":
        cols = list(SENTIMENTS)
    elif measure.kind == "indicator":
        cols = ["yes", "no"]
    elif has_c:
        cols = sorted({c for _, c in found[(False, True)]}, key=_sort_key)
    else:
        cols = ["count"]

    def rk(r):
        return r if has_r else ALL

    def ck(c):
        return c if has_c else ALL

    table = {r: {c: found[(has_r, has_c)].get((rk(r), ck(c)), 0) for c in cols} for r in rows}
    row_totals = {r: found[(has_r, False)].get((rk(r), ALL), 0) for r in rows}
    col_totals = {c: found[(False, has_c)].get((ALL, ck(c)), 0) for c in cols}
    total = found[(False, False)].get((ALL, ALL), 0)
    behind = PeopleCounts(
        {r: {c: people[(has_r, has_c)].get((rk(r), ck(c)), 0) for c in cols} for r in rows},
        {r: people[(has_r, False)].get((rk(r), ALL), 0) for r in rows},
        {c: people[(False, has_c)].get((ALL, ck(c)), 0) for c in cols},
        people[(False, False)].get((ALL, ALL), 0),
    ) if with_people else None

    row_labels = _labels(dims[0], rows) if dims else {}
    col_labels = _labels(dims[1], cols) if len(dims) == 2 else {}
    counted = counted if counted is not None else population(filters)
    reason = guard_reason(filters, min_cell, counted)
    if reason:
        result = all_suppressed(rows, cols, min_cell, reason)
        return BreakdownResult(measure, dims, result, row_labels, col_labels, None)
    share_of = "total" if (not category_measure and len(dims) < 2) else "row"
    result = suppress(
        table, min_cell, rows=rows, cols=cols, row_totals=row_totals, col_totals=col_totals,
        total=total, share_of=share_of, people=behind,
    )
    return BreakdownResult(measure, dims, result, row_labels, col_labels, counted[0])
