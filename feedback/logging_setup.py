"""Structured (JSON-lines) logging that scrubs phone numbers and secrets from every record.

Code should never log a phone number or message body in the first place; the scrubber is the
safety net for the day someone does.
"""

from __future__ import annotations

import json
import logging
import re
import sys

PHONE_PATTERN = re.compile(r"(?<![\w])\+?\d[\d\-\s().]{6,}\d(?![\w])")
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
        return PHONE_PATTERN.sub("[redacted-phone]", text)

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
        return json.dumps(entry, ensure_ascii=False)


def init_app(app) -> None:
    """Attach one scrubbing JSON handler to the app's and the project's loggers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ScrubFilter([str(app.config.get(k) or "") for k in SECRET_SETTINGS]))
    for name in ("feedback", "surveys", "messaging", "analysis", "coalition"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        logger.propagate = False
    app.logger.handlers = [handler]
    app.logger.propagate = False
