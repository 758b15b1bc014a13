"""The staff page of unmatched late replies, with a reply on it, in Spanish and Vietnamese at
phone width, in a real headless Chromium: axe finds no serious issue, and marking the reply
dealt with works from the page. (The crawl sees the page only as the demo leaves it: empty.)"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SID = "SMbrowserlate0001"
BODY = "sí fuimos el sábado"


def _seed_late_reply(app) -> None:
    """One late reply: a text that answered "used_program" after the survey had moved on."""
    from demo.sms import ensure_contacts, ensure_family_survey
    from feedback.core.extensions import db
    from messaging.models import Conversation, InboundMessage
    from surveys import operations

    with app.app_context():
        message = db.session.scalar(db.select(InboundMessage).filter_by(message_sid=SID))
        if message is not None:
            message.status = "late"
            db.session.commit()
            return
        version = operations.current_version(ensure_family_survey())
        contact = ensure_contacts(1)[0]
        conversation = Conversation(contact=contact, survey_version=version,
                                    state="answering", current_question_key="one_thing")
        db.session.add(conversation)
        db.session.flush()
        db.session.add(InboundMessage(message_sid=SID, contact=contact, body=BODY,
                                      status="late", awaited_conversation_id=conversation.id,
                                      awaited_question_key="used_program"))
        db.session.commit()


@pytest.mark.parametrize("locale", ["es", "vi"])
def test_late_replies_page_passes_axe_and_marks_a_reply(live_server, browser, axe, locale):
    from demo.cli import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD

    _seed_late_reply(live_server.app)
    context = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True,
                                  locale={"es": "es-US", "vi": "vi-VN"}[locale])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.path("/staff/login"))
        page.fill("input[name=email]", DEMO_ADMIN_EMAIL)
        page.fill("input[name=password]", DEMO_ADMIN_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.goto(live_server.path(f"/lang/{locale}"))
        page.goto(live_server.path("/staff/contacts/late-replies"))
        assert page.get_attribute("html", "lang") == locale
        assert BODY in page.inner_text("main")
        assert axe(page) == []
        page.locator("form[action$='/seen'] button").first.click()
        page.wait_for_load_state("load")
        assert BODY not in page.inner_text("main")
        assert axe(page) == []  # the page with its confirmation message
    finally:
        context.close()
