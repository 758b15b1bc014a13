"""Review periods: a month, a quarter or a custom range, and the previous period of the same
length (for change over time). End dates are exclusive everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from feedback.core.extensions import db

KINDS = ("month", "quarter", "custom")
#: The years a review period may fall in.
YEARS_SHOWN = (2000, 2999)
#: A calendar year (the yearly report's period; not offered in the dashboard's menu).
YEAR = "year"


@dataclass(frozen=True)
class Period:
    """``start`` inclusive, ``end`` exclusive; ``kind`` says how to name and step it."""

    start: date
    end: date
    kind: str = "custom"

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time())

    @property
    def end_dt(self) -> datetime:
        return datetime.combine(self.end, datetime.min.time())

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period just before, of the same length (the same kind for months/quarters)."""
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.start - timedelta(days=1))
        if self.kind == YEAR:
            return year_of(self.start.year - 1)
        # whole weeks stay whole weeks (analysis.disclosure.windows)
        return Period(self.start - timedelta(days=self.days), self.start, self.kind)

    @property
    def label(self) -> str:
        """A language-neutral name: "2026-Q1", "2026-03" or "2026-01-01 – 2026-02-14"."""
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"


def same_period_last_year(period: Period) -> Period:
    """The same month, quarter or range one year earlier (29 February becomes the 28th)."""
    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    if period.kind == "month":
        return month_of(back(period.start))
    if period.kind == "quarter":
        return quarter_of(back(period.start))
    if period.kind == YEAR:
        return year_of(period.start.year - 1)
    return Period(back(period.start), back(period.end), "custom")


def year_of(year: int) -> Period:
    """The calendar year ``year`` (1 January to 1 January)."""
    return Period(date(year, 1, 1), date(year + 1, 1, 1), YEAR)


def quarters_ending(last: Period, count: int) -> list[Period]:
    """``count`` consecutive quarters, oldest first, ending with the quarter of ``last``
    (across year boundaries: 2025-Q4 comes just before 2026-Q1)."""
    quarters = [quarter_of(last.start)]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return Period(start, end, "month")


def quarter_of(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return Period(start, end, "quarter")


def parse_period(kind: str | None, value: str | None, start: date | None, end: date | None,
                 default_day: date | None) -> Period | None:
    """The period a GET form asks for; falls back to the quarter containing ``default_day``
    (None when there is no valid request and no default).

    month: value "2026-03"; quarter: value "2026-Q1"; custom: start and end dates (end inclusive).
    A period outside YEARS_SHOWN is no request at all (the year 1 has no previous period to
    compare with, the year 9999 no following week).
    """
    period = None
    try:
        if kind == "month" and value:
            year, month = value.split("-")
            period = month_of(date(int(year), int(month), 1))
        elif kind == "quarter" and value:
            year, q = value.upper().split("-Q")
            period = quarter_of(date(int(year), (int(q) - 1) * 3 + 1, 1))
        elif kind == "custom" and start and end and end >= start:
            period = Period(start, end + timedelta(days=1), "custom")
    except (ValueError, TypeError, OverflowError):
        pass
    if period is not None and YEARS_SHOWN[0] <= period.start.year <= period.last_day.year \
            <= YEARS_SHOWN[1]:
        return period
    return quarter_of(default_day) if default_day else None


def bucket_unit(period: Period) -> str:
    """Volume bars: weekly for periods up to about six weeks (a month), monthly beyond (a
    quarter: three bars, so fewer cells fall under the suppression threshold)."""
    return "week" if period.days <= 45 else "month"


def bucket_expression(column, unit: str):
    """The first day of the week (Monday) or month of ``column``, as 'YYYY-MM-DD' text."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.date_trunc(unit, column), "YYYY-MM-DD")
    if unit == "week":
        return sa.func.date(column, "weekday 0", "-6 days")
    return sa.func.strftime("%Y-%m-01", column)


def volume_series(rows) -> tuple[list, list]:
    """(bucket, channel, n) and (bucket, locale, n) series, sorted, from rows of (bucket,
    channel, locale, n): the volume chart's two views of one query."""
    by_channel: dict = {}
    by_locale: dict = {}
    for bucket, channel, locale, n in rows:
        by_channel[(str(bucket), channel)] = by_channel.get((str(bucket), channel), 0) + int(n)
        by_locale[(str(bucket), locale)] = by_locale.get((str(bucket), locale), 0) + int(n)
    return ([(b, k, n) for (b, k), n in sorted(by_channel.items())],
            [(b, k, n) for (b, k), n in sorted(by_locale.items())])
