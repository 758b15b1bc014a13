"""Shared browser-test fixtures: a live server on a temporary SQLite database seeded with the
demo youth survey, a headless Chromium driven by Playwright, and an axe-core helper.

Needs the Debian ``chromium`` package (/usr/bin/chromium) and ``npm install axe-core`` at the
project root; without them every browser test is skipped with the reason. Playwright's own
browser download (``playwright install``) is never used.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from feedback.core.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 375, "height": 740}
#: axe impacts that fail a test.
BLOCKING_IMPACTS = ("serious", "critical")


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if not AXE_JS.exists():
        return f"{AXE_JS} is missing (npm install --prefix {PROJECT_ROOT} axe-core)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip browser tests, saying why, where Chromium or axe-core is absent."""
    reason = _missing()
    if reason is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@dataclass
class LiveServer:
    """A running app: ``url`` to browse, ``app`` to read or seed the database directly."""

    url: str
    app: object

    def path(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served on 127.0.0.1 (a free port) from a thread, for the whole session."""
    from feedback.app import create_app
    from feedback.core.extensions import db

    folder = tmp_path_factory.mktemp("live")
    app = create_app({
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "live.sqlite3"),
        "QUEUE_URL": "memory://",
        "QUEUE_IMMEDIATE": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SMS_BACKEND": "console",
        "PSEUDONYM_KEY": "browser-test-pseudonyms",
    })
    with app.app_context():
        from demo.cli import ensure_demo_foundation
        from demo.youth_survey import seed_youth_survey

        db.create_all()
        ensure_demo_foundation()
        seed_youth_survey()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the session (the system package, never a download)."""
    if _missing():
        pytest.skip(_missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized page (375x740); CSP is bypassed only so axe-core can be injected."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page; the violations of the given impacts (printed for the log)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await window.axe.run(document)")
    found = [v for v in result["violations"] if v.get("impact") in impacts]
    for violation in found:
        targets = [node["target"] for node in violation["nodes"]]
        print(f"axe {violation['impact']}: {violation['id']} - {violation['help']} at {targets}")
    return found


@pytest.fixture
def axe():
    """The axe helper as a fixture: ``axe(page)`` returns serious/critical violations."""
    return axe_violations


@pytest.fixture(scope="session")
def deployed_app(request, tmp_path_factory):
    """The app as deployed (gunicorn + queue worker, full demo; tests/deployed/deployment.py),
    for the crawl: the pages people see, with every demo figure and chart on them. The same
    deployment as tests/deployed's ``deployed`` fixture when both run in one session."""
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "tests" / "deployed"))
    from deployment import shared_deployment

    return shared_deployment(request, tmp_path_factory)
