"""Structured (JSON-lines) logging that scrubs phone numbers and secrets from every record.

Code should never log a phone number or message body in the first place; the scrubber is the
safety net for the day someone does.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback

#: Digit groups joined by spaces, dots, dashes or brackets (E.164, "(504) 555-0134", ...).
#: Times ("11:21:02") and ids glued to letters are left alone; see _redact_phone.
PHONE_PATTERN = re.compile(r"(?<![\w:.+-])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{1,4}\)?){1,6}(?![\w:])")
#: Fewer digits than this is a count, a year or a date, not a phone number.
PHONE_MIN_DIGITS = 9


def _redact_phone(match: re.Match) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[redacted-phone]" if digits >= PHONE_MIN_DIGITS else match.group(0)
SECRET_SETTINGS = ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "PSEUDONYM_KEY")
REDACTED = "[redacted]"


class ScrubFilter(logging.Filter):
    """Replace phone-number-like digit runs and configured secrets in the rendered message."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s and len(s) >= 6]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return PHONE_PATTERN.sub(_redact_phone, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("event", "user_id", "survey", "job"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            # Where it failed, never what it said: exception messages can carry SQL
            # parameters (phone numbers, message bodies), frames cannot.
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])[-8:]
            ]
        return json.dumps(entry, ensure_ascii=False)


#: Libraries whose own records could carry what the app never logs (SQL and its parameters).
LIBRARY_LOGGERS = ("sqlalchemy", "psycopg")


def _route(name: str, handler: logging.Handler, level) -> None:
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False


def init_app(app) -> None:
    """Attach one scrubbing JSON handler to the app's and the project's loggers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ScrubFilter([str(app.config.get(k) or "") for k in SECRET_SETTINGS]))
    for name in ("feedback", "surveys", "messaging", "analysis", "coalition", "huey"):
        _route(name, handler, app.config.get("LOG_LEVEL", "INFO"))
    # The database libraries log on their own (a pool's failed reset after a lost connection
    # comes with the statement that failed): the same handler, and never below WARNING, where
    # SQLAlchemy would start echoing every statement.
    for name in LIBRARY_LOGGERS:
        _route(name, handler, max(logging.WARNING, logging.getLogger("feedback").level))
    app.logger.handlers = [handler]
    app.logger.propagate = False
