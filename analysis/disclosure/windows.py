"""Whole time windows: a group-filtered view or a quote covers a whole week, month or
quarter, never an arbitrary range of days, so two windows ending a day apart cannot be
subtracted to isolate the few people who answered in between (docs/privacy.md, "Windows")."""

from __future__ import annotations

from datetime import timedelta

from analysis.review.periods import Period

#: Period kinds that are whole windows.
WHOLE_KINDS = ("week", "weeks", "month", "quarter", "year")


def is_whole(period: Period) -> bool:
    """Whether ``period`` is a whole week, month, quarter or calendar year."""
    return period.kind in WHOLE_KINDS


def widen_to_weeks(period: Period) -> Period:
    """A custom range widened to whole weeks (Monday to Sunday); one week is kind "week"."""
    if is_whole(period):
        return period
    start = period.start - timedelta(days=period.start.weekday())
    last = period.last_day + timedelta(days=6 - period.last_day.weekday())
    end = last + timedelta(days=1)
    return Period(start, end, "week" if (end - start).days == 7 else "weeks")
