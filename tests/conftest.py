"""Fixtures: an app per test on a fresh database (SQLite file, or PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from feedback.app import create_app
from feedback.core.extensions import db as _db

#: Every shared fixture, loaded once and one way (test modules import none of them).
pytest_plugins = [
    "tests.fixtures.analysis",
    "tests.fixtures.outbound",
    "tests.fixtures.review",
    "tests.fixtures.sms",
    "tests.fixtures.staff",
    "tests.fixtures.webform",
]

TEST_DATABASE_URL = os.environ.get("DATABASE_URL", "")


def _test_config(tmp_path) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "QUEUE_URL": "memory://",
        "QUEUE_IMMEDIATE": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SMS_BACKEND": "console",
        "PSEUDONYM_KEY": "test-pseudonym-key",
        "SERVER_NAME": "localhost",
    }
    if TEST_DATABASE_URL:
        from feedback.core.config import normalise_database_url

        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(TEST_DATABASE_URL)
    else:
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(tmp_path / "test.sqlite3")
    return config


@pytest.fixture(autouse=True, scope="session")
def _model_cache(tmp_path_factory):
    """Trained models go to a per-session temporary cache, never the user's home."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "model-cache"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def _schema_ready():
    """On PostgreSQL the schema is built once per run and emptied between tests."""
    return {}


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    The ``app`` fixture keeps one app context pushed for the whole test, and Flask reuses it
    for each request; without this, Flask-Login's cached user and Flask-Babel's cached locale
    would leak from one request to the next (a logged-out cookie would still look signed in).
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app_config():
    """Settings a test module adds to the test configuration (override it in the module)."""
    return {}


@pytest.fixture
def app(tmp_path, _schema_ready, app_config):
    """A fresh app and empty database for each test."""
    app = create_app({**_test_config(tmp_path), **app_config})
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        if TEST_DATABASE_URL:
            if not _schema_ready.get("done"):
                _db.drop_all()
                _db.create_all()
                _schema_ready["done"] = True
            else:
                _empty_all_tables()
        else:
            _db.create_all()
        yield app
        _db.session.remove()
        # each test's app has its own engine: close its connections on every database, or a
        # psycopg connection left to the garbage collector fails a later test
        # (filterwarnings=error)
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    return _db
