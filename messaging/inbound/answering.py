"""What an inbound text means and what it gets back: the webhook's hot path, in Core.

Keywords first (STOP, HELP, a language), then the open conversation, then a survey keyword,
else a polite default (:func:`dispatch_text`). The caller (messaging.inbound.handling) holds
the contact's lock and commits; the decision is taken on the snapshot read under that lock
(messaging.inbound.conversation).

Most texts answer the question a conversation waits for, or the language menu before the
first question; some start a survey by its keyword (a campaign's invitation starts one the
same way). Those steps parse the reply (the language menu's choices, or the question type's
parser) and store what it says through the one intake path (feedback.responses.intake), in
the caller's transaction; the answer's INSERT and the conversation's new state come back as
writes (a :class:`Step`) for the caller to run with its own last writes. The rarer branches
(opt-out and opt-in, a language word mid-survey, expiry) load the ORM objects they change.
The rules (which question comes next, what an invalid answer gets, how the survey closes) are
messaging.inbound.conversation's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

import sqlalchemy as sa

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.core.languages import language_name
from feedback.responses.intake import add_answer, add_respondent, add_response, finish_response
from feedback.responses.models import Answer, Respondent, utcnow
from messaging.contacts import suppression
from messaging.inbound import conversation as engine
from messaging.inbound.conversation import OpenConversation, Snapshot
from messaging.models import OPTED_OUT_BY_STAFF, OPTED_OUT_BY_TEXT, Contact, Conversation
from messaging.outbound.sending import OPT_OUT_CONFIRMATION, mark_contact_opted_out
from surveys.models import Survey
from surveys.texts import fallback_locale, localized
from surveys.types import parse_answer


@dataclass
class Step:
    """What answering produced: texts to send, and what to announce once committed."""

    texts: list[str] = field(default_factory=list)
    #: (response_id, completed) for feedback.responses.intake.announce once committed, with the id
    #: of
    #: the answer the caller stores (``answer``) if any.
    announcement: tuple[int, bool] | None = None
    #: The answer's INSERT (RETURNING its id) and values, run with the caller's last writes.
    answer: tuple[sa.Insert, dict] | None = None
    #: The conversation's new state: an UPDATE and its values, which the caller runs with its
    #: other last writes (messaging.inbound.handling.execute_together).
    update: tuple[sa.Update, dict] | None = None
    #: The conversation the texts belong to (None: none was started).
    conversation_id: int | None = None


class _Values(Mapping):
    """Answers by question key for skip logic: the one just given, and the stored ones, read
    only when a condition asks about another question (most questions have none)."""

    def __init__(self, response_id: int, given: dict):
        self._response_id = response_id
        self._given = given
        self._stored: dict | None = None

    def _all(self) -> dict:
        if self._stored is None:
            self._stored = dict(db.session.connection().execute(
                sa.select(Answer.question_key, Answer.value)
                .where(Answer.response_id == self._response_id)
            ).all())
        return {**self._stored, **self._given}

    def __getitem__(self, key: str):
        if key in self._given:
            return self._given[key]
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


_SET_CONTACT_LANGUAGE = (
    sa.update(Contact).where(Contact.id == sa.bindparam("contact_id"))
    .values(locale=sa.bindparam("locale"), respondent_id=sa.bindparam("respondent_id"))
)
_SET_RESPONDENT_LANGUAGE = (
    sa.update(Respondent).where(Respondent.id == sa.bindparam("respondent_id"))
    .values(preferred_locale=sa.bindparam("locale"))
)


_NEW_CONVERSATION = sa.insert(Conversation).returning(Conversation.id)
_EXPIRE = (
    sa.update(Conversation).where(Conversation.id == sa.bindparam("conversation_id"))
    .values(state="expired", current_question_key=None)
)


def start(snap: Snapshot, current: OpenConversation | None, survey_id: int,
          version_id: int | None, campaign_id: int | None = None) -> Step:
    """A survey's keyword, or a campaign's invitation, for the contact in ``snap``.

    An open conversation about the same survey is resumed (what it waits for is asked again)
    rather than restarted; one about another survey is closed as expired. A new conversation
    asks for the language first unless the contact has an enabled one, then the first
    question. ``version_id`` is the survey's current version (None: nothing published). The
    caller holds the contact's lock, runs ``step.update`` and commits.
    """
    now = utcnow()
    if current is not None and engine.version_steps(current.survey_version_id).survey_id \
            == survey_id and not engine.is_stale(current.last_activity_at, now):
        step = Step(conversation_id=current.id)
        step.texts.append(engine.waiting_for(current.survey_version_id, current.state,
                                             current.current_question_key, snap.locale))
        step.update = _update(current, {"last_activity_at": now})
        return step
    step = Step()
    connection = db.session.connection()
    if current is not None:
        connection.execute(_EXPIRE, {"conversation_id": current.id})
    if version_id is None:
        step.texts.append(engine.render_text("survey_closed", snap.locale))
        return step
    locales = engine.enabled_locales()
    state = "answering" if snap.locale in locales or len(locales) == 1 else "choosing_language"
    step.conversation_id = connection.execute(_NEW_CONVERSATION, {
        "contact_id": snap.contact_id, "survey_version_id": version_id,
        "campaign_id": campaign_id, "state": state, "failed_attempts": 0,
        "started_at": now, "last_activity_at": now,
    }).scalar_one()
    conversation = OpenConversation(step.conversation_id, state, None, 0, now, version_id, None)
    if state == "choosing_language":
        step.texts.append(engine.language_menu())
        return step
    locale = snap.locale if snap.locale in locales else locales[0]
    return _begin_questions(step, {"last_activity_at": now}, snap, conversation, locale)


def choose_language(snap: Snapshot, conversation: OpenConversation, body: str,
                    before: str = "") -> Step:
    """Handle the reply to the language menu ("2", "español", ...): remember the language on
    the contact and its respondent (created if it has none), open the response and ask the
    first question; or show the menu again. The caller holds the contact's lock and commits."""
    step = Step(conversation_id=conversation.id)
    changes = {"last_activity_at": utcnow()}
    locale = engine.language_choice(body, engine.enabled_locales())
    if locale is None:
        changes["failed_attempts"] = conversation.failed_attempts + 1
        step.texts.append(engine.language_menu())
        step.update = _update(conversation, changes)
        return step
    return _begin_questions(step, changes, snap, conversation, locale, before)


