"""What handling one inbound text needs to know, read under the contact's lock.

First the lock: SELECT ... FOR UPDATE of the contact's row on PostgreSQL, so two texts from one
phone are handled one after the other; SQLite has no row locks, so a write to the contact's row
takes the database's write lock (like BEGIN IMMEDIATE). Then, in a statement of its own (under
READ COMMITTED a statement sees what committed before it started, so a reading statement that
waited for the lock would still see the state from before the wait): the contact, its newest
open conversation with the columns of the response that answers copy, and the survey whose
keyword the whole text is, if any, with its current (latest published) version, in one Core
SELECT.

The routing decides on this snapshot alone; replies to an open conversation are written from
it in Core statements (messaging.inbound.answering), as is starting a survey by its keyword; only
the
rarer branches (other keywords, expiry) load ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from feedback.core.extensions import db
from feedback.responses.models import ANSWER_COPIES, Response
from messaging.inbound.conversation import OPEN_STATES
from messaging.inbound.keywords import survey_keyword_key
from messaging.models import Contact, Conversation, InboundMessage
from surveys.models import Survey
from surveys.operations import current_version_id


@dataclass(frozen=True)
class OpenConversation:
    """The conversation waiting for the contact's reply, as the answering step needs it."""

    id: int
    state: str
    current_question_key: str | None
    failed_attempts: int
    last_activity_at: datetime
    survey_version_id: int
    #: The response's ``id``, ``respondent_id`` and the columns its answers copy
    #: (feedback.responses.models.ANSWER_COPIES); None before the language is chosen.
    response: dict | None


@dataclass(frozen=True)
class Snapshot:
    """The contact (locked), its open conversation and the survey the text names, if any."""

    contact_id: int
    locale: str | None
    opted_out: bool
    respondent_id: int | None
    site_id: int | None
    conversation: OpenConversation | None
    #: (id, status, current version's id or None) of the survey whose SMS keyword the whole
    #: text is.
    keyword_survey: tuple[int, str, int | None] | None
    #: The contact has texts that arrived before this one and are still unhandled (a worker
    #: died): they are applied first, in arrival order.
    earlier_unhandled: bool = False
    #: The status of the message being handled, read under the lock (another handling of the
    #: contact may have applied it meanwhile); None without one.
    message_status: str | None = None


_RESPONSE_COLUMNS = ("id", "respondent_id", *ANSWER_COPIES)

_QUERY = (
    sa.select(
        Contact.id, Contact.locale, Contact.opted_out, Contact.respondent_id, Contact.site_id,
        Conversation.id.label("conversation_id"), Conversation.state,
        Conversation.current_question_key, Conversation.failed_attempts,
        Conversation.last_activity_at, Conversation.survey_version_id,
        *(Response.__table__.c[name].label(f"response_{name}") for name in _RESPONSE_COLUMNS),
        Survey.id.label("keyword_survey_id"), Survey.status.label("keyword_survey_status"),
        current_version_id(Survey.id).label("keyword_survey_version_id"),
        sa.exists().where(
            InboundMessage.contact_id == Contact.id,
            InboundMessage.id < sa.bindparam("inbound_id"),
            InboundMessage.status.in_(("received", "failed")),
        ).label("earlier_unhandled"),
        sa.select(InboundMessage.status).where(InboundMessage.id == sa.bindparam("inbound_id"))
        .scalar_subquery().label("message_status"),
    )
    .select_from(Contact)
    .outerjoin(Conversation, sa.and_(Conversation.contact_id == Contact.id,
                                     Conversation.state.in_(OPEN_STATES)))
    .outerjoin(Response, Response.id == Conversation.response_id)
    .outerjoin(Survey, Survey.sms_keyword == sa.bindparam("keyword", type_=sa.String))
    .where(Contact.id == sa.bindparam("contact_id"))
    .order_by(Conversation.id.desc())
    .limit(1)
)

_LOCK = sa.select(Contact.id).where(Contact.id == sa.bindparam("contact_id")).with_for_update()
_SQLITE_LOCK = (
    sa.update(Contact).where(Contact.id == sa.bindparam("contact_id")).values(id=Contact.id)
)


def load(contact_id: int, body: str | None, inbound_id: int = 0) -> Snapshot:
    """Lock the contact for this transaction and read what handling ``body`` (the stored
    message ``inbound_id``) needs."""
    connection = db.session.connection()
    lock = _SQLITE_LOCK if connection.dialect.name == "sqlite" else _LOCK
    connection.execute(lock, {"contact_id": contact_id})
    row = connection.execute(
        _QUERY, {"contact_id": contact_id, "keyword": survey_keyword_key(body),
                 "inbound_id": inbound_id}
    ).one()
    conversation = None
    if row.conversation_id is not None:
        response = None
        if row.response_id is not None:
            response = {name: row._mapping[f"response_{name}"] for name in _RESPONSE_COLUMNS}
        conversation = OpenConversation(
            row.conversation_id, row.state, row.current_question_key, row.failed_attempts,
            row.last_activity_at, row.survey_version_id, response,
        )
    keyword_survey = None
    if row.keyword_survey_id is not None:
        keyword_survey = (row.keyword_survey_id, row.keyword_survey_status,
                          row.keyword_survey_version_id)
    return Snapshot(row.id, row.locale, bool(row.opted_out), row.respondent_id, row.site_id,
                    conversation, keyword_survey, bool(row.earlier_unhandled),
                    row.message_status)
