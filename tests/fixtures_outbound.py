"""Fixtures for the outbound SMS tests: contacts, a fake Twilio, a controllable clock.

Loaded for every test by tests/conftest.py (``pytest_plugins``).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL, FakeTwilio


@pytest.fixture
def fake_twilio(app):
    """A running fake Twilio API, with the app switched to the twilio backend pointing at it."""
    with FakeTwilio(ACCOUNT_SID) as fake:
        app.config.update(
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM_NUMBER="+15045550000",
            TWILIO_API_BASE_URL=fake.base_url,
            PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        )
        yield fake


class Clock:
    """The time messaging sees (naive UTC); tests move it instead of sleeping."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def clock(app, monkeypatch):
    """The one clock (feedback.clock), fixed at 2031-06-02 15:00 UTC (10:00 in America/Chicago;
    in the future, so jobs the code schedules stay scheduled in the test queue)."""
    from feedback import clock as the_clock

    app.config["TIMEZONE"] = "America/Chicago"
    c = Clock(datetime(2031, 6, 2, 15, 0))
    monkeypatch.setattr(the_clock, "_source", c)
    return c


@pytest.fixture
def make_contact(db):
    """Factory: a committed contact with a number, language and groups."""
    from messaging.models import Contact

    counter = {"n": 0}

    def make(phone=None, locale="en", groups=("parents",), opted_out=False, respondent_id=None):
        counter["n"] += 1
        contact = Contact(
            phone=phone or f"+1504555{counter['n']:04d}", locale=locale, groups=list(groups),
            opted_out=opted_out, consent_source="test", respondent_id=respondent_id,
        )
        db.session.add(contact)
        db.session.commit()
        return contact

    return make


@pytest.fixture
def make_sms_survey(db):
    """Factory: an open survey with an SMS keyword and two questions in en/es/vi."""
    from surveys.models import Choice, Question, Survey, SurveyVersion

    def make(keyword="PARK", slug="park-survey"):
        survey = Survey(slug=slug, sms_keyword=keyword, status="open")
        version = SurveyVersion(
            survey=survey, number=1,
            title={"en": "Parks", "es": "Parques", "vi": "Công viên"},
            intro={"en": "Tell us about parks.", "es": "Cuéntenos de los parques.",
                   "vi": "Hãy cho chúng tôi biết về công viên."},
            published_at=datetime(2026, 1, 1),
        )
        q1 = Question(version=version, position=0, key="safe", type="single_choice",
                      required=True,
                      text={"en": "Do you feel safe at the park?",
                            "es": "¿Se siente seguro en el parque?",
                            "vi": "Bạn có cảm thấy an toàn ở công viên không?"})
        q1.choices = [
            Choice(position=0, code="yes", label={"en": "Yes", "es": "Sí", "vi": "Có"}),
            Choice(position=1, code="no", label={"en": "No", "es": "No", "vi": "Không"}),
        ]
        q2 = Question(version=version, position=1, key="ideas", type="short_text",
                      text={"en": "What would make it better?", "es": "¿Qué lo mejoraría?",
                            "vi": "Điều gì sẽ làm nó tốt hơn?"})
        db.session.add_all([survey, version, q1, q2])
        db.session.commit()
        return survey

    return make
