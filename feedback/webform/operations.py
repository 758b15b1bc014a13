"""The public web survey's logic: finding the survey, paging, the sitting between pages, and
the one final call to :func:`feedback.responses.intake.store_response`.

A *sitting* is one person's pass through a survey. Its raw answers are kept on the server
between pages (``form_sitting``, keyed by question) under a random submission token; the
browser's signed session holds only that token, so a long survey cannot outgrow the cookie.
The token is also a hidden form field: a double submit or a back-and-resubmit sends the same
token, and intake returns the first response instead of storing a second. Nothing about the
device (IP address, user agent) is kept anywhere, and unfinished sittings are deleted after
``SITTING_HOURS``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request, session
from huey import crontab
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from feedback.core.extensions import db, limiter
from feedback.core.hygiene import clean_text
from feedback.core.queue import queue
from feedback.responses.intake import find_by_token, store_response, validate_answers
from feedback.responses.models import FormSitting, PartnerSite, Response, utcnow
from feedback.webform import padding
from surveys.logic import is_applicable
from surveys.models import Survey, SurveyVersion
from surveys.operations import current_version

#: Questions per page (fewer when a question depends on an earlier one on the same page).
PER_PAGE = 3
SESSION_KEY = "webform"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class SurveyUnavailable(Exception):
    """The survey cannot be answered: ``reason`` is "unknown" (or draft) or "closed"."""

    def __init__(self, reason: str, survey: Survey | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.survey = survey


class TooManySittings(Exception):
    """This address started more anonymous sittings than SITTING_RATE_LIMIT allows."""


#: A raw answer kept between pages is cut at this many characters (a question's own maximum,
#: when it has one, is checked again at the final submit); a multi-choice keeps this many items.
MAX_RAW_CHARS = 2000
MAX_RAW_ITEMS = 50


class UnknownSite(Exception):
    """The link's ``site`` code names no partner site (a mistyped or outdated poster)."""


@dataclass
class Target:
    """What a public survey link points at."""

    survey: Survey
    version: SurveyVersion
    site: PartnerSite | None


def find_target(slug: str, site_code: str | None) -> Target:
    """The open survey and site a link names; raises SurveyUnavailable or UnknownSite."""
    survey = db.session.scalar(db.select(Survey).filter_by(slug=slug))
    version = current_version(survey) if survey is not None else None
    if survey is None or survey.status == "draft" or version is None:
        raise SurveyUnavailable("unknown", survey)
    if survey.status != "open":
        raise SurveyUnavailable("closed", survey)
    site = None
    if site_code:
        site = db.session.scalar(db.select(PartnerSite).filter_by(code=site_code.strip().lower()))
        if site is None:
            raise UnknownSite(site_code)
    return Target(survey, version, site)


def paginate(questions) -> list[list]:
    """Group questions into pages of up to PER_PAGE. A question that depends on another on the
    current page starts a new page, so skip logic works without JavaScript."""
    pages: list[list] = []
    current: list = []
    for question in questions:
        keys = {q.key for q in current}
        if current and (len(current) >= PER_PAGE or question.ask_if_key in keys):
            pages.append(current)
            current = []
        current.append(question)
    if current:
        pages.append(current)
    return pages


def parsed_values(version: SurveyVersion, answers: dict, locale: str) -> dict:
    """Parsed answers so far by key (invalid or skipped ones left out), for skip logic."""
    parsed, _errors = validate_answers(version, answers, locale)
    return {key: result.value for key, (_q, result) in parsed.items()}


def visible_pages(version: SurveyVersion, answers: dict, locale: str) -> list[tuple[int, list]]:
    """(page number, applicable questions) for every page with something to ask."""
    values = parsed_values(version, answers, locale)
    result = []
    for number, questions in enumerate(paginate(version.questions), 1):
        asked = [q for q in questions if is_applicable(q, values)]
        if asked:
            result.append((number, asked))
    return result


