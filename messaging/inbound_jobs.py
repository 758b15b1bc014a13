"""Queue jobs of the inbound side: finish a text whose handling failed, expire abandoned
conversations, and sweep messages whose job was lost.

Each job is idempotent: a message already ``handled`` is left alone, so a retried or doubled
job never answers twice.
"""

from __future__ import annotations

import logging

from huey import crontab

from feedback.extensions import db
from feedback.queue import queue
from messaging import conversation as engine
from messaging import inbound

log = logging.getLogger(__name__)

#: A message still ``received``/``failed`` this many minutes later lost its handling.
STUCK_AFTER_MINUTES = 5


def finish(inbound_id: int) -> int:
    """Handle a stored message again and send its replies through the REST API.

    Returns how many replies were queued (0 when it was already handled)."""
    out = inbound.handle_stored(inbound_id, by_rest_api=True)
    return len(out.texts)


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


@queue.periodic_task(crontab(minute="*/10"))
def sweep_inbound() -> int:
    """Periodic job: re-run messages left unhandled (a worker died, an enqueue failed)."""
    ids = inbound.received_since(STUCK_AFTER_MINUTES)
    for inbound_id in ids:
        finish_inbound(inbound_id)
    return len(ids)
