"""The staff home's SMS checks: texts that failed or may not have been sent, texts the carrier
filtered, texts overdue (no worker?), and late replies that matched no open question."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import ngettext

from feedback.core.extensions import db
from feedback.core.roles import STAFF_ROLES, AttentionItem, add_attention
from feedback.responses.models import utcnow
from messaging.models import InboundMessage, OutboundMessage

#: How far back failed texts count.
RECENT = timedelta(days=30)
#: A pending text this late past its time means no worker is sending.
OVERDUE = timedelta(minutes=10)


def _count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboundMessage.id)).where(*where)) or 0


def sms_problems() -> list[AttentionItem]:
    since = utcnow() - RECENT
    items = []
    link = url_for("campaigns.index")
    failed = _count(OutboundMessage.status.in_(("failed", "undelivered")),
                    OutboundMessage.updated_at >= since)
    if failed:
        items.append(AttentionItem("sms_failed", failed, ngettext(
            "%(num)s text failed in the last 30 days.",
            "%(num)s texts failed in the last 30 days.", failed), link))
    unknown = _count(OutboundMessage.status == "unknown")
    if unknown:
        items.append(AttentionItem("sms_unknown", unknown, ngettext(
            "%(num)s text may or may not have been sent (the provider did not answer in time).",
            "%(num)s texts may or may not have been sent (the provider did not answer in time).",
            unknown), link))
    filtered = _count(OutboundMessage.flagged.is_(True), OutboundMessage.updated_at >= since)
    if filtered:
        items.append(AttentionItem("sms_filtered", filtered, ngettext(
            "%(num)s text was filtered by a carrier: review its wording.",
            "%(num)s texts were filtered by a carrier: review their wording.", filtered), link))
    late = utcnow() - OVERDUE
    overdue = _count(OutboundMessage.status.in_(("pending", "retry")),
                     sa.func.coalesce(OutboundMessage.send_after,
                                      OutboundMessage.created_at) < late)
    if overdue:
        items.append(AttentionItem("sms_overdue", overdue, ngettext(
            "%(num)s text is overdue: is the queue worker running?",
            "%(num)s texts are overdue: is the queue worker running?", overdue), link))
    return items + unmatched_late_replies() + spooled_texts()


def unmatched_late_replies() -> list[AttentionItem]:
    """Texts that arrived too late to apply to any open question (status ``late``, kept
    and never guessed onto another question; docs/reliability.md) not yet dealt with, in the
    last 30 days; the item links to the page that lists them."""
    late = db.session.scalar(sa.select(sa.func.count(InboundMessage.id)).where(
        InboundMessage.status == "late", InboundMessage.received_at >= utcnow() - RECENT)) or 0
    if not late:
        return []
    return [AttentionItem("sms_late", late, ngettext(
        "%(num)s text reply arrived after its question had closed and was not applied.",
        "%(num)s text replies arrived after their question had closed and were not applied.",
        late), url_for("contacts.late_replies"))]


def spooled_texts() -> list[AttentionItem]:
    """Texts written to the inbound spool while the database was unreachable and not yet
    drained by the ``drain_spool`` job (messaging.inbound.spool)."""
    from messaging.inbound import spool

    waiting = len(spool.pending())
    if not waiting:
        return []
    return [AttentionItem("sms_spool", waiting, ngettext(
        "%(num)s received text is waiting in the spool to be stored: is the queue worker "
        "running?",
        "%(num)s received texts are waiting in the spool to be stored: is the queue worker "
        "running?", waiting), None, "warning")]


def init_app(app) -> None:
    add_attention(app, sms_problems, STAFF_ROLES)
