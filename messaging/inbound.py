"""Receiving a text: store it first, then handle it under a lock on the contact's row.

The webhook and the simulator both call :func:`receive`; the ``finish_inbound`` job calls
:func:`handle_stored` for a message whose first handling failed. RELIABILITY.md: Twilio does
not retry a 5xx for messaging, so once the message is committed nothing may raise out of here.
No phone number or message body is ever logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import phonenumbers
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from feedback.extensions import db
from feedback.intake import announce
from feedback.models import utcnow
from messaging.models import Contact, InboundMessage
from messaging.outbound import dispatch, queue_message, record_twiml_reply
from messaging.routing import Handled, dispatch_text, wants_contact

log = logging.getLogger(__name__)

#: TwiML with no message: Twilio sends nothing.
EMPTY_TWIML = str(MessagingResponse())


@dataclass
class Received:
    """What the webhook answers: TwiML, and the stored message's id."""

    twiml: str
    inbound_id: int | None
    duplicate: bool = False


def normalise_phone(raw: str | None) -> str | None:
    """E.164 form of a phone number (DEFAULT_PHONE_REGION for national numbers), or None."""
    if not raw:
        return None
    region = current_app.config.get("DEFAULT_PHONE_REGION", "US")
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def twiml(texts: list[str]) -> str:
    """A TwiML MessagingResponse with one <Message> per text."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


@dataclass
class Stored:
    """A stored inbound message, as the handling needs it (read before the commit expired
    the row, so no reload query)."""

    id: int
    contact_id: int | None
    is_new: bool
    status: str = "received"
    reply_body: str | None = None


def _store(sid: str, phone: str | None, body: str | None, num_media: int) -> Stored:
    """Insert the message and commit; IntegrityError on a duplicate or a race.

    One statement on the hot path: the contact's id comes from a subquery on the phone and
    comes back with RETURNING. Only a number we do not know yet, texting a survey keyword or
    an opt-out word, becomes a contact here (in the same transaction).
    """
    known = (
        sa.select(Contact.id).where(Contact.phone == phone).scalar_subquery() if phone else None
    )
    inbound_id, contact_id = db.session.execute(
        sa.insert(InboundMessage)
        .values(message_sid=sid, contact_id=known, body=body, num_media=num_media,
                status="received", received_at=utcnow())
        .returning(InboundMessage.id, InboundMessage.contact_id)
    ).one()
    if phone and contact_id is None and wants_contact(body):
        contact = Contact(phone=phone, consent_source="keyword", groups=[], opted_out=False)
        db.session.add(contact)
        db.session.flush()
        contact_id = contact.id
        db.session.execute(
            sa.update(InboundMessage).where(InboundMessage.id == inbound_id)
            .values(contact_id=contact_id)
        )
    db.session.commit()
    return Stored(inbound_id, contact_id, True)


def _existing(sid: str) -> Stored | None:
    row = db.session.scalar(db.select(InboundMessage).filter_by(message_sid=sid))
    if row is None:
        return None
    return Stored(row.id, row.contact_id, False, row.status, row.reply_body)


def store(sid: str, phone: str | None, body: str | None, num_media: int) -> Stored:
    """Store the message first (unique MessageSid) and commit.

    The insert is tried first (the unique index decides, no look-up on the hot path); a
    duplicate delivery, even one arriving at the same moment, hits the constraint and gets
    the first row back with ``is_new`` False. Two first texts from one new number race on the
    contact's unique phone: the loser retries and finds the contact.
    """
    for _attempt in range(3):
        try:
            return _store(sid, phone, body, num_media)
        except IntegrityError:
            db.session.rollback()
        existing = _existing(sid)
        if existing is not None:
            return existing
    raise RuntimeError("could not store inbound message")  # pragma: no cover


def lock_contact(contact_id: int) -> Contact | None:
    """Take the contact's row lock for this transaction, so two texts from one phone are
    handled one after the other: SELECT ... FOR UPDATE on PostgreSQL; on SQLite a write
    (which takes the database's write lock, like BEGIN IMMEDIATE) before any read."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            sa.update(Contact).where(Contact.id == contact_id).values(id=Contact.id)
            .execution_options(synchronize_session=False)
        )
        db.session.expire_all()
        return db.session.get(Contact, contact_id)
    db.session.expire_all()
    return db.session.scalar(
        db.select(Contact).filter(Contact.id == contact_id).with_for_update()
    )


