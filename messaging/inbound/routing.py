"""What an inbound text means: keywords first, then the open conversation, then a survey keyword,
else a polite default. Plain functions (the webhook, the simulator and the ``finish_inbound``
job share them); the caller holds the contact's lock and commits.

The decision is taken on the snapshot read under the lock (messaging.inbound.snapshot). Replying to
an
open conversation (the language menu, then each question), which is what most texts do, and
starting a survey by its keyword stay in Core statements (messaging.inbound.answering); the rarer
branches (opt-out and opt-in, a language word mid-survey, expiry) load the ORM objects they
change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from messaging.inbound import answering, keywords
from messaging.inbound import conversation as engine
from messaging.inbound.snapshot import Snapshot
from messaging.models import Contact, Conversation
from messaging.outbound.sending import mark_contact_opted_out
from surveys.models import Survey


@dataclass(frozen=True)
class Awaited:
    """The conversation and question open when a text arrived (conversation 0: none was)."""

    conversation_id: int | None
    question_key: str | None


@dataclass
class Handled:
    """The outcome of handling one inbound text."""

    texts: list[str] = field(default_factory=list)
    contact_id: int | None = None
    conversation_id: int | None = None
    #: (response_id, completed) to pass to feedback.responses.intake.announce after the commit, with
    #: the id of ``answer`` if there is one.
    announcement: tuple[int, bool] | None = None
    #: Core writes (statement, values) still to run before the commit, with the message's own
    #: last writes (messaging.inbound.batched_writes: one round trip on PostgreSQL).
    writes: list = field(default_factory=list)
    #: The answer's INSERT (RETURNING its id) and values, the last of those writes.
    answer: tuple | None = None
    #: The TwiML answered (and stored for a duplicate delivery), set when handling finishes.
    twiml: str = ""
    #: An unmatched late reply: the question it answered is no longer the one open.
    late: bool = False


def wants_contact(body: str | None) -> bool:
    """An unknown number becomes a contact only by texting the keyword of an open survey
    (opting in) or an opt-out word (so the suppression list remembers it)."""
    word = keywords.match_keyword(body)
    if word is not None and word.kind == keywords.OPT_OUT:
        return True
    key = keywords.survey_keyword_key(body)
    return key is not None and db.session.scalar(
        sa.select(Survey.status).where(Survey.sms_keyword == key)
    ) == "open"


def _expired_text(locale: str | None, conversation: Conversation) -> str:
    survey = conversation.survey_version.survey
    keyword = survey.sms_keyword if survey.status == "open" else None
    return engine.render_text("expired", locale, keyword=keyword)


def _last_conversation(contact_id: int) -> Conversation | None:
    return db.session.scalar(
        db.select(Conversation).filter_by(contact_id=contact_id)
        .order_by(Conversation.id.desc()).limit(1)
    )


def _moved_on(current, awaited: Awaited | None) -> bool:
    """True when the conversation or question open now is not the one open when the text
    arrived: a delayed handling (a crash, a retry) must not guess it onto another question."""
    if awaited is None:  # not recorded (a text stored before this was kept): trust the present
        return False
    now = (current.id, current.current_question_key) if current is not None else (0, None)
    return now != (awaited.conversation_id, awaited.question_key)


def dispatch_text(snap: Snapshot | None, body: str | None, num_media: int,
                  awaited: Awaited | None = None) -> Handled:
    """Decide what a text from the contact in ``snap`` (None: an unknown number) means and
    apply it (caller commits). Keywords first, then the open conversation, then a survey
    keyword, else a polite default. A reply whose question (``awaited``, recorded when it
    arrived) is no longer the open one is kept as an unmatched late reply, with no answer."""
    out = Handled(contact_id=snap.contact_id if snap else None)
    opted_out = bool(snap and snap.opted_out)
    word = keywords.match_keyword(body, opted_out=opted_out)
    locale = (snap.locale if snap else None) or (word.locale if word else None)
    if word is not None and word.kind == keywords.OPT_OUT:
        if snap is not None and not opted_out:
            _opt_out(snap.contact_id)
            out.texts.append(engine.render_text("opted_out", snap.locale or word.locale))
        return out  # a second STOP (or any STOP we cannot tie to a contact) gets no reply
    if opted_out:
        if word is not None and word.kind == keywords.OPT_IN:
            contact = db.session.get(Contact, snap.contact_id)
            contact.opted_out, contact.opted_out_at = False, None
            out.texts.append(engine.render_text("opted_in", locale))
        return out  # nothing else is ever sent to an opted-out contact
    if word is not None and word.kind == keywords.HELP:
        out.texts.append(engine.render_text("help", locale))
        return out
    if word is not None and word.kind == keywords.OPT_IN:
        out.texts.append(engine.render_text("opted_in", locale))
        return out
    if snap is None:
        out.texts.append(engine.render_text("unknown", locale))
        return out
    current = snap.conversation
    if current is not None and engine.is_stale(current.last_activity_at):
        stale = db.session.get(Conversation, current.id)
        engine.expire(stale)
        if snap.keyword_survey is None:
            out.texts.append(_expired_text(snap.locale, stale))
            return out
        current = None
    if word is not None and word.kind == keywords.LANGUAGE:
        if current is not None and current.state == "choosing_language":
            confirm = engine.render_text("language_set", word.locale,
                                         language=LANGUAGE_NAMES.get(word.locale, word.locale))
            return _from_step(out, answering.choose_language(snap, current, body, confirm))
        conversation = db.session.get(Conversation, current.id) if current else None
        contact = db.session.get(Contact, snap.contact_id)
        return _from_turn(out, engine.switch_language(contact, conversation, word.locale))
    if snap.keyword_survey is not None:
        survey_id, status, version_id = snap.keyword_survey
        if status != "open":
            out.texts.append(engine.render_text("survey_closed", snap.locale))
            return out
        return _from_step(out, answering.start(snap, current, survey_id, version_id))
    picture = num_media and not (body or "").strip()
    if _moved_on(current, awaited):
        out.late = True
        return out
    if current is not None:
        if picture:
            out.texts.append(engine.render_text("picture", snap.locale))
            return out
        if current.state == "choosing_language":
            return _from_step(out, answering.choose_language(snap, current, body or ""))
        return _from_step(out, answering.answer(current, snap.locale, body or ""))
    if picture:
        out.texts.append(engine.render_text("picture", snap.locale))
        return out
    last = _last_conversation(snap.contact_id)
    if last is not None and last.state == "expired":
        out.texts.append(_expired_text(snap.locale, last))
    else:
        out.texts.append(engine.render_text("unknown", snap.locale))
    return out


def _opt_out(contact_id: int) -> None:
    """STOP: close the contact's open conversations and put it on the suppression list."""
    for open_one in db.session.scalars(
        db.select(Conversation).filter(
            Conversation.contact_id == contact_id, Conversation.state.in_(engine.OPEN_STATES)
        )
    ):
        open_one.state = "stopped"
    mark_contact_opted_out(db.session.get(Contact, contact_id))


def _from_step(out: Handled, step: answering.Step) -> Handled:
    """Take over a step of the Core conversation (messaging.inbound.answering)."""
    out.texts.extend(step.texts)
    out.writes.extend([step.update] if step.update else [])
    out.conversation_id = step.conversation_id
    out.announcement, out.answer = step.announcement, step.answer
    return out


def _from_turn(out: Handled, turn: engine.Turn) -> Handled:
    """Take over a turn of the ORM engine: its texts and its conversation's id."""
    out.texts.extend(turn.texts)
    if turn.conversation is not None:
        out.conversation_id = turn.conversation.id
    return out
