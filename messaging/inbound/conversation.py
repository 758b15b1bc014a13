"""The SMS survey conversation: one question at a time, in the contact's language.

Plain functions (no Flask request), so the webhook, the simulator and queue jobs all run the
same engine. Starting a survey (by keyword or campaign invitation) and replying to an open
conversation (the language menu, then each question) are :mod:`messaging.inbound.answering`, in Core
statements (the webhook's hot path); switching the language by keyword mid-survey and
expiring, which are rare, work on the ORM objects here (:func:`switch_language` returns a
:class:`Turn`). Both take the rules from here: which question comes next (:func:`next_step`),
how it is asked and how the survey closes. Answers go through the one intake path
(feedback.responses.intake), so SMS and web validate the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.core.languages import registry
from feedback.responses.models import utcnow
from messaging.models import Contact, Conversation
from surveys.logic import is_applicable
from surveys.models import Question, SurveyVersion
from surveys.texts import localized
from surveys.types import QUESTION_TYPES

#: Conversation states in which we are waiting for the contact's reply.
OPEN_STATES = ("choosing_language", "answering")
#: Invalid answers after which an optional question is skipped.
MAX_ATTEMPTS = 3


@dataclass
class Turn:
    """What switching the language produced: texts to send, and the conversation."""

    texts: list[str] = field(default_factory=list)
    conversation: Conversation | None = None


def render_text(name: str, locale: str | None, **context) -> str:
    """Render the SMS template ``templates/messaging/<name>.txt`` in ``locale``.

    Straight from the Jinja environment (``_`` and ``config`` are its globals), without the
    context processors a page needs (the interface language, staff links): a text is rendered
    several times per inbound message, on the webhook's hot path.
    """
    locale = locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    template = current_app.jinja_env.get_template(f"messaging/{name}.txt")
    with force_locale(locale):
        return template.render(**context).strip()


def enabled_locales() -> list[str]:
    return list(current_app.config.get("ENABLED_LOCALES") or ["en"])


def language_menu() -> str:
    """The language menu, one line per ENABLED_LOCALES entry, each in its own language
    ("Reply 1 for English", "Responda 2 para español", "Trả lời 3 để dùng tiếng Việt"): the
    person has not chosen a language yet, so each option speaks to the reader of that
    language; names come from each language's data file (feedback.core.languages). Kept to two
    segments (messaging.outbound.segments) for the three languages."""
    lines = []
    for n, code in enumerate(enabled_locales(), 1):
        with force_locale(code):
            lines.append(_("Reply %(n)s for %(language)s", n=n,
                           language=registry().name(code)))
    return render_text("language_menu", None, menu="\n".join(lines))


# --- the survey version the engine reads -------------------------------------------------------


@dataclass(frozen=True)
class VersionSteps:
    """What the engine reads of a survey version: its survey, its questions (with their
    choices) in order, and its texts per locale."""

    survey_id: int
    questions: list
    title: dict
    intro: dict
    thanks: dict


def _load_questions(session, version_id: int) -> list:
    return list(session.scalars(
        db.select(Question).filter(Question.version_id == version_id)
        .options(selectinload(Question.choices)).order_by(Question.position, Question.id)
    ))


def version_steps(version_id: int) -> VersionSteps:
    """The questions and closing text of version ``version_id``.

    A published version never changes (surveys freeze it), so it is read once per app and
    process, its questions in a session of their own and kept detached (read-only: never
    attach them to another session); a draft is read afresh each time.
    """
    cache = current_app.extensions.setdefault("sms_version_steps", {})
    steps = cache.get(version_id)
    if steps is not None:
        return steps
    row = db.session.execute(
        sa.select(SurveyVersion.published_at, SurveyVersion.survey_id, SurveyVersion.title,
                  SurveyVersion.intro, SurveyVersion.thanks)
        .where(SurveyVersion.id == version_id)
    ).one()
    texts = (row.title or {}, row.intro or {}, row.thanks or {})
    if row.published_at is None:
        return VersionSteps(row.survey_id, _load_questions(db.session, version_id), *texts)
    with Session(db.engine, expire_on_commit=False) as session:
        questions = _load_questions(session, version_id)
        session.expunge_all()
    cache[version_id] = steps = VersionSteps(row.survey_id, questions, *texts)
    return steps


# --- the rules both the ORM steps here and messaging.inbound.answering follow
# --------------------------


def ttl() -> timedelta:
    return timedelta(hours=float(current_app.config.get("SMS_CONVERSATION_TTL_HOURS", 48)))


def is_stale(last_activity_at: datetime, now=None) -> bool:
    """Abandoned for longer than SMS_CONVERSATION_TTL_HOURS (given its last activity)."""
    return last_activity_at < (now or utcnow()) - ttl()


def question_by_key(version_questions: list, key: str | None):
    for question in version_questions:
        if question.key == key:
            return question
    return None


def prompt(question, locale: str) -> str:
    return QUESTION_TYPES[question.type].sms_prompt(question, locale)


def waiting_for(version_id: int, state: str, question_key: str | None, locale: str) -> str:
    """What a conversation in ``state`` waits for, asked again: the language menu, or the
    question ``question_key`` (the menu if the version no longer has it)."""
    if state == "choosing_language":
        return language_menu()
    question = question_by_key(version_steps(version_id).questions, question_key)
    return prompt(question, locale) if question else language_menu()


def next_step(steps: VersionSteps, values: Mapping, after_key: str | None, locale: str,
              before: str = ""):
    """The next question to ask after ``after_key`` (from the start when None), skipping
    those whose skip logic ``values`` (answers by question key) rules out, and the text that
    asks it; or (None, the closing text) when the survey is finished.

    Values are read only for questions with a condition, so ``values`` may load lazily.
    """
    started = after_key is None
    for question in steps.questions:
        if not started:
            started = question.key == after_key
            continue
        if is_applicable(question, values):
            return question, render_text("question", locale, before=before,
                                         prompt=prompt(question, locale))
    text = render_text("completed", locale, thanks=localized(steps.thanks, locale))
    return None, (f"{before}\n\n{text}" if before else text)


def invalid_answer_text(question, locale: str, error: str, attempts: int) -> str | None:
    """What to say after ``attempts`` invalid answers to ``question``: a re-prompt that says
    what is expected, then (after MAX_ATTEMPTS) the question again if it is required; None
    means an optional question is skipped."""
    if attempts < MAX_ATTEMPTS:
        hint = QUESTION_TYPES[question.type].expected_hint(question, locale)
        return render_text("reprompt", locale, error=error, hint=hint)
    if question.required:
        return render_text("required_again", locale, prompt=prompt(question, locale))
    return None


# --- switching the language, expiring (ORM) -----------------------------------------------------


def _set_locale(contact: Contact, locale: str) -> None:
    contact.locale = locale
    if contact.respondent is not None:
        contact.respondent.preferred_locale = locale


def switch_language(contact: Contact, conversation: Conversation | None, locale: str) -> Turn:
    """ENGLISH / ESPAÑOL / TIẾNG VIỆT at any time: remember it and re-ask in that language.

    ``conversation`` is answering its questions, or None; while the language menu waits, the
    word is the menu's answer (messaging.inbound.answering.choose_language).
    """
    turn = Turn(conversation=conversation)
    _set_locale(contact, locale)
    confirm = render_text("language_set", locale, language=LANGUAGE_NAMES.get(locale, locale))
    if conversation is None:
        turn.texts.append(confirm)
        return turn
    conversation.last_activity_at = utcnow()
    if conversation.response is not None:
        conversation.response.locale = locale
    asked = waiting_for(conversation.survey_version_id, conversation.state,
                        conversation.current_question_key, locale)
    turn.texts.append(render_text("question", locale, before=confirm, prompt=asked))
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
