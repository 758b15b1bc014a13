"""Demo web answers (a seed-demo stage, after the survey definitions): a few hundred completed
youth responses.

Answers go through :func:`feedback.responses.intake.record_response`, the path the real form uses,
then
are backdated across the previous and the current calendar quarter so trend views have
something to show. Each demo site has its own mix of languages, neighbourhood and background,
and some groups are deliberately small (fewer than 10 people) so small-cell suppression has
something to hide. A fixed random seed makes the demo the same every time; it is idempotent
(nothing is added when the survey already has web responses).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from demo import youth_survey as youth
from demo.web_texts import CHANGE_NEIGHBOURHOOD, LIKE_MOST, WHY_UNSAFE
from feedback.core.extensions import db
from feedback.responses.intake import record_response
from feedback.responses.models import PartnerSite, Response, utcnow
from surveys.operations import current_version, get_survey

DEMO_COUNT = 350
SEED = 20260401

#: Per demo site: weight, language mix, home neighbourhood and race/ethnicity mix.
PROFILES = {
    "eastside-club": {
        "weight": 30, "locales": {"en": 82, "es": 14, "vi": 4}, "home": "eastside",
        "race": {"black": 62, "hispanic_latino": 14, "white": 12, "asian": 4,
                 "native_american": 1, "middle_eastern": 2, "another": 3, "prefer_not": 2},
    },
    "familias-centro": {
        "weight": 25, "locales": {"es": 58, "en": 42}, "home": "riverside",
        "race": {"hispanic_latino": 72, "black": 14, "white": 7, "native_american": 2,
                 "another": 3, "prefer_not": 2},
    },
    "familias-library": {
        "weight": 15, "locales": {"es": 45, "en": 50, "vi": 5}, "home": "riverside",
        "race": {"hispanic_latino": 55, "black": 20, "white": 15, "asian": 4,
                 "pacific_islander": 2, "prefer_not": 4},
    },
    "vaya-village": {
        "weight": 30, "locales": {"vi": 55, "en": 42, "es": 3}, "home": "new_orleans_east",
        "race": {"asian": 74, "black": 12, "hispanic_latino": 5, "pacific_islander": 3,
                 "white": 2, "middle_eastern": 1, "prefer_not": 3},
    },
}
DEFAULT_PROFILE = {
    "weight": 10, "locales": {"en": 70, "es": 20, "vi": 10}, "home": "central_city",
    "race": {"black": 50, "hispanic_latino": 20, "white": 15, "asian": 10, "prefer_not": 5},
}
AGE = {"12_under": 14, "13_15": 40, "16_18": 36, "19_24": 8, "25_over": 2}
GENDER = {"girl_woman": 47, "boy_man": 46, "nonbinary": 3, "another": 1, "prefer_not": 3}
ROLE = {"youth": 90, "parent": 4, "staff": 3, "community": 3}
ATTENDANCE = {"first_time": 6, "less_weekly": 20, "weekly": 40, "most_days": 34}
BETTER = ["parks", "lighting", "jobs", "transport", "activities", "clean"]


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _maybe(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _text(rng: random.Random, bank: dict, locale: str, tone: str) -> str:
    """One or two sentences of the tone (falling back to any tone the language has)."""
    pool = bank[locale].get(tone) or [s for group in bank[locale].values() for s in group]
    first = rng.choice(pool)
    if _maybe(rng, 0.25):
        second = rng.choice(pool)
        if second != first:
            return first + " " + second
    return first


def _answers(rng: random.Random, profile: dict, locale: str) -> dict:
    """Raw answers as the web form would send them (choice codes, numbers as text)."""
    safe = rng.choices([1, 2, 3, 4, 5], weights=[5, 9, 22, 34, 30])[0]
    tone = "negative" if safe <= 2 else _pick(rng, {"positive": 55, "neutral": 30,
                                                    "negative": 15})
    answers: dict = {youth.SAFE: str(safe)}
    if safe <= 2 and _maybe(rng, 0.7):
        answers[youth.WHY_UNSAFE] = rng.choice(WHY_UNSAFE[locale])
    if _maybe(rng, 0.9):
        answers[youth.TRUSTED_ADULT] = "yes" if _maybe(rng, 0.45 + safe * 0.08) else "no"
    if _maybe(rng, 0.92):
        answers[youth.ATTENDANCE] = _pick(rng, ATTENDANCE)
    if _maybe(rng, 0.85):
        answers[youth.NEIGHBOURHOOD_BETTER] = rng.sample(BETTER, rng.randint(1, 3))
    if _maybe(rng, 0.75):
        answers[youth.HOURS] = str(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20]))
    if _maybe(rng, 0.7):
        answers[youth.LIKE_MOST] = _text(rng, LIKE_MOST, locale, tone)
    if _maybe(rng, 0.65):
        answers[youth.CHANGE_NEIGHBOURHOOD] = _text(
            rng, CHANGE_NEIGHBOURHOOD, locale, "negative" if safe <= 2 else tone
        )
    if _maybe(rng, 0.9):
        answers[youth.AGE_GROUP] = _pick(rng, AGE)
    if _maybe(rng, 0.85):
        race = _pick(rng, profile["race"])
        codes = [race]
        if race != "prefer_not" and _maybe(rng, 0.08):  # multiracial: counted in each group
            codes.append(_pick(rng, {k: v for k, v in profile["race"].items()
                                     if k not in (race, "prefer_not")}))
        answers[youth.RACE_ETHNICITY] = codes
    if _maybe(rng, 0.88):
        answers[youth.GENDER] = _pick(rng, GENDER)
    if _maybe(rng, 0.9):
        home = profile["home"] if _maybe(rng, 0.75) else rng.choice(
            ["eastside", "riverside", "new_orleans_east", "central_city", "other"])
        answers[youth.NEIGHBOURHOOD] = home
    if _maybe(rng, 0.8):
        answers[youth.ROLE] = _pick(rng, ROLE)
    return answers


def quarter_window(now: datetime) -> tuple[datetime, datetime]:
    """From the first day of the previous calendar quarter to ``now``."""
    first_month = 3 * ((now.month - 1) // 3) + 1
    current_start = datetime(now.year, first_month, 1)
    previous_month = first_month - 3
    if previous_month < 1:
        return datetime(now.year - 1, previous_month + 12, 1), now
    return current_start.replace(month=previous_month), now


def _backdate(response: Response, rng: random.Random, start: datetime, end: datetime) -> None:
    span = (end - start).total_seconds()
    completed = start + timedelta(seconds=rng.random() * span)
    response.completed_at = completed
    response.started_at = completed - timedelta(seconds=rng.randint(150, 900))
    response.respondent.created_at = response.started_at
    for answer in response.answers:
        answer.created_at = completed


def seed_web_answers(count: int = DEMO_COUNT, seed: int = SEED) -> int:
    """Record ``count`` demo web responses to the youth survey; returns how many were added."""
    survey = get_survey(youth.YOUTH_SLUG)
    version = current_version(survey) if survey is not None else None
    if version is None:
        return 0
    existing = db.session.scalar(
        db.select(db.func.count(Response.id)).filter_by(survey_id=survey.id, channel="web")
    )
    if existing:
        return 0
    sites = list(db.session.scalars(db.select(PartnerSite).order_by(PartnerSite.code)))
    rng = random.Random(seed)
    start, end = quarter_window(utcnow())
    weights = [PROFILES.get(s.code, DEFAULT_PROFILE)["weight"] for s in sites]
    for _ in range(count):
        site = rng.choices(sites, weights=weights)[0] if sites else None
        profile = PROFILES.get(site.code, DEFAULT_PROFILE) if site else DEFAULT_PROFILE
        locale = _pick(rng, profile["locales"])
        response = record_response(
            version, _answers(rng, profile, locale), channel="web", locale=locale, site=site,
            submission_token=format(rng.getrandbits(128), "032x"),
        )
        _backdate(response, rng, start, end)
        response.origin = "import"  # generated, not a respondent's (docs/privacy.md)
    db.session.commit()
    return count
