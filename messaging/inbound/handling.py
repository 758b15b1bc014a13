"""Receiving a text: store it first, then handle it under a lock on the contact's row.

The webhook and the simulator both call :func:`receive`; the ``finish_inbound`` job calls
:func:`handle_stored` for a message whose first handling failed. docs/reliability.md: Twilio does
not retry a 5xx for messaging, so once the message is committed nothing may raise out of here
(a database that is down sends the text to the spool, messaging.inbound.spool). No phone
number or message body is ever logged.

This is the webhook's hot path, so it is written in Core statements on one connection: the
message is one autocommitted INSERT (a resent text is found by its Twilio id and stored
once); its handling is one transaction that locks the contact, reads the snapshot
(messaging.inbound.conversation), applies the answering's decision (messaging.inbound.answering)
and ends with the last writes together (:func:`execute_together`).

Several independent last writes (the answer, the conversation's new state, the message's
outcome, the replies) go in one round trip where the database allows it: on PostgreSQL as one
statement, the others as data-modifying CTEs of the last; SQLite has no INSERT/UPDATE inside
WITH, so there they run one by one, in the caller's transaction either way. SQLAlchemy does
not cache the compiled form of a statement with DML in its WITH clause, so each combination is
compiled once per set of statements and run with ``exec_driver_sql``, the values passed
through their types' bind processors (JSON). Every column needs its value (no Python-side
default applies), and the statements must touch different rows: PostgreSQL runs the parts of
one statement on the same snapshot, so none sees another's changes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, PendingRollbackError, SQLAlchemyError
from sqlalchemy.sql.dml import UpdateBase
from twilio.twiml.messaging_response import MessagingResponse

from feedback.core.extensions import db
from feedback.core.hygiene import clean_text
from feedback.core.signals import inbound_failed
from feedback.responses.intake import announce
from feedback.responses.models import utcnow
from messaging.contacts.suppression import number_hash
from messaging.inbound import conversation as engine
from messaging.inbound import spool
from messaging.inbound.answering import Awaited, Handled, dispatch_text, wants_contact
from messaging.models import Contact, Conversation, InboundMessage, OptOutHash
from messaging.outbound.sending import dispatch, queue_message, twiml_replies

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
    return _e164(raw.strip(), current_app.config.get("DEFAULT_PHONE_REGION", "US"))


@lru_cache(maxsize=4096)
def _e164(raw: str, region: str) -> str | None:
    """Cached: a family texts a survey's answers one by one from the same number."""
    try:
        number = phonenumbers.parse(raw, region)
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
    """A stored inbound message, as the handling needs it."""

    id: int
    contact_id: int | None
    is_new: bool
    status: str = "received"
    reply_body: str | None = None
    #: The conversation and question open when it arrived (messaging.inbound.answering.Awaited).
    awaited: Awaited | None = None


UNHANDLED = engine.UNHANDLED

_CONTACT_OF_PHONE = (
    sa.select(Contact.id).where(Contact.phone == sa.bindparam("phone", type_=sa.String))
    .scalar_subquery()
)
_OPEN_CONVERSATION = (
    sa.select(Conversation.id, Conversation.current_question_key)
    .where(Conversation.contact_id == _CONTACT_OF_PHONE,
           engine.one_of(Conversation.state, engine.OPEN_STATES))
    .order_by(Conversation.id.desc()).limit(1)
)

#: The message, tied to its contact by a subquery on the phone (NULL for an unknown number),
#: with the conversation and question open at that moment: a handling delayed by a crash
#: applies it to that question or to none (docs/reliability.md).
_INSERT = (
    sa.insert(InboundMessage)
    .values(
        message_sid=sa.bindparam("sid"),
        contact_id=_CONTACT_OF_PHONE,
        body=sa.bindparam("body", type_=sa.Text), num_media=sa.bindparam("num_media"),
        status="received", received_at=sa.bindparam("received_at"),
        awaited_conversation_id=sa.func.coalesce(
            _OPEN_CONVERSATION.with_only_columns(Conversation.id).scalar_subquery(), 0),
        awaited_question_key=_OPEN_CONVERSATION
        .with_only_columns(Conversation.current_question_key).scalar_subquery(),
    )
    .returning(InboundMessage.id, InboundMessage.contact_id,
               InboundMessage.awaited_conversation_id, InboundMessage.awaited_question_key)
)


