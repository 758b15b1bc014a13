"""Outbound texts: queue a message row, dispatch it after commit, send it once in a job.

The write path every sender uses (conversations, campaigns, reminders, updates):

1. ``queue_message(contact, body, kind=...)`` adds a ``pending`` OutboundMessage (or a
   ``suppressed`` one if the contact opted out); the caller commits.
2. ``dispatch([ids])`` after the commit enqueues one ``send_outbound`` job per message
   (scheduled at ``send_after`` when that is in the future). Enqueuing only after the commit
   means a job never looks for a row that does not exist yet.
3. ``send_outbound(id)`` claims the row atomically (``pending``/``retry`` -> ``sending`` with an
   UPDATE ... WHERE, so two workers or a re-run job cannot both send), re-checks opt-out and
   quiet hours (and, for an invitation or a reminder, that its conversation still waits for
   it: else ``suppressed``), calls the gateway once and records the SID and status in one
   transaction.

Retry policy (docs/reliability.md, "Outbound sending"):

* 429/20429, 30003, 5xx, connection refused/connect timeout: status ``retry`` and the job
  reschedules itself with exponential backoff (30 s, 60 s, 120 s ... capped at one hour) up to
  SMS_MAX_ATTEMPTS, then ``failed``. A 429 was never processed by Twilio, so retrying it cannot
  duplicate. A Twilio 5xx almost always means the request was not processed; we retry it and
  accept the small duplicate risk.
* Read timeout or a connection dropped after the request left us: Twilio may have accepted the
  message and the API has no idempotency key. We do NOT resend blindly: the row becomes
  ``unknown``. The same applies to a row left in ``sending`` by a worker that died mid-call
  (:func:`sweep_outbound` marks it ``unknown`` after SENDING_STALE_AFTER). The sweeper then
  reconciles every ``unknown`` row through Twilio's message list (same recipient and body,
  created since the row): found, it records the SID; not found, it sends again. So nothing is
  sent twice and nothing is silently dropped (docs/reliability.md).
* Permanent errors (21610, 30006, 21211, other 4xx): ``failed`` with the error code, never
  retried; 21610 also opts the contact out; 30007 (filtered) flags the message for review.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.responses.models import utcnow
from messaging.inbound.conversation import OPEN_STATES
from messaging.models import (
    OPTED_OUT_BY_STAFF,
    OPTED_OUT_BY_TEXT,
    Contact,
    Conversation,
    OutboundMessage,
)
from messaging.outbound import pacing
from messaging.outbound.gateway import (
    FILTERED,
    UNSUBSCRIBED,
    PermanentSendError,
    TransientSendError,
    get_gateway,
)
from messaging.outbound.segments import count_segments
from surveys.models import Survey, SurveyVersion

log = logging.getLogger(__name__)

#: Statuses a send job may claim.
CLAIMABLE = ("pending", "retry")
#: Kinds that the respondent did not ask for just now: these wait out quiet hours.
UNSOLICITED_KINDS = frozenset({"invitation", "reminder", "update"})
#: Kinds that ask the question a conversation waits for (the invitation asks the first, a
#: reminder the open one): not sent once the conversation has moved on (:func:`_moved_on`).
ASKING_KINDS = frozenset({"invitation", "reminder"})
#: A row still ``sending`` after this long belongs to a dead worker.
SENDING_STALE_AFTER = timedelta(minutes=10)
#: A ``pending`` row this overdue lost its job (e.g. the enqueue after commit failed).
PENDING_STALE_AFTER = timedelta(minutes=5)
#: The kind of the reply to a STOP, sent though the contact has just opted out: by the
#: webhook's TwiML or, when the STOP is handled later (the spool's drain, the retry job, the
#: sweeper), by the REST API (docs/reliability.md, "Opt-out in three languages").
OPT_OUT_CONFIRMATION = "opt_out_confirmed"


def is_suppressed(contact: Contact | None, kind: str | None = None) -> bool:
    """True if a text of ``kind`` may not be sent to ``contact``: no contact at all, or one
    that opted out, unless the text is the confirmation of that opt-out, which carriers
    require and which is the one text an opted-out contact still gets."""
    if contact is None:
        return True
    return bool(contact.opted_out) and kind != OPT_OUT_CONFIRMATION


def queue_message(
    contact: Contact,
    body: str,
    *,
    kind: str,
    conversation_id: int | None = None,
    campaign_id: int | None = None,
    send_after: datetime | None = None,
) -> OutboundMessage:
    """Add a pending message (segments and encoding computed); the caller commits.

    An opted-out contact gets a ``suppressed`` row instead (but for the confirmation of its
    opt-out: :func:`is_suppressed`), so the record shows what was withheld and why. Call
    :func:`dispatch` with the ids after committing.
    """
    info = count_segments(body)
    message = OutboundMessage(
        contact=contact,
        kind=kind,
        body=body,
        segments=info.segments,
        encoding=info.encoding,
        conversation_id=conversation_id,
        campaign_id=campaign_id,
        send_after=send_after,
        status="suppressed" if is_suppressed(contact, kind) else "pending",
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    return message


#: What a reply sent inside the TwiML records: every column, for
#: messaging.inbound.handling.execute_together.
_REPLY_COLUMNS = ("contact_id", "kind", "body", "segments", "encoding", "conversation_id",
                  "status", "sent_at", "attempts", "flagged", "created_at", "updated_at")


def twiml_replies(contact_id: int, texts: list[str], conversation_id: int | None = None,
                  kind: str = "reply") -> tuple[sa.Insert, dict]:
    """The INSERT (and its values) that records replies delivered inside the webhook's TwiML
    (status ``sent``, no job); the caller runs it in its transaction and commits.

    Twilio sends TwiML replies itself, so there is nothing to dispatch; the rows keep the
    conversation's history and the segment counts complete.
    """
    now = utcnow()
    values = {}
    for n, text in enumerate(texts):
        info = count_segments(text)
        row = {"contact_id": contact_id, "kind": kind, "body": text,
               "segments": info.segments, "encoding": info.encoding,
               "conversation_id": conversation_id, "status": "sent", "sent_at": now,
               "attempts": 0, "flagged": False, "created_at": now, "updated_at": now}
        values.update({f"reply_{n}_{name}": value for name, value in row.items()})
    return _insert_replies(len(texts)), values


@cache
def _insert_replies(count: int) -> sa.Insert:
    """The INSERT of ``count`` replies (one statement per count, built once)."""
    return sa.insert(OutboundMessage).values([
        {name: sa.bindparam(f"reply_{n}_{name}") for name in _REPLY_COLUMNS}
        for n in range(count)
    ])


def dispatch(message_ids: Iterable[int]) -> None:
    """Enqueue a send job per pending message; call only after the rows are committed."""
    now = pacing.now()
    for message_id in message_ids:
        message = db.session.get(OutboundMessage, message_id)
        if message is None or message.status not in CLAIMABLE:
            continue
        if message.send_after and message.send_after > now:
            _schedule(message.id, message.send_after)
        else:
            send_outbound(message.id)


def _schedule(message_id: int, eta: datetime) -> None:
    send_outbound.schedule(args=(message_id,), eta=eta)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _quiet_hours_apply(message: OutboundMessage) -> bool:
    return message.kind in UNSOLICITED_KINDS or message.campaign_id is not None


#: The conversation a queued invitation or reminder asks about, as it is now.
_CONVERSATION_NOW = (
    sa.select(Conversation.state, Conversation.last_activity_at,
              Survey.status.label("survey_status"))
    .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
    .join(Survey, Survey.id == SurveyVersion.survey_id)
    .where(Conversation.id == sa.bindparam("conversation_id"))
)


def _moved_on(message: OutboundMessage) -> bool:
    """Whether ``message`` asks a question its conversation no longer waits for: the family
    finished, stopped or texted since it was queued (their text got its own reply), the
    conversation expired, or its survey was closed (it would refuse the answer).

    Invitations and reminders wait behind every text the sender has queued
    (messaging.outbound.sender_queue), minutes or hours at the paced rate, so this is
    checked when they go out, not only when they are queued (docs/reliability.md)."""
    if message.kind not in ASKING_KINDS or message.conversation_id is None:
        return False
    now = db.session.execute(_CONVERSATION_NOW,
                             {"conversation_id": message.conversation_id}).first()
    return (now is None or now.state not in OPEN_STATES or now.survey_status != "open"
            or now.last_activity_at > message.created_at)


def _claim(message_id: int) -> bool:
    """Atomically move the row to ``sending``; False if another job has it or it was sent."""
    result = db.session.execute(
        sa.update(OutboundMessage)
        .where(
            OutboundMessage.id == message_id,
            OutboundMessage.status.in_(CLAIMABLE),
            OutboundMessage.provider_sid.is_(None),
        )
        .values(status="sending", attempts=OutboundMessage.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def mark_contact_opted_out(contact: Contact, by: str = OPTED_OUT_BY_TEXT) -> None:
    """Opt the contact out (their STOP, Twilio's 21610 for one, or staff on their behalf:
    ``by``) and suppress its pending messages. A staff opt-out is recorded as one even over an
    earlier STOP: only START undoes it, never a YES that may answer a survey question."""
    if not contact.opted_out or by == OPTED_OUT_BY_STAFF:
        contact.opted_out_by = by
    if not contact.opted_out:
        contact.opted_out = True
        contact.opted_out_at = utcnow()
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.contact_id == contact.id,
               OutboundMessage.status.in_(CLAIMABLE))
        .values(status="suppressed", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@queue.task(retries=0)
def send_outbound(message_id: int) -> str:
    """Send one queued message at most once; returns what happened (for logs and tests)."""
    message = db.session.get(OutboundMessage, message_id)
    if message is None or message.status not in CLAIMABLE or message.provider_sid:
        return "skipped"
    now = pacing.now()
    if message.send_after and message.send_after > now + timedelta(seconds=1):
        _schedule(message.id, message.send_after)
        return "not-yet"
    contact = message.contact
    if is_suppressed(contact, message.kind) or _moved_on(message):
        message.status = "suppressed"
        db.session.commit()
        return "suppressed"
    if _quiet_hours_apply(message) and pacing.in_quiet_hours(now):
        # Hold until the morning, keeping messages apart at the paced rate by id.
        spread = timedelta(seconds=(message.id % 3600) / pacing.rate_per_second())
        message.send_after = pacing.next_allowed_time(now) + spread
        db.session.commit()
        _schedule(message.id, message.send_after)
        return "held"
    if not _claim(message_id):
        return "skipped"
    return _send_claimed(message_id)


def _send_claimed(message_id: int) -> str:
    message = db.session.get(OutboundMessage, message_id)
    db.session.refresh(message)
    to, body = message.contact.phone, message.body or ""
    try:
        result = get_gateway().send(to, body, reference=message.id)
    except TransientSendError as exc:
        return _after_transient(message, exc)
    except PermanentSendError as exc:
        message.status = "failed"
        message.error_code = exc.code
        if exc.code == UNSUBSCRIBED:
            mark_contact_opted_out(message.contact)
        if exc.code == FILTERED:
            message.flagged = True
        db.session.commit()
        log.info("sms failed permanently", extra={"outbound_id": message.id, "code": exc.code})
        return "failed"
    except Exception:
        # Unknown failure after the claim: we cannot tell if it left; do not resend blindly.
        db.session.rollback()
        _mark_unknown(message_id)
        log.exception("sms send crashed", extra={"outbound_id": message_id})
        return "unknown"
    # Only if no status callback has recorded the SID first (it carries our reference):
    # the create call's "queued" must not overwrite a callback's "sent" or "delivered".
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == message.id, OutboundMessage.provider_sid.is_(None))
        .values(provider_sid=result.sid, status=result.status, sent_at=pacing.now())
    )
    db.session.commit()
    return "sent"


def _mark_unknown(message_id: int, error_code: int | None = None) -> None:
    """The send may have left: ``unknown`` for the sweeper to reconcile, unless a status
    callback has already said what became of it (it carries our reference and may overtake
    the create call's answer): a delivered message stays delivered."""
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == "sending",
               OutboundMessage.provider_sid.is_(None))
        .values(status="unknown", error_code=error_code, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _after_transient(message: OutboundMessage, exc: TransientSendError) -> str:
    if exc.maybe_sent:
        _mark_unknown(message.id, exc.code)
        log.warning("sms outcome unknown", extra={"outbound_id": message.id})
        return "unknown"
    message.error_code = exc.code
    max_attempts = int(current_app.config.get("SMS_MAX_ATTEMPTS", 6))
    if message.attempts >= max_attempts:
        message.status = "failed"
        db.session.commit()
        return "failed"
    message.status = "retry"
    message.send_after = pacing.now() + _backoff(message.attempts)
    db.session.commit()
    log.info("sms retry scheduled", extra={"outbound_id": message.id, "code": exc.code})
    _schedule(message.id, message.send_after)
    return "retry"


def due_message_ids(now: datetime | None = None, min_idle: timedelta | None = None) -> list[int]:
    """Ids of pending/retry messages whose time has come (optionally idle for a while)."""
    now = now or pacing.now()
    query = sa.select(OutboundMessage.id).where(
        OutboundMessage.status.in_(CLAIMABLE),
        sa.or_(OutboundMessage.send_after.is_(None), OutboundMessage.send_after <= now),
    )
    if min_idle is not None:
        query = query.where(OutboundMessage.updated_at <= now - min_idle)
    return list(db.session.scalars(query.order_by(OutboundMessage.send_after,
                                                  OutboundMessage.id)))


def send_due_messages() -> int:
    """Run the send job now, in this process, for every due message; returns how many ran.

    Used by the ``flask sms send-due`` command and by tests in place of a worker clock.
    """
    ids = due_message_ids()
    for message_id in ids:
        send_outbound.call_local(message_id)
    return len(ids)


def sweep_outbound() -> None:
    """Re-enqueue due messages whose job was lost; mark dead workers' ``sending`` rows unknown."""
    now = pacing.now()
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.status == "sending",
               OutboundMessage.updated_at <= now - SENDING_STALE_AFTER)
        .values(status="unknown", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    for message_id in due_message_ids(now, PENDING_STALE_AFTER):
        send_outbound(message_id)
    reconcile_unknown(now)


#: An ``unknown`` row is looked up in Twilio's list after this long (the list may lag a little).
RECONCILE_AFTER = timedelta(seconds=30)
#: Past this age (since the send attempt, which left the row ``unknown``) a row is left for
#: staff rather than reconciled and resent.
RECONCILE_WITHIN = timedelta(hours=4)


def reconcile_unknown(now: datetime | None = None) -> dict[str, int]:
    """Settle every ``unknown`` send: look it up in Twilio's message list; record its SID when
    Twilio has it, send it again (status ``retry``) when Twilio does not. A list that cannot be
    read leaves the row ``unknown`` for the next sweep. Returns counts (found, resent, open).

    Every write is conditional on the row still being ``unknown`` with no SID: two sweeps
    that overlap (a slow list, several workers) settle a row once, so it is resent once."""
    now = now or pacing.now()
    counts = {"found": 0, "resent": 0, "open": 0}
    rows = db.session.execute(
        sa.select(OutboundMessage.id, OutboundMessage.contact_id, Contact.phone,
                  OutboundMessage.body, OutboundMessage.created_at)
        .join(Contact, Contact.id == OutboundMessage.contact_id)
        .where(
            OutboundMessage.status == "unknown",
            OutboundMessage.updated_at <= now - RECONCILE_AFTER,
            OutboundMessage.updated_at >= now - RECONCILE_WITHIN,
        ).order_by(OutboundMessage.id)
    ).all()
    db.session.commit()
    gateway = get_gateway()
    resend = []
    for row in rows:
        since = row.created_at - timedelta(minutes=1)
        try:
            matching = gateway.sent_matching(row.phone, row.body or "", since)
        except TransientSendError:
            counts["open"] += 1
            continue
        ours = _unclaimed_send(row, matching, since)
        still_unknown = sa.update(OutboundMessage).where(
            OutboundMessage.id == row.id, OutboundMessage.status == "unknown",
            OutboundMessage.provider_sid.is_(None)).execution_options(synchronize_session=False)
        try:
            if ours is not None:
                db.session.execute(still_unknown.values(
                    provider_sid=ours.sid, status=ours.status, sent_at=now, updated_at=now))
                counts["found"] += 1
            elif db.session.execute(still_unknown.values(
                    status="retry", send_after=now, updated_at=now)).rowcount == 1:
                resend.append(row.id)
                counts["resent"] += 1
            db.session.commit()
        except sa.exc.IntegrityError:  # the SID was recorded for another row meanwhile
            db.session.rollback()
            counts["open"] += 1
    for message_id in resend:
        send_outbound(message_id)
    if any(counts.values()):
        log.info("sms unknown sends reconciled", extra=counts)
    return counts


def _unclaimed_send(row, matching: list, since: datetime):
    """The message in Twilio's list that is this row's send, or None when Twilio has none.

    The same text may have gone to the same family for other rows: those whose SID we
    recorded are not this one, and replies inside the webhook's TwiML (sent by Twilio, no SID
    on our side) account for as many of the rest. Only a message beyond those is ours."""
    if not matching:
        return None
    recorded = set(db.session.scalars(sa.select(OutboundMessage.provider_sid).where(
        OutboundMessage.provider_sid.in_([found.sid for found in matching]))))
    unclaimed = [found for found in matching if found.sid not in recorded]
    without_sid = db.session.scalar(sa.select(sa.func.count(OutboundMessage.id)).where(
        OutboundMessage.contact_id == row.contact_id, OutboundMessage.id != row.id,
        OutboundMessage.body == row.body, OutboundMessage.status == "sent",
        OutboundMessage.provider_sid.is_(None), OutboundMessage.created_at >= since)) or 0
    return unclaimed[0] if len(unclaimed) > without_sid else None


@queue.periodic_task(crontab(minute="*"))
def sweep_outbound_job() -> None:
    """Every minute: the safety net of :func:`sweep_outbound` (lost jobs, dead workers'
    sends, unknown outcomes reconciled against Twilio's list)."""
    sweep_outbound()
