"""Staff sign-in: passwords, rate limits, roles, server-side logout and session timeouts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Blueprint

from feedback.responses.models import StaffSession, utcnow
from feedback.staff.auth import PasswordPolicyError, hash_password
from tests.fixtures.helpers import csrf_token_from

PASSWORD = "correct horse battery"


def test_login_succeeds_and_opens_the_staff_home(client, make_staff, login):
    make_staff(email="ana@example.org")
    response = login("ANA@example.org ", PASSWORD)
    assert response.status_code == 302
    page = client.get("/staff/").get_data(as_text=True)
    assert "ana@example.org" in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client, make_staff, login
):
    make_staff(email="ana@example.org")
    wrong = login("ana@example.org", "not the password")
    unknown = login("nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_passwords_are_hashed_with_scrypt_and_long_ones_are_not_truncated(
    client, make_staff, login
):
    long_password = "a" * 70 + "b"
    make_staff(email="long@example.org", password=long_password)
    assert login("long@example.org", "a" * 70 + "c").status_code == 401
    assert login("long@example.org", long_password).status_code == 302
    assert hash_password("eight ch").startswith("scrypt:")
    with pytest.raises(PasswordPolicyError):
        hash_password("seven c")


def test_repeated_failures_on_one_account_are_rate_limited(app, client, make_staff, login):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per 15 minutes"
    make_staff(email="ana@example.org")
    codes = [login("ana@example.org", "wrong password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    # Even the right password waits: the attacker must not learn it worked.
    assert login("ana@example.org", PASSWORD).status_code == 429
    # Another account from the same address is not blocked by this one.
    make_staff(email="bao@example.org")
    assert login("bao@example.org", PASSWORD).status_code == 302


def test_repeated_failures_from_one_address_are_rate_limited(app, client, make_staff, login):
    app.config["LOGIN_RATE_LIMIT_IP"] = "4 per 15 minutes"
    codes = [login(f"user{i}@example.org", "wrong password").status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    page = login("user9@example.org", "wrong password")
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)


def test_successful_logins_do_not_use_up_the_limit(app, client, make_staff, login):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "2 per 15 minutes"
    make_staff(email="ana@example.org")
    for _ in range(4):
        assert login("ana@example.org", PASSWORD).status_code == 302
        token = csrf_token_from(client.get("/staff/").get_data(as_text=True))
        client.post("/staff/logout", data={"csrf_token": token})


@pytest.fixture
def protected_views(app):
    """Two tiny staff views, one for any staff role and one for admins only."""
    from feedback.core.roles import ADMIN, STAFF_ROLES, roles_required

    bp = Blueprint("auth_probe", __name__, url_prefix="/staff/probe")

    @bp.get("/staff")
    @roles_required(*STAFF_ROLES)
    def for_staff():
        return "staff page"

    @bp.get("/admin")
    @roles_required(*ADMIN)
    def for_admin():
        return "admin page"

    app.register_blueprint(bp)
    return app


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_a_too_low_role_gets_403(protected_views, client, make_staff, login):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login("viewer@example.org", PASSWORD)
    assert client.get("/staff/probe/staff").status_code == 403
    refused = client.get("/staff/probe/admin")
    assert refused.status_code == 403
    assert "You do not have access" in refused.get_data(as_text=True)


def test_each_role_reaches_its_own_pages(protected_views, client, make_staff, login):
    make_staff(email="staff@example.org", role="staff")
    login("staff@example.org", PASSWORD)
    assert client.get("/staff/probe/staff").get_data(as_text=True) == "staff page"
    assert client.get("/staff/probe/admin").status_code == 403


def test_a_cookie_replayed_after_logout_is_refused(app, client, make_staff, login):
    make_staff(email="ana@example.org")
    login("ana@example.org", PASSWORD)
    cookie = client.get_cookie("session").value
    page = client.get("/staff/").get_data(as_text=True)
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(page)})
    assert client.get("/staff/").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="localhost")
    replay = thief.get("/staff/")
    assert replay.status_code == 302
    assert "/staff/login" in replay.headers["Location"]


def test_login_starts_a_new_session(app, client, make_staff, login, db):
    make_staff(email="ana@example.org")
    login("ana@example.org", PASSWORD)
    first = db.session.scalars(db.select(StaffSession.id)).all()
    login_again = app.test_client()
    page = login_again.get("/staff/login").get_data(as_text=True)
    login_again.post(
        "/staff/login",
        data={
            "email": "ana@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    both = db.session.scalars(db.select(StaffSession.id)).all()
    assert len(both) == 2 and set(first) < set(both)


def _age_session(db, **ages):
    row = db.session.scalars(db.select(StaffSession)).one()
    for column, age in ages.items():
        setattr(row, column, utcnow() - age)
    db.session.commit()


def test_idle_sessions_expire(app, client, make_staff, login, db):
    make_staff(email="ana@example.org")
    login("ana@example.org", PASSWORD)
    _age_session(db, last_seen_at=app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1))
    assert client.get("/staff/").status_code == 200
    _age_session(db, last_seen_at=app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1))
    assert client.get("/staff/").status_code == 302
    assert db.session.scalar(db.select(db.func.count(StaffSession.id))) == 0


def test_sessions_end_after_the_absolute_timeout_even_when_active(
    app, client, make_staff, login, db
):
    make_staff(email="ana@example.org")
    login("ana@example.org", PASSWORD)
    _age_session(
        db,
        created_at=app.config["SESSION_ABSOLUTE_TIMEOUT"] + timedelta(minutes=1),
        last_seen_at=timedelta(seconds=5),
    )
    assert client.get("/staff/").status_code == 302


def test_create_admin_command(runner, client, login):
    result = runner.invoke(
        args=["create-admin", "--email", "Boss@Example.org", "--password", "a long passphrase"]
    )
    assert result.exit_code == 0, result.output
    assert login("boss@example.org", "a long passphrase").status_code == 302
    short = runner.invoke(args=["create-admin", "--email", "x@example.org", "--password", "short"])
    assert short.exit_code != 0
