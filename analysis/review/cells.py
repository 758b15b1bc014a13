"""One-way tables of the review (a figure per demographic group), and their suppression.

The rule is analysis.disclosure.suppression's, the one every published figure goes through
(docs/privacy.md,
small groups): a group with fewer than ``MIN_CELL_SIZE`` people (default 10) shows no count and no
percentage, and because the review also shows the total, one suppressed group could be recovered
by subtraction, so the next smallest group is suppressed too (complementary suppression).
Suppressed cells keep their place in the table, marked, so readers see that a group exists but
is too small to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from analysis.disclosure.suppression import withheld_in_row


def min_cell_size() -> int:
    return int(current_app.config.get("MIN_CELL_SIZE", 10))


@dataclass
class Cell:
    """One group's figure: ``n`` answers behind it, and a value (count, share, mean)."""

    group: str
    n: int
    value: float | None = None
    suppressed: bool = False
    #: "primary" (group too small) or "complementary" (hidden so a total cannot reveal another).
    reason: str | None = None
    #: Distinct respondents behind the figure (None: ``n`` counts people already); the
    #: threshold applies to them, not to ``n`` (one person may leave many comments).
    respondents: int | None = None

    @property
    def shown_n(self) -> int | None:
        return None if self.suppressed else self.n

    @property
    def shown_value(self) -> float | None:
        return None if self.suppressed else self.value


@dataclass
class Table:
    """A disaggregated figure: the dimension and its cells."""

    dimension: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self.cells)


def suppress(cells: list[Cell], min_cell: int | None = None) -> list[Cell]:
    """Apply the gate's primary and complementary suppression (the rule of
    analysis.disclosure.gate's ``Policy.row``: a group resting on fewer than ``min_cell``
    distinct respondents is withheld) in place and return ``cells``; the total is their sum."""
    min_cell = min_cell_size() if min_cell is None else min_cell
    reasons = withheld_in_row(
        [cell.n for cell in cells],
        [cell.n if cell.respondents is None else cell.respondents for cell in cells], min_cell)
    for cell, reason in zip(cells, reasons, strict=True):
        if reason:
            cell.suppressed, cell.reason = True, reason
    return cells


def hide_all(cells: list[Cell], reason: str) -> None:
    """Hide every cell (the differencing guard refused the whole table)."""
    for cell in cells:
        cell.suppressed, cell.reason = True, reason
