"""Settings: safe development defaults, overridden by environment variables, then by a test mapping.

This module imports nothing of the project (the lowest row of docs/architecture.md).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

#: The development secret; production refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"

#: Variables read from the environment, with their development defaults.
ENV_DEFAULTS: dict[str, str] = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "DATABASE_URL": "",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_FROM_NUMBER": "",
    "TWILIO_MESSAGING_SERVICE_SID": "",
    "TWILIO_API_BASE_URL": "",
    "SMS_BACKEND": "console",
    "PUBLIC_BASE_URL": "",
    "QUEUE_URL": "",
    "QUEUE_NAME": "coalition-feedback",
    "RATELIMIT_STORAGE_URI": "database://",
    "TIMEZONE": "America/Chicago",
    "MIN_CELL_SIZE": "10",
    "DISCLOSURE_ROUNDING_BASE": "5",
    "INTAKE_LIMIT_PER_ADDRESS": "3",
    "INTAKE_KIOSK_LIMIT_PER_ADDRESS": "150",
    "INTAKE_BURST_COUNT": "8",
    "INTAKE_BURST_SECONDS": "300",
    "FIGURES_EXCLUDE_ORIGINS": "",
    "ENABLED_LOCALES": "en,es,vi",
    "DEFAULT_LOCALE": "en",
    "DEFAULT_PHONE_REGION": "US",
    "COALITION_NAME": "Coalition Feedback",
    "COALITION_CONTACT": "feedback@example.org",
    "PSEUDONYM_KEY": "",
    "RETENTION_DAYS": "365",
    "SITTING_HOURS": "24",
    "SITTING_RATE_LIMIT": "120 per hour",
    "FAULT_INJECTION": "",
    "LOG_LEVEL": "INFO",
    "TRUSTED_PROXY_COUNT": "0",
    "SMS_CONVERSATION_TTL_HOURS": "48",
    "SMS_RATE_PER_SECOND": "1",
    "QUIET_HOURS_START": "21",
    "QUIET_HOURS_END": "8",
    "REMINDER_DELAY_HOURS": "24",
    "SMS_MAX_ATTEMPTS": "6",
    "SMS_VALIDITY_PERIOD": "14400",
    "TAGGING_SWEEP_AFTER_SECONDS": "60",
    "REVIEW_COUNT_IN_PAGE": "250000",
    "BENCHMARK_ENDPOINTS": "",
}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen mode."""


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgresql://`` / ``postgres://`` forms and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(database_url: str) -> dict:
    """The engine's settings for the database URL the app ends up with (the app factory
    applies them after a test's own settings). On a server database the pool hands out the
    connection used last (LIFO): a worker then works on one warm connection, whose server
    process has its caches and prepared statements, instead of taking turns with a spare it
    once needed; and after a database restart only the connections in use reconnect
    (docs/reliability.md)."""
    # hide_parameters: a database error's text never carries a phone number or a message
    # body, wherever it is printed (docs/privacy.md)
    options = {"pool_pre_ping": True, "hide_parameters": True}
    if normalise_database_url(database_url).startswith("postgresql"):
        options["pool_use_lifo"] = True
    return options


