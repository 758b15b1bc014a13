"""Small-cell suppression: the rule every published count and percentage goes through.

Pure functions over plain numbers (no Flask, no database), so the rule can be tested alone.

The rule (docs/privacy.md, "Small groups"), with ``m`` the minimum cell size (MIN_CELL_SIZE, 10):

1. **Primary suppression.** A count ``n`` with ``0 < n < m``, or a count of comments or
   answers resting on fewer than ``m`` distinct respondents, is hidden: cells, row totals,
   column totals and the overall total alike. Zero counts are shown (the common practice of
   CMS and NCES tables): a zero names nobody.
2. **Small groups are hidden whole.** When a row's (or column's) total is itself below ``m``,
   every cell of that row (or column) is hidden, zeros included; otherwise "0 of this group of
   3 said no" would tell that all three said yes.
3. **Complementary suppression.** A displayed table satisfies additive relations: each row sums
   to its row total, each column to its column total, the row totals and the column totals to
   the overall total. A relation with exactly one hidden value gives that value away, so while
   some relation has exactly one hidden entry we hide one more entry of it: the smallest
   non-zero displayed cell (zeros only if nothing else is left), else its total. We repeat until
   no relation has exactly one hidden entry. A one-dimension table with a displayed overall total
   therefore always hides at least two cells.
4. **Percentages** are hidden wherever their count is hidden, and for every cell of a group
   (the share's denominator) that is below ``m`` or hidden.

For multi-select dimensions (a respondent counted in each race chosen) the relations are not
exact sums, but the same rule is applied: it is then conservative.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

#: Why a whole table is hidden (BreakdownResult.reason).
REASON_SMALL_POPULATION = "small_population"
REASON_DIFFERENCE = "difference"


@dataclass(frozen=True)
class Cell:
    """One published number: ``value`` is None when suppressed (the true count never leaves)."""

    value: int | None
    suppressed: bool = False
    #: Share of the group (0..1), None when suppressed or undefined.
    share: float | None = None

    @property
    def display(self) -> str:
        """Text for a table: the count, or an em dash standing for "fewer than the minimum"."""
        return "—" if self.suppressed else str(self.value)


@dataclass
class SuppressedTable:
    """A table ready to publish: rows x cols of :class:`Cell`, with margins."""

    rows: list
    cols: list
    cells: dict[tuple, Cell]
    row_totals: dict[Hashable, Cell]
    col_totals: dict[Hashable, Cell]
    total: Cell
    min_cell: int
    #: Set when the whole table is hidden (see REASON_*).
    reason: str | None = None
    suppressed_count: int = field(default=0)

    def cell(self, row, col) -> Cell:
        return self.cells[(row, col)]

    @property
    def any_suppressed(self) -> bool:
        return self.suppressed_count > 0 or self.reason is not None


@dataclass(frozen=True)
class PeopleCounts:
    """Distinct respondents behind a table's counts, cell by cell and margin by margin."""

    table: Mapping[Hashable, Mapping[Hashable, int]]
    row_totals: Mapping[Hashable, int]
    col_totals: Mapping[Hashable, int]
    total: int

    def entries(self, rows, cols) -> dict:
        found = {("c", r, c): int(self.table.get(r, {}).get(c, 0) or 0)
                 for r in rows for c in cols}
        found.update({("r", r): int(self.row_totals.get(r, 0)) for r in rows})
        found.update({("k", c): int(self.col_totals.get(c, 0)) for c in cols})
        found[("t",)] = int(self.total)
        return found


def _entries(rows, cols):
    """The additive relations of a table as lists of entry keys (last entry = the total)."""
    lines = []
    for r in rows:
        lines.append([("c", r, c) for c in cols] + [("r", r)])
    for c in cols:
        lines.append([("c", r, c) for r in rows] + [("k", c)])
    lines.append([("r", r) for r in rows] + [("t",)])
    lines.append([("k", c) for c in cols] + [("t",)])
    return lines


def _suppressed_entries(values: dict, rows, cols, min_cell: int, people: dict | None = None) -> set:
    # Rule 1 on people: a count resting on fewer than m distinct respondents is small too.
    def small(key):
        n = values[key]
        if people is not None and people.get(key, n) < min_cell:
            n = min(n, people[key])
        return 0 < n < min_cell

    hidden = {key for key in values if small(key)}
    # Rule 2: a small group is hidden whole.
    for r in rows:
        if ("r", r) in hidden:
            hidden.update(("c", r, c) for c in cols)
    for c in cols:
        if ("k", c) in hidden:
            hidden.update(("c", r, c) for r in rows)
    lines = _entries(rows, cols)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for e in line if e in hidden) != 1:
                continue
            candidates = [e for e in line[:-1] if e not in hidden]
            nonzero = [e for e in candidates if values[e] > 0]
            pool = nonzero or candidates
            if pool:
                hidden.add(min(pool, key=lambda e: values[e]))
            else:
                hidden.add(line[-1])
            changed = True
    return hidden


