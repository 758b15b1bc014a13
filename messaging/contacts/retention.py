"""Retention on the SMS side: when the review's retention job says so (the ``retention_due``
signal), erase old message bodies and contacts not heard from since (docs/privacy.md). A
deleted contact that had opted out stays opted out, as a keyed hash of its number
(messaging.contacts.suppression), or next year's import would text the family again.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from feedback.core.extensions import db
from feedback.responses.models import utcnow
from messaging.contacts import suppression
from messaging.models import Contact, Conversation, InboundMessage, OutboundMessage

#: How long the body of a text that made no contact (a wrong number, a word that is not a
#: survey's keyword) is kept once handled: long enough for Twilio's repeated deliveries to
#: get the same reply, and no longer, since nothing will ever read it.
UNLINKED_KEPT = timedelta(days=1)


def erase_old_contact_data(sender, cutoff, **_):
    """Erase message bodies older than ``cutoff`` (a day old when the text made no contact)
    and contacts not active since (their pseudonymous respondent and de-identified answers
    stay). Returns counts for the audit."""
    old = InboundMessage.received_at < cutoff
    unlinked = sa.and_(InboundMessage.contact_id.is_(None), InboundMessage.status == "handled",
                       InboundMessage.received_at < utcnow() - UNLINKED_KEPT)
    inbound = db.session.execute(
        sa.update(InboundMessage).where(sa.or_(old, unlinked), InboundMessage.body.is_not(None))
        .values(body=None, reply_body=None)).rowcount
    outbound = db.session.execute(
        sa.update(OutboundMessage).where(OutboundMessage.created_at < cutoff,
                                         OutboundMessage.body.is_not(None))
        .values(body=None)).rowcount
    recent = sa.union(
        sa.select(InboundMessage.contact_id).where(InboundMessage.received_at >= cutoff),
        sa.select(OutboundMessage.contact_id).where(OutboundMessage.created_at >= cutoff),
        sa.select(Conversation.contact_id).where(Conversation.last_activity_at >= cutoff),
    )
    stale = sa.select(Contact.id).where(Contact.created_at < cutoff, Contact.id.not_in(recent))
    stale_ids = list(db.session.scalars(stale))
    kept = 0
    if stale_ids:
        kept = suppression.remember(db.session.scalars(sa.select(Contact).where(
            Contact.id.in_(stale_ids), Contact.opted_out.is_(True))))
        db.session.execute(sa.update(InboundMessage).where(
            InboundMessage.contact_id.in_(stale_ids)).values(contact_id=None))
        db.session.execute(sa.delete(OutboundMessage).where(
            OutboundMessage.contact_id.in_(stale_ids)))
        db.session.execute(sa.delete(Conversation).where(Conversation.contact_id.in_(stale_ids)))
        db.session.execute(sa.delete(Contact).where(Contact.id.in_(stale_ids)))
    db.session.commit()
    return {"inbound_bodies_erased": inbound, "outbound_bodies_erased": outbound,
            "contacts_deleted": len(stale_ids), "opt_outs_kept": kept}
