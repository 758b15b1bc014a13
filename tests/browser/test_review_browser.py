"""The agenda review dashboard in Vietnamese, in a real headless Chromium, checked with axe."""

from __future__ import annotations

from datetime import datetime

import pytest

pytestmark = pytest.mark.browser

WHEN = datetime(2026, 5, 12, 15, 0)


def _seed_review(app) -> None:
    """A goal with a Vietnamese name, a theme, an indicator and tagged answers in 2026-Q2."""
    from analysis.models import AnswerTag, AnswerTheme, Theme
    from analysis.review.goals import AgendaGoal, Indicator
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, Respondent, Response
    from surveys.models import Question, Survey, SurveyVersion

    with app.app_context():
        if db.session.scalar(db.select(AgendaGoal).filter_by(key="browser-safe")):
            return
        survey = Survey(slug="review-browser", status="open")
        version = SurveyVersion(survey=survey, number=1, title={"en": "Review"})
        q_safe = Question(version=version, key="rb_safe", type="scale", position=1)
        q_text = Question(version=version, key="rb_comment", type="long_text", position=2)
        theme = db.session.scalar(db.select(Theme).filter_by(key="safety")) or Theme(
            key="safety", labels={"en": "Safety", "vi": "An toàn"})
        db.session.add_all([survey, version, q_safe, q_text, theme])
        db.session.flush()
        goal = AgendaGoal(key="browser-safe", themes=[theme], names={
            "en": "Youth feel safe", "vi": "Thanh thiếu niên cảm thấy an toàn"})
        goal.indicators = [Indicator(labels={"vi": "Cảm thấy an toàn (4–5)"},
                                     question_key="rb_safe", rule="share_of_values",
                                     values=["4", "5"])]
        db.session.add(goal)
        for i in range(24):
            response = Response(
                respondent=Respondent(pseudonym=f"browser-{i}", age_group="14-17"),
                survey_id=survey.id, survey_version_id=version.id,
                channel="sms" if i % 3 else "web", locale="vi", started_at=WHEN,
                completed_at=WHEN)
            db.session.add(response)
            safe = Answer(question_id=q_safe.id, question_key="rb_safe", raw_text=str(i % 5 + 1),
                          value=str(i % 5 + 1), value_number=float(i % 5 + 1), created_at=WHEN)
            text = Answer(question_id=q_text.id, question_key="rb_comment",
                          raw_text="Tôi cảm thấy an toàn ở trung tâm", value="x", created_at=WHEN)
            response.answers += [safe, text]
            db.session.flush()
            db.session.add(AnswerTag(answer_id=text.id, language="vi",
                                     sentiment_label="positive" if i % 2 else "negative",
                                     sentiment_score=0.5 if i % 2 else -0.5,
                                     sentiment_confidence=0.9))
            db.session.add(AnswerTheme(answer_id=text.id, theme_id=theme.id, source="auto"))
        db.session.commit()


def test_dashboard_in_vietnamese_has_charts_tables_and_no_serious_axe_issues(
        live_server, browser, axe):
    from demo.cli import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD

    _seed_review(live_server.app)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True,
                                  locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.path("/staff/login"))
        page.fill("input[name=email]", DEMO_ADMIN_EMAIL)
        page.fill("input[name=password]", DEMO_ADMIN_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.goto(live_server.path("/staff/review?kind=quarter&quarter=2026-Q2&by=age_group"))
        page.click("nav.lang-switch a[hreflang=vi]")
        assert page.get_attribute("html", "lang") == "vi"
        assert "Thanh thiếu niên cảm thấy an toàn" in page.inner_text("main")
        charts = page.locator("img[src^='data:image/svg+xml']")
        assert charts.count() >= 3
        assert all(charts.nth(i).get_attribute("alt") for i in range(charts.count()))
        loaded = page.evaluate(
            "() => [...document.querySelectorAll('img')].every(i => i.naturalWidth > 0)")
        assert loaded
        assert page.locator("table caption").count() >= 4
        assert axe(page) == []
    finally:
        context.close()
