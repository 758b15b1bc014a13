"""A youth's sitting in a real (headless) Chromium, held by the browser's own session cookie:
a second tab with another survey, or staff publishing again mid-way, loses no answer given."""

from __future__ import annotations

import copy

import pytest

from tests.fixtures.webform import SURVEY

pytestmark = pytest.mark.browser

NEXT = "button[name=action][value=next]"
START = "a.button-large"


def choose(page, field: str, code: str) -> None:
    """Tick a radio button or checkbox by its choice code, through its label (like a thumb)."""
    input_id = page.locator(f"input[name={field}][value='{code}']").get_attribute("id")
    page.click(f"label[for='{input_id}']")


def send(page) -> None:
    """Press "Next" and wait for the page the server answers with (after its redirect)."""
    with page.expect_navigation():
        page.click(NEXT)


def progress(page) -> str:
    return page.inner_text("#progress-text")


def published_survey(app, slug: str) -> str:
    """The three-page test survey (visits and safe; the follow-ups; an idea) published under
    ``slug``, so these tests share no survey, and no response, with the others."""
    from feedback.core.extensions import db
    from surveys import operations as ops

    with app.app_context():
        if ops.get_survey(slug) is None:
            survey = ops.import_definition(copy.deepcopy(SURVEY), slug=slug)
            db.session.commit()
            ops.publish(survey)
    return slug


def stored_answers(app, slug: str) -> list[dict]:
    """The answers of every response stored for the survey, as staff would read them."""
    from feedback.core.extensions import db
    from feedback.responses.models import Response
    from surveys import operations as ops

    with app.app_context():
        survey = ops.get_survey(slug)
        responses = db.session.scalars(db.select(Response).filter_by(survey_id=survey.id))
        return [{a.question_key: a.value for a in r.answers} for r in responses]


def answer_first_page(page, visits: str, safe: str) -> None:
    page.click(START)
    assert progress(page) == "Page 1 of 3"
    page.fill("#q_visits", visits)
    choose(page, "q_safe", safe)
    send(page)
    assert progress(page) == "Page 2 of 3"


#: What :func:`finish_unsafe` answers on pages 2 and 3.
UNSAFE_REST = {"rating": 2, "why_unsafe": "Dark street outside", "idea": "More lights"}


def finish_unsafe(page) -> None:
    """From page 2, after saying she does not feel safe: answer pages 2 and 3 and send."""
    page.fill("#q_why_unsafe", UNSAFE_REST["why_unsafe"])
    choose(page, "q_rating", str(UNSAFE_REST["rating"]))
    send(page)
    assert progress(page) == "Page 3 of 3"
    page.fill("#q_idea", UNSAFE_REST["idea"])
    send(page)
    assert "/thanks" in page.url
    assert "Thanks for telling us!" in page.inner_text("main")


def test_another_survey_in_a_second_tab_keeps_both_sittings(live_server, phone_page):
    """A youth who opens another survey in a second tab mid-way, and answers a page there,
    comes back to the first tab and finishes it with every answer; the other one waits."""
    app = live_server.app
    a, b = published_survey(app, "tabs-a"), published_survey(app, "tabs-b")
    first = phone_page
    first.goto(live_server.path(f"/s/{a}"))
    answer_first_page(first, visits="4", safe="no")

    second = first.context.new_page()  # same browser, same session cookie
    second.goto(live_server.path(f"/s/{b}"))
    assert second.inner_text(START) == "Start the survey"
    answer_first_page(second, visits="9", safe="yes")

    first.bring_to_front()
    finish_unsafe(first)
    assert stored_answers(app, a) == [{"visits": 4, "safe": "no", **UNSAFE_REST}]

    # The other survey's sitting is still there: the youth picks it up where she left it.
    second.bring_to_front()
    second.goto(live_server.path(f"/s/{b}"))
    assert second.inner_text(START) == "Continue the survey"
    second.click(START)
    assert second.input_value("#q_visits") == "9"
    send(second)
    assert "What makes you feel unsafe?" not in second.inner_text("main")  # she said yes
    choose(second, "q_rating", "5")
    send(second)
    send(second)  # no idea this time
    assert "/thanks" in second.url
    assert stored_answers(app, b) == [{"visits": 9, "safe": "yes", "rating": 5}]
    assert len(stored_answers(app, a)) == 1


def test_republishing_mid_sitting_keeps_the_first_pages_answers(live_server, phone_page):
    """Staff publish the survey again (a typo fixed in the intro) while a youth is on page 2:
    she goes on in the same tab, and her response keeps what she said on page 1."""
    from surveys import operations as ops

    app = live_server.app
    slug = published_survey(app, "republished")
    page = phone_page
    page.goto(live_server.path(f"/s/{slug}"))
    answer_first_page(page, visits="4", safe="no")

    with app.app_context():
        survey = ops.get_survey(slug)
        before = ops.current_version(survey).id
        ops.set_texts(survey, title=SURVEY["title"], thanks=SURVEY["thanks"],
                      intro={"en": "Tell us!", "es": "¡Cuéntanos!", "vi": "Hãy kể!"})
        ops.publish(survey)
        after = ops.current_version(survey).id
    assert after != before  # a new version is what people now get

    finish_unsafe(page)
    assert stored_answers(app, slug) == [{"visits": 4, "safe": "no", **UNSAFE_REST}]
