"""Queue jobs of the inbound side: finish a text whose handling failed, expire abandoned
conversations, and sweep messages whose job was lost.

Each job is idempotent: a message already ``handled`` is left alone, so a retried or doubled
job never answers twice.
"""

from __future__ import annotations

import logging

from huey import crontab

from feedback.core.extensions import db
from feedback.core.queue import queue
from messaging.inbound import conversation as engine
from messaging.inbound import handling as inbound

log = logging.getLogger(__name__)

#: A message still ``received``/``failed`` this many seconds later lost its handling (Twilio
#: gives up on a webhook after 15 s): the sweeper, every minute, handles it.
STUCK_AFTER_SECONDS = 20


def finish(inbound_id: int) -> int:
    """Handle a stored message again and send its replies through the REST API, the same
    contact's earlier unhandled texts first (arrival order).

    Returns how many replies were queued (0 when it was already handled)."""
    return len(inbound.handle_in_order(inbound_id, by_rest_api=True).texts)


class InboundRetry(RuntimeError):
    """Raised for the queue to retry a failed message; carries no phone number or body (the
    original exception's text may hold SQL parameters, and the queue logs what it is given)."""


@queue.task()
def finish_inbound(inbound_id: int) -> int:
    """Job: finish a text the webhook stored but failed to handle (retried with backoff)."""
    try:
        return finish(inbound_id)
    except Exception as exc:
        db.session.rollback()
        raise InboundRetry(
            f"inbound message {inbound_id} failed again ({type(exc).__name__})"
        ) from None


def on_inbound_failed(sender, inbound_id: int, **_) -> None:
    """Signal receiver: the webhook marked a text failed; queue :func:`finish_inbound`."""
    finish_inbound(inbound_id)


@queue.periodic_task(crontab(minute="*/15"))
def expire_conversations() -> int:
    """Periodic job: close conversations abandoned longer than SMS_CONVERSATION_TTL_HOURS."""
    count = engine.expire_stale()
    db.session.commit()
    return count


def sweep_stuck() -> int:
    """Handle, here and in arrival order, every text left unhandled (a web worker killed
    between storing and handling, a lost job); each against the question open when it
    arrived. A text that fails again is left for the next sweep, and so are its contact's
    newer texts (they wait for it) until it has failed often enough to be set aside
    (messaging.inbound.handling.count_failed_handling). Returns how many ran."""
    ids = inbound.received_since(STUCK_AFTER_SECONDS)
    for inbound_id in ids:
        try:
            inbound.handle_in_order(inbound_id, by_rest_api=True)
        except Exception as exc:  # noqa: BLE001 - one bad text must not stop the sweep
            db.session.rollback()
            log.error("sweeping inbound message %s failed (%s)", inbound_id,
                      type(exc).__name__)
    return len(ids)


@queue.periodic_task(crontab(minute="*"))
def sweep_inbound() -> int:
    """Periodic job, every minute: texts left unhandled (docs/reliability.md)."""
    return sweep_stuck()


@queue.periodic_task(crontab(minute="*"))
def drain_spool() -> int:
    """Periodic job, every minute: store and handle texts spooled while the database was
    unreachable (messaging.inbound.spool), in arrival order."""
    return inbound.drain_spool()


def health() -> dict:
    """The inbound side for ``flask health``: spooled texts (and the oldest one's age), texts
    left unhandled past two minutes, unmatched late replies of the last week (for staff to
    read), and sends whose outcome is still unknown after ten minutes."""
    import time
    from datetime import timedelta

    import sqlalchemy as sa

    from feedback.responses.models import utcnow
    from messaging.inbound import spool
    from messaging.models import InboundMessage, OutboundMessage

    files = spool.pending()
    oldest = int(time.time() - files[0].stat().st_mtime) if files else 0
    now = utcnow()

    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count(model.id)).where(*where)) or 0

    stuck = count(InboundMessage, InboundMessage.status.in_(inbound.UNHANDLED),
                  InboundMessage.received_at < now - timedelta(minutes=2))
    late = count(InboundMessage, InboundMessage.status == "late",
                 InboundMessage.received_at > now - timedelta(days=7))
    unknown = count(OutboundMessage, OutboundMessage.status == "unknown",
                    OutboundMessage.updated_at < now - timedelta(minutes=10))
    return {"ok": oldest < 300 and stuck == 0 and unknown == 0,
            "spooled": len(files), "oldest_spooled_seconds": oldest,
            "unhandled_after_2_minutes": stuck, "late_replies_last_7_days": late,
            "sends_unknown_after_10_minutes": unknown}
