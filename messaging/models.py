"""SMS channel storage: contacts (the only place phone numbers live), conversations, messages,
campaigns. Owned by messaging; analysis never reads these tables."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.extensions import db
from feedback.responses.models import utcnow


class Contact(db.Model):
    """A family's phone number, language and consent. Shown to admins only."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: E.164, normalised by the phonenumbers library.
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_site.id"))
    #: Comma-free list of group names the contact belongs to.
    groups: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: How we got consent: "csv-import", "keyword", "staff".
    consent_source: Mapped[str] = mapped_column(sa.String(40), default="csv-import")
    opted_out: Mapped[bool] = mapped_column(default=False, index=True)
    opted_out_at: Mapped[datetime | None]
    #: Who opted the contact out: "text" (their STOP, or Twilio's 21610 for one) or "staff"
    #: (on their behalf); NULL when subscribed. Only START undoes a staff opt-out, not a YES.
    opted_out_by: Mapped[str | None] = mapped_column(sa.String(10))
    #: The pseudonymous respondent their answers are stored under.
    respondent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("respondent.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    respondent = relationship("Respondent")
    site = relationship("PartnerSite")


#: The ways a number can have opted out (Contact.opted_out_by, OptOutHash.opted_out_by).
OPTED_OUT_BY_TEXT, OPTED_OUT_BY_STAFF = "text", "staff"


class OptOutHash(db.Model):
    """An opt-out that outlived its contact: retention or erasure on request deleted an
    opted-out contact, and an import or a keyword text must not subscribe the number again
    (docs/privacy.md). Only a keyed hash of the number is kept, never the number."""

    __tablename__ = "opt_out_hash"
    __table_args__ = (
        sa.CheckConstraint("opted_out_by IN ('text', 'staff')", name="opted_out_by"),
    )

    #: HMAC-SHA256 (hex) of the E.164 number under PSEUDONYM_KEY (messaging.contacts.suppression).
    number_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: How the number opted out, as Contact.opted_out_by: a staff opt-out is undone by START only.
    opted_out_by: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(db.Model):
    """Where a contact is in an SMS survey: one question at a time."""

    __tablename__ = "conversation"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('choosing_language', 'answering', 'completed', 'expired', 'stopped')",
            name="state",
        ),
        sa.Index("ix_conversation_contact_state", "contact_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contact.id", ondelete="CASCADE"))
    survey_version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_version.id"))
    response_id: Mapped[int | None] = mapped_column(sa.ForeignKey("response.id"))
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="answering")
    #: Key of the question we are waiting an answer for.
    current_question_key: Mapped[str | None] = mapped_column(sa.String(64))
    #: Invalid answers to the current question so far (three skips an optional one).
    failed_attempts: Mapped[int] = mapped_column(default=0)
    reminder_sent_at: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    contact = relationship("Contact")
    response = relationship("Response")
    survey_version = relationship("SurveyVersion")


class InboundMessage(db.Model):
    """Every text received, stored before anything else happens (unique MessageSid)."""

    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id"), index=True)
    #: Erased by the retention job; the answer itself is kept de-identified.
    body: Mapped[str | None] = mapped_column(sa.Text)
    num_media: Mapped[int] = mapped_column(default=0)
    #: received -> handled | late, or failed (a queue job finishes failed ones). ``late``: an
    #: unmatched late reply, kept for staff: the question it answered was no longer open when
    #: it could be handled, so it is never guessed onto another one; ``late_seen`` once staff
    #: dealt with it (messaging.contacts.late_replies).
    status: Mapped[str] = mapped_column(sa.String(20), default="received")
    #: The conversation and question open when the text arrived (recorded in the same INSERT):
    #: a handling delayed by a crash applies the text to that question or to none. Conversation
    #: 0: none was open; NULL: not recorded (stored some other way), the present is trusted.
    awaited_conversation_id: Mapped[int | None]
    awaited_question_key: Mapped[str | None] = mapped_column(sa.String(64))
    #: The TwiML reply we gave, so a duplicate delivery gets the same answer.
    reply_body: Mapped[str | None] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Handlings of this text that raised. A text that keeps failing is set aside as an
    #: unmatched late reply, so its contact's newer texts stop waiting for it
    #: (docs/reliability.md, "A text that keeps failing").
    failed_handlings: Mapped[int] = mapped_column(default=0, server_default="0")

    contact = relationship("Contact")