def suppress(
    table: Mapping[Hashable, Mapping[Hashable, int]],
    min_cell: int,
    *,
    rows: Sequence | None = None,
    cols: Sequence | None = None,
    row_totals: Mapping | None = None,
    col_totals: Mapping | None = None,
    total: int | None = None,
    share_of: str = "row",
    people: PeopleCounts | None = None,
) -> SuppressedTable:
    """Apply primary and complementary suppression to ``table[row][col] -> count``.

    Margins default to the sums; pass them when they are not sums (multi-select dimensions,
    distinct counts). ``share_of`` is ``"row"`` (a cell's share of its row's group) or
    ``"total"`` (of the overall total, for one-column tables). ``people``: the distinct
    respondents behind each count, when the counts are comments or answers, so that many
    comments from a few people are still withheld (docs/privacy.md).
    """
    rows = list(rows if rows is not None else table.keys())
    if cols is None:
        seen: dict = {}
        for r in rows:
            for c in table.get(r, {}):
                seen.setdefault(c, None)
        cols = list(seen)
    cols = list(cols)
    get = lambda r, c: int(table.get(r, {}).get(c, 0) or 0)  # noqa: E731
    values: dict = {("c", r, c): get(r, c) for r in rows for c in cols}
    for r in rows:
        values[("r", r)] = int(
            row_totals[r] if row_totals is not None else sum(get(r, c) for c in cols)
        )
    for c in cols:
        values[("k", c)] = int(
            col_totals[c] if col_totals is not None else sum(get(r, c) for r in rows)
        )
    values[("t",)] = int(total if total is not None else sum(values[("r", r)] for r in rows))
    hidden = _suppressed_entries(values, rows, cols, min_cell,
                                 people.entries(rows, cols) if people is not None else None)

    def share_base(r):
        key = ("r", r) if share_of == "row" else ("t",)
        return None if key in hidden or values[key] < min_cell else values[key]

    cells = {}
    for r in rows:
        base = share_base(r)
        for c in cols:
            key = ("c", r, c)
            if key in hidden:
                cells[(r, c)] = Cell(None, True, None)
            else:
                share = values[key] / base if base else None
                cells[(r, c)] = Cell(values[key], False, share)

    def margin(key, base=None):
        if key in hidden:
            return Cell(None, True, None)
        return Cell(values[key], False, values[key] / base if base else None)

    grand = None if ("t",) in hidden or values[("t",)] < min_cell else values[("t",)]
    return SuppressedTable(
        rows=rows,
        cols=cols,
        cells=cells,
        row_totals={r: margin(("r", r), grand) for r in rows},
        col_totals={c: margin(("k", c), grand) for c in cols},
        total=margin(("t",)),
        min_cell=min_cell,
        suppressed_count=len(hidden),
    )


def withheld_in_row(counts: Sequence[int], respondents: Sequence[int], min_cell: int,
                    total: int | None = None) -> list[str | None]:
    """A one-way table whose total is shown elsewhere: for each count, why it is withheld
    ("primary": it rests on fewer than ``min_cell`` distinct respondents; "complementary":
    hidden so the total cannot give another back) or None when it may be shown."""
    # a count resting on too few people is fed as small, so suppression treats it so
    basis = [min(c, r) if r < min_cell else c for c, r in zip(counts, respondents, strict=True)]
    keys = list(range(len(counts)))
    table = suppress({i: {"n": basis[i]} for i in keys}, min_cell, rows=keys, cols=["n"],
                     total=total if total is not None else sum(basis))
    return [("primary" if 0 < basis[i] < min_cell else "complementary")
            if table.cell(i, "n").suppressed else None for i in keys]


def all_suppressed(rows: Sequence, cols: Sequence, min_cell: int, reason: str) -> SuppressedTable:
    """A table with every value hidden (the filtered population is too small, or differencing)."""
    hidden = Cell(None, True, None)
    return SuppressedTable(
        rows=list(rows),
        cols=list(cols),
        cells={(r, c): hidden for r in rows for c in cols},
        row_totals={r: hidden for r in rows},
        col_totals={c: hidden for c in cols},
        total=hidden,
        min_cell=min_cell,
        reason=reason,
        suppressed_count=len(rows) * len(cols) + len(rows) + len(cols) + 1,
    )
