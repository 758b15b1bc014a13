"""Unmatched late replies: texts handled only after the question they answered had closed.

The handling never guesses such a text onto another question (docs/reliability.md, "SMS");
it is kept with status ``late`` for staff, who can follow up with the family (a staff member
can see on the contact page what the family was asked) and then mark it dealt with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from messaging.models import Contact, Conversation, InboundMessage
from surveys.models import Question, SurveyVersion
from surveys.texts import localized

#: Status of an unmatched late reply, and of one staff marked as dealt with.
LATE, SEEN = "late", "late_seen"
PAGE_SIZE = 50


@dataclass(frozen=True)
class LateReply:
    id: int
    received_at: datetime
    contact_id: int | None
    contact_name: str | None
    #: The text, None once the retention job erased it.
    body: str | None
    survey: str
    #: The question it answered, in the staff member's language (its key if it is gone).
    question: str


def late_replies(locale: str | None, page: int = 1) -> tuple[list[LateReply], int]:
    """One page of the replies still waiting for staff, newest first, and how many wait;
    survey and question texts in ``locale``."""
    waiting = InboundMessage.status == LATE
    total = db.session.scalar(sa.select(sa.func.count(InboundMessage.id)).where(waiting)) or 0
    rows = db.session.execute(
        sa.select(InboundMessage.id, InboundMessage.received_at, InboundMessage.contact_id,
                  Contact.name, InboundMessage.body, SurveyVersion.title,
                  InboundMessage.awaited_question_key, Question.text)
        .outerjoin(Contact, Contact.id == InboundMessage.contact_id)
        .outerjoin(Conversation, Conversation.id == InboundMessage.awaited_conversation_id)
        .outerjoin(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .outerjoin(Question, sa.and_(Question.version_id == Conversation.survey_version_id,
                                     Question.key == InboundMessage.awaited_question_key))
        .where(waiting)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [LateReply(id_, received, contact_id, name, body, localized(title, locale),
                      localized(text, locale) or (key or ""))
            for id_, received, contact_id, name, body, title, key, text in rows], total


def mark_seen(message_id: int, actor) -> bool:
    """Mark one late reply dealt with (audited); False when it is not a waiting late reply."""
    done = db.session.execute(
        sa.update(InboundMessage)
        .where(InboundMessage.id == message_id, InboundMessage.status == LATE)
        .values(status=SEEN)
    ).rowcount
    if done:
        record_audit("sms.late_reply_seen", "inbound_message", message_id,
                     user_id=getattr(actor, "id", None))
    db.session.commit()
    return bool(done)