def _store(connection: Connection, sid: str, phone: str | None, body: str | None,
           num_media: int, received_at=None) -> Stored:
    """Insert the message in a statement of its own, in autocommit mode: it is committed (and
    durable) when the INSERT returns, in one round trip. IntegrityError on a duplicate."""
    connection.execution_options(isolation_level="AUTOCOMMIT")
    try:
        row = connection.execute(_INSERT, {
            "sid": sid, "phone": phone, "body": body, "num_media": num_media,
            "received_at": received_at or utcnow(),
        }).one()
    finally:
        connection.commit()  # nothing to commit: lets the isolation level change back
        connection.execution_options(isolation_level=connection.default_isolation_level)
    return Stored(row.id, row.contact_id, True,
                  awaited=Awaited(row.awaited_conversation_id, row.awaited_question_key))


def _existing(connection: Connection, sid: str) -> Stored | None:
    row = connection.execute(
        sa.select(InboundMessage.id, InboundMessage.contact_id, InboundMessage.status,
                  InboundMessage.reply_body)
        .where(InboundMessage.message_sid == sid)
    ).one_or_none()
    connection.commit()
    return Stored(row.id, row.contact_id, False, row.status, row.reply_body) if row else None


def store(connection: Connection, sid: str, phone: str | None, body: str | None,
          num_media: int, received_at=None) -> Stored:
    """Store the message first (unique MessageSid) and commit.

    The insert is tried first (the unique index decides, no look-up on the hot path); a
    duplicate delivery, even one arriving at the same moment, hits the constraint and gets
    the first row back with ``is_new`` False.
    """
    try:
        return _store(connection, sid, phone, body, num_media, received_at)
    except IntegrityError:
        pass
    existing = _existing(connection, sid)
    if existing is None:  # pragma: no cover - an integrity error that was not the sid
        raise RuntimeError("could not store inbound message")
    return existing


def _handle_on(connection: Connection) -> None:
    """Begin the session's transaction on ``connection`` (the one the message was stored
    on), so a text costs one connection checkout; the session commits it and leaves it open.

    A session holds one connection per engine: the reads an earlier text's handling made
    after its commit (sending its replies) are ended first, or the session would refuse."""
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(bind_arguments={"bind": connection})


#: How the number opted out, if its opt-out outlived an earlier contact (NULL: it did not).
_LISTED = (sa.select(OptOutHash.opted_out_by)
           .where(OptOutHash.number_hash == sa.bindparam("number_hash")).scalar_subquery())

_NEW_CONTACT = (
    sa.insert(Contact)
    .values(phone=sa.bindparam("phone"), consent_source="keyword", groups=[],
            opted_out=_LISTED.is_not(None), opted_out_by=_LISTED,
            opted_out_at=sa.case((_LISTED.is_not(None), sa.bindparam("now", type_=sa.DateTime)),
                                 else_=sa.null()))
    .returning(Contact.id)
)


