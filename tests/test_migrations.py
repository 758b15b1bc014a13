"""The one initial migration builds the whole schema from empty, on SQLite and PostgreSQL, and
agrees exactly with the models (autogenerate finds nothing to add, drop or alter)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from feedback.app import create_app
from feedback.core.config import PROJECT_ROOT, normalise_database_url
from feedback.core.extensions import db

TEST_DATABASE_URL = os.environ.get("DATABASE_URL", "")
HAS_MIGRATIONS = any((PROJECT_ROOT / "migrations" / "versions").glob("*.py"))

pytestmark = [
    pytest.mark.skipif(
        not HAS_MIGRATIONS,
        reason="migrations/versions is empty: the initial migration is generated last",
    ),
]


@contextmanager
def _fresh_postgres_database():
    """A brand-new database beside the one DATABASE_URL names, dropped afterwards."""
    url = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL))
    name = "cf_migration_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _databases(tmp_path):
    yield "sqlite", "sqlite:///" + str(tmp_path / "migrated.sqlite3")
    if TEST_DATABASE_URL.startswith(("postgres://", "postgresql")):
        with _fresh_postgres_database() as url:
            yield "postgresql", url


def _differences(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, db.metadata)


def _app_for(url, tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "QUEUE_URL": "memory://",
            "QUEUE_IMMEDIATE": True,
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )


def test_upgrade_from_empty_matches_the_models_on_every_database(tmp_path):
    from flask_migrate import downgrade, upgrade

    checked = []
    for dialect, url in _databases(tmp_path):
        app = _app_for(url, tmp_path)
        with app.app_context():
            try:
                upgrade()
                tables = set(sa.inspect(db.engine).get_table_names())
                assert set(db.metadata.tables) <= tables, dialect
                assert _differences(app) == [], dialect
                # Downgrading to nothing and back works too (a broken downgrade blocks fixes).
                downgrade(revision="base")
                assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
                upgrade()
                assert _differences(app) == [], dialect
            finally:
                db.session.remove()
                db.engine.dispose()
        checked.append(dialect)
    assert "sqlite" in checked
    if TEST_DATABASE_URL.startswith(("postgres://", "postgresql")):
        assert "postgresql" in checked


def test_the_flask_db_upgrade_command_works_from_empty(tmp_path):
    app = _app_for("sqlite:///" + str(tmp_path / "cli.sqlite3"), tmp_path)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "staff_user" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