def _begin_questions(step: Step, changes: dict, snap: Snapshot, conversation: OpenConversation,
                     locale: str, before: str = "") -> Step:
    """Remember ``locale`` on the contact and its respondent (created if it has none), open
    the response and ask the first question."""
    connection = db.session.connection()
    respondent_id = snap.respondent_id
    if respondent_id is None:
        respondent_id = add_respondent(locale)
    elif locale != snap.locale:
        connection.execute(_SET_RESPONDENT_LANGUAGE,
                           {"respondent_id": respondent_id, "locale": locale})
    if respondent_id != snap.respondent_id or locale != snap.locale:
        connection.execute(_SET_CONTACT_LANGUAGE, {
            "contact_id": snap.contact_id, "locale": locale, "respondent_id": respondent_id,
        })
    steps = engine.version_steps(conversation.survey_version_id)
    response = conversation.response or add_response(
        conversation.survey_version_id, steps.survey_id, channel="sms", locale=locale,
        respondent_id=respondent_id, site_id=snap.site_id,
    )
    changes["response_id"] = response["id"]
    conversation = replace(conversation, response=response)
    intro = localized(steps.intro, locale) or localized(steps.title, locale)
    shown_in = fallback_locale(steps.title, locale)
    if shown_in:  # said to the respondent; staff see the survey in the attention list
        intro = "\n\n".join(part for part in (
            engine.render_text("survey_fallback", locale, language=language_name(shown_in)),
            intro) if part)
    before = "\n\n".join(part for part in (before, intro) if part)
    if _ask_from(step, changes, conversation, _Values(response["id"], {}), None, locale, before):
        step.announcement = (response["id"], True)
    step.update = _update(conversation, changes)
    return step


def answer(conversation: OpenConversation, locale: str | None, body: str) -> Step:
    """Handle a text that answers ``conversation``'s current question (not a keyword, not the
    language menu). The caller holds the contact's lock and commits."""
    step = Step(conversation_id=conversation.id)
    changes = {"last_activity_at": utcnow()}
    response_id = conversation.response["id"]
    steps = engine.version_steps(conversation.survey_version_id)
    question = engine.question_by_key(steps.questions, conversation.current_question_key)
    if question is None:  # the version changed under us; carry on from the start
        completed = _ask_from(step, changes, conversation, _Values(response_id, {}), None, locale)
    else:
        result = parse_answer(question, body, locale)
        if result.error is None:
            if result.value is not None:
                step.answer = add_answer(conversation.response, question, body, result)
            values = _Values(response_id, {question.key: result.value})
            completed = _ask_from(step, changes, conversation, values, question.key, locale)
        else:
            completed = _invalid(step, changes, conversation, question, locale, result.error)
    if step.answer or completed:
        step.announcement = (response_id, completed)
    step.update = _update(conversation, changes)
    return step


