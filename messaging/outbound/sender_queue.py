"""One sender, one queue: bulk texts wait behind what is already waiting to go out.

A US long code carries about one segment per second (docs/reliability.md, pace), per
*sender*, not per campaign: two campaigns launched together, or reminders going out while a
campaign is still sending, must not double the rate, or Twilio queues the excess and drops it
after the validity period. Each bulk sender (campaign launch, "you said, we did" updates,
reminders) therefore starts pacing at the tail of the queue, under a lock, so two launches at
the same moment line up instead of overlapping.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.core.extensions import db
from messaging.models import OutboundMessage
from messaging.outbound import pacing
from messaging.outbound.sending import CLAIMABLE


def lock() -> None:
    """Hold the sender's queue for the rest of the transaction (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(0x736D730000000001)))


def first_free_time(start: datetime) -> datetime:
    """The first send time at or after ``start`` (naive UTC) that does not overlap the texts
    already scheduled: one step of the configured rate after the last of them."""
    latest = db.session.scalar(
        sa.select(sa.func.max(OutboundMessage.send_after))
        .where(OutboundMessage.status.in_(CLAIMABLE))
    )
    if latest is None or latest < start:
        return start
    return pacing.next_allowed_time(latest + timedelta(seconds=1 / pacing.rate_per_second()))
