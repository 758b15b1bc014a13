"""The kiosk thank-you page in Chromium: a countdown the person can extend, then a reset."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

#: Short, so the test waits little; real sites use 5 to 600 seconds.
RESET_SECONDS = 4


@pytest.fixture
def kiosk_site(live_server):
    """A kiosk site of the demo's first organisation with a short reset delay."""
    from feedback.core.extensions import db
    from feedback.responses.models import Organization, PartnerSite

    with live_server.app.app_context():
        site = db.session.scalar(db.select(PartnerSite).filter_by(code="kiosk-browser"))
        if site is None:
            org = db.session.scalar(db.select(Organization).order_by(Organization.id))
            site = PartnerSite(code="kiosk-browser", name="Kiosk Test", organization=org)
            db.session.add(site)
        site.kiosk_mode, site.kiosk_reset_seconds = True, RESET_SECONDS
        db.session.commit()
    return "kiosk-browser"


def seconds_left(page) -> int:
    return int(page.get_attribute("[data-countdown]", "data-left"))


def test_kiosk_countdown_can_be_extended_and_then_resets(live_server, phone_page, axe,
                                                         kiosk_site):
    page = phone_page
    page.goto(live_server.path(f"/s/youth-voice/thanks?site={kiosk_site}"))
    countdown = page.locator("[data-countdown]")
    more = page.locator("button[data-more-time]")
    assert countdown.is_visible() and more.is_visible()
    assert page.locator("[data-kiosk-nojs]").is_hidden()  # the script took over
    assert str(RESET_SECONDS) in countdown.inner_text()
    assert page.locator("meta[http-equiv]").count() == 0
    assert axe(page) == []

    # Time runs down visibly; "More time" starts the countdown again from the full delay.
    page.wait_for_function("() => +document.querySelector('[data-countdown]')"
                           ".getAttribute('data-left') <= 2", timeout=10_000)
    more.click()
    assert seconds_left(page) >= RESET_SECONDS - 1
    assert page.url.endswith(f"/thanks?site={kiosk_site}")  # still here

    # At zero the page opens the restart link, which forgets the person and starts over.
    page.wait_for_url(f"**/s/youth-voice?site={kiosk_site}", timeout=15_000)
    assert page.locator("a.button-large").count() == 1  # the survey's start page


def test_without_javascript_the_kiosk_page_keeps_the_link_and_never_resets(
    browser, live_server, kiosk_site
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.path(f"/s/youth-voice/thanks?site={kiosk_site}"))
        assert page.locator("[data-countdown]").is_hidden()
        assert page.locator("button[data-more-time]").is_hidden()
        assert page.locator("[data-kiosk-nojs]").is_visible()
        link = page.locator("a[href^='/s/youth-voice/restart']")
        assert link.is_visible()
        page.wait_for_timeout((RESET_SECONDS + 1) * 1000)
        assert page.url.endswith(f"/thanks?site={kiosk_site}")
        link.click()
        page.wait_for_url(f"**/s/youth-voice?site={kiosk_site}")
    finally:
        context.close()