def adopt_contact(inbound_id: int, phone: str) -> int:
    """Make an unknown number that texted a survey keyword (opting in) or an opt-out word a
    contact, and tie its stored message to it; committed on its own, so a retried handling
    finds it. Two first texts from one new number may race: the loser finds the winner's.
    A number whose opt-out outlived an earlier contact starts opted out, in the same INSERT
    (messaging.contacts.suppression): only an opt-in word then subscribes it again."""
    params = {"phone": phone, "number_hash": number_hash(phone), "now": utcnow()}
    for _attempt in range(3):
        try:
            connection = db.session.connection()
            contact_id = connection.execute(_NEW_CONTACT, params).scalar_one()
        except IntegrityError:
            db.session.rollback()
            contact_id = db.session.scalar(sa.select(Contact.id).where(Contact.phone == phone))
            if contact_id is None:  # pragma: no cover - deleted in between; try again
                continue
        db.session.execute(
            sa.update(InboundMessage).where(InboundMessage.id == inbound_id)
            .values(contact_id=contact_id)
        )
        db.session.commit()
        return contact_id
    raise RuntimeError("could not create the contact")  # pragma: no cover


_HANDLED = (
    sa.update(InboundMessage).where(InboundMessage.id == sa.bindparam("inbound_id"))
    .values(status=sa.bindparam("inbound_status"),
            reply_body=sa.bindparam("reply_body", type_=sa.Text))
)


def _finish(out: Handled, inbound_id: int, by_rest_api: bool) -> Handled:
    """Record the replies and the message's outcome with the handling's last writes (one
    round trip on PostgreSQL), commit once, then send and announce."""
    out.twiml = EMPTY_TWIML if by_rest_api else twiml(out.texts)
    out.writes.append((_HANDLED, {"inbound_id": inbound_id,
                                  "inbound_status": "late" if out.late else "handled",
                                  "reply_body": out.twiml}))
    queued = []
    if out.contact_id is not None and out.texts:
        if by_rest_api:
            contact = db.session.get(Contact, out.contact_id)
            queued = [queue_message(contact, text, kind=out.kind,
                                    conversation_id=out.conversation_id) for text in out.texts]
        else:
            out.writes.append(twiml_replies(out.contact_id, out.texts, out.conversation_id,
                                            kind=out.kind))
    writes = [*out.writes, out.answer] if out.answer else out.writes  # RETURNING goes last
    result = execute_together(db.session.connection(), writes)
    answer_ids = [result.scalar_one()] if out.answer else []
    queued_ids = [message.id for message in queued]
    db.session.commit()
    if queued_ids:
        dispatch(queued_ids)
    if out.announcement:
        announce(out.announcement[0], answer_ids, out.announcement[1])
    return out


def handle_new(connection: Connection, stored: Stored, phone: str | None, body: str | None,
               num_media: int) -> Handled:
    """Handle a message just stored by this request on ``connection`` (the webhook's hot
    path): lock the contact, decide, record the TwiML replies, commit once."""
    _handle_on(connection)
    contact_id = stored.contact_id
    if contact_id is None and phone and wants_contact(body, phone):
        contact_id = adopt_contact(stored.id, phone)
        _handle_on(connection)
    snap = engine.load_snapshot(contact_id, body, stored.id) if contact_id else None
    if snap is not None and snap.earlier_unhandled:
        # Arrival order: the contact's earlier texts that a dead worker left go first.
        handle_earlier(stored.id)
        _handle_on(connection)
        snap = engine.load_snapshot(contact_id, body, stored.id)
    if snap is not None and snap.message_status not in UNHANDLED:
        db.session.rollback()  # applied meanwhile, in order, with an earlier text's handling
        return Handled(contact_id=contact_id, twiml=EMPTY_TWIML)
    return _finish(dispatch_text(snap, body, num_media, stored.awaited), stored.id,
                   by_rest_api=False)