def _invalid(step: Step, changes: dict, conversation: OpenConversation, question,
             locale: str | None, error: str) -> bool:
    """An answer the question type could not read: a re-prompt saying what is expected, the
    question again once a required one failed MAX_ATTEMPTS times, or an optional one skipped
    (returns True when that closes the survey)."""
    attempts = conversation.failed_attempts + 1
    text = engine.invalid_answer_text(question, locale, error, attempts)
    if text is None:
        values = _Values(conversation.response["id"], {})
        skipped = engine.render_text("skipped", locale)
        return _ask_from(step, changes, conversation, values, question.key, locale, skipped)
    step.texts.append(text)
    changes["failed_attempts"] = attempts if attempts < engine.MAX_ATTEMPTS else 0
    return False


def _ask_from(step: Step, changes: dict, conversation: OpenConversation, values: Mapping,
              after_key: str | None, locale: str | None, before: str = "") -> bool:
    """Ask the next question after ``after_key``, or close the survey when none is left
    (returns True then)."""
    steps = engine.version_steps(conversation.survey_version_id)
    question, text = engine.next_step(steps, values, after_key, locale, before)
    step.texts.append(text)
    changes["failed_attempts"] = 0
    if question is None:
        completed_at = finish_response(conversation.response["id"])
        if step.answer:  # inserted with the last writes, after the others were completed
            step.answer[1]["answer_completed_at"] = completed_at
        changes.update(state="completed", current_question_key=None)
        return True
    changes.update(state="answering", current_question_key=question.key)
    return False


def _update(conversation: OpenConversation, changes: dict) -> tuple[sa.Update, dict]:
    values = {f"conversation_{name}": value for name, value in changes.items()}
    return _conversation_update(tuple(changes)), {"conversation_id": conversation.id, **values}


@cache
def _conversation_update(columns: tuple[str, ...]) -> sa.Update:
    """The UPDATE that sets ``columns`` (one statement per set of columns, built once)."""
    return (
        sa.update(Conversation).where(Conversation.id == sa.bindparam("conversation_id"))
        .values({name: sa.bindparam(f"conversation_{name}") for name in columns})
    )


@dataclass(frozen=True)
class Awaited:
    """The conversation and question open when a text arrived (conversation 0: none was; -1:
    unknown, a spooled text whose conversation moved on before it could be stored)."""

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
    #: last writes (messaging.inbound.handling.execute_together: one round trip on PostgreSQL).
    writes: list = field(default_factory=list)
    #: The answer's INSERT (RETURNING its id) and values, the last of those writes.
    answer: tuple | None = None
    #: The TwiML answered (and stored for a duplicate delivery), set when handling finishes.
    twiml: str = ""
    #: An unmatched late reply: the question it answered is no longer the one open.
    late: bool = False
    #: The kind of message ``texts`` are (messaging.outbound.sending): a STOP's confirmation
    #: goes to a contact just opted out, where a plain reply would be suppressed.
    kind: str = "reply"


