"""Twilio status callbacks (``POST /sms/status``): what happened to a text after we sent it.

Twilio posts ``MessageSid``, ``MessageStatus`` and, on failure, ``ErrorCode`` to the
``status_callback`` URL the gateway sets on every message. Callbacks can arrive late, twice or
out of order, so :func:`apply_status` only ever moves a message FORWARD (``delivered`` followed
by a late ``sent`` stays ``delivered``), and the terminal states (``delivered``,
``undelivered``, ``failed``) are never left.

The request is authenticated by its ``X-Twilio-Signature`` exactly like the inbound webhook
(messaging.inbound.signature); a bad signature gets 403 before any write. A valid callback always
gets
204, even for a SID we do not know (Twilio would only retry or log errors otherwise).

The callback URL carries our message id (``?ref=``, set by the gateway, covered by the
signature), so a callback that overtakes the send job's own write of the SID, or follows a
send whose answer timed out (status ``unknown``), still finds its message and records the SID;
the job then leaves the message alone.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, request

from feedback.core.extensions import csrf, db
from feedback.responses.models import utcnow
from messaging.inbound import signature
from messaging.models import OutboundMessage
from messaging.outbound.gateway import FILTERED, UNSUBSCRIBED
from messaging.outbound.sending import mark_contact_opted_out

log = logging.getLogger(__name__)

bp = Blueprint("sms_status", __name__)

#: Progress order of a message; a callback may only raise the rank.
RANK = {
    "pending": 0, "retry": 0, "unknown": 0,
    "queued": 1, "accepted": 1, "scheduled": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4, "read": 4, "undelivered": 4, "failed": 4,
}
#: Once here, a message stays here.
TERMINAL = frozenset({"delivered", "read", "undelivered", "failed", "suppressed", "canceled"})


def _find(sid: str, reference: int | None) -> OutboundMessage | None:
    """The message with this SID, else the referenced message still waiting for its SID
    (which it then takes). One locking statement: the send job may record the SID at any
    moment, and two look-ups could miss it in between (the callback, an opt-out among them,
    would be lost)."""
    by_sid = OutboundMessage.provider_sid == sid
    waiting = sa.and_(OutboundMessage.id == reference, OutboundMessage.provider_sid.is_(None))
    message = db.session.scalar(
        db.select(OutboundMessage)
        .where(sa.or_(by_sid, waiting) if reference is not None else by_sid)
        .order_by(by_sid.desc()).limit(1).with_for_update()
    )
    if message is not None and message.provider_sid is None:
        message.provider_sid = sid
    return message


def apply_status(sid: str, status: str, error_code: int | None = None,
                 reference: int | None = None) -> bool:
    """Record a provider status for message ``sid`` (or, before its SID is known, for our
    message ``reference``); returns False if nothing changed.

    Side effects: 21610 opts the contact out (and suppresses its pending texts); 30007 flags
    the message for review. The caller commits.
    """
    status = (status or "").strip().lower()
    if status not in RANK:
        return False
    message = _find(sid, reference)
    if message is None:
        log.info("status for unknown sms sid", extra={"sms_status": status})
        return False
    if error_code == UNSUBSCRIBED:
        mark_contact_opted_out(message.contact)
    if error_code == FILTERED:
        message.flagged = True
    if message.status in TERMINAL or RANK[status] <= RANK.get(message.status, 0):
        return False
    message.status = status
    if error_code is not None:
        message.error_code = error_code
    if status == "sent" and message.sent_at is None:
        message.sent_at = utcnow()
    return True


def _number(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@bp.post("/sms/status")
@csrf.exempt
def status_callback():
    """Twilio's status callback: validate the signature, record the status, answer 204."""
    if not signature.request_is_authentic():
        abort(403)
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if sid:
        apply_status(sid, status, _number(request.form.get("ErrorCode")),
                     _number(request.args.get("ref")))
        db.session.commit()
    return "", 204
