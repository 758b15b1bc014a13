"""Locale negotiation: session choice, stored preference, Accept-Language, default."""

from __future__ import annotations

import pytest
from flask import Blueprint, g, render_template_string


@pytest.fixture
def preference_probe(app):
    """A page whose view stores a respondent preference, as the survey form does."""
    bp = Blueprint("locale_probe", __name__)

    @bp.get("/probe/<pref>")
    def probe(pref):
        g.preferred_locale = pref
        return render_template_string('{% extends "base.html" %}')

    app.register_blueprint(bp)
    return app


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('<html lang="') + len('<html lang="')
    return page[start : page.index('"', start)]


def test_4_default_when_the_browser_says_nothing_we_offer(client):
    assert _lang(client.get("/")) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "fr, de;q=0.5"})) == "en"


def test_3_accept_language_picks_the_best_enabled_locale(client):
    assert _lang(client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})) == "es"
    assert _lang(client.get("/", headers={"Accept-Language": "fr;q=1, vi;q=0.8"})) == "vi"


def test_2_a_stored_preference_beats_the_browser(preference_probe, client):
    response = client.get("/probe/vi", headers={"Accept-Language": "es"})
    assert _lang(response) == "vi"
    # A preference for a language the coalition has not enabled is ignored.
    assert _lang(client.get("/probe/fr", headers={"Accept-Language": "es"})) == "es"


def test_2_a_staff_members_saved_language_applies_on_every_page(client, make_staff, login, db):
    user = make_staff(email="staff@example.org")
    user.locale = "es"
    db.session.commit()
    login("staff@example.org", "correct horse battery")
    assert _lang(client.get("/", headers={"Accept-Language": "vi"})) == "es"


def test_1_the_switcher_choice_beats_everything(preference_probe, client):
    switched = client.get("/lang/es?next=/probe/vi")
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/probe/vi")
    assert _lang(client.get("/probe/vi", headers={"Accept-Language": "vi"})) == "es"
    assert _lang(client.get("/", headers={"Accept-Language": "vi"})) == "es"


def test_the_switcher_lists_every_language_in_its_own_name(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("English", "Español", "Tiếng Việt"):
        assert name in page


def test_the_switcher_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get("/lang/vi", query_string={"next": target})
        assert response.headers["Location"] in ("/", "http://localhost/")


def test_disabled_locales_are_not_offered_or_chosen(app, client):
    app.config["ENABLED_LOCALES"] = ["en", "es"]
    assert "Tiếng Việt" not in client.get("/").get_data(as_text=True)
    client.get("/lang/vi")
    assert _lang(client.get("/", headers={"Accept-Language": "vi"})) == "en"


def test_jobs_outside_a_request_get_the_default_locale(app):
    from flask_babel import get_locale

    with app.app_context():
        assert str(get_locale()) == "en"
