"""Campaigns: invite a contact group to an SMS survey, or text past respondents an update.

A survey campaign is created ``scheduled`` by :func:`start_campaign`; :func:`launch_campaign`
(a queue job at the start time, also run by the periodic :func:`launch_due_campaigns` in case
the job was lost) claims it atomically, starts each recipient's conversation through
messaging.inbound.conversation and queues ONE text per recipient (the invitation followed by the
first
question, so they cannot arrive out of order). Sending then follows messaging.outbound.sending's
rules:

* never to opted-out contacts (skipped here, re-checked by the send job);
* paced per sender: message i goes at ``start + (segments before it) / SMS_RATE_PER_SECOND``,
  where ``start`` is after every text already waiting (messaging.outbound.sender_queue), so
  campaigns,
  updates and reminders going out together share the sender's rate;
* never in quiet hours: a start at 22:00 local is moved to the next QUIET_HOURS_END, and a
  long campaign that runs into the evening is held by the send job until the morning;
* retried with backoff on 429 and 5xx (the send job).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from huey import crontab

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.queue import queue
from messaging.campaigns import submissions
from messaging.contacts.operations import contacts_in_group
from messaging.inbound import answering
from messaging.inbound import conversation as engine
from messaging.models import Campaign, Contact, Conversation, OutboundMessage
from messaging.outbound import pacing, sender_queue
from messaging.outbound import sending as outbound
from messaging.outbound.segments import SegmentInfo, count_segments
from surveys.models import Survey
from surveys.operations import current_version
from surveys.texts import localized
from surveys.types import QUESTION_TYPES

#: Message statuses shown together on the progress page.
PROGRESS_BUCKETS = {
    "queued": ("pending", "retry", "sending", "queued", "accepted", "scheduled"),
    "sent": ("sent",),
    "delivered": ("delivered", "read"),
    "failed": ("failed", "undelivered", "unknown"),
    "suppressed": ("suppressed",),
}


class CampaignError(ValueError):
    """The campaign cannot be created as asked (message for staff)."""


def default_locale() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def open_for_sms(survey: Survey | None) -> bool:
    """Whether families may be invited to ``survey`` by text: open, with an SMS keyword (a
    closed survey's keyword gets "that survey is closed")."""
    return survey is not None and survey.status == "open" and bool(survey.sms_keyword)


def sms_surveys() -> list[Survey]:
    """Open surveys that run by SMS (have a keyword), for the campaign form."""
    return list(db.session.scalars(
        sa.select(Survey).where(Survey.status == "open", Survey.sms_keyword.is_not(None))
        .order_by(Survey.slug)
    ))


def _title(survey: Survey, locale: str) -> str:
    version = current_version(survey)
    return localized(version.title, locale) if version else survey.slug


def invitation_text(survey: Survey, locale: str, texts: dict | None = None) -> str:
    """The invitation staff wrote for ``locale`` (``texts["invitation"]``, a pulse's or a
    run's), else the template (templates/messaging/invitation.txt) in ``locale``."""
    written = ((texts or {}).get("invitation") or {}).get(locale)
    if written:
        return written
    with force_locale(locale):
        return render_template(
            "messaging/invitation.txt", coalition=current_app.config["COALITION_NAME"],
            title=_title(survey, locale), keyword=survey.sms_keyword,
        ).strip()


def _first_question_text(survey: Survey, locale: str) -> str:
    """What the conversation engine will send first, computed without starting anything."""
    version = current_version(survey)
    if version is None:
        return ""
    questions = sorted(version.questions, key=lambda q: q.position)
    first = next((q for q in questions if not q.ask_if_key), None)
    intro = localized(version.intro, locale) or localized(version.title, locale)
    prompt = QUESTION_TYPES[first.type].sms_prompt(first, locale) if first else ""
    return engine.render_text("question", locale, before=intro, prompt=prompt)


@dataclass
class PreviewText:
    locale: str
    text: str
    info: SegmentInfo


@dataclass
class Preview:
    """What staff check before starting: texts per language, recipients, segments."""

    texts: list[PreviewText] = field(default_factory=list)
    recipients: int = 0
    opted_out: int = 0
    by_locale: dict[str, int] = field(default_factory=dict)
    estimated_segments: int = 0
    starts_at: datetime | None = None


def preview_campaign(survey: Survey, group: str, starts_at: datetime | None = None,
                     texts: dict | None = None) -> Preview:
    """Each enabled language's first text with its segment count, and the campaign's cost.

    Recipients without a known language get the language menu instead (counted as such).
    ``texts`` are staff-written invitations (and reminders) replacing the templates.
    """
    preview = Preview(starts_at=pacing.next_allowed_time(starts_at or pacing.now()))
    per_locale: dict[str | None, int] = {}
    for locale in engine.enabled_locales():
        text = "\n\n".join(filter(None, (invitation_text(survey, locale, texts),
                                         _first_question_text(survey, locale))))
        preview.texts.append(PreviewText(locale, text, count_segments(text)))
        per_locale[locale] = preview.texts[-1].info.segments
    menu = "\n\n".join((invitation_text(survey, default_locale(), texts),
                         engine.language_menu()))
    for contact in contacts_in_group(group):
        if contact.opted_out:
            preview.opted_out += 1
            continue
        preview.recipients += 1
        locale = contact.locale if contact.locale in per_locale else None
        key = locale or "?"
        preview.by_locale[key] = preview.by_locale.get(key, 0) + 1
        preview.estimated_segments += (
            per_locale[locale] if locale else count_segments(menu).segments
        )
    return preview


def start_campaign(name: str, survey_id: int, group: str, starts_at: datetime,
                   created_by_id: int | None = None,
                   submission_token: str | None = None) -> Campaign:
    """Create a scheduled survey campaign (``starts_at`` naive UTC) and plan its launch.

    Raises :class:`CampaignError` if the survey is not open with an SMS keyword. The same
    form submitted again (``submission_token``) returns the campaign it created.
    """
    earlier = submissions.created_before("campaign.start", submission_token)
    if earlier is not None:
        return db.session.get(Campaign, earlier)
    survey = db.session.get(Survey, survey_id)
    if not open_for_sms(survey):
        db.session.rollback()  # the token too: the form may be sent again
        raise CampaignError("survey is not open for SMS")
    campaign = Campaign(name=name, kind="survey", survey_id=survey.id, group=group,
                        starts_at=pacing.next_allowed_time(starts_at), status="scheduled",
                        created_by_id=created_by_id)
    db.session.add(campaign)
    db.session.flush()
    submissions.created(submission_token, campaign.id)
    record_audit("campaign.start", "campaign", campaign.id,
                 {"survey": survey.slug, "group": group,
                  "starts_at": campaign.starts_at.isoformat()}, user_id=created_by_id)
    db.session.commit()
    if campaign.starts_at <= pacing.now():
        launch_campaign(campaign.id)
    else:
        launch_campaign.schedule(args=(campaign.id,), eta=campaign.starts_at)
    return campaign


def _claim_campaign(campaign_id: int) -> bool:
    """Claim the launch in the transaction that queues its invitations, not in one of its
    own: a launch that dies half-way (a killed worker, a lost connection) rolls the claim back
    with the rest, and the safety net launches it again; a second launcher waits on the row
    and then finds it done.

    The start time is checked again in the same UPDATE: staff who moved the send later after
    the launch read it were told "saved" (their edit is conditional on ``scheduled`` too), so
    their new time wins and the send waits for it."""
    result = db.session.execute(
        sa.update(Campaign).where(Campaign.id == campaign_id, Campaign.status == "scheduled",
                                  Campaign.starts_at <= pacing.now())
        .values(status="sending").execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _skip(campaign: Campaign, reason: str) -> None:
    """End a claimed launch without sending: status ``skipped``, which the campaign and pulse
    pages show, and the reason in the audit log. A pulse's later sends still go out if the
    survey is open again by their time."""
    campaign.status = "skipped"
    record_audit("campaign.skip", "campaign", campaign.id,
                 {"reason": reason, "pulse_id": campaign.pulse_id})
    db.session.commit()


@queue.task(retries=0)
def launch_campaign(campaign_id: int) -> int:
    """Start conversations and queue the invitations; returns the number of texts queued.

    Runs once per campaign: the status moves ``scheduled`` -> ``sending`` -> ``done`` in the
    one transaction that starts the conversations and queues the invitations, or to
    ``skipped`` when the survey is no longer open for SMS: nobody is invited to a survey that
    would refuse their answers.
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.starts_at > pacing.now():
        return 0
    if not _claim_campaign(campaign_id):
        return 0
    db.session.refresh(campaign)
    survey = db.session.get(Survey, campaign.survey_id, populate_existing=True)
    if not open_for_sms(survey):
        _skip(campaign, "survey not open for SMS")
        return 0
    sender_queue.lock()
    start = sender_queue.first_free_time(
        pacing.next_allowed_time(max(campaign.starts_at, pacing.now())))
    rate = pacing.rate_per_second()
    version = current_version(survey)
    ids, used = [], 0
    for contact in contacts_in_group(campaign.group or ""):
        if contact.opted_out:
            continue
        # Under the contact's lock, as a text from it would be: the same rules start it.
        snap = engine.load_snapshot(contact.id, None)
        step = answering.start(snap, snap.conversation, survey.id,
                               version.id if version else None, campaign_id=campaign.id)
        if step.update:
            db.session.connection().execute(*step.update)
        invitation = invitation_text(survey, contact.locale or default_locale(),
                                     campaign.texts)
        body = "\n\n".join([invitation, *step.texts])
        conversation_id = step.conversation_id
        message = outbound.queue_message(
            contact, body, kind="invitation", conversation_id=conversation_id,
            campaign_id=campaign.id,
            send_after=pacing.seconds_after(start, used / rate),
        )
        used += message.segments
        ids.append(message.id)
    campaign.status = "done"
    db.session.commit()
    outbound.dispatch(ids)
    return len(ids)


def launch_due_campaigns() -> int:
    """Launch every scheduled campaign whose start has come (safety net for lost jobs)."""
    due = db.session.scalars(
        sa.select(Campaign.id).where(Campaign.status == "scheduled",
                                     Campaign.starts_at <= pacing.now())
    ).all()
    return sum(launch_campaign.call_local(campaign_id) for campaign_id in due)


def preview_update(messages_by_locale: dict, respondent_ids: list[int]) -> Preview:
    """Segment counts per language and the cost of a "you said, we did" update, unsent.

    Same recipients and language fallback as :func:`create_update_campaign`.
    """
    preview = Preview(starts_at=pacing.next_allowed_time(pacing.now()))
    for locale, text in messages_by_locale.items():
        if text:
            preview.texts.append(PreviewText(locale, text, count_segments(text)))
    fallback = messages_by_locale.get(default_locale()) or next(
        (text for text in messages_by_locale.values() if text), "")
    contacts = db.session.scalars(
        sa.select(Contact).where(Contact.respondent_id.in_(list(respondent_ids) or [-1]))
    ).all()
    for contact in contacts:
        if contact.opted_out:
            preview.opted_out += 1
            continue
        body = messages_by_locale.get(contact.locale or "") or fallback
        if not body:
            continue
        preview.recipients += 1
        key = contact.locale or "?"
        preview.by_locale[key] = preview.by_locale.get(key, 0) + 1
        preview.estimated_segments += count_segments(body).segments
    return preview


def create_update_campaign(name: str, messages_by_locale: dict, respondent_ids: list[int],
                           created_by_id: int | None = None,
                           start_at: datetime | None = None) -> Campaign:
    """Text a "you said, we did" update to past respondents, in their language.

    Only contacts linked to one of ``respondent_ids`` and not opted out are texted; the text
    for their locale is used, else the default locale's, else any. Pacing and quiet hours
    apply as for invitations. Commits and dispatches; returns the campaign.
    """
    fallback = messages_by_locale.get(default_locale()) or next(
        (text for text in messages_by_locale.values() if text), "")
    campaign = Campaign(name=name, kind="update", message=dict(messages_by_locale),
                        starts_at=pacing.next_allowed_time(start_at or pacing.now()),
                        status="done", created_by_id=created_by_id)
    db.session.add(campaign)
    db.session.flush()
    sender_queue.lock()
    start = sender_queue.first_free_time(campaign.starts_at)
    contacts = db.session.scalars(
        sa.select(Contact).where(Contact.respondent_id.in_(list(respondent_ids) or [-1]),
                                 Contact.opted_out.is_(False)).order_by(Contact.id)
    ).all()
    rate = pacing.rate_per_second()
    ids, used = [], 0
    for contact in contacts:
        body = messages_by_locale.get(contact.locale or "") or fallback
        if not body:
            continue
        message = outbound.queue_message(
            contact, body, kind="update", campaign_id=campaign.id,
            send_after=pacing.seconds_after(start, used / rate),
        )
        used += message.segments
        ids.append(message.id)
    db.session.commit()
    outbound.dispatch(ids)
    return campaign


def campaign_progress(campaign: Campaign) -> dict[str, int]:
    """Counts for the progress page: queued, sent, delivered, failed, suppressed, completed."""
    rows = db.session.execute(
        sa.select(OutboundMessage.status, sa.func.count(OutboundMessage.id))
        .where(OutboundMessage.campaign_id == campaign.id,
               OutboundMessage.kind.in_(("invitation", "update")))
        .group_by(OutboundMessage.status)
    ).all()
    by_status = dict(rows)
    progress = {bucket: sum(by_status.get(s, 0) for s in statuses)
                for bucket, statuses in PROGRESS_BUCKETS.items()}
    progress["completed"] = db.session.scalar(
        sa.select(sa.func.count(Conversation.id)).where(
            Conversation.campaign_id == campaign.id, Conversation.state == "completed")
    ) or 0
    invited = sum(progress[b] for b in ("queued", "sent", "delivered", "failed"))
    progress["invited"] = invited
    #: Completed surveys per invitation not suppressed (None before any was sent).
    progress["rate"] = progress["completed"] / invited if invited else None
    progress["reminders"] = db.session.scalar(
        sa.select(sa.func.count(OutboundMessage.id)).where(
            OutboundMessage.campaign_id == campaign.id, OutboundMessage.kind == "reminder")
    ) or 0
    return progress


def list_campaigns() -> list[Campaign]:
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.id.desc())))


@queue.periodic_task(crontab(minute="*"))
def launch_due_campaigns_job() -> None:
    """Every minute: launch campaigns whose scheduled job was lost."""
    launch_due_campaigns()
