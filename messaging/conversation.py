"""The SMS survey conversation: one question at a time, in the contact's language.

Plain functions over the models (no Flask request), so the webhook, the simulator and queue
jobs all run the same engine. Each function changes the session and returns a :class:`Turn`
(texts to send and answers to announce); the caller commits, sends, then announces. Answers
go through the one intake path (feedback.intake), so SMS and web validate the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session, joinedload, selectinload

from feedback.extensions import db
from feedback.i18n import LANGUAGE_NAMES
from feedback.intake import complete_response, new_respondent, record_answer, start_response
from feedback.models import Response, utcnow
from messaging.keywords import language_choice
from messaging.models import Contact, Conversation
from surveys.logic import is_applicable
from surveys.models import Question, Survey, SurveyVersion
from surveys.texts import localized
from surveys.types import QUESTION_TYPES

#: Conversation states in which we are waiting for the contact's reply.
OPEN_STATES = ("choosing_language", "answering")
#: Invalid answers after which an optional question is skipped.
MAX_ATTEMPTS = 3


@dataclass
class Turn:
    """What one step of the conversation produced: texts to send, answers to announce."""

    texts: list[str] = field(default_factory=list)
    conversation: Conversation | None = None
    #: (response, [answers], completed) to pass to feedback.intake.announce after the commit.
    announcements: list[tuple] = field(default_factory=list)


def render_text(name: str, locale: str | None, **context) -> str:
    """Render the SMS template ``templates/messaging/<name>.txt`` in ``locale``."""
    locale = locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    with force_locale(locale):
        return render_template(f"messaging/{name}.txt", **context).strip()


def enabled_locales() -> list[str]:
    return list(current_app.config.get("ENABLED_LOCALES") or ["en"])


def language_menu() -> str:
    """"Reply 1 English · 2 Español · 3 Tiếng Việt", built from ENABLED_LOCALES."""
    menu = " · ".join(
        f"{n} {LANGUAGE_NAMES.get(code, code)}" for n, code in enumerate(enabled_locales(), 1)
    )
    return render_text("language_menu", None, menu=menu)


def current_version(survey: Survey) -> SurveyVersion | None:
    """The version SMS uses: the surveys package's choice, else the latest published one."""
    try:
        from surveys.operations import current_version as chosen
    except ImportError:  # pragma: no cover - only before surveys.operations exists
        chosen = None
    if chosen is not None:
        return chosen(survey)
    return db.session.scalar(
        db.select(SurveyVersion)
        .filter(SurveyVersion.survey_id == survey.id, SurveyVersion.published_at.isnot(None))
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    )