# --- the sitting: a token in the session, the answers on the server --------------------------


#: Surveys whose sittings one browser keeps at once (the cookie stays small).
MAX_SITTINGS = 4


def _sittings() -> dict:
    """The browser's sittings by survey id: {"<survey id>": {"version", "token", "done",
    "at"}}. One per survey, so opening another survey in a second tab loses nothing."""
    cookie = session.get(SESSION_KEY) or {}
    if "token" in cookie:  # one sitting for the whole browser, as kept before
        version = db.session.get(SurveyVersion, cookie.get("version") or 0)
        return {str(version.survey_id): {**cookie, "at": 0}} if version else {}
    return dict(cookie)


def get_sitting(version: SurveyVersion) -> dict | None:
    """This browser's sitting of ``version``'s survey (None if it has none): its token, its
    answers so far and whether it was submitted. A sitting begun on an earlier version of
    the survey (staff published again meanwhile) goes on in this one: the answers to the
    questions both versions ask are kept, never dropped."""
    entry = _sittings().get(str(version.survey_id))
    if not entry or not valid_token(entry.get("token")):
        return None
    stored = None if entry.get("done") else db.session.get(FormSitting, entry["token"])
    if entry.get("version") != version.id and not entry.get("done"):
        if stored is not None:
            stored.version_id = version.id
            db.session.commit()
        _remember(version, entry["token"])
    answers = dict(stored.answers or {}) if stored is not None else {}
    return {**entry, "version": version.id, "answers": answers}


def _remember(version: SurveyVersion, token: str, done: bool = False) -> None:
    sittings = _sittings()
    sittings[str(version.survey_id)] = {"version": version.id, "token": token, "done": done,
                                        "at": int(utcnow().timestamp())}
    for oldest in sorted(sittings, key=lambda key: sittings[key].get("at", 0))[:-MAX_SITTINGS]:
        gone = sittings.pop(oldest)
        if not gone.get("done"):
            _drop_stored(gone.get("token"))
    session[SESSION_KEY] = sittings


def _drop_stored(token: str | None) -> None:
    if valid_token(token):
        db.session.execute(sa.delete(FormSitting).where(FormSitting.token == token)
                           .execution_options(synchronize_session=False))
        db.session.commit()


def end_finished_sitting(version: SurveyVersion) -> dict | None:
    """Back at the intro after finishing: forget the finished sitting so the next start is a
    new one. Returns the sitting still in progress, if any."""
    sitting = get_sitting(version)
    if sitting is not None and sitting.get("done"):
        sittings = _sittings()
        sittings.pop(str(version.survey_id), None)
        session[SESSION_KEY] = sittings
        return None
    return sitting


def start_sitting(version: SurveyVersion) -> dict:
    """A new sitting of the survey with a fresh submission token (replaces an earlier one of
    the same survey; other surveys' sittings are kept)."""
    previous = _sittings().get(str(version.survey_id)) or {}
    if not previous.get("done"):
        _drop_stored(previous.get("token"))
    token = uuid.uuid4().hex
    _remember(version, token)
    return {"version": version.id, "token": token, "answers": {}, "done": False}


def _bounded(raw):
    """A raw answer as it may be kept between pages: control characters removed, text cut at
    MAX_RAW_CHARS, lists at MAX_RAW_ITEMS items (the ``back`` button saves unvalidated)."""
    raw = clean_text(raw)
    if isinstance(raw, str):
        return raw[:MAX_RAW_CHARS]
    if isinstance(raw, list):
        return [str(item)[:MAX_RAW_CHARS] for item in raw[:MAX_RAW_ITEMS]]
    return raw


def _count_new_sitting() -> None:
    """Per-address limit on new anonymous sittings (SITTING_RATE_LIMIT), counted in the
    limiter's shared storage; raises TooManySittings when the address is over it."""
    from flask_limiter.util import get_remote_address
    from limits import parse

    rule = current_app.config.get("SITTING_RATE_LIMIT")
    if not rule or not limiter.enabled:
        return
    if not limiter.limiter.hit(parse(rule), "webform-sitting", get_remote_address()):
        raise TooManySittings()


