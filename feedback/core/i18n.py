"""Interface language: chosen by the person, remembered, defaulting from the browser."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from feedback.core import languages
from feedback.core.extensions import babel

#: Each language's name in itself, for the switcher (never translated): read from each
#: language's data file (feedback.core.languages), so a new language needs no code here.
LANGUAGE_NAMES = languages.LANGUAGE_NAMES


def enabled_locales() -> list[str]:
    return current_app.config["ENABLED_LOCALES"]


def select_locale() -> str:
    """(1) explicit choice in the session, (2) the respondent's or staff member's stored
    preference, (3) the browser's Accept-Language, (4) the default."""
    enabled = enabled_locales()
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # a queue job or CLI command: callers use force_locale
        return default
    chosen = session.get("locale")
    if chosen in enabled:
        return chosen
    preferred = getattr(g, "preferred_locale", None)
    if preferred is None and current_user and current_user.is_authenticated:
        # The page may pick its locale before anything else loaded the signed-in user.
        preferred = current_user.locale
    if preferred in enabled:
        return preferred
    best = request.accept_languages.best_match(enabled)
    return best or default


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths, so the switcher cannot redirect elsewhere."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def init_app(app) -> None:
    languages.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        return {
            "current_locale": str(get_locale()),
            "language_choices": [
                (code, LANGUAGE_NAMES.get(code, code)) for code in enabled_locales()
            ],
            "language_names": LANGUAGE_NAMES,
            "text_direction": getattr(languages.registry().get(str(get_locale())),
                                      "direction", "ltr"),
        }