def handle_stored(inbound_id: int, *, by_rest_api: bool = False,
                  phone: str | None = None) -> Handled:
    """Handle a stored message again (Twilio's retry, the ``finish_inbound`` job, the sweeper):
    under the contact's lock, and only if it is not handled yet, so a retried or doubled job
    never answers twice; against the question open when it arrived, else it is kept as an
    unmatched late reply (status ``late``). With ``by_rest_api`` the replies are queued and
    dispatched after the commit. ``phone`` (known to Twilio's retry and the spool) lets an
    unknown number's keyword make it a contact, as a first handling would.
    """
    columns = (InboundMessage.contact_id, InboundMessage.body, InboundMessage.num_media,
               InboundMessage.awaited_conversation_id, InboundMessage.awaited_question_key)
    row = db.session.execute(sa.select(*columns).where(InboundMessage.id == inbound_id)).first()
    if row is None:
        return Handled()
    contact_id = row.contact_id
    if contact_id is None and phone and wants_contact(row.body, phone):
        contact_id = adopt_contact(inbound_id, phone)
    if contact_id:
        snap = engine.load_snapshot(contact_id, row.body, inbound_id)
        status = snap.message_status
    else:
        snap, status = None, db.session.scalar(
            sa.select(InboundMessage.status).where(InboundMessage.id == inbound_id))
    if status not in UNHANDLED:
        db.session.rollback()
        return Handled(contact_id=contact_id)
    awaited = None  # not recorded (stored before the column existed): trust the present
    if row.awaited_conversation_id is not None:
        awaited = Awaited(row.awaited_conversation_id, row.awaited_question_key)
    return _finish(dispatch_text(snap, row.body, row.num_media, awaited), inbound_id,
                   by_rest_api)


def earlier_unhandled(inbound_id: int) -> list[int]:
    """Ids of the same contact's texts that arrived before ``inbound_id`` and are still
    unhandled, oldest first: they are applied before it (arrival order)."""
    mine = sa.select(InboundMessage.contact_id).where(InboundMessage.id == inbound_id)
    return list(db.session.scalars(
        sa.select(InboundMessage.id).where(
            InboundMessage.contact_id == mine.scalar_subquery(),
            InboundMessage.id < inbound_id, InboundMessage.status.in_(UNHANDLED),
        ).order_by(InboundMessage.id)
    ))


class EarlierTextFailed(RuntimeError):
    """An older unhandled text of the same contact failed (counted against it, not against
    the newer text, which waits for it); the older text's exception is the cause."""


def handle_earlier(inbound_id: int) -> None:
    """Handle the contact's texts older than ``inbound_id`` that are still unhandled, oldest
    first, their replies by the REST API. One that fails raises :class:`EarlierTextFailed`,
    which stops the caller, unless that failure set it aside (then the newer texts go on)."""
    for earlier in earlier_unhandled(inbound_id):
        try:
            handle_stored(earlier, by_rest_api=True)
        except Exception as exc:
            db.session.rollback()
            if count_failed_handling(earlier) != "late":
                raise EarlierTextFailed(f"inbound message {earlier} failed") from exc


def handle_in_order(inbound_id: int, *, by_rest_api: bool = False,
                    phone: str | None = None) -> Handled:
    """:func:`handle_stored`, the contact's earlier unhandled texts first (their replies by
    the REST API): however a stored text comes to be handled again, it never overtakes an
    older one, which would take that one's question. An older text that fails stops it."""
    handle_earlier(inbound_id)
    return _handle_counting_failures(inbound_id, by_rest_api=by_rest_api, phone=phone)


#: Failed handlings after which a text is set aside for staff as an unmatched late reply: by
#: then the webhook, the job's retries and several sweeps have each tried it (minutes), and
#: the contact's newer texts, which wait for it, must not wait for ever.
MAX_FAILED_HANDLINGS = 10

_COUNT_FAILURE = (
    sa.update(InboundMessage)
    .where(InboundMessage.id == sa.bindparam("inbound_id"),
           InboundMessage.status.in_(UNHANDLED))
    .values(failed_handlings=InboundMessage.failed_handlings + 1,
            status=sa.case((InboundMessage.failed_handlings + 1 >= MAX_FAILED_HANDLINGS,
                            "late"), else_="failed"))
    .returning(InboundMessage.status)
)


def _handle_counting_failures(inbound_id: int, **kwargs) -> Handled:
    """:func:`handle_stored`, counting a failure against the text (the exception goes on)."""
    try:
        return handle_stored(inbound_id, **kwargs)
    except Exception:
        db.session.rollback()
        count_failed_handling(inbound_id)
        raise


