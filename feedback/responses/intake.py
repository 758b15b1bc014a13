"""The one intake path: web form and SMS both store answers through these functions.

Each function validates with the survey's question types (surveys.types) before writing, so a
bad answer is reported and nothing is half-saved; news of stored answers goes out by signal.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback.core.extensions import db
from feedback.core.hygiene import clean_text
from feedback.core.signals import respondent_changing, response_completing, response_recorded
from feedback.responses.models import (
    ANSWER_COPIES,
    Answer,
    PartnerSite,
    Respondent,
    RespondentRace,
    Response,
    utcnow,
)
from surveys.logic import is_applicable
from surveys.models import Question, SurveyVersion
from surveys.types import parse_answer

#: Respondent columns a demographic question may fill (settings["demographic"]).
DEMOGRAPHIC_FIELDS = ("age_group", "gender", "neighbourhood", "zip_code", "role")
RACE_FIELD = "race_ethnicity"


@dataclass
class IntakeError(Exception):
    """Answers that did not pass validation: question key -> translated message."""

    errors: dict[str, str] = field(default_factory=dict)


def _demographic(question: Question, value) -> str | None:
    """The respondent field a demographic question's answer fills, if it fills one."""
    target = (question.settings or {}).get("demographic")
    if not target or value in (None, "", []):
        return None
    return target if target == RACE_FIELD or target in DEMOGRAPHIC_FIELDS else None


def _new_race_groups(value, existing: set) -> list[str]:
    """The race/ethnicity groups an answer adds to those the respondent already has."""
    codes = value if isinstance(value, list) else [value]
    return [str(code)[:40] for code in codes if code not in existing]


def _field_value(value, target: str) -> str:
    """A demographic answer as the respondent's column holds it (cut to the column's length:
    PostgreSQL refuses a longer value, SQLite would keep it)."""
    return str(value)[:Respondent.__table__.c[target].type.length]


def _raw_text(raw) -> str:
    raw = clean_text(raw)
    return raw if isinstance(raw, str) else ", ".join(map(str, raw or []))


def validate_answers(
    version: SurveyVersion, raw_answers: Mapping[str, object], locale: str, keys=None
) -> tuple[dict, dict[str, str]]:
    """Parse the given answers (only ``keys`` if given); returns (parsed by key, errors by key)."""
    parsed, errors, values = {}, {}, {}
    for question in version.questions:
        if not is_applicable(question, values) or (keys is not None and question.key not in keys):
            continue
        result = parse_answer(question, clean_text(raw_answers.get(question.key)), locale)
        if result.error:
            errors[question.key] = result.error
        elif result.value is not None:
            parsed[question.key] = (question, result)
            values[question.key] = result.value
    return parsed, errors


def find_by_token(submission_token: str | None) -> Response | None:
    if not submission_token:
        return None
    return db.session.scalar(db.select(Response).filter_by(submission_token=submission_token))


def record_response(version: SurveyVersion, raw_answers: Mapping[str, object],
                    **kwargs) -> Response:
    """Validate and store a whole response at once (the web form), or raise IntakeError;
    :func:`store_response` without saying whether this call stored it."""
    return store_response(version, raw_answers, **kwargs)[0]


