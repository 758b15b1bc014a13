"""Shared test data for the web survey and partner sites: a small three-language survey with
skip logic, and partner sites. Import the fixtures into a test module to use them."""

from __future__ import annotations

import re

import pytest


def _t(en, es, vi):
    return {"en": en, "es": es, "vi": vi}


#: 6 questions -> pages [visit, safe, why_unsafe?] ... with skip logic on `safe`.
SURVEY = {
    "format": "coalition-feedback/survey",
    "format_version": 1,
    "slug": "test-voice",
    "title": _t("Test voice", "Voz de prueba", "Tiếng nói thử"),
    "intro": _t("Tell us about your centre.", "Cuéntanos de tu centro.", "Hãy kể về trung tâm."),
    "thanks": _t("Thanks for telling us!", "¡Gracias por contarnos!", "Cảm ơn bạn đã chia sẻ!"),
    "questions": [
        {
            "key": "visits", "type": "number", "required": True,
            "text": _t("How many times did you visit this month?",
                       "¿Cuántas veces viniste este mes?", "Tháng này bạn đến mấy lần?"),
            "settings": {"min": 0, "max": 31},
        },
        {
            "key": "safe", "type": "yes_no", "required": True,
            "text": _t("Do you feel safe here?", "¿Te sientes seguro aquí?",
                       "Bạn có cảm thấy an toàn ở đây không?"),
        },
        {
            "key": "why_unsafe", "type": "long_text",
            "text": _t("What makes you feel unsafe?", "¿Qué te hace sentir inseguro?",
                       "Điều gì làm bạn thấy không an toàn?"),
            "ask_if_key": "safe", "ask_if_values": ["no"],
        },
        {
            "key": "rating", "type": "scale",
            "text": _t("How would you rate the programs?", "¿Cómo calificas los programas?",
                       "Bạn đánh giá các chương trình thế nào?"),
            "settings": {"min": 1, "max": 5,
                         "low": _t("Bad", "Malo", "Tệ"), "high": _t("Great", "Genial", "Tuyệt")},
        },
        {
            "key": "topics", "type": "multiple_choice",
            "text": _t("What should we work on?", "¿En qué debemos trabajar?",
                       "Chúng tôi nên làm gì?"),
            "choices": [
                {"code": "jobs", "label": _t("Jobs", "Empleos", "Việc làm")},
                {"code": "parks", "label": _t("Parks", "Parques", "Công viên")},
                {"code": "buses", "label": _t("Buses", "Autobuses", "Xe buýt")},
            ],
        },
        {
            "key": "idea", "type": "short_text",
            "text": _t("One idea for us?", "¿Una idea para nosotros?",
                       "Một ý tưởng cho chúng tôi?"),
            "help": _t("Anything goes.", "Lo que sea.", "Gì cũng được."),
        },
    ],
}


@pytest.fixture
def web_app(app):
    """The app with the web survey and partner sites (wired by create_app)."""
    return app


@pytest.fixture
def make_survey(web_app, db):
    """Factory: the test survey, published (status open) unless told otherwise."""
    from surveys import operations

    def make(status="open", slug="test-voice"):
        survey = operations.import_definition(dict(SURVEY), slug=slug)
        db.session.commit()
        if status != "draft":
            operations.publish(survey)
        if status == "closed":
            operations.close(survey)
        return survey

    return make


@pytest.fixture
def make_site(web_app, db):
    """Factory: a partner site (with its own organisation unless one is given)."""
    from feedback.models import Organization, PartnerSite

    def make(code="north-club", org=None, kiosk=False, reset=15, name=None):
        if org is None:
            org = Organization(name=f"Org of {code}", kind="partner")
            db.session.add(org)
        site = PartnerSite(code=code, name=name or code.title(), organization=org,
                           neighbourhood="Northside", kiosk_mode=kiosk, kiosk_reset_seconds=reset)
        db.session.add(site)
        db.session.commit()
        return site

    return make


TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]*)"')


def hidden_token(html: str) -> str:
    match = TOKEN_RE.search(html)
    assert match, "page has no submission token"
    return match.group(1)