def count_failed_handling(inbound_id: int) -> str | None:
    """Count one failed handling of a text that is still unhandled (committed on its own)
    and return its status; at :data:`MAX_FAILED_HANDLINGS` the text is set aside as an
    unmatched late reply (``late``), kept for staff and never guessed. A database that cannot
    be reached counts nothing: an outage is not the text's fault."""
    try:
        status = db.session.scalar(_COUNT_FAILURE, {"inbound_id": inbound_id})
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - the failure being counted is what matters
        db.session.rollback()
        log.error("could not count a failed handling of inbound message %s (%s)",
                  inbound_id, type(exc).__name__)
        return None
    if status == "late":
        log.error("inbound message %s failed %s times: set aside as an unmatched late reply "
                  "for staff", inbound_id, MAX_FAILED_HANDLINGS)
    return status


def retry_stored(inbound_id: int, phone: str | None = None) -> Received:
    """Twilio delivered a MessageSid we stored but did not handle (the worker that stored it
    died): handle it now, in order, and answer its replies as TwiML."""
    out = handle_in_order(inbound_id, phone=phone)
    return Received(out.twiml or EMPTY_TWIML, inbound_id, duplicate=True)


def receive(sid: str, from_number: str | None, body: str | None, num_media: int = 0) -> Received:
    """Store, then handle one inbound text; returns the TwiML to answer with.

    Never raises once the message is stored: a failure is logged (without phone or body),
    the message marked ``failed`` and the ``finish_inbound`` job re-runs it and replies by
    the REST API, while Twilio gets an empty 200. When the database cannot be reached (twice:
    a dropped connection is retried once) the text is written to the spool (messaging.inbound.spool)
    and Twilio gets an empty 200 too.
    """
    phone = normalise_phone(from_number)
    body = clean_text(body)
    if db.session().in_transaction():  # the caller's own reads or writes come first
        try:
            db.session.commit()
        except SQLAlchemyError as exc:  # a connection the database dropped under the session
            db.session.rollback()
            log.warning("the request's own transaction failed (%s); storing the text anyway",
                        type(exc).__name__)
    received_at = utcnow()
    for attempt in (1, 2):
        try:
            return _receive(sid, phone, body, num_media, received_at)
        except (DBAPIError, PendingRollbackError) as exc:
            # Only the storing step can get here (the handling catches its own errors): a
            # dropped connection is retried once, then the text goes to the spool.
            db.session.rollback()
            log.warning("storing inbound message failed (%s), attempt %s",
                        type(exc).__name__, attempt)
    try:
        spool.write(sid, phone, body, num_media, received_at)
    except OSError:  # the disk too: nothing left but to let Twilio see the failure
        log.error("inbound spool write failed")
        raise
    log.warning("inbound message spooled (database unreachable)")
    return Received(EMPTY_TWIML, None)


def _receive(sid: str, phone: str | None, body: str | None, num_media: int,
             received_at) -> Received:
    with db.engine.connect() as connection:
        stored = store(connection, sid, phone, body, num_media, received_at)
        if not stored.is_new:
            if stored.status in UNHANDLED:
                connection.close()
                return _retry_safely(stored.id, phone)
            if stored.status == "handled" and stored.reply_body:
                return Received(stored.reply_body, stored.id, duplicate=True)
            return Received(EMPTY_TWIML, stored.id, duplicate=True)
        fault_hook("after_store", sid)
        out, failure = _handle_failing_softly(connection, stored, phone, body, num_media,
                                              last_try=False)
    if out is None and dropped_connection(failure):
        out = _handle_again(stored, phone, body, num_media)
    if out is None:
        _enqueue_finish(stored.id)
        return Received(EMPTY_TWIML, stored.id)
    return Received(out.twiml, stored.id)