def load_config(instance_path: str, environ: os._Environ | dict | None = None) -> dict:
    """Build the settings mapping from defaults and the environment."""
    env = os.environ if environ is None else environ
    get = lambda name: env.get(name, ENV_DEFAULTS[name])  # noqa: E731
    production = env.get("FLASK_ENV", env.get("APP_ENV", "")).lower() == "production"
    database_url = get("DATABASE_URL")
    cfg = {
        "PRODUCTION": production,
        "SECRET_KEY": get("SECRET_KEY"),
        "DATABASE_URL_SET": bool(database_url),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url)
        or "sqlite:///" + os.path.join(instance_path, "coalition.sqlite3"),
        "QUEUE_URL": get("QUEUE_URL"),
        "QUEUE_NAME": get("QUEUE_NAME"),
        "QUEUE_IMMEDIATE": False,
        "RATELIMIT_STORAGE_URI": get("RATELIMIT_STORAGE_URI"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SMS_BACKEND": get("SMS_BACKEND"),
        "TWILIO_ACCOUNT_SID": get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM_NUMBER": get("TWILIO_FROM_NUMBER"),
        "TWILIO_MESSAGING_SERVICE_SID": get("TWILIO_MESSAGING_SERVICE_SID"),
        "TWILIO_API_BASE_URL": get("TWILIO_API_BASE_URL"),
        "PUBLIC_BASE_URL": get("PUBLIC_BASE_URL").rstrip("/"),
        "TIMEZONE": get("TIMEZONE"),
        "BABEL_DEFAULT_TIMEZONE": get("TIMEZONE"),
        "MIN_CELL_SIZE": int(get("MIN_CELL_SIZE")),
        # Disclosure control and anti-padding (docs/privacy.md): rounding base of published
        # counts, public-form completions per site+address a day (kiosk sites: their own
        # allowance), a burst at one site, and response origins left out of figures.
        "DISCLOSURE_ROUNDING_BASE": int(get("DISCLOSURE_ROUNDING_BASE")),
        "INTAKE_LIMIT_PER_ADDRESS": int(get("INTAKE_LIMIT_PER_ADDRESS")),
        "INTAKE_KIOSK_LIMIT_PER_ADDRESS": int(get("INTAKE_KIOSK_LIMIT_PER_ADDRESS")),
        "INTAKE_BURST_COUNT": int(get("INTAKE_BURST_COUNT")),
        "INTAKE_BURST_SECONDS": int(get("INTAKE_BURST_SECONDS")),
        "FIGURES_EXCLUDE_ORIGINS": [x.strip() for x in get("FIGURES_EXCLUDE_ORIGINS").split(",")
                                    if x.strip()],
        "ENABLED_LOCALES": [x.strip() for x in get("ENABLED_LOCALES").split(",") if x.strip()],
        "BABEL_DEFAULT_LOCALE": get("DEFAULT_LOCALE"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "DEFAULT_PHONE_REGION": get("DEFAULT_PHONE_REGION"),
        "COALITION_NAME": get("COALITION_NAME"),
        "COALITION_CONTACT": get("COALITION_CONTACT"),
        "PSEUDONYM_KEY": get("PSEUDONYM_KEY"),
        "RETENTION_DAYS": int(get("RETENTION_DAYS")),
        "SITTING_HOURS": int(get("SITTING_HOURS")),
        #: New anonymous web sittings per address (a kiosk or a school shares one address).
        "SITTING_RATE_LIMIT": get("SITTING_RATE_LIMIT"),
        #: Test-only fault hooks for the deployed tier (messaging.inbound.handling.fault_hook);
        #: refused
        #: in production.
        "FAULT_INJECTION": get("FAULT_INJECTION"),
        "LOG_LEVEL": get("LOG_LEVEL"),
        #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        "TRUSTED_PROXY_COUNT": int(get("TRUSTED_PROXY_COUNT")),
        # SMS: conversations, sending pace, quiet hours, reminders, retries.
        "SMS_CONVERSATION_TTL_HOURS": float(get("SMS_CONVERSATION_TTL_HOURS")),
        "SMS_RATE_PER_SECOND": float(get("SMS_RATE_PER_SECOND")),
        "QUIET_HOURS_START": int(get("QUIET_HOURS_START")),
        "QUIET_HOURS_END": int(get("QUIET_HOURS_END")),
        "REMINDER_DELAY_HOURS": float(get("REMINDER_DELAY_HOURS")),
        "SMS_MAX_ATTEMPTS": int(get("SMS_MAX_ATTEMPTS")),
        "SMS_VALIDITY_PERIOD": int(get("SMS_VALIDITY_PERIOD")),
        #: A comment still untagged this long after it was stored lost its tagging job.
        "TAGGING_SWEEP_AFTER_SECONDS": int(get("TAGGING_SWEEP_AFTER_SECONDS")),
        #: Responses a review page may read counting whole periods before the worker counts
        #: the view instead (analysis.review.counting).
        "REVIEW_COUNT_IN_PAGE": int(get("REVIEW_COUNT_IN_PAGE")),
        #: Reference endpoints for benchmarks/bench_sms_inbound.py (never in production).
        "BENCHMARK_ENDPOINTS": get("BENCHMARK_ENDPOINTS") == "1",
        # Staff sessions (docs/reliability.md, staff accounts).
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": 3600,
        "LOGIN_RATE_LIMIT_ACCOUNT": "5 per 15 minutes",
        "LOGIN_RATE_LIMIT_IP": "20 per 15 minutes",
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    }
    return cfg


def check_production(cfg: dict) -> None:
    """Refuse to run production with development secrets or without a real database."""
    if not cfg.get("PRODUCTION"):
        return
    if cfg["SECRET_KEY"] in ("", DEV_SECRET_KEY):
        raise ConfigError("SECRET_KEY must be set to a long random value in production.")
    if not cfg.get("DATABASE_URL_SET"):
        raise ConfigError("DATABASE_URL must be set in production.")
    if cfg.get("FAULT_INJECTION"):
        raise ConfigError("FAULT_INJECTION is for tests only; unset it in production.")
    if cfg.get("SMS_BACKEND") == "twilio" and not cfg.get("TWILIO_AUTH_TOKEN"):
        raise ConfigError("TWILIO_AUTH_TOKEN must be set when SMS_BACKEND=twilio.")
