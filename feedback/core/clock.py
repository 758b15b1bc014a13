"""The one clock: every timestamp the code stores or schedules by comes from :func:`utcnow`.

Times are naive UTC (the database stores UTC; Babel shows the coalition's zone). Tests move
the clock with :func:`set_source` (the ``clock`` fixture) instead of sleeping or patching each
module's copy of a time function (docs/testing.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

#: Where the time comes from; None means the system clock.
_source: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Now, in naive UTC."""
    if _source is not None:
        return _source()
    return datetime.now(UTC).replace(tzinfo=None)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Take the time from ``source`` (a callable returning naive UTC); None: the system clock."""
    global _source
    _source = source