def dropped_connection(exc: BaseException | None) -> bool:
    """The database closed the connection under the handling (a restart, a terminated
    backend, a lost COMMIT acknowledgement): not the text's fault, so it is handled once more
    before anything is counted against it."""
    if isinstance(exc, EarlierTextFailed):
        exc = exc.__cause__
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _handle_failing_softly(connection: Connection, stored: Stored, phone: str | None,
                           body: str | None, num_media: int, *, last_try: bool = True
                           ) -> tuple[Handled | None, BaseException | None]:
    """:func:`handle_new`, never raising: (what it handled, or None and why not). A failure is
    logged and counted against the text, unless an older text failed (counted against that
    one) or the connection dropped on a try that is not the last (the caller tries again)."""
    try:
        return handle_new(connection, stored, phone, body, num_media), None
    except Exception as exc:  # noqa: BLE001 - Twilio would lose the message on a 5xx
        db.session.rollback()
        # The exception text may hold SQL parameters (a phone, a body): log its type only.
        log.error("inbound message %s failed (%s); finishing it in a job",
                  stored.id, type(exc).__name__)
        if not isinstance(exc, EarlierTextFailed) and (last_try or not dropped_connection(exc)):
            count_failed_handling(stored.id)
        return None, exc


def _handle_again(stored: Stored, phone: str | None, body: str | None,
                  num_media: int) -> Handled | None:
    """Handle a text whose first handling lost its connection once more, on a fresh
    connection and by the same path (the contact's older unhandled texts still go first); None
    if that fails too (counted then, unless no connection could be had; the job and the
    sweeper finish it)."""
    try:
        with db.engine.connect() as connection:
            out, _failure = _handle_failing_softly(connection, stored, phone, body, num_media)
        if out is None or out.twiml != EMPTY_TWIML:
            return out
        # handled already: the first handling's COMMIT went through, then the connection
        # dropped; answer what it recorded
        reply = db.session.scalar(sa.select(InboundMessage.reply_body).where(
            InboundMessage.id == stored.id, InboundMessage.status.not_in(UNHANDLED)))
        db.session.rollback()
        return Handled(twiml=reply) if reply else None
    except SQLAlchemyError:  # no connection to be had: stored, so the job finishes it
        db.session.rollback()
        return None


def _retry_safely(inbound_id: int, phone: str | None) -> Received:
    """:func:`retry_stored`, never raising: a failure leaves the text to the sweeper."""
    try:
        return retry_stored(inbound_id, phone)
    except Exception as exc:  # noqa: BLE001 - stored already; the sweeper finishes it
        db.session.rollback()
        log.error("retried inbound message %s failed (%s); the sweeper finishes it",
                  inbound_id, type(exc).__name__)
        return Received(EMPTY_TWIML, inbound_id, duplicate=True)


def fault_hook(point: str, sid: str) -> None:
    """Test-only fault injection for the deployed tier: with ``FAULT_INJECTION`` set to
    ``<point>:exit:<MessageSid prefix>`` (a configuration value, empty by default and refused
    in production) the process handling such a text dies here with os._exit, as a kill -9
    would leave it: the text stored, not handled."""
    setting = current_app.config.get("FAULT_INJECTION")
    if not setting:
        return
    wanted_point, _, prefix = setting.partition(":exit:")
    if wanted_point == point and prefix and sid.startswith(prefix):
        import os

        os._exit(1)


def _enqueue_finish(inbound_id: int) -> None:
    try:
        inbound_failed.send(inbound_id=inbound_id)  # messaging.inbound.jobs queues the retry
    except Exception as exc:  # noqa: BLE001 - the sweep job picks it up later
        db.session.rollback()
        log.error("finishing inbound message %s failed (%s); the sweep retries it",
                  inbound_id, type(exc).__name__)


