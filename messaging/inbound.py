"""Receiving a text: store it first, then handle it under a lock on the contact's row.

The webhook and the simulator both call :func:`receive`; the ``finish_inbound`` job calls
:func:`handle_stored` for a message whose first handling failed. RELIABILITY.md: Twilio does
not retry a 5xx for messaging, so once the message is committed nothing may raise out of here.
No phone number or message body is ever logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import phonenumbers
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from feedback.extensions import db
from feedback.intake import announce
from feedback.models import utcnow
from messaging import conversation as engine
from messaging import keywords
from messaging.models import Contact, Conversation, InboundMessage
from messaging.outbound import (
    dispatch,
    mark_contact_opted_out,
    queue_message,
    record_twiml_reply,
)
from surveys.models import Survey

log = logging.getLogger(__name__)

#: TwiML with no message: Twilio sends nothing.
EMPTY_TWIML = str(MessagingResponse())


@dataclass
class Handled:
    """The outcome of handling one inbound text."""

    texts: list[str] = field(default_factory=list)
    contact: Contact | None = None
    conversation_id: int | None = None
    announcements: list[tuple] = field(default_factory=list)


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


def find_survey_by_keyword(body: str | None) -> Survey | None:
    """The survey whose SMS keyword is this whole message (any status), if any."""
    key = keywords.survey_keyword_key(body)
    if not key or key.isdigit() or len(key) > 30:  # answers like "3" never need the query
        return None
    return db.session.scalar(db.select(Survey).filter(Survey.sms_keyword == key))


def _wants_contact(body: str | None) -> bool:
    """An unknown number becomes a contact only by texting a survey keyword (opting in) or an
    opt-out word (so the suppression list remembers it)."""
    word = keywords.match_keyword(body)
    if word is not None and word.kind == keywords.OPT_OUT:
        return True
    survey = find_survey_by_keyword(body)
    return survey is not None and survey.status == "open"


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
    """Insert the message (and a new keyword contact) and commit; IntegrityError on a race."""
    contact = None
    if phone:
        contact = db.session.scalar(db.select(Contact).filter_by(phone=phone))
        if contact is None and _wants_contact(body):
            contact = Contact(
                phone=phone, consent_source="keyword", groups=[], opted_out=False
            )
            db.session.add(contact)
    inbound = InboundMessage(
        message_sid=sid, contact=contact, body=body, num_media=num_media, status="received"
    )
    db.session.add(inbound)
    db.session.flush()
    stored = Stored(inbound.id, inbound.contact_id, True)
    db.session.commit()
    return stored


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


def _expired_text(contact: Contact, conversation: Conversation) -> str:
    survey = conversation.survey_version.survey
    keyword = survey.sms_keyword if survey.status == "open" else None
    return engine.render_text("expired", contact.locale, keyword=keyword)


def _last_conversation(contact: Contact) -> Conversation | None:
    return db.session.scalar(
        db.select(Conversation).filter_by(contact_id=contact.id)
        .order_by(Conversation.id.desc()).limit(1)
    )


def dispatch_text(contact: Contact | None, body: str | None, num_media: int) -> Handled:
    """Decide what a text means and apply it (caller commits). Keywords first, then the
    open conversation, then a survey keyword, else a polite default."""
    out = Handled(contact=contact)
    opted_out = bool(contact and contact.opted_out)
    word = keywords.match_keyword(body, opted_out=opted_out)
    locale = (contact.locale if contact else None) or (word.locale if word else None)
    if word is not None and word.kind == keywords.OPT_OUT:
        if contact is not None and not opted_out:
            for open_one in db.session.scalars(
                db.select(Conversation).filter(
                    Conversation.contact_id == contact.id,
                    Conversation.state.in_(engine.OPEN_STATES),
                )
            ):
                open_one.state = "stopped"
            mark_contact_opted_out(contact)
            out.texts.append(engine.render_text("opted_out", contact.locale or word.locale))
        return out  # a second STOP (or any STOP we cannot tie to a contact) gets no reply
    if opted_out:
        if word is not None and word.kind == keywords.OPT_IN:
            contact.opted_out, contact.opted_out_at = False, None
            out.texts.append(engine.render_text("opted_in", locale))
        return out  # nothing else is ever sent to an opted-out contact
    if word is not None and word.kind == keywords.HELP:
        out.texts.append(engine.render_text("help", locale))
        return out
    if word is not None and word.kind == keywords.OPT_IN:
        out.texts.append(engine.render_text("opted_in", locale))
        return out
    if contact is None:
        out.texts.append(engine.render_text("unknown", locale))
        return out
    current = engine.open_conversation(contact)
    if current is not None and engine.is_stale(current):
        engine.expire(current)
        if find_survey_by_keyword(body) is None:
            out.texts.append(_expired_text(contact, current))
            return out
        current = None
    if word is not None and word.kind == keywords.LANGUAGE:
        return _from_turn(out, engine.switch_language(contact, current, word.locale))
    survey = find_survey_by_keyword(body)
    if survey is not None:
        if survey.status != "open":
            out.texts.append(engine.render_text("survey_closed", contact.locale))
            return out
        return _from_turn(out, engine.begin(contact, survey))
    if current is not None:
        if num_media and not (body or "").strip():
            out.texts.append(engine.render_text("picture", contact.locale))
            return out
        return _from_turn(out, engine.reply(current, body or ""))
    if num_media and not (body or "").strip():
        out.texts.append(engine.render_text("picture", contact.locale))
        return out
    last = _last_conversation(contact)
    if last is not None and last.state == "expired":
        out.texts.append(_expired_text(contact, last))
    else:
        out.texts.append(engine.render_text("unknown", contact.locale))
    return out


def _from_turn(out: Handled, turn: engine.Turn) -> Handled:
    out.texts.extend(turn.texts)
    out.announcements.extend(turn.announcements)
    if turn.conversation is not None:
        db.session.flush()
        out.conversation_id = turn.conversation.id
    return out


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


def received_since(minutes: int) -> list[int]:
    """Ids of messages left ``received`` or ``failed`` longer than ``minutes`` (lost jobs)."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(minutes=minutes)
    return list(db.session.scalars(
        db.select(InboundMessage.id).filter(
            InboundMessage.status.in_(("received", "failed")),
            InboundMessage.received_at < cutoff,
        )
    ))
