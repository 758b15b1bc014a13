"""Every GET route of the URL map, requested over HTTP from the deployed app as an admin, a
staff member, a partner viewer and an anonymous visitor, in English, Spanish and Vietnamese:
no 5xx anywhere, and the status each role should see (the crawl table is in crawl.py).

A rule the table does not know fails ``test_every_get_route_is_in_the_crawl_table``: add a row
when adding a page. The table's access column is checked against the view's own
``roles_required``, so the expectation follows the code's role rule.
"""

from __future__ import annotations

import pytest
from crawl import ACCESS_ROLES, LOCALES, ROLES, ROUTES, build_path, expected_status


def test_every_get_route_is_in_the_crawl_table(demo):
    """A new GET route without a row here fails: the crawl must know how to open it."""
    rules = {rule for rule, _endpoint in demo["rules"]}
    assert sorted(rules - set(ROUTES)) == [], "add these GET routes to ROUTES"
    assert sorted(set(ROUTES) - rules) == [], "these ROUTES rows name no route any more"


def test_the_table_follows_each_views_role_rule(demo):
    """The access column agrees with the roles the view itself requires."""
    wrong = {}
    for rule, endpoint in demo["rules"]:
        route = ROUTES.get(rule)
        if route is None:
            continue
        declared = demo["roles"][endpoint]
        expected = None if route.access == "public" else ACCESS_ROLES[route.access]
        if declared == ():
            declared = ACCESS_ROLES["all"]
        if declared is not None and set(declared) != set(expected or ()):
            wrong[rule] = (route.access, declared)
        if declared is None and expected is not None:
            wrong[rule] = (route.access, "no role rule in the view")
    assert wrong == {}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_get_route_answers_as_expected(deployed, demo, role, locale):
    """No 5xx; 200 (or the route's own status) where the role may go, 403 where it may not,
    302 to the sign-in page for anonymous visitors of staff pages.

    A session of its own, not the shared ones: the crawl's kiosk "start over" drops the
    language chosen with the switcher, which later tests of the shared session rely on."""
    session = deployed.session(role, locale)
    wrong = []
    for rule, _endpoint in demo["rules"]:
        route = ROUTES.get(rule)
        if route is None:
            continue  # reported by test_every_get_route_is_in_the_crawl_table
        path = build_path(rule, route, demo, locale)
        answer = session.get(deployed.url + path, allow_redirects=False, timeout=120)
        want = expected_status(route, role)
        if answer.status_code != want:
            wrong.append((path, answer.status_code, want))
        elif want == 302 and route.access != "public":
            assert "/staff/login" in answer.headers.get("Location", ""), path
    if wrong:
        log = deployed.logs()
        print("\n".join(line for line in log.splitlines() if "Traceback" in line or "Error" in line)
              [-3000:])
    assert wrong == [], f"(path, got, expected) as {role or 'anonymous'} in {locale}: {wrong}"


def test_a_partner_viewer_cannot_open_another_partners_site(deployed, sessions, demo):
    """Object-level access: another organisation's site is 'not found', not 'forbidden'."""
    session = sessions("partner_viewer", "en")
    other = demo["other_site_id"]
    for path in (f"/staff/sites/{other}/poster",
                 f"/staff/sites/{other}/qr.svg?survey={demo['slug']}"):
        assert session.get(deployed.url + path, allow_redirects=False,
                           timeout=60).status_code == 404, path


def test_unknown_ids_are_not_found(deployed, sessions):
    """An id that does not exist is a 404 page, not an error."""
    session = sessions("admin", "es")
    for path in ("/staff/goals/999999", "/staff/campaigns/999999", "/staff/answers/999999",
                 "/staff/users/999999", "/staff/sites/999999/poster", "/s/no-such-survey"):
        answer = session.get(deployed.url + path, allow_redirects=False, timeout=60)
        assert answer.status_code == 404, path
