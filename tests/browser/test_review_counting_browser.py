"""The review's "counting these figures" page in headless Chromium, against the app as
deployed (gunicorn and the queue worker, PostgreSQL) with no budget for counting in the page:
its script, under the production Content-Security-Policy, polls until the worker has counted
the view and then shows the dashboard by itself; the page passes axe in Vietnamese."""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

from feedback.core.config import PROJECT_ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="PostgreSQL only: the review remembers no count on SQLite"),
]

AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def no_budget(tmp_path_factory):
    sys.path.insert(0, str(PROJECT_ROOT / "tests" / "deployed"))
    from deployment import start_deployment

    with start_deployment(tmp_path_factory.mktemp("counting"),
                          env={"REVIEW_COUNT_IN_PAGE": "0"}) as deployment:
        yield deployment


@contextlib.contextmanager
def _opened(browser, deployment, path: str, *, bypass_csp: bool):
    """A phone-sized page signed in as the admin in Vietnamese, opened at ``path``, which
    must answer with the waiting page."""
    context = browser.new_context(viewport=PHONE, bypass_csp=bypass_csp, locale="vi-VN")
    session = deployment.session("admin", "vi")
    context.add_cookies([{"name": c.name, "value": c.value, "url": deployment.url}
                         for c in session.cookies])
    try:
        page = context.new_page()
        assert page.goto(deployment.url + path).status == 202
        assert page.locator("h1").inner_text() == "Đang đếm các số liệu này"
        yield page
    finally:
        context.close()


def test_the_waiting_page_shows_the_figures_once_the_worker_counted_them(browser, no_budget):
    view = "/staff/review?kind=month&channel=sms&by=age_group"
    with _opened(browser, no_budget, view, bypass_csp=False) as page:  # the production CSP
        # reloaded by itself: the figures' page, its filters folded away on a phone
        page.wait_for_selector('select[name="by"]', state="attached", timeout=120_000)
        assert page.locator("p.headline").first.is_visible()
        assert "Đang đếm các số liệu này" not in page.content()


def test_the_waiting_page_passes_axe(browser, no_budget):
    view = "/staff/review/year?year=2026&by=gender"
    with _opened(browser, no_budget, view, bypass_csp=True) as page:  # so axe can be added
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("async () => await window.axe.run(document)")
        blocking = [v["id"] for v in result["violations"]
                    if v.get("impact") in ("serious", "critical")]
        assert blocking == []
