"""The public web survey's logic: finding the survey, paging, the sitting kept in the session,
and the one final call to :func:`feedback.intake.record_response`.

A *sitting* is one person's pass through a survey. Its raw answers live in the (signed cookie)
session between pages, keyed by question, together with a random submission token that is
also a hidden form field: a double submit or a back-and-resubmit sends the same token, and
intake returns the first response instead of storing a second. Nothing about the device (IP
address, user agent) is kept anywhere.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from flask import session

from feedback.extensions import db
from feedback.intake import find_by_token, record_response, validate_answers
from feedback.models import PartnerSite, Response
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


# --- the sitting in the session -------------------------------------------------------------


def get_sitting(version: SurveyVersion) -> dict | None:
    """This browser's sitting for ``version`` (None if it has none)."""
    sitting = session.get(SESSION_KEY)
    if sitting and sitting.get("version") == version.id:
        return sitting
    return None


def end_finished_sitting(version: SurveyVersion) -> dict | None:
    """Back at the intro after finishing: forget the finished sitting so the next start is a
    new one. Returns the sitting still in progress, if any."""
    sitting = get_sitting(version)
    if sitting is not None and sitting.get("done"):
        session.pop(SESSION_KEY, None)
        return None
    return sitting


def start_sitting(version: SurveyVersion) -> dict:
    """A new sitting with a fresh submission token (replaces any earlier one)."""
    sitting = {"version": version.id, "token": uuid.uuid4().hex, "answers": {}}
    session[SESSION_KEY] = sitting
    return sitting


def save_answers(version: SurveyVersion, answers: dict) -> dict:
    """Merge one page's raw answers into the sitting (empty answers are dropped)."""
    sitting = get_sitting(version) or start_sitting(version)
    merged = dict(sitting["answers"])
    for key, raw in answers.items():
        if raw in (None, "", []):
            merged.pop(key, None)
        else:
            merged[key] = raw
    sitting["answers"] = merged
    session[SESSION_KEY] = sitting
    session.modified = True
    return sitting


def valid_token(token: str | None) -> str | None:
    return token if token and _TOKEN.match(token) else None


def already_submitted(token: str | None) -> Response | None:
    """The response a token already recorded (the sitting was submitted before)."""
    token = valid_token(token)
    return find_by_token(token) if token else None


def submit(target: Target, locale: str, token: str) -> Response:
    """Record the sitting's answers as one response (raises feedback.intake.IntakeError),
    then forget them: the session keeps only the token of a finished sitting, so going back
    and sending a page again leads to the thank-you page instead of a second response."""
    sitting = get_sitting(target.version) or {"answers": {}}
    if sitting.get("done"):
        sitting = {"answers": {}}
    response = record_response(
        target.version,
        sitting["answers"],
        channel="web",
        locale=locale,
        site=target.site,
        submission_token=token,
    )
    session[SESSION_KEY] = {"version": target.version.id, "token": token, "answers": {},
                            "done": True}
    return response


def forget_respondent() -> None:
    """Kiosk reset: drop the sitting, the language choice and the form secret, so the next
    person on a shared tablet starts clean. A signed-in staff member stays signed in."""
    for key in (SESSION_KEY, "locale", "csrf_token"):
        session.pop(key, None)
