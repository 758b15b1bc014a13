"""One reminder to an unfinished SMS survey, after REMINDER_DELAY_HOURS of silence.

:func:`send_reminders` runs every 10 minutes (periodic job) and can be called directly. A
conversation gets at most one reminder: it is claimed by setting ``reminder_sent_at`` with an
UPDATE ... WHERE reminder_sent_at IS NULL, so two workers cannot both remind. Never to
opted-out contacts, never to completed/expired/stopped conversations or those of a closed
survey, never in quiet hours (the periodic job simply finds them again in the morning). A
queued reminder waits its turn behind the sender's queue; the send job drops it if the family
has moved on meanwhile (messaging.outbound.sending).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from feedback.core.extensions import db
from feedback.core.queue import queue
from messaging.inbound import conversation as engine
from messaging.models import Campaign, Contact, Conversation, OutboundMessage
from messaging.outbound import pacing, sender_queue
from messaging.outbound import sending as outbound
from surveys.models import Survey, SurveyVersion
from surveys.types import QUESTION_TYPES


def _delay() -> timedelta:
    return timedelta(hours=float(current_app.config.get("REMINDER_DELAY_HOURS", 24)))


def _current_prompt(conversation: Conversation, locale: str) -> str:
    """The question we are waiting for, or the language menu when none is chosen yet."""
    if conversation.state == "choosing_language":
        return engine.language_menu()
    for question in conversation.survey_version.questions:
        if question.key == conversation.current_question_key:
            return QUESTION_TYPES[question.type].sms_prompt(question, locale)
    return ""


def reminder_text(conversation: Conversation) -> str:
    """templates/messaging/reminder.txt in the contact's language, with the open question;
    or the reminder staff wrote for that language on the conversation's campaign (a pulse)."""
    locale = conversation.contact.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    campaign = db.session.get(Campaign, conversation.campaign_id) if (
        conversation.campaign_id) else None
    written = (((campaign.texts if campaign else None) or {}).get("reminder") or {}).get(locale)
    if written:
        prompt = _current_prompt(conversation, locale)
        return "\n\n".join(part for part in (written, prompt) if part)
    return engine.render_text(
        "reminder", locale, coalition=current_app.config["COALITION_NAME"],
        prompt=_current_prompt(conversation, locale),
    )


def _claim(conversation_id: int, now) -> bool:
    result = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_reminders() -> int:
    """Queue one reminder per conversation silent for the delay; returns how many."""
    now = pacing.now()
    if pacing.in_quiet_hours(now):
        return 0
    due = db.session.scalars(
        sa.select(Conversation).join(Contact, Contact.id == Conversation.contact_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .join(Survey, Survey.id == SurveyVersion.survey_id).where(
            Conversation.state.in_(engine.OPEN_STATES),
            Conversation.reminder_sent_at.is_(None),
            Conversation.last_activity_at <= now - _delay(),
            Contact.opted_out.is_(False),
            Survey.status == "open",  # a closed survey takes no more answers
            # Not while the invitation (or anything else) is still waiting to go out.
            ~sa.exists().where(OutboundMessage.conversation_id == Conversation.id,
                               OutboundMessage.status.in_(outbound.CLAIMABLE)),
        ).order_by(Conversation.id)
    ).all()
    ids, used = [], 0
    if due:
        sender_queue.lock()
        start = sender_queue.first_free_time(now)
    for conversation in due:
        if not _claim(conversation.id, now):
            continue
        message = outbound.queue_message(
            conversation.contact, reminder_text(conversation), kind="reminder",
            conversation_id=conversation.id, campaign_id=conversation.campaign_id,
            send_after=pacing.seconds_after(start, used / pacing.rate_per_second()),
        )
        used += message.segments
        ids.append(message.id)
    db.session.commit()
    outbound.dispatch(ids)
    return len(ids)


@queue.periodic_task(crontab(minute="*/10"))
def send_reminders_job() -> None:
    """Every 10 minutes: :func:`send_reminders`."""
    send_reminders()
