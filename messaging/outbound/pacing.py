"""When a text may go out: quiet hours in the coalition's time zone, and per-sender pacing.

Families must not be texted at night (QUIET_HOURS_START to QUIET_HOURS_END, local time, by
default 21:00 to 08:00), and a US long code carries about one segment per second, so a campaign
spreads its messages over time instead of filling Twilio's queue (which drops messages after
the validity period). All datetimes in and out are naive UTC, as stored in the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from feedback.responses.models import utcnow


def now() -> datetime:
    """The current naive UTC time; the one clock of messaging (tests replace it)."""
    return utcnow()


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")


def to_local(dt_utc: datetime) -> datetime:
    """A naive UTC datetime as an aware datetime in the coalition's zone."""
    return dt_utc.replace(tzinfo=UTC).astimezone(_zone())


def local_to_utc(dt_local: datetime) -> datetime:
    """A naive local (coalition zone) datetime, e.g. from a form, as naive UTC."""
    return dt_local.replace(tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def quiet_bounds() -> tuple[int, int]:
    """The local quiet hours: (QUIET_HOURS_START, QUIET_HOURS_END)."""
    cfg = current_app.config
    return int(cfg.get("QUIET_HOURS_START", 21)), int(cfg.get("QUIET_HOURS_END", 8))


def hour_in_window(hour: int, start: int, end: int) -> bool:
    """True if the hour ``hour`` is in ``start``:00 to ``end``:00, a window that may span
    midnight; an empty window (``start == end``) holds no hour."""
    if start == end:
        return False
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


def in_quiet_hours(dt_utc: datetime) -> bool:
    """True if ``dt_utc`` falls in the local quiet period (which may span midnight)."""
    return hour_in_window(to_local(dt_utc).hour, *quiet_bounds())


def next_allowed_time(dt_utc: datetime) -> datetime:
    """``dt_utc`` itself if outside quiet hours, else the next local QUIET_HOURS_END:00."""
    if not in_quiet_hours(dt_utc):
        return dt_utc
    _, end = quiet_bounds()
    local = to_local(dt_utc)
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning = (local + timedelta(days=1)).replace(hour=end, minute=0, second=0,
                                                      microsecond=0)
    # Re-attach the zone so a DST change overnight gives the right wall-clock hour.
    morning = morning.replace(tzinfo=None).replace(tzinfo=_zone())
    return morning.astimezone(UTC).replace(tzinfo=None)


def rate_per_second() -> float:
    """Messages per second per sender (SMS_RATE_PER_SECOND, default 1)."""
    rate = float(current_app.config.get("SMS_RATE_PER_SECOND", 1) or 1)
    return rate if rate > 0 else 1.0


def seconds_after(start_utc: datetime, seconds: float) -> datetime:
    """``start_utc`` plus ``seconds`` (pacing offsets are fractions of a second)."""
    return start_utc + timedelta(seconds=seconds)
