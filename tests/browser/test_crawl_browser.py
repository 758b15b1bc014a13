"""Every staff page of the navigation and every public page, in Spanish and Vietnamese, at
phone (375x740) and desktop (1280x900) widths, in headless Chromium against the app as
deployed (gunicorn, full demo data): no page scrolls sideways (a wide table scrolls in its own
box), axe-core finds no serious or critical violation, and a
screenshot of each page is saved for a person to look through, under
``test-artifacts/screenshots/<lang>/<width>/<page>.png`` (a CI artefact; see docs/testing.md).

Why the deployed app and not ``live_server``: the crawl should see what people see — the full
demo (goals, figures and charts, campaigns, kiosk sites), served by gunicorn with the
production headers.
"""

from __future__ import annotations

import re

import pytest

from feedback.core.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

# As in tests/browser/conftest.py (not imported: several conftest modules share that name).
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
PHONE = {"width": 375, "height": 740}

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
WIDTHS = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}
LOCALES = ("es", "vi")


def page_name(path: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")
    return name or "home"


@pytest.fixture(scope="module")
def crawl_pages(deployed_app):
    """(staff paths from the admin's navigation, plus report, poster and late replies;
    public paths)."""
    import sqlalchemy as sa

    from feedback.core.extensions import db
    from feedback.responses.models import PartnerSite
    from surveys.models import Survey

    session = deployed_app.session("admin", "en")
    home = session.get(deployed_app.url + "/staff/", timeout=60).text
    nav = re.search(r'<nav class="staff-nav.*?</nav>', home, re.S)
    assert nav, "the staff navigation is missing"
    staff = ["/staff/"] + re.findall(r'href="(/[^"#?]*)"', nav.group(0))
    with deployed_app.app_context():
        surveys = db.session.scalars(
            sa.select(Survey.slug).filter_by(status="open").order_by(Survey.id)).all()
        site = db.session.scalar(sa.select(PartnerSite).order_by(PartnerSite.id))
        kiosk = db.session.scalar(sa.select(PartnerSite).filter_by(kiosk_mode=True))
    staff += ["/staff/review/report", f"/staff/sites/{site.id}/poster",
              "/staff/contacts/late-replies"]  # linked from the home's attention list
    public = ["/", "/results", "/staff/login"]
    for slug in surveys:
        public += [f"/s/{slug}", f"/s/{slug}/thanks"]
    if kiosk is not None and surveys:
        public += [f"/s/{surveys[0]}?site={kiosk.code}",
                   f"/s/{surveys[0]}/thanks?site={kiosk.code}"]
    return list(dict.fromkeys(staff)), public


def _context(browser, deployed_app, width, locale, role):
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True,
                                  locale={"es": "es-US", "vi": "vi-VN"}[locale])
    session = deployed_app.session(role, locale)
    context.add_cookies([{"name": c.name, "value": c.value, "url": deployed_app.url}
                         for c in session.cookies])
    return context


def _axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await window.axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_passes_axe_and_is_photographed(browser, deployed_app, crawl_pages, locale,
                                                   width):
    staff, public = crawl_pages
    folder = SCREENSHOTS / locale / width
    folder.mkdir(parents=True, exist_ok=True)
    problems = {}
    for role, paths in (("admin", staff), (None, public)):
        context = _context(browser, deployed_app, width, locale, role)
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            for path in paths:
                answer = page.goto(deployed_app.url + path, wait_until="load")
                name = page_name(path) + ("" if role else "-public")
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                if answer is None or answer.status >= 400:
                    problems[path] = f"HTTP {answer.status if answer else '?'}"
                    continue
                if page.evaluate("() => document.documentElement.lang") != locale:
                    problems[path] = "page language is not " + locale
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                if wide > WIDTHS[width]["width"]:  # WCAG 1.4.10: tables scroll in a box
                    problems[path] = f"the page scrolls sideways: {wide} px wide"
                    continue
                found = _axe(page)
                if found:
                    problems[path] = [
                        f"{v['impact']} {v['id']}: {v['help']} at "
                        f"{[n['target'] for n in v['nodes']][:3]}" for v in found]
        finally:
            context.close()
    assert problems == {}, f"{locale} {width}: {problems}"
