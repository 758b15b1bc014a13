"""Staff changes to one contact: language, opt-out and opt-in on their behalf, erasure.

Each is one documented write that records its own audit entry (never the phone number or a
message body: the contact's id, the reason staff gave with any number or e-mail address typed
into it removed, and what changed) and commits.

* Opt-out by staff (a parent phones asking to stop) works like the contact's own STOP: open
  SMS surveys end, queued texts are suppressed, and every later send checks the flag
  (messaging.outbound.sending.is_suppressed, campaign launches and reminders filter on it).
  A staff opt-out is recorded as such: a later YES by text (most likely an answer to a survey
  question still on the phone) does not undo it; START does, and is audited
  (messaging.inbound.answering).
* Opt-in by staff records that consent was given again, to staff ("staff").
* Erasure on request removes the phone number, name and every message body: the contact row,
  its conversations and outbound texts are deleted, its inbound texts lose their body and their
  link to the contact. The pseudonymous respondent and its answers stay: they are the
  de-identified feedback (docs/privacy.md), less any phone number or e-mail address the
  family typed into a free-text answer. An opted-out contact's opt-out stays, as a keyed
  hash of the number (messaging.contacts.suppression).
"""

from __future__ import annotations

import sqlalchemy as sa

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.redaction import redact
from feedback.responses.models import Answer, Response, utcnow
from messaging.contacts import suppression
from messaging.inbound import answering
from messaging.models import (
    OPTED_OUT_BY_STAFF,
    Contact,
    Conversation,
    InboundMessage,
    OutboundMessage,
)


class ContactError(ValueError):
    """A change that cannot be made (the message is translated and shown to staff)."""


def _audited(reason: str) -> str:
    """The reason staff gave, as the audit log keeps it: without a phone number or an e-mail
    address typed into it (the log never holds one: docs/privacy.md), at most 200 characters."""
    return redact(reason)[:200]


def set_language(contact: Contact, locale: str | None, enabled: list[str]) -> None:
    """Change the language the contact is texted in (None: ask with the menu next time)."""
    if locale and locale not in enabled:
        from flask_babel import gettext as _

        raise ContactError(_("Choose one of the coalition's languages."))
    before = contact.locale
    contact.locale = locale or None
    record_audit("contact.language", "contact", contact.id,
                 {"from": before, "to": contact.locale})
    db.session.commit()


def opt_out(contact: Contact, reason: str) -> None:
    """Stop texting the contact, on their behalf: their open SMS surveys end and nothing
    queued or later is sent: what their own STOP does, so a later reply from the phone is
    not taken as an answer to the question that was open (messaging.inbound.answering)."""
    answering.opt_out(contact.id, by=OPTED_OUT_BY_STAFF)
    record_audit("contact.opt_out", "contact", contact.id, {"reason": _audited(reason)})
    db.session.commit()


def opt_in(contact: Contact, reason: str) -> None:
    """Text the contact again: consent given again, to staff."""
    contact.opted_out, contact.opted_out_at, contact.opted_out_by = False, None, None
    contact.consent_source = "staff"
    suppression.forget(contact.phone)
    record_audit("contact.opt_in", "contact", contact.id, {"reason": _audited(reason)})
    db.session.commit()


def _erase_spooled(phone: str | None) -> None:
    """Delete spooled texts from this number (not yet stored: they would recreate it)."""
    from messaging.inbound import spool

    if not phone:
        return
    for path in spool.pending():
        try:
            if spool.read(path).get("phone") == phone:
                path.unlink(missing_ok=True)
        except (OSError, ValueError):
            continue


def _redact_answers(respondent_id: int | None) -> None:
    """The family's free-text answers stay, as de-identified feedback, but without a phone
    number or an e-mail address they typed into them ("call me at 504-555-0144"): erasure
    leaves the number nowhere (docs/privacy.md). Pages and exports redact on the way out;
    here the stored text itself loses it."""
    if respondent_id is None:
        return
    for answer in db.session.scalars(
            sa.select(Answer).join(Response, Response.id == Answer.response_id)
            .where(Response.respondent_id == respondent_id, Answer.raw_text.is_not(None))):
        cleaned = redact(answer.raw_text)
        if cleaned != answer.raw_text:
            answer.raw_text = cleaned
            if isinstance(answer.value, str):
                answer.value = redact(answer.value)


def erase(contact: Contact, reason: str) -> None:
    """Erase the contact on request: number, name and message bodies gone, answers kept
    under their pseudonymous respondent; an opt-out kept as the number's keyed hash."""
    contact_id = contact.id
    suppression.remember([contact])
    db.session.execute(
        sa.update(InboundMessage).where(InboundMessage.contact_id == contact_id)
        .values(contact_id=None, body=None, reply_body=None)
        .execution_options(synchronize_session=False))
    db.session.execute(
        sa.delete(OutboundMessage).where(OutboundMessage.contact_id == contact_id)
        .execution_options(synchronize_session=False))
    db.session.execute(
        sa.delete(Conversation).where(Conversation.contact_id == contact_id)
        .execution_options(synchronize_session=False))
    phone = contact.phone
    _redact_answers(contact.respondent_id)
    db.session.delete(contact)
    _erase_spooled(phone)
    record_audit("contact.erase", "contact", contact_id,
                 {"reason": _audited(reason), "at": utcnow().isoformat(timespec="seconds")})
    db.session.commit()
