"""Staff account pages: admins manage accounts (audited); everyone edits their own profile."""

from __future__ import annotations

from feedback.responses.models import Organization, StaffSession, StaffUser
from tests.fixtures.helpers import csrf_token_from, post_form

PASSWORD = "correct horse battery"


def _admin(make_staff, login):
    admin = make_staff(email="admin@example.org", role="admin")
    login("admin@example.org", PASSWORD)
    return admin


def test_only_admins_see_the_accounts_page(client, make_staff, login):
    assert client.get("/staff/users").status_code == 302
    make_staff(email="staff@example.org", role="staff")
    login("staff@example.org", PASSWORD)
    assert client.get("/staff/users").status_code == 403


def test_admin_creates_a_partner_viewer_who_can_then_sign_in(app, client, make_staff, login, db):
    _admin(make_staff, login)
    org = Organization(name="Familias Unidas", kind="partner")
    db.session.add(org)
    db.session.commit()
    response = post_form(
        client,
        "/staff/users",
        {"email": "Viewer@Example.org", "password": "p" * 70, "role": "partner_viewer",
         "organization_id": str(org.id)},
    )
    assert response.status_code == 302
    listing = client.get("/staff/users").get_data(as_text=True)
    assert "viewer@example.org" in listing and "Familias Unidas" in listing

    other = app.test_client()
    page = other.get("/staff/login").get_data(as_text=True)
    signed_in = other.post("/staff/login", data={
        "email": "viewer@example.org", "password": "p" * 70,
        "csrf_token": csrf_token_from(page)})
    assert signed_in.status_code == 302


def test_account_creation_refuses_short_passwords_duplicates_and_viewers_without_org(
    client, make_staff, login
):
    _admin(make_staff, login)
    short = post_form(client, "/staff/users",
                  {"email": "a@example.org", "password": "seven c", "role": "staff"})
    assert short.status_code == 400 and "at least 8 characters" in short.get_data(as_text=True)
    dup = post_form(client, "/staff/users",
                {"email": "ADMIN@example.org", "password": PASSWORD, "role": "staff"})
    assert "already exists" in dup.get_data(as_text=True)
    viewer = post_form(client, "/staff/users",
                   {"email": "v@example.org", "password": PASSWORD, "role": "partner_viewer"})
    assert "must belong to an organisation" in viewer.get_data(as_text=True)


def test_role_change_is_audited_and_applies_at_once(app, client, make_staff, login, db):
    from feedback.core.audit import AuditEvent

    admin = _admin(make_staff, login)
    staff = make_staff(email="staff@example.org", role="staff")
    staff_client = app.test_client()
    page = staff_client.get("/staff/login").get_data(as_text=True)
    staff_client.post("/staff/login", data={
        "email": "staff@example.org", "password": PASSWORD, "csrf_token": csrf_token_from(page)})
    assert staff_client.get("/staff/").status_code == 200

    url = f"/staff/users/{staff.id}"
    assert post_form(client, url, {"role": "admin", "organization_id": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffUser, staff.id).role == "admin"
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="role.change")).one()
    assert event.user_id == admin.id and event.target_id == str(staff.id)
    assert event.details["old"]["role"] == "staff" and event.details["new"]["role"] == "admin"
    # The old session ran on the old role: it is gone.
    assert staff_client.get("/staff/").status_code == 302


def test_the_last_admin_cannot_step_down_or_deactivate_themselves(
    client, make_staff, login, db
):
    admin = _admin(make_staff, login)
    url = f"/staff/users/{admin.id}"
    refused = post_form(client, url, {"role": "staff", "organization_id": ""})
    assert "at least one active administrator" in refused.get_data(as_text=True)
    post_form(client, f"/staff/users/{admin.id}/deactivate", {}, page_url=url)
    db.session.expire_all()
    assert db.session.get(StaffUser, admin.id).active is True


def test_deactivation_ends_every_session_and_blocks_sign_in(app, client, make_staff, login, db):
    _admin(make_staff, login)
    staff = make_staff(email="staff@example.org", role="staff")
    staff_client = app.test_client()
    page = staff_client.get("/staff/login").get_data(as_text=True)
    creds = {"email": "staff@example.org", "password": PASSWORD}
    staff_client.post("/staff/login", data={**creds, "csrf_token": csrf_token_from(page)})
    assert staff_client.get("/staff/").status_code == 200

    url = f"/staff/users/{staff.id}"
    assert post_form(client, f"{url}/deactivate", {}, page_url=url).status_code == 302
    assert db.session.scalar(
        db.select(db.func.count(StaffSession.id)).where(StaffSession.user_id == staff.id)
    ) == 0
    assert staff_client.get("/staff/").status_code == 302
    page = staff_client.get("/staff/login").get_data(as_text=True)
    again = staff_client.post("/staff/login", data={**creds, "csrf_token": csrf_token_from(page)})
    assert again.status_code == 401

    post_form(client, f"{url}/activate", {}, page_url=url)
    page = staff_client.get("/staff/login").get_data(as_text=True)
    back = staff_client.post("/staff/login", data={**creds, "csrf_token": csrf_token_from(page)})
    assert back.status_code == 302


def test_staff_choose_their_interface_language(client, make_staff, login):
    make_staff(email="staff@example.org", role="staff")
    login("staff@example.org", PASSWORD)
    response = post_form(client, "/staff/profile/language", {"locale": "vi"}, "/staff/profile")
    assert response.status_code == 302
    page = client.get("/staff/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="vi">' in page
    refused = post_form(client, "/staff/profile/language", {"locale": "fr"}, "/staff/profile")
    assert refused.status_code == 400


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    app, client, make_staff, login
):
    make_staff(email="staff@example.org", role="staff")
    login("staff@example.org", PASSWORD)
    elsewhere = app.test_client()
    page = elsewhere.get("/staff/login").get_data(as_text=True)
    elsewhere.post("/staff/login", data={
        "email": "staff@example.org", "password": PASSWORD, "csrf_token": csrf_token_from(page)})

    wrong = post_form(client, "/staff/profile/password", {
        "current_password": "not it", "new_password": "a brand new phrase",
        "confirm": "a brand new phrase"}, "/staff/profile")
    assert wrong.status_code == 400 and "not correct" in wrong.get_data(as_text=True)
    ok = post_form(client, "/staff/profile/password", {
        "current_password": PASSWORD, "new_password": "a brand new phrase",
        "confirm": "a brand new phrase"}, "/staff/profile")
    assert ok.status_code == 302
    assert client.get("/staff/").status_code == 200  # this session continues
    assert elsewhere.get("/staff/").status_code == 302  # the other one ended
    page = elsewhere.get("/staff/login").get_data(as_text=True)
    old = elsewhere.post("/staff/login", data={
        "email": "staff@example.org", "password": PASSWORD, "csrf_token": csrf_token_from(page)})
    assert old.status_code == 401