def drain_spool() -> int:
    """Store and handle every spooled text in arrival order (deduplicated by MessageSid, as
    the webhook is), deleting each file once its text is stored; the first failure stops the
    drain (the database is still away) and leaves the rest for the next run. Replies go by
    the REST API. Returns how many files were drained."""
    drained = 0
    for path in spool.pending():
        record = spool.read(path)
        with db.engine.connect() as connection:
            stored = store(connection, record["sid"], record["phone"], record["body"],
                           record["num_media"], record["received_at"])
            if stored.is_new:
                _forget_awaited_if_moved_since(connection, stored.id, record["received_at"])
        path.unlink(missing_ok=True)  # two workers may drain the same file: stored once
        drained += 1
        if stored.is_new or stored.status in UNHANDLED:
            try:
                handle_in_order(stored.id, by_rest_api=True, phone=record["phone"])
            except Exception as exc:  # noqa: BLE001 - stored: the sweeper handles it
                db.session.rollback()
                log.error("handling spooled message %s failed (%s)", stored.id,
                          type(exc).__name__)
    return drained


#: Recorded as a spooled text's conversation when the question open as it arrived is unknown.
AWAITED_UNKNOWN = -1


def _forget_awaited_if_moved_since(connection: Connection, inbound_id: int,
                                   received_at) -> None:
    """A spooled text is stored after the fact, so the conversation and question it records
    as awaited are those open at the drain. If the conversation has moved since the text
    arrived for another reason than the older texts drained before it (a newer text of the
    family was applied once the database was back, a campaign invited them since), the
    question open as it arrived is unknown: the text is kept as an unmatched late reply,
    never guessed onto a question asked after it (keywords such as STOP still apply)."""
    newer = sa.orm.aliased(InboundMessage)
    overtaken = sa.exists().where(
        newer.contact_id == InboundMessage.contact_id, newer.id != InboundMessage.id,
        newer.received_at > received_at, newer.status.not_in(UNHANDLED))
    invited_since = sa.exists().where(
        Conversation.id == InboundMessage.awaited_conversation_id,
        Conversation.campaign_id.is_not(None), Conversation.started_at > received_at)
    connection.execute(
        sa.update(InboundMessage)
        .where(InboundMessage.id == inbound_id, sa.or_(overtaken, invited_since))
        .values(awaited_conversation_id=AWAITED_UNKNOWN, awaited_question_key=None))
    connection.commit()


def received_since(seconds: int, within_hours: int = 24) -> list[int]:
    """Ids of messages left ``received`` or ``failed`` for more than ``seconds`` (a lost job,
    a dead worker), but not older than ``within_hours``: a message that keeps failing for a
    day is left for a person to look at rather than retried forever. In arrival order."""
    from datetime import timedelta

    now = utcnow()
    return list(db.session.scalars(
        db.select(InboundMessage.id).filter(
            InboundMessage.status.in_(UNHANDLED),
            InboundMessage.received_at < now - timedelta(seconds=seconds),
            InboundMessage.received_at > now - timedelta(hours=within_hours),
        ).order_by(InboundMessage.id)
    ))


Write = tuple[UpdateBase, dict]


def execute_together(connection: Connection, writes: Sequence[Write]) -> CursorResult:
    """Run ``writes`` (statement, values), in one round trip on PostgreSQL; returns the last
    one's result."""
    if connection.dialect.name != "postgresql" or len(writes) == 1:
        for statement, values in writes:
            result = connection.execute(statement, values)
        return result
    sql, processors = _combined(tuple(statement for statement, _ in writes), connection.dialect)
    values = {}
    for _, more in writes:
        values.update(more)
    for name, process in processors.items():
        values[name] = process(values[name])
    return connection.exec_driver_sql(sql, values)


@cache
def _combined(statements: tuple[UpdateBase, ...], dialect: Dialect) -> tuple[str, dict]:
    """The combined statement's SQL and, by bind name, the bind processors it needs."""
    *first, last = statements
    ctes = (statement.cte(f"write_{n}") for n, statement in enumerate(first))
    compiled = last.add_cte(*ctes).compile(dialect=dialect)
    processors = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return compiled.string, processors