def open_conversation(contact: Contact) -> Conversation | None:
    """The contact's conversation waiting for a reply, if any (the newest), loaded with its
    version and response in one query and the answers so far in a second (the hot path)."""
    return db.session.scalar(
        db.select(Conversation)
        .filter(Conversation.contact_id == contact.id, Conversation.state.in_(OPEN_STATES))
        .options(
            joinedload(Conversation.survey_version),
            joinedload(Conversation.response).joinedload(Response.respondent),
            joinedload(Conversation.response).selectinload(Response.answers),
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def _load_questions(session, version_id: int) -> list:
    return list(session.scalars(
        db.select(Question).filter(Question.version_id == version_id)
        .options(selectinload(Question.choices)).order_by(Question.position, Question.id)
    ))


def questions(version: SurveyVersion) -> list:
    """The version's questions with their choices, in order.

    A published version never changes (surveys freeze it), so its questions are loaded once
    per app and process, in a session of their own and kept detached (read-only: never
    attach them to another session); a draft is read afresh each time.
    """
    if version.published_at is None:
        return _load_questions(db.session, version.id)
    cache = current_app.extensions.setdefault("sms_question_cache", {})
    key = (version.id, version.published_at)
    if key not in cache:
        with Session(db.engine, expire_on_commit=False) as session:
            cache[key] = _load_questions(session, version.id)
            session.expunge_all()
    return cache[key]


def ttl() -> timedelta:
    return timedelta(hours=float(current_app.config.get("SMS_CONVERSATION_TTL_HOURS", 48)))


def is_stale(conversation: Conversation, now=None) -> bool:
    """Abandoned for longer than SMS_CONVERSATION_TTL_HOURS."""
    return conversation.last_activity_at < (now or utcnow()) - ttl()


def _values(conversation: Conversation) -> dict:
    response = conversation.response
    return {a.question_key: a.value for a in response.answers} if response else {}


def _question(conversation: Conversation, key: str | None):
    for question in questions(conversation.survey_version):
        if question.key == key:
            return question
    return None


def _next_question(conversation: Conversation, after_key: str | None):
    """The first applicable question after ``after_key`` (from the start when None)."""
    values = _values(conversation)
    started = after_key is None
    for question in questions(conversation.survey_version):
        if not started:
            started = question.key == after_key
            continue
        if is_applicable(question, values):
            return question
    return None


def _prompt(question, locale: str) -> str:
    return QUESTION_TYPES[question.type].sms_prompt(question, locale)


def _ensure_response(conversation: Conversation, locale: str) -> None:
    contact = conversation.contact
    if contact.respondent is None:
        contact.respondent = new_respondent(locale)
    if conversation.response is None:
        conversation.response = start_response(
            conversation.survey_version, channel="sms", locale=locale,
            respondent=contact.respondent, site=contact.site,
        )


def _ask_from(conversation: Conversation, after_key: str | None, turn: Turn, before: str = ""):
    """Ask the next question after ``after_key``, or finish the survey when none is left."""
    locale = conversation.contact.locale
    question = _next_question(conversation, after_key)
    conversation.failed_attempts = 0
    if question is None:
        response = conversation.response
        complete_response(response)
        conversation.state, conversation.current_question_key = "completed", None
        thanks = localized(conversation.survey_version.thanks, locale)
        text = render_text("completed", locale, thanks=thanks)
        turn.texts.append(f"{before}\n\n{text}" if before else text)
        turn.announcements.append((response, [], True))
        return
    conversation.state, conversation.current_question_key = "answering", question.key
    turn.texts.append(
        render_text("question", locale, before=before, prompt=_prompt(question, locale))
    )


def _begin_questions(conversation: Conversation, turn: Turn, before: str = "") -> None:
    locale = conversation.contact.locale
    _ensure_response(conversation, locale)
    intro = localized(conversation.survey_version.intro, locale) or localized(
        conversation.survey_version.title, locale
    )
    before = "\n\n".join(part for part in (before, intro) if part)
    _ask_from(conversation, None, turn, before=before)


def start_conversation(contact: Contact, survey: Survey, campaign_id: int | None = None):
    """Start (or resume) ``survey`` with ``contact``; returns the texts to send.

    Used when a contact texts the survey's keyword and by campaign invitations. An open
    conversation about the same survey is resumed (its current question asked again) rather
    than restarted; one about another survey is closed as expired. Caller commits.
    """
    return begin(contact, survey, campaign_id).texts


def begin(contact: Contact, survey: Survey, campaign_id: int | None = None) -> Turn:
    """:func:`start_conversation`, returning the whole :class:`Turn`."""
    turn = Turn()
    now = utcnow()
    current = open_conversation(contact)
    if current is not None and current.survey_version.survey_id == survey.id and not is_stale(
        current, now
    ):
        current.last_activity_at = now
        turn.conversation = current
        turn.texts.append(_repeat(current))
        return turn
    if current is not None:
        current.state = "expired"
    version = current_version(survey)
    if version is None:
        turn.texts.append(render_text("survey_closed", contact.locale))
        return turn
    conversation = Conversation(
        contact=contact, survey_version=version, campaign_id=campaign_id, state="answering",
        started_at=now, last_activity_at=now,
    )
    db.session.add(conversation)
    turn.conversation = conversation
    locales = enabled_locales()
    if contact.locale not in locales:
        if len(locales) > 1:
            conversation.state = "choosing_language"
            turn.texts.append(language_menu())
            return turn
        contact.locale = locales[0]
    _begin_questions(conversation, turn)
    return turn


def _repeat(conversation: Conversation) -> str:
    """The text that asks for what we are waiting for (menu or current question)."""
    if conversation.state == "choosing_language":
        return language_menu()
    question = _question(conversation, conversation.current_question_key)
    return _prompt(question, conversation.contact.locale) if question else language_menu()


def reply(conversation: Conversation, body: str) -> Turn:
    """Handle a text that answers the open ``conversation`` (not a keyword). Caller commits."""
    turn = Turn(conversation=conversation)
    conversation.last_activity_at = utcnow()
    contact = conversation.contact
    if conversation.state == "choosing_language":
        locale = language_choice(body, enabled_locales())
        if locale is None:
            conversation.failed_attempts += 1
            turn.texts.append(language_menu())
            return turn
        _set_locale(contact, locale)
        _begin_questions(conversation, turn)
        return turn
    locale = contact.locale
    question = _question(conversation, conversation.current_question_key)
    if question is None:  # the version changed under us; carry on from the start
        _ask_from(conversation, None, turn)
        return turn
    before = len(conversation.response.answers)
    result = record_answer(conversation.response, question, body, locale)
    if result.error is None:
        added = list(conversation.response.answers[before:])
        _ask_from(conversation, question.key, turn)
        completed = conversation.state == "completed"
        if added or completed:  # one announcement: the new answer, and completion if so
            turn.announcements = [(conversation.response, added, completed)]
        return turn
    conversation.failed_attempts += 1
    hint = QUESTION_TYPES[question.type].expected_hint(question, locale)
    if conversation.failed_attempts < MAX_ATTEMPTS:
        turn.texts.append(render_text("reprompt", locale, error=result.error, hint=hint))
    elif question.required:
        conversation.failed_attempts = 0
        turn.texts.append(render_text("required_again", locale, prompt=_prompt(question, locale)))
    else:
        _ask_from(conversation, question.key, turn, before=render_text("skipped", locale))
    return turn


def _set_locale(contact: Contact, locale: str) -> None:
    contact.locale = locale
    if contact.respondent is not None:
        contact.respondent.preferred_locale = locale


def switch_language(contact: Contact, conversation: Conversation | None, locale: str) -> Turn:
    """ENGLISH / ESPAÑOL / TIẾNG VIỆT at any time: remember it and re-ask in that language."""
    turn = Turn(conversation=conversation)
    _set_locale(contact, locale)
    confirm = render_text("language_set", locale, language=LANGUAGE_NAMES.get(locale, locale))
    if conversation is None:
        turn.texts.append(confirm)
        return turn
    conversation.last_activity_at = utcnow()
    if conversation.state == "choosing_language":
        _begin_questions(conversation, turn, before=confirm)
        return turn
    if conversation.response is not None:
        conversation.response.locale = locale
    turn.texts.append(render_text("question", locale, before=confirm, prompt=_repeat(conversation)))
    return turn


def expire(conversation: Conversation) -> None:
    """Close an abandoned conversation; its partial answers stay stored (not completed)."""
    conversation.state = "expired"
    conversation.current_question_key = None


def expire_stale(now=None) -> int:
    """Expire every open conversation idle longer than the TTL (the periodic job). Caller
    commits. Returns how many were expired."""
    cutoff = (now or utcnow()) - ttl()
    stale = db.session.scalars(
        db.select(Conversation).filter(
            Conversation.state.in_(OPEN_STATES), Conversation.last_activity_at < cutoff
        )
    ).all()
    for conversation in stale:
        expire(conversation)
    return len(stale)