class OutboundMessage(db.Model):
    """Every text we send or queue; the provider SID is recorded once, atomically."""

    __tablename__ = "outbound_message"
    __table_args__ = (
        sa.Index("ix_outbound_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contact.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"))
    conversation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("conversation.id"))
    #: invitation, question, reminder, reply, update, confirmation ...
    kind: Mapped[str] = mapped_column(sa.String(20), default="reply")
    body: Mapped[str | None] = mapped_column(sa.Text)
    segments: Mapped[int] = mapped_column(default=1)
    encoding: Mapped[str] = mapped_column(sa.String(10), default="GSM-7")
    #: pending -> queued/accepted -> sending -> sent -> delivered | undelivered | failed,
    #: or suppressed (opted out; or an invitation or reminder whose conversation moved on, or
    #: whose survey closed, before it was sent), never moving backwards.
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    provider_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    error_code: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    #: The carrier filtered it (30007): staff should review the wording.
    flagged: Mapped[bool] = mapped_column(default=False)
    #: Not before this time (quiet hours, pacing).
    send_after: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contact = relationship("Contact")


class Campaign(db.Model):
    """An SMS invitation (or "you said, we did" update) sent to a contact group."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: survey invitation or update (closing the loop).
    kind: Mapped[str] = mapped_column(sa.String(20), default="survey")
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id"))
    #: Contact group; NULL with an explicit contact list (updates to past respondents).
    group: Mapped[str | None] = mapped_column(sa.String(80))
    #: Per-locale message text for updates: {"en": ..., "es": ..., "vi": ...}.
    message: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: draft -> scheduled -> sending -> done, or scheduled -> cancelled (before it starts), or
    #: scheduled -> skipped (its survey was no longer open for SMS at its start)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The recurring pulse this send is one run of (NULL for a one-off campaign).
    pulse_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pulse.id", ondelete="SET NULL"), index=True)
    #: Staff-written texts per kind and locale, replacing the default templates:
    #: {"invitation": {"en": ..., "es": ...}, "reminder": {...}}; empty: the defaults.
    texts: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class FormSubmission(db.Model):
    """A once-only token of a form that plans sends (a campaign, a pulse), and what its first
    submission created: the same form sent twice (a double click) plans once
    (messaging.campaigns.submissions). A random value, no personal data."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: The audit action of the creation (``campaign.start``, ``pulse.create``).
    action: Mapped[str] = mapped_column(sa.String(40))
    #: The campaign or pulse created; set in the transaction that creates it.
    target_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Pulse(db.Model):
    """A recurring survey campaign: a contact group invited to a survey weekly, monthly or
    quarterly until an end date. Each run is a scheduled :class:`Campaign` (listed, editable
    and cancellable until it starts)."""

    __tablename__ = "pulse"
    __table_args__ = (
        sa.CheckConstraint("cadence IN ('weekly', 'monthly', 'quarterly')", name="cadence"),
        sa.CheckConstraint("quiet_start BETWEEN 0 AND 23 AND quiet_end BETWEEN 0 AND 23",
                           name="quiet_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"))
    group: Mapped[str] = mapped_column(sa.String(80))
    cadence: Mapped[str] = mapped_column(sa.String(10))
    #: The first run, in the coalition's local time (later runs keep its day and time).
    first_local: Mapped[datetime]
    #: The last day a run may start (local date, inclusive).
    ends_on: Mapped[date]
    #: No run starts between these local hours (a run that would is moved to quiet_end).
    quiet_start: Mapped[int] = mapped_column(default=21)
    quiet_end: Mapped[int] = mapped_column(default=8)
    #: Default texts of every run: {"invitation": {locale: text}, "reminder": {...}}.
    texts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: active, or stopped (its remaining runs cancelled).
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey = relationship("Survey")
    runs = relationship("Campaign", order_by="Campaign.starts_at", viewonly=True,
                        primaryjoin="Pulse.id == foreign(Campaign.pulse_id)")
