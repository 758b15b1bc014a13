"""What every response promises: security headers, CSRF, error pages, health check, logs."""

from __future__ import annotations

import io
import logging

import pytest
from flask import Blueprint
from flask_babel import force_locale, gettext

from feedback.core.extensions import db as _db


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "script-src 'self'", "style-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_staff_pages_are_never_cached(client, make_staff, login):
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    make_staff()
    login()
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, make_staff, login):
    make_staff()
    response = login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_post_without_csrf_token_gets_a_clear_400_page(app, client, make_staff):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    response = client.post(
        "/staff/login", data={"email": "staff@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form expired or was sent from elsewhere" in page
    assert "<html" in page and "Traceback" not in page


def test_404_page_is_translated_into_the_browsers_language(app, client):
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    with app.test_request_context(), force_locale("es"):
        title = gettext("Page not found")
    assert title in page


def test_an_id_too_long_to_be_real_in_a_link_is_page_not_found(client, make_staff, login):
    """A number in a link beyond what an id column holds (a pasted or garbled link) is a
    404, like any unknown page, not the database's overflow error."""
    make_staff("staff@example.org", role="staff")
    login("staff@example.org")
    huge = "9" * 25
    for path in (f"/staff/campaigns/{huge}/edit", f"/staff/campaigns/{huge}",
                 f"/staff/campaigns/pulses/{huge}", f"/staff/contacts/{huge}",
                 f"/staff/campaigns/{2**31}", f"/results/{huge}"):
        assert client.get(path).status_code == 404, path


def test_500_page_leaks_nothing(app, client):
    bp = Blueprint("boom", __name__)

    @bp.get("/boom")
    def boom():
        raise RuntimeError("secret detail /srv/app/secret.py")

    app.register_blueprint(bp)
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "secret detail" not in page and "Traceback" not in page


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok" and response.get_json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(app, client, tmp_path):
    # A database file inside a missing directory can never be opened.
    ext = app.extensions["sqlalchemy"]
    engines = ext._app_engines[app]
    good = engines[None]
    _db.session.remove()
    bad = ext._make_engine(None, {"url": "sqlite:///" + str(tmp_path / "missing" / "x.db")}, app)
    engines[None] = bad
    try:
        response = client.get("/healthz")
    finally:
        _db.session.remove()
        engines[None] = good
        bad.dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def log_output(app):
    """Everything the project's JSON log handler writes, as text."""
    handler = logging.getLogger("feedback").handlers[0]
    buffer = io.StringIO()
    original = handler.stream
    handler.stream = buffer
    yield buffer
    handler.stream = original


def test_logs_never_show_phone_numbers_or_secrets(app, log_output):
    log = logging.getLogger("feedback.test")
    log.warning("texting %s and (504) 555-0134", "+15045550134")
    log.warning("key is %s", app.config["SECRET_KEY"])
    log.warning("handled 12 answers at 2026-03-01 10:15:00")
    text = log_output.getvalue()
    assert "5045550134" not in text and "555-0134" not in text
    assert app.config["SECRET_KEY"] not in text
    assert "handled 12 answers at 2026-03-01 10:15:00" in text


def test_failed_logins_are_logged_without_the_password(client, make_staff, login, log_output):
    make_staff(email="ana@example.org")
    login("ana@example.org", "my secret guess")
    text = log_output.getvalue()
    assert "login_failed" in text
    assert "my secret guess" not in text


def test_unexpected_errors_are_logged_with_frames_but_not_messages(app, client, log_output):
    bp = Blueprint("boom2", __name__)

    @bp.get("/boom2")
    def boom2():
        raise ValueError("body: meet me at +1 504 555 0134")

    app.register_blueprint(bp)
    assert client.get("/boom2").status_code == 500
    text = log_output.getvalue()
    assert "ValueError" in text and "in boom2" in text
    assert "meet me" not in text and "555" not in text


def test_per_address_limits_see_the_client_behind_a_trusted_proxy(tmp_path, monkeypatch):
    from feedback.app import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({
        "TESTING": True, "QUEUE_URL": "memory://", "TRUSTED_PROXY_COUNT": 1,
        "SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT_IP": "2 per 15 minutes",
    })
    with app.app_context():
        _db.create_all()
    client = app.test_client()

    def attempt(ip):
        return client.post(
            "/staff/login", data={"email": f"{ip}@example.org", "password": "wrong password"},
            headers={"X-Forwarded-For": ip},
        ).status_code

    assert [attempt("203.0.113.5") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.7") == 401  # another client behind the same proxy
