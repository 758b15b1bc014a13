"""Staff partner-site pages: scoping by organisation, editing, posters and QR codes."""

from __future__ import annotations

import re

import segno

from feedback.responses.models import Organization, PartnerSite
from tests.fixtures.helpers import csrf_token_from


def test_partner_viewer_sees_only_own_organisation_sites(
    client, db, make_staff, login, make_site
):
    mine = make_site("mine-club", name="Mine Club")
    other = make_site("other-club", name="Other Club")
    make_staff(email="viewer@example.org", role="partner_viewer", org=mine.organization)
    login("viewer@example.org")
    html = client.get("/staff/sites/").get_data(as_text=True)
    assert "Mine Club" in html and "Other Club" not in html
    assert "Add a site" not in html
    assert client.get(f"/staff/sites/{mine.id}/poster").status_code == 200
    assert client.get(f"/staff/sites/{other.id}/poster").status_code == 404
    assert client.get(f"/staff/sites/{other.id}/qr.svg?survey=x").status_code == 404
    assert client.get(f"/staff/sites/{mine.id}/edit").status_code == 403
    assert client.get("/staff/sites/new").status_code == 403


def test_sites_need_sign_in(client, make_site):
    site = make_site()
    assert client.get("/staff/sites/").status_code == 302
    assert client.get(f"/staff/sites/{site.id}/poster").status_code == 302


def test_staff_creates_and_edits_a_site(client, db, make_staff, login, web_app):
    org = Organization(name="Riverside Partners", kind="partner")
    db.session.add(org)
    db.session.commit()
    make_staff()
    login()
    page = client.get("/staff/sites/new").get_data(as_text=True)
    sent = client.post("/staff/sites/new", data={
        "csrf_token": csrf_token_from(page), "code": "River-Lib", "name": "River Library",
        "organization_id": org.id, "neighbourhood": "Riverside", "kiosk_mode": "y",
        "kiosk_reset_seconds": "30",
    })
    assert sent.status_code == 302, sent.get_data(as_text=True)
    site = db.session.scalar(db.select(PartnerSite).filter_by(code="river-lib"))
    assert site.name == "River Library" and site.kiosk_mode and site.kiosk_reset_seconds == 30

    page = client.get(f"/staff/sites/{site.id}/edit").get_data(as_text=True)
    assert 'value="River Library"' in page
    sent = client.post(f"/staff/sites/{site.id}/edit", data={
        "csrf_token": csrf_token_from(page), "code": "river-lib", "name": "River Branch",
        "organization_id": org.id, "neighbourhood": "Riverside", "kiosk_reset_seconds": "20",
    })
    assert sent.status_code == 302
    db.session.refresh(site)
    assert site.name == "River Branch" and not site.kiosk_mode


def test_duplicate_site_code_is_refused_with_a_message(client, db, make_staff, login, make_site):
    existing = make_site("taken")
    make_staff()
    login()
    page = client.get("/staff/sites/new").get_data(as_text=True)
    sent = client.post("/staff/sites/new", data={
        "csrf_token": csrf_token_from(page), "code": "taken", "name": "Second",
        "organization_id": existing.organization_id, "kiosk_reset_seconds": "20",
    })
    assert sent.status_code == 200
    assert "Another site already uses this code." in sent.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(PartnerSite.id))) == 1


def test_qr_download_is_an_svg_of_the_site_survey_link(client, make_staff, login, make_site,
                                                        make_survey, web_app):
    make_survey()
    site = make_site("east-club")
    make_staff()
    login()
    web_app.config["PUBLIC_BASE_URL"] = "https://feedback.example.org"
    got = client.get(f"/staff/sites/{site.id}/qr.svg?survey=test-voice&download=1")
    assert got.status_code == 200 and got.mimetype == "image/svg+xml"
    assert "attachment" in got.headers["Content-Disposition"]
    svg = got.get_data(as_text=True)
    link = "https://feedback.example.org/s/test-voice?site=east-club"
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert link in svg
    # The drawn modules are exactly those of a QR code encoding the link.
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    expected = segno.make(link, error="m").svg_inline(scale=8, border=2)
    assert path in expected


def test_poster_shows_link_and_text_in_chosen_language(client, make_staff, login, make_site,
                                                        make_survey):
    make_survey()
    site = make_site("east-club", name="East Club")
    make_staff()
    login()
    html = client.get(f"/staff/sites/{site.id}/poster?survey=test-voice&lang=es").get_data(
        as_text=True
    )
    assert 'lang="es"' in html
    assert "Voz de prueba" in html  # the survey title in Spanish
    assert "/s/test-voice?site=east-club" in html
    assert f"/staff/sites/{site.id}/qr.svg?survey=test-voice" in html


def test_qr_for_closed_or_unknown_survey_is_not_found(client, make_staff, login, make_site,
                                                       make_survey):
    make_survey(status="closed")
    site = make_site()
    make_staff()
    login()
    assert client.get(f"/staff/sites/{site.id}/qr.svg?survey=test-voice").status_code == 404
    html = client.get(f"/staff/sites/{site.id}/poster").get_data(as_text=True)
    assert "There is no open survey to advertise yet." in html