def store_response(
    version: SurveyVersion,
    raw_answers: Mapping[str, object],
    *,
    channel: str,
    locale: str,
    site: PartnerSite | None = None,
    respondent: Respondent | None = None,
    submission_token: str | None = None,
) -> tuple[Response, bool]:
    """Validate and store a whole response at once (the web form), or raise IntakeError;
    returns it and whether this call stored it.

    Written with the same functions the SMS webhook uses one answer at a time
    (:func:`add_respondent`, :func:`add_response`, :func:`add_answer`, :func:`finish_response`),
    so both channels store a response, its answers and their side effects one way. The same
    ``submission_token`` twice returns the first response (not stored by this call): a double
    submit or a back-and-resubmit never records two, even when both arrive at once.
    """
    existing = find_by_token(submission_token)
    if existing is not None:
        return existing, False
    parsed, errors = validate_answers(version, raw_answers, locale)
    if errors:
        raise IntakeError(errors)
    try:
        if respondent is not None and respondent.id is None:
            db.session.flush()
        respondent_id = respondent.id if respondent is not None else add_respondent(locale)
        now = utcnow()
        response = add_response(
            version.id, version.survey_id, channel=channel, locale=locale,
            respondent_id=respondent_id, site_id=site.id if site else None,
            submission_token=submission_token, started_at=now,
        )
        connection = db.session.connection()
        answer_ids = [
            connection.execute(*add_answer(response, question, raw_answers.get(key), result))
            .scalar_one()
            for key, (question, result) in parsed.items()
        ]
        finish_response(response["id"], completed_at=now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_by_token(submission_token)
        if existing is not None:  # a concurrent double submit won the race
            return existing, False
        raise
    if respondent is not None:
        db.session.expire(respondent)  # its demographic columns were written by Core
    announce(response["id"], answer_ids, completed=True)
    return db.session.get(Response, response["id"]), True


_INSERT_RESPONDENT = sa.insert(Respondent).returning(Respondent.id)
_INSERT_RESPONSE = sa.insert(Response).returning(
    Response.id, Response.respondent_id, *(Response.__table__.c[name] for name in ANSWER_COPIES)
)
#: One answer of a response filled one answer at a time; every column named, so the SMS
#: webhook can send it with its other last writes (messaging.inbound.handling.execute_together).
_INSERT_ANSWER = sa.insert(Answer).values({
    name: sa.bindparam(f"answer_{name}") for name in (
        "response_id", "question_id", "question_key", "raw_text", "value", "value_number",
        "created_at", *ANSWER_COPIES)
}).returning(Answer.id)
#: A demographic answer's copy; the column set is the key given with the value.
_UPDATE_RESPONDENT = sa.update(Respondent).where(Respondent.id == sa.bindparam("respondent"))


def add_respondent(locale: str | None) -> int:
    """A new pseudonymous respondent (a random pseudonym; no contact data, no IP address, no
    user agent), with one Core INSERT in the caller's transaction; returns its id."""
    return db.session.connection().execute(
        _INSERT_RESPONDENT, {"pseudonym": secrets.token_hex(12), "preferred_locale": locale}
    ).scalar_one()


def new_respondent(locale: str | None = None) -> Respondent:
    """The same new respondent as :func:`add_respondent` writes, as an ORM object (for a new
    SMS contact, which is created through the ORM)."""
    return db.session.get(Respondent, add_respondent(locale))


def add_response(version_id: int, survey_id: int, *, channel: str, locale: str,
                 respondent_id: int, site_id: int | None, submission_token: str | None = None,
                 started_at: datetime | None = None) -> dict:
    """Open a response with one Core INSERT in the caller's transaction (both channels).
    Returns what :func:`add_answer` takes: the response's ``id``, ``respondent_id`` and the
    columns its answers copy."""
    row = db.session.connection().execute(_INSERT_RESPONSE, {
        "respondent_id": respondent_id, "survey_id": survey_id, "survey_version_id": version_id,
        "channel": channel, "site_id": site_id, "locale": locale,
        "submission_token": submission_token, "started_at": started_at or utcnow(),
    }).one()
    return dict(row._mapping)


def add_answer(response: Mapping, question: Question, raw: str, parsed) -> tuple[sa.Insert, dict]:
    """Store one validated answer (``parsed``, from the question type's parser) of a
    response filled one answer at a time, with Core statements in the caller's transaction.
    The SMS webhook's hot path: no ORM unit of work.

    Returns the answer's INSERT (RETURNING its id) and values, which the caller runs with its
    other last writes; a demographic answer is copied onto the respondent at once, as
    the web form's answers are. ``response`` maps ``id``, ``respondent_id`` and the columns
    answers copy (ANSWER_COPIES) to the response's values: the ORM hook that keeps those
    copies in step does not run for a Core insert, so they are written here; completing the
    response later (:func:`finish_response`) sets the completion time on every answer.
    """
    connection = db.session.connection()
    target = _demographic(question, parsed.value)
    if target == RACE_FIELD:
        existing = set(connection.scalars(
            sa.select(RespondentRace.group)
            .where(RespondentRace.respondent_id == response["respondent_id"])
        ))
        new = _new_race_groups(parsed.value, existing)
        if new:
            connection.execute(sa.insert(RespondentRace), [
                {"respondent_id": response["respondent_id"], "group": group} for group in new
            ])
            respondent_changing.send(None, connection=connection,
                                     respondent_id=response["respondent_id"])
    elif target is not None:
        value = _field_value(parsed.value, target)
        # a returning respondent often gives the same answer again: only a change moves
        # their earlier figures (and forgets the review's remembered counts of those days)
        changed = connection.execute(
            _UPDATE_RESPONDENT.where(Respondent.__table__.c[target].is_distinct_from(value)),
            {"respondent": response["respondent_id"], target: value}).rowcount
        if changed:
            respondent_changing.send(None, connection=connection,
                                     respondent_id=response["respondent_id"])
    values = {
        "response_id": response["id"], "question_id": question.id,
        "question_key": question.key, "raw_text": _raw_text(raw), "value": parsed.value,
        "value_number": parsed.number, "created_at": utcnow(),
        **{name: response[name] for name in ANSWER_COPIES},
    }
    return _INSERT_ANSWER, {f"answer_{name}": value for name, value in values.items()}


_COMPLETE_RESPONSE = (
    sa.update(Response).where(Response.id == sa.bindparam("response"))
    .values(completed_at=sa.bindparam("completed_at"))
)
_COMPLETE_ANSWERS = (
    sa.update(Answer).where(Answer.response_id == sa.bindparam("response"))
    .values(completed_at=sa.bindparam("completed_at"))
)


def finish_response(response_id: int, completed_at: datetime | None = None) -> datetime:
    """Complete a response with Core statements in the caller's transaction (both channels):
    the response and its answers' copies of the completion time, and
    :data:`~feedback.core.signals.response_completing` for what the flush hooks would have done.
    Returns the completion time."""
    connection = db.session.connection()
    params = {"response": response_id, "completed_at": completed_at or utcnow()}
    connection.execute(_COMPLETE_RESPONSE, params)
    connection.execute(_COMPLETE_ANSWERS, params)
    response_completing.send(None, connection=connection, completed_at=params["completed_at"])
    return params["completed_at"]


def announce(response_id: int, answer_ids: list[int], completed: bool) -> None:
    """Tell listeners (analysis) about answers just committed."""
    response_recorded.send(
        None, response_id=response_id, answer_ids=list(answer_ids), completed=completed,
    )


__all__ = [
    "IntakeError",
    "add_answer",
    "add_respondent",
    "add_response",
    "announce",
    "finish_response",
    "new_respondent",
    "record_response",
    "validate_answers",
]
