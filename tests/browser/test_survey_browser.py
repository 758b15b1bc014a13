"""The Spanish youth survey in a real (headless) Chromium at phone size, checked with axe-core."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

NEXT = "button[name=action][value=next]"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def choose(page, field: str, code: str) -> None:
    """Tick a radio button or checkbox by its choice code, through its label (like a thumb)."""
    input_id = page.locator(f"input[name={field}][value='{code}']").get_attribute("id")
    page.click(f"label[for='{input_id}']")


def test_spanish_survey_on_a_phone_is_accessible_end_to_end(live_server, phone_page, axe):
    page = phone_page
    page.goto(live_server.path("/s/youth-voice?site=familias-centro"))
    page.click("nav.lang-switch a[hreflang=es]")
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator("h1").inner_text() == "La Voz de la Juventud"
    assert no_horizontal_scroll(page)
    assert axe(page) == []

    # Page 1: the safety rating is required; sending nothing shows errors, focus on summary.
    page.click("a.button-large")
    page.click(NEXT)
    page.wait_for_selector("#error-summary")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert page.get_attribute("#error-summary", "role") == "alert"
    invalid = page.locator("#q_safe_at_site input[aria-invalid=true]")
    assert invalid.count() == 5  # every option of the 1-5 scale is marked and described
    assert invalid.first.get_attribute("aria-describedby") == "q_safe_at_site-error"
    assert axe(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert no_horizontal_scroll(page)
    page.set_viewport_size({"width": 375, "height": 740})

    choose(page, "q_safe_at_site", "2")
    page.click(NEXT)
    # A low rating opens the follow-up question (skip logic without JavaScript).
    page.fill("#q_why_unsafe", "Hay gente peleando afuera en la noche.")
    choose(page, "q_trusted_adult", "yes")
    choose(page, "q_attendance", "weekly")
    page.click(NEXT)
    choose(page, "q_neighbourhood_better", "lighting")
    choose(page, "q_neighbourhood_better", "transport")
    page.fill("#q_hours_per_week", "6")
    page.fill("#q_like_most", "Los consejeros me ayudan con la tarea.")
    page.click(NEXT)
    while page.locator(NEXT).count():
        if page.locator("input[name=q_race_ethnicity]").count():
            choose(page, "q_race_ethnicity", "hispanic_latino")
        if page.locator("input[name=q_age_group]").count():
            choose(page, "q_age_group", "13_15")
        page.click(NEXT)

    assert "/thanks" in page.url
    assert page.get_attribute("html", "lang") == "es"
    assert "¡Gracias!" in page.locator("main").inner_text()
    assert axe(page) == []

    with live_server.app.app_context():
        from feedback.core.extensions import db
        from feedback.responses.models import Response

        responses = list(db.session.scalars(db.select(Response).filter_by(locale="es")))
        assert len(responses) == 1
        answers = {a.question_key: a.value for a in responses[0].answers}
        assert responses[0].site.code == "familias-centro"
        assert answers["safe_at_site"] == 2 and answers["hours_per_week"] == 6
        assert answers["neighbourhood_better"] == ["lighting", "transport"]