def wants_contact(body: str | None, phone: str | None = None) -> bool:
    """An unknown number becomes a contact only by texting the keyword of an open survey
    (opting in) or an opt-out word (so the suppression list remembers it), or an opt-in word
    when its opt-out outlived an earlier contact (messaging.contacts.suppression): the contact
    starts opted out, and the opt-in word undoes that as it would for the earlier contact."""
    word = engine.match_keyword(body)
    if word is not None and word.kind == engine.OPT_OUT:
        return True
    word = engine.match_keyword(body, opted_out=True)
    if phone and word is not None and word.kind == engine.OPT_IN:
        if suppression.opted_out_by([phone]):
            return True
    key = engine.survey_keyword_key(body)
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
    word = engine.match_keyword(body, opted_out=opted_out)
    locale = (snap.locale if snap else None) or (word.locale if word else None)
    if word is not None and word.kind == engine.OPT_OUT:
        if snap is not None and not opted_out:
            opt_out(snap.contact_id)
            out.texts.append(engine.render_text("opted_out", snap.locale or word.locale))
            out.kind = OPT_OUT_CONFIRMATION
        return out  # a second STOP (or any STOP we cannot tie to a contact) gets no reply
    if opted_out:
        if word is not None and word.kind == engine.OPT_IN and _opt_in(snap.contact_id, body):
            out.texts.append(engine.render_text("opted_in", locale))
        return out  # nothing else is ever sent to an opted-out contact
    if word is not None and word.kind == engine.HELP:
        out.texts.append(engine.render_text("help", locale))
        return out
    if word is not None and word.kind == engine.OPT_IN:
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
    if current is not None and not current.survey_open:
        # Closed mid-conversation: no more answers, as the web form refuses a sitting in
        # progress once its survey is closed (README, "SMS surveys").
        engine.expire(db.session.get(Conversation, current.id))
        if snap.keyword_survey is None and word is None:
            out.texts.append(engine.render_text("survey_closed", snap.locale))
            return out
        current = None
    if word is not None and word.kind == engine.LANGUAGE:
        if current is not None and current.state == "choosing_language":
            confirm = engine.render_text("language_set", word.locale,
                                         language=LANGUAGE_NAMES.get(word.locale, word.locale))
            return _from_step(out, choose_language(snap, current, body, confirm))
        conversation = db.session.get(Conversation, current.id) if current else None
        contact = db.session.get(Contact, snap.contact_id)
        return _from_turn(out, engine.switch_language(contact, conversation, word.locale))
    if snap.keyword_survey is not None:
        survey_id, status, version_id = snap.keyword_survey
        if status != "open":
            out.texts.append(engine.render_text("survey_closed", snap.locale))
            return out
        return _from_step(out, start(snap, current, survey_id, version_id))
    picture = num_media and not (body or "").strip()
    if _moved_on(current, awaited):
        out.late = True
        return out
    if current is not None:
        if picture:
            out.texts.append(engine.render_text("picture", snap.locale))
            return out
        if current.state == "choosing_language":
            return _from_step(out, choose_language(snap, current, body or ""))
        return _from_step(out, answer(current, snap.locale, body or ""))
    if picture:
        out.texts.append(engine.render_text("picture", snap.locale))
        return out
    last = _last_conversation(snap.contact_id)
    if last is not None and last.state == "expired":
        out.texts.append(_expired_text(snap.locale, last))
    else:
        out.texts.append(engine.render_text("unknown", snap.locale))
    return out


def opt_out(contact_id: int, by: str = OPTED_OUT_BY_TEXT) -> None:
    """STOP, or staff on the family's behalf (messaging.contacts.consent): close the
    contact's open conversations, so no later text is taken as an answer, and put it on the
    suppression list (caller commits)."""
    for open_one in db.session.scalars(
        db.select(Conversation).filter(
            Conversation.contact_id == contact_id, Conversation.state.in_(engine.OPEN_STATES)
        )
    ):
        open_one.state = "stopped"
    mark_contact_opted_out(db.session.get(Contact, contact_id), by=by)


def _undoes(opted_out_by: str | None, body: str | None) -> bool:
    """Whether an opt-in word undoes this opt-out. START always does (carriers require it);
    YES and SÍ only undo the family's own STOP: after staff opted them out on a parent's call,
    a YES most likely answers the survey question still on the child's phone (README,
    "Keywords")."""
    return opted_out_by != OPTED_OUT_BY_STAFF or engine.match_keyword(body) is not None


def _opt_in(contact_id: int, body: str | None) -> bool:
    """An opted-out contact's opt-in word: subscribed again, unless it cannot undo this
    opt-out (:func:`_undoes`). Undoing a staff opt-out is audited, so the log that holds the
    staff's opt-out also tells how it ended."""
    contact = db.session.get(Contact, contact_id)
    if not _undoes(contact.opted_out_by, body):
        return False
    if contact.opted_out_by == OPTED_OUT_BY_STAFF:
        record_audit("contact.opt_in", "contact", contact.id, {"by": "text"})
    contact.opted_out, contact.opted_out_at, contact.opted_out_by = False, None, None
    suppression.forget(contact.phone)
    return True


def _from_step(out: Handled, step: Step) -> Handled:
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
