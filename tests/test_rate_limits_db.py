"""Login limits counted in the database (the default store), where every process sees them."""

from __future__ import annotations

import hashlib

import pytest

from feedback.app import create_app
from feedback.core.extensions import db as _db
from feedback.core.rate_limits import DatabaseStorage, RateLimitCounter
from tests.conftest import FreshGlobalsClient, _test_config
from tests.fixtures.helpers import csrf_token_from

PASSWORD = "correct horse battery"


@pytest.fixture
def db_limited_app(app, tmp_path):
    """A second app on the same database whose limits are counted in it (a second process)."""
    config = _test_config(tmp_path)
    config.update(RATELIMIT_STORAGE_URI="database://",
                  SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    other = create_app(config)
    other.test_client_class = FreshGlobalsClient
    with other.app_context():
        yield other
        _db.session.remove()
        _db.engine.dispose()


def _login(client, email, password):
    token = csrf_token_from(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login",
                       data={"email": email, "password": password, "csrf_token": token})


def test_default_store_is_the_database():
    from feedback.core.config import load_config

    assert load_config("/tmp", {})["RATELIMIT_STORAGE_URI"] == "database://"


def test_failures_are_counted_in_the_database(db_limited_app, make_staff):
    db_limited_app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per 15 minutes"
    make_staff(email="ana@example.org")
    client = db_limited_app.test_client()
    codes = [_login(client, "ana@example.org", "wrong").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    # The count is a row every process reads, not a number in this process's memory.
    counters = {row.key: row.count for row in _db.session.scalars(_db.select(RateLimitCounter))}
    account = hashlib.sha256(b"ana@example.org").hexdigest()  # the key holds a digest
    assert any(account in key and count >= 3 for key, count in counters.items())
    # A new client (another worker would read the same row) is refused as well.
    assert _login(db_limited_app.test_client(), "ana@example.org", PASSWORD).status_code == 429


def test_window_restarts_after_expiry(db_limited_app):
    storage = DatabaseStorage()
    assert storage.incr("k", 60) == 1 and storage.incr("k", 60) == 2
    assert storage.get("k") == 2
    assert storage.incr("gone", -1) == 1  # a window that has already ended
    assert storage.get("gone") == 0 and storage.incr("gone", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0


def test_a_long_email_is_limited_like_any_other(db_limited_app, make_staff):
    """An e-mail may have 254 characters; the limit's stored key has 255. The key holds a
    digest of the e-mail, so a long one is neither a server error (PostgreSQL refused the
    key) nor an account whose password can be guessed without limit."""
    db_limited_app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per 15 minutes"
    email = "x" * 230 + "@example.org"
    make_staff(email=email)
    client = db_limited_app.test_client()
    assert [_login(client, email, "wrong guess").status_code for _ in range(4)] == \
        [401, 401, 401, 429]
    assert _login(client, "a" * 300 + "@example.org", "wrong").status_code < 500
