"""The SMS conversation's state and words: what a text finds under the lock, the keywords,
the question order and the texts sent back.

Plain functions (no Flask request), so the webhook, the simulator and queue jobs share them.
Three parts, in this order:

- The engine: one question at a time, in the contact's language. Which question comes next
  (:func:`next_step`), how it is asked, what an invalid answer gets and how the survey closes.
  Switching the language by keyword mid-survey and expiring, which are rare, work on the ORM
  objects here (:func:`switch_language` returns a :class:`Turn`); the common replies are
  written in Core by messaging.inbound.answering from the rules here.
- Keywords: opt-out, opt-in, help and language switches in every language, from each
  language's data file (``translations/<code>/language.toml``, read by feedback.core.languages).
  A keyword only counts when it is the WHOLE message (one word, or a fixed two-word phrase such
  as "tieng viet"), in any case, with accents and surrounding spaces or punctuation ignored:
  "Stop!" and " stop " opt out, "stop please" is an answer (docs/reliability.md, opt-out).
- The snapshot (:func:`load_snapshot`): first the lock, SELECT ... FOR UPDATE of the contact's
  row on PostgreSQL so two texts from one phone are handled one after the other (SQLite has no
  row locks, so a write to the contact's row takes the database's write lock). Then, in a
  statement of its own (under READ COMMITTED a statement that waited for the lock would still
  see the state from before the wait): the contact, its newest open conversation with the
  response columns answers copy, and the survey whose keyword the whole text is, with its
  current version, in one Core SELECT. The answering decides on this snapshot alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased, selectinload

from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.core.languages import registry
from feedback.core.numbers import small_int
from feedback.responses.models import ANSWER_COPIES, Response, utcnow
from messaging.models import Contact, Conversation, InboundMessage
from surveys.logic import is_applicable
from surveys.models import Question, Survey, SurveyVersion
from surveys.operations import current_version_id
from surveys.texts import localized, normalize
from surveys.types import QUESTION_TYPES

#: Conversation states in which we are waiting for the contact's reply.
OPEN_STATES = ("choosing_language", "answering")
#: Invalid answers after which an optional question is skipped.
MAX_ATTEMPTS = 3
#: Statuses of a stored message still to be handled (the snapshot tells whether the contact
#: has an older one; messaging.inbound.handling applies it first).
UNHANDLED = ("received", "failed")


def one_of(column, values: tuple) -> sa.ColumnElement[bool]:
    """``column IN values`` for a few constants, written as ORs of plain comparisons: an IN
    list is expanded into the SQL text on every execution, which the webhook's hot-path
    statements then pay for each text (docs/architecture.md)."""
    return sa.or_(*(column == value for value in values))


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


#: Prompts rendered per question object: the published versions' questions are kept for
#: the process (version_steps) and asked again and again; a draft's are read afresh per text,
#: so their entries go with them.
_PROMPTS: WeakKeyDictionary = WeakKeyDictionary()


def prompt(question, locale: str) -> str:
    rendered = _PROMPTS.setdefault(question, {})
    if locale not in rendered:
        rendered[locale] = QUESTION_TYPES[question.type].sms_prompt(question, locale)
    return rendered[locale]


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


OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
LANGUAGE = "language"


def _accented(body: str | None) -> str:
    """Lower case and trimmed of punctuation, but with its accents kept."""
    return " ".join(re.sub(r"[^\w\s]", " ", (body or "").casefold()).split())


@dataclass(frozen=True)
class Keyword:
    """A recognised keyword: what it does and its language (or the language switched to)."""

    kind: str
    locale: str


def match_keyword(body: str | None, *, opted_out: bool = False) -> Keyword | None:
    """The keyword this whole message is, or None if it is an ordinary text (an answer).

    ``opted_out`` says whether the sender is on the suppression list: only then do YES and
    SÍ opt back in (for everyone else they answer a yes/no question).

    >>> match_keyword(" Stop! ").kind
    'opt_out'
    >>> match_keyword("stop please") is None
    True
    """
    text = normalize(body)
    words = registry()
    if not text or _accented(body) in words.not_keywords:
        return None
    if text in words.opt_out_words:
        return Keyword(OPT_OUT, words.opt_out_words[text])
    if text in words.opt_in_words and (opted_out or text not in words.ambiguous_opt_in):
        return Keyword(OPT_IN, words.opt_in_words[text])
    if text in words.help_words:
        return Keyword(HELP, words.help_words[text])
    if text in words.switch_words:
        return Keyword(LANGUAGE, words.switch_words[text])
    return None


def survey_keyword_key(body: str | None) -> str | None:
    """The form a message takes when looked up as a survey keyword (upper case, no accents),
    or None when it cannot be one: answers like "3" or a long sentence never need the look-up.
    """
    key = normalize(body).upper()
    return None if not key or key.isdigit() or len(key) > 30 else key


def language_choice(body: str | None, locales: list[str]) -> str | None:
    """The language picked in answer to the language menu: "2", "es", "español", "tiếng việt"
    (the switch and menu words of each language's data file).

    ``locales`` is the menu's order (ENABLED_LOCALES), so "1" is the first one.
    """
    text = normalize(body)
    if not text:
        return None
    number = small_int(text, digits=3)
    if number is not None:
        index = number - 1
        return locales[index] if 0 <= index < len(locales) else None
    if text in locales:
        return text
    locale = registry().menu_words.get(text)
    return locale if locale in locales else None


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
    #: Its survey is still open: once staff close it, the conversation takes no more answers.
    survey_open: bool = True


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

#: The open conversation's survey (the outer query joins the keyword's survey as ``Survey``).
_ITS_SURVEY = aliased(Survey, name="its_survey")

_QUERY = (
    sa.select(
        Contact.id, Contact.locale, Contact.opted_out, Contact.respondent_id, Contact.site_id,
        Conversation.id.label("conversation_id"), Conversation.state,
        Conversation.current_question_key, Conversation.failed_attempts,
        Conversation.last_activity_at, Conversation.survey_version_id,
        sa.select(_ITS_SURVEY.status)
        .join(SurveyVersion, SurveyVersion.survey_id == _ITS_SURVEY.id)
        .where(SurveyVersion.id == Conversation.survey_version_id)
        .scalar_subquery().label("conversation_survey_status"),
        *(Response.__table__.c[name].label(f"response_{name}") for name in _RESPONSE_COLUMNS),
        Survey.id.label("keyword_survey_id"), Survey.status.label("keyword_survey_status"),
        current_version_id(Survey.id).label("keyword_survey_version_id"),
        sa.exists().where(
            InboundMessage.contact_id == Contact.id,
            InboundMessage.id < sa.bindparam("inbound_id"),
            one_of(InboundMessage.status, UNHANDLED),
        ).label("earlier_unhandled"),
        sa.select(InboundMessage.status).where(InboundMessage.id == sa.bindparam("inbound_id"))
        .scalar_subquery().label("message_status"),
    )
    .select_from(Contact)
    .outerjoin(Conversation, sa.and_(Conversation.contact_id == Contact.id,
                                     one_of(Conversation.state, OPEN_STATES)))
    .outerjoin(Response, Response.id == Conversation.response_id)
    .outerjoin(Survey, Survey.sms_keyword == sa.bindparam("keyword", type_=sa.String))
    .where(Contact.id == sa.bindparam("contact_id"))
    .order_by(Conversation.id.desc())
    .limit(1)
)

#: The snapshot's column names, as ``.one()._mapping`` has them on the other databases.
_QUERY_KEYS = tuple(_QUERY.selected_columns.keys())

_LOCK = sa.select(Contact.id).where(Contact.id == sa.bindparam("contact_id")).with_for_update()
_SQLITE_LOCK = (
    sa.update(Contact).where(Contact.id == sa.bindparam("contact_id")).values(id=Contact.id)
)


def _lock_and_read(connection, params: dict) -> Mapping:
    """Lock the contact, then read the snapshot in a statement of its own: a statement that
    waited for a lock would read the other tables as they were before the wait."""
    if connection.dialect.name == "postgresql":
        return _lock_and_read_pipelined(connection, params)
    lock = _SQLITE_LOCK if connection.dialect.name == "sqlite" else _LOCK
    connection.execute(lock, {"contact_id": params["contact_id"]})
    return connection.execute(_QUERY, params).one()._mapping


@cache
def _compiled(statement, dialect):
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params:  # its text would change per execution (see one_of)
        raise ValueError("an expanding parameter in a pipelined statement")
    return compiled


def _driver_sql(statement, dialect, params: dict) -> tuple[str, dict]:
    """The SQL text and parameters for the driver itself: compiled once, and final as
    compiled (no expanding parameter), so nothing is rewritten per text."""
    compiled = _compiled(statement, dialect)
    return compiled.string, compiled.construct_params(params)


def _lock_and_read_pipelined(connection, params: dict) -> Mapping:
    """PostgreSQL: the transaction's BEGIN, the lock and the read go together (psycopg's
    pipeline mode): two round trips, with the Sync that ends the pipeline, instead of three.
    The server still runs them one after the other, so the read's snapshot is taken once the
    lock is held (the webhook's hot path, docs/architecture.md)."""
    lock_sql, lock_params = _driver_sql(_LOCK, connection.dialect,
                                        {"contact_id": params["contact_id"]})
    read_sql, read_params = _driver_sql(_QUERY, connection.dialect, params)
    driver = connection.connection.driver_connection
    try:
        with driver.pipeline():
            driver.execute(lock_sql, lock_params)
            values = driver.execute(read_sql, read_params).fetchone()
    except connection.dialect.loaded_dbapi.Error as exc:
        # as SQLAlchemy reports a driver error: a lost connection is invalidated and said so
        # (messaging.inbound.handling retries the handling once on a fresh one)
        lost = driver.broken or driver.closed
        if lost:
            connection.invalidate(exc)
        # with the SQL only, as the engine's hide_parameters has it (docs/privacy.md)
        raise sa.exc.DBAPIError.instance(
            read_sql, read_params, exc, connection.dialect.loaded_dbapi.Error,
            hide_parameters=True, connection_invalidated=lost,
            dialect=connection.dialect) from exc
    if values is None:  # the contact was erased meanwhile: as ``.one()`` says it elsewhere
        raise sa.exc.NoResultFound("No row was found when one was required")
    return dict(zip(_QUERY_KEYS, values, strict=True))


def load_snapshot(contact_id: int, body: str | None, inbound_id: int = 0) -> Snapshot:
    """Lock the contact for this transaction and read what handling ``body`` (the stored
    message ``inbound_id``) needs."""
    row = _lock_and_read(db.session.connection(), {
        "contact_id": contact_id, "keyword": survey_keyword_key(body), "inbound_id": inbound_id,
    })
    conversation = None
    if row["conversation_id"] is not None:
        response = None
        if row["response_id"] is not None:
            response = {name: row[f"response_{name}"] for name in _RESPONSE_COLUMNS}
        conversation = OpenConversation(
            row["conversation_id"], row["state"], row["current_question_key"],
            row["failed_attempts"], row["last_activity_at"], row["survey_version_id"], response,
            row["conversation_survey_status"] == "open",
        )
    keyword_survey = None
    if row["keyword_survey_id"] is not None:
        keyword_survey = (row["keyword_survey_id"], row["keyword_survey_status"],
                          row["keyword_survey_version_id"])
    return Snapshot(row["id"], row["locale"], bool(row["opted_out"]), row["respondent_id"],
                    row["site_id"], conversation, keyword_survey, bool(row["earlier_unhandled"]),
                    row["message_status"])