def _finish(out: Handled, inbound_id: int, by_rest_api: bool) -> Handled:
    """Record the replies and the message's outcome, commit once, then send and announce."""
    reply_body = EMPTY_TWIML if by_rest_api else twiml(out.texts)
    db.session.execute(
        sa.update(InboundMessage).where(InboundMessage.id == inbound_id)
        .values(status="handled", reply_body=reply_body)
        .execution_options(synchronize_session=False)
    )
    queued = []
    if out.contact is not None:
        for text in out.texts:
            if by_rest_api:
                queued.append(queue_message(
                    out.contact, text, kind="reply", conversation_id=out.conversation_id
                ))
            else:
                record_twiml_reply(out.contact, text, conversation_id=out.conversation_id)
    # Keep what was just written loaded: announcing reads only ids, which cannot change.
    session = db.session()  # the real session behind the scoped proxy
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    if queued:
        dispatch([m.id for m in queued])
    for response, answers, completed in out.announcements:
        announce(response, answers, completed)
    db.session.expire_all()
    return out


def handle_new(stored: Stored, body: str | None, num_media: int) -> Handled:
    """Handle a message just stored by this request (the webhook's hot path): lock the
    contact, decide, record the TwiML replies, commit once."""
    contact = lock_contact(stored.contact_id) if stored.contact_id else None
    out = dispatch_text(contact, body, num_media)
    return _finish(out, stored.id, by_rest_api=False)


def handle_stored(inbound_id: int, *, by_rest_api: bool = False) -> Handled:
    """Handle a stored message again (the ``finish_inbound`` job): under the contact's lock,
    and only if it is not handled yet, so a retried or doubled job never answers twice.
    With ``by_rest_api`` the replies are queued and dispatched after the commit.
    """
    inbound = db.session.get(InboundMessage, inbound_id)
    if inbound is None:
        return Handled()
    contact = lock_contact(inbound.contact_id) if inbound.contact_id else None
    db.session.refresh(inbound)
    if inbound.status == "handled":
        db.session.rollback()
        return Handled(contact=contact)
    out = dispatch_text(contact, inbound.body, inbound.num_media)
    return _finish(out, inbound_id, by_rest_api)


def receive(sid: str, from_number: str | None, body: str | None, num_media: int = 0) -> Received:
    """Store, then handle one inbound text; returns the TwiML to answer with.

    Never raises once the message is stored: a failure is logged (without phone or body),
    the message marked ``failed`` and the ``finish_inbound`` job re-runs it and replies by
    the REST API, while Twilio gets an empty 200.
    """
    phone = normalise_phone(from_number)
    stored = store(sid, phone, body, num_media)
    if not stored.is_new:
        if stored.status == "handled" and stored.reply_body:
            return Received(stored.reply_body, stored.id, duplicate=True)
        return Received(EMPTY_TWIML, stored.id, duplicate=True)
    try:
        out = handle_new(stored, body, num_media)
    except Exception as exc:  # noqa: BLE001 - Twilio would lose the message on a 5xx
        db.session.rollback()
        # The exception text may hold SQL parameters (a phone, a body): log its type only.
        log.error("inbound message %s failed (%s); finishing it in a job",
                  stored.id, type(exc).__name__)
        _mark_failed_and_enqueue(stored.id)
        return Received(EMPTY_TWIML, stored.id)
    return Received(twiml(out.texts), stored.id)


def _mark_failed_and_enqueue(inbound_id: int) -> None:
    from messaging.inbound_jobs import finish_inbound

    try:
        db.session.execute(
            sa.update(InboundMessage).where(InboundMessage.id == inbound_id)
            .values(status="failed")
        )
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - the job still runs; it checks the status itself
        db.session.rollback()
        log.error("could not mark inbound message %s failed (%s)", inbound_id,
                  type(exc).__name__)
    try:
        finish_inbound(inbound_id)
    except Exception as exc:  # noqa: BLE001 - the sweep job picks it up later
        db.session.rollback()
        log.error("finishing inbound message %s failed (%s); the sweep retries it",
                  inbound_id, type(exc).__name__)


def received_since(minutes: int, within_hours: int = 24) -> list[int]:
    """Ids of messages left ``received`` or ``failed`` for more than ``minutes`` (a lost job),
    but not older than ``within_hours``: a message that keeps failing for a day is left for a
    person to look at rather than retried forever."""
    from datetime import timedelta

    now = utcnow()
    return list(db.session.scalars(
        db.select(InboundMessage.id).filter(
            InboundMessage.status.in_(("received", "failed")),
            InboundMessage.received_at < now - timedelta(minutes=minutes),
            InboundMessage.received_at > now - timedelta(hours=within_hours),
        )
    ))
