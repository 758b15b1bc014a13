"""Contacts CSV import: E.164 numbers, row-by-row errors, merges, opt-outs kept; who sees what."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from feedback.responses.models import Organization, PartnerSite
from messaging.contacts.operations import import_contacts
from messaging.models import Contact
from tests.fixtures.helpers import csrf_token_from

CSV = """phone,name,language,site,groups
(504) 555-0101,Ana,es,central,parents;tutoring
+1 504 555 0102,Binh,vi,,parents|youth-council
5045550103,,English,,parents
not a phone,Bad Number,en,,parents
,Missing,en,,parents
504-555-0104,Unknown Language,klingon,,parents
504-555-0105,Unknown Site,en,nowhere,parents
504.555.0101,Ana again,en,,seniors
"""


@pytest.fixture
def site(db):
    org = Organization(name="Partner", kind="partner")
    site = PartnerSite(code="central", name="Central Library", organization=org)
    db.session.add_all([org, site])
    db.session.commit()
    return site


def _contact(db, phone):
    return db.session.scalar(sa.select(Contact).where(Contact.phone == phone))


def test_import_normalises_numbers_and_reports_bad_rows(app, db, site):
    report = import_contacts(CSV, "paper-form", "US")
    assert report.created == 3 and report.updated == 0
    rows = [row for row, _ in report.errors]
    assert rows == [5, 6, 7, 8]
    messages = dict(report.errors)
    assert "not a phone" in messages[5]
    assert "klingon" in messages[7]
    assert "nowhere" in messages[8]
    ana = _contact(db, "+15045550101")
    assert ana.site_id == site.id and ana.consent_source == "paper-form"
    # The duplicate row merged into Ana: groups united, later language wins.
    assert ana.groups == ["parents", "tutoring", "seniors"]
    assert ana.locale == "en" and ana.name == "Ana again"
    assert _contact(db, "+15045550102").groups == ["parents", "youth-council"]
    assert _contact(db, "+15045550103").locale == "en"
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 3


def test_reimport_merges_and_keeps_opt_outs(app, db, site):
    import_contacts(CSV, "paper-form", "US")
    binh = _contact(db, "+15045550102")
    binh.opted_out = True
    db.session.commit()
    report = import_contacts("phone,groups\n+15045550102,newsletter\n", "enrollment", "US")
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    db.session.refresh(binh)
    assert binh.opted_out
    assert binh.groups == ["parents", "youth-council", "newsletter"]


def test_other_regions_are_read_with_the_default_region(app, db):
    report = import_contacts("phone\n0612345678\n", "paper-form", "FR")
    assert report.created == 1
    assert _contact(db, "+33612345678") is not None


def test_file_without_phone_column_is_refused(app, db):
    report = import_contacts("name,language\nAna,es\n", "paper-form", "US")
    assert report.created == 0 and report.errors and report.errors[0][0] == 1


def test_admin_imports_through_the_page_and_sees_numbers(app, db, client, make_staff,
                                                         login, site):
    make_staff(email="admin@example.org", role="admin")
    login("admin@example.org")
    page = client.get("/staff/contacts/import")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/staff/contacts/import",
        data={"csrf_token": token, "consent_source": "enrollment",
              "file": (io.BytesIO(CSV.encode()), "families.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not a phone" in html  # the row-by-row report
    listing = client.get("/staff/contacts/").get_data(as_text=True)
    assert "+15045550101" in listing


def test_import_without_csrf_is_refused(app, db, client, make_staff, login):
    make_staff(email="admin@example.org", role="admin")
    login("admin@example.org")
    response = client.post(
        "/staff/contacts/import",
        data={"consent_source": "enrollment",
              "file": (io.BytesIO(CSV.encode()), "families.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 200)
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_staff_see_group_counts_but_no_numbers(app, db, client, make_staff, login, site):
    import_contacts(CSV, "paper-form", "US")
    make_staff(email="staff@example.org", role="staff")
    login("staff@example.org")
    html = client.get("/staff/contacts/").get_data(as_text=True)
    assert "parents" in html and "tutoring" in html
    assert "555" not in html and "+1504" not in html
    assert client.get("/staff/contacts/import").status_code == 403


def test_partner_viewers_cannot_open_contacts(app, client, make_staff, login):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get("/staff/contacts/").status_code == 403


def test_import_from_the_command_line(app, db, runner, site, tmp_path):
    path = tmp_path / "families.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["sms-out", "import-contacts", str(path),
                                 "--consent", "paper-form"])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output and "row 5:" in result.output
    assert _contact(db, "+15045550102").consent_source == "paper-form"
