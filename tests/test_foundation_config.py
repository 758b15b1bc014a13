"""The app factory and configuration: development defaults, production refusals, URLs."""

from __future__ import annotations

import pytest

from feedback.app import create_app
from feedback.core.config import DEV_SECRET_KEY, ConfigError, load_config, normalise_database_url


def _production_env(monkeypatch, tmp_path, **values):
    for name in ("FLASK_ENV", "APP_ENV", "SECRET_KEY", "DATABASE_URL", "SMS_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("mode", ["FLASK_ENV", "APP_ENV"])
def test_production_refuses_the_development_secret(monkeypatch, tmp_path, mode):
    _production_env(
        monkeypatch, tmp_path, **{mode: "production", "DATABASE_URL": "postgresql://u@h/db"}
    )
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_to_run_without_a_database_url(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path, FLASK_ENV="production", SECRET_KEY="x" * 40)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app()


def test_production_with_secret_and_database_starts_with_hardened_cookies(
    monkeypatch, tmp_path
):
    _production_env(
        monkeypatch,
        tmp_path,
        APP_ENV="production",
        SECRET_KEY="x" * 40,
        DATABASE_URL="sqlite:///" + str(tmp_path / "prod.sqlite3"),
    )
    app = create_app()
    assert app.config["PRODUCTION"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_development_defaults_use_sqlite_and_queue_in_the_instance_folder(
    monkeypatch, tmp_path
):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.delenv("QUEUE_URL", raising=False)
    app = create_app()
    assert app.config["PRODUCTION"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(
        tmp_path / "coalition.sqlite3"
    )
    from feedback.core.queue import queue

    assert type(queue.huey).__name__ == "SqliteHuey"
    assert queue.huey.storage.filename == str(tmp_path / "queue.sqlite3")


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://user@host/db", "postgresql+psycopg://user@host/db"),
        ("postgres://user:pw@host:5433/db", "postgresql+psycopg://user:pw@host:5433/db"),
        ("postgresql+psycopg://user@host/db", "postgresql+psycopg://user@host/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_database_url_forms(given, expected):
    assert normalise_database_url(given) == expected


def test_environment_variables_are_read(tmp_path):
    cfg = load_config(
        str(tmp_path),
        {"MIN_CELL_SIZE": "5", "ENABLED_LOCALES": "en, es", "PUBLIC_BASE_URL": "https://x.org/"},
    )
    assert cfg["MIN_CELL_SIZE"] == 5
    assert cfg["ENABLED_LOCALES"] == ["en", "es"]
    assert cfg["PUBLIC_BASE_URL"] == "https://x.org"


def test_a_test_mapping_overrides_the_environment(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path, MIN_CELL_SIZE="7")
    app = create_app({"MIN_CELL_SIZE": 3, "QUEUE_URL": "memory://"})
    assert app.config["MIN_CELL_SIZE"] == 3
