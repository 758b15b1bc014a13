"""Phone-first staff pages in a real headless Chromium, under the app's own
Content-Security-Policy (not bypassed, so static/phone.js must load as deployed): on a phone
each page opens on its own content, with the staff menu and the review's period and filters
behind toggles; on a wide screen both are always shown."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _signed_in_page(browser, live_server, viewport):
    from demo.cli import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD

    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.path("/staff/login"))
    page.fill("input[name=email]", DEMO_ADMIN_EMAIL)
    page.fill("input[name=password]", DEMO_ADMIN_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("load")
    return context, page


def test_on_a_phone_each_page_opens_on_its_content_and_the_menu_opens_on_a_tap(
        live_server, browser):
    context, page = _signed_in_page(browser, live_server, PHONE)
    try:
        page.goto(live_server.path("/staff/"))
        heading = page.locator("main h1")
        assert heading.bounding_box()["y"] + heading.bounding_box()["height"] < PHONE["height"] / 2
        loop_link = page.locator("nav.staff-nav").get_by_role("link", name="You said, we did",
                                                              exact=True)
        assert not page.locator("nav.staff-nav").is_visible()
        page.locator("details.staff-menu > summary").click()
        assert page.locator("nav.staff-nav").is_visible()
        loop_link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/staff/loop")
        assert not page.locator("nav.staff-nav").is_visible()  # closed again on the next page
    finally:
        context.close()


def test_on_a_phone_the_review_shows_its_figures_before_its_filters(live_server, browser):
    context, page = _signed_in_page(browser, live_server, PHONE)
    try:
        page.goto(live_server.path("/staff/review"))
        filters = page.locator("form.review-filters")
        assert not filters.is_visible()
        headline = page.locator("p.headline").first
        assert headline.bounding_box()["y"] < PHONE["height"]  # on the first screen
        page.locator("details.review-filter-panel > summary").click()
        assert filters.is_visible()
        page.select_option("#by", "age_group")
        filters.locator("[type=submit]").click()
        page.wait_for_load_state("load")
        assert "by=age_group" in page.url
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_and_filters_are_shown_without_a_toggle(live_server,
                                                                          browser):
    context, page = _signed_in_page(browser, live_server, DESKTOP)
    try:
        page.goto(live_server.path("/staff/loop"))
        assert page.locator("nav.staff-nav").is_visible()
        assert not page.locator("details.staff-menu > summary").is_visible()
        assert page.get_by_role("link", name="Audit log", exact=True).is_visible()
        page.goto(live_server.path("/staff/review"))
        assert page.locator("form.review-filters").is_visible()
        assert not page.locator("details.review-filter-panel > summary").is_visible()
    finally:
        context.close()
