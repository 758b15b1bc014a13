"""Rounding of published counts to a base (5 by default), as statistical offices publish:
two overlapping views rounded independently cannot be subtracted to recover a few people.

Pure functions, no Flask (docs/privacy.md, "Rounding")."""

from __future__ import annotations


def round_count(n: int | None, base: int) -> int | None:
    """``n`` rounded to the nearest multiple of ``base`` (halves up); ``base`` 1 keeps it."""
    if n is None or base <= 1:
        return n
    return (int(n) + base // 2) // base * base


def round_share(share: float | None, base: int) -> float | None:
    """A share (0..1) rounded to ``base`` percentage points (5 -> 0.05 steps) when counts are
    rounded, so a share times a rounded total cannot give the exact count back."""
    if share is None or base <= 1:
        return share
    return round(share * 100 / base) * base / 100