def save_answers(version: SurveyVersion, answers: dict) -> dict:
    """Merge one page's raw answers into the sitting (empty answers are dropped) and store
    them, committed, before the next page is shown. Raises TooManySittings for an address
    over its limit of new sittings. A sitting submitted or saved by a concurrent request of
    the same browser is read again, not overwritten blindly (never a 500)."""
    for attempt in (1, 2):
        sitting = get_sitting(version)
        if sitting is None or sitting.get("done"):
            sitting = start_sitting(version)
        merged = dict(sitting["answers"])
        for key, raw in answers.items():
            if raw in (None, "", []):
                merged.pop(key, None)
            else:
                merged[key] = _bounded(raw)
        stored = db.session.get(FormSitting, sitting["token"])
        if stored is None:
            if find_by_token(sitting["token"]) is not None:
                sitting["answers"] = merged  # submitted meanwhile: nothing left to keep
                return sitting
            _count_new_sitting()
            stored = FormSitting(token=sitting["token"], version_id=version.id)
            db.session.add(stored)
        stored.answers = merged
        stored.updated_at = utcnow()
        try:
            db.session.commit()
        except (IntegrityError, StaleDataError):
            db.session.rollback()  # another request of this sitting got there first
            if attempt == 2:
                raise
            continue
        sitting["answers"] = merged
        return sitting
    raise AssertionError("unreachable")  # pragma: no cover


def valid_token(token: str | None) -> str | None:
    return token if token and _TOKEN.match(token) else None


def already_submitted(token: str | None) -> Response | None:
    """The response a token already recorded (the sitting was submitted before)."""
    token = valid_token(token)
    return find_by_token(token) if token else None


def submit(target: Target, locale: str, token: str) -> Response:
    """Record the sitting's answers as one response (raises feedback.responses.intake.IntakeError),
    then forget them: the session keeps only the token of a finished sitting, so going back
    and sending a page again leads to the thank-you page instead of a second response."""
    sitting = get_sitting(target.version) or {"answers": {}}
    if sitting.get("done"):
        sitting = {"answers": {}}
    response, new = store_response(
        target.version,
        sitting["answers"],
        channel="web",
        locale=locale,
        site=target.site,
        submission_token=token,
    )
    # anti-padding: count it per site and address, hold it if flagged; once, by the request
    # that stored it (of two that arrive together, both find no response first)
    if new:
        padding.check_submission(response, target.site, request.remote_addr)
    _drop_stored(sitting.get("token"))
    _remember(target.version, token, done=True)
    return response


def forget_respondent() -> None:
    """Kiosk reset: drop the sittings, the language choice and the form secret, so the next
    person on a shared tablet starts clean. A signed-in staff member stays signed in."""
    for sitting in _sittings().values():
        if not sitting.get("done"):
            _drop_stored(sitting.get("token"))
    for key in (SESSION_KEY, "locale", "csrf_token"):
        session.pop(key, None)


def drop_abandoned_sittings() -> int:
    """Delete sittings left without a new page for ``SITTING_HOURS``; returns how many."""
    hours = int(current_app.config.get("SITTING_HOURS", 24))
    deleted = db.session.execute(
        sa.delete(FormSitting).where(FormSitting.updated_at < utcnow() - timedelta(hours=hours))
    ).rowcount
    db.session.commit()
    return deleted


@queue.periodic_task(crontab(minute="5"))
def drop_abandoned_sittings_job() -> None:
    """Hourly: unfinished answers do not stay on the server longer than needed (and ended
    rate-limit windows go with them)."""
    from feedback.core.rate_limits import purge_expired_counters

    drop_abandoned_sittings()
    purge_expired_counters()
