"""Per-locale survey texts and the text normalisation every answer parser shares.

Survey content is stored as ``{"en": ..., "es": ..., "vi": ...}``; :func:`localized` picks the
respondent's language with a fallback, and :func:`normalize` folds case, accents (including the
Vietnamese đ) and punctuation so "Sí", "si" and "SI!" compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from flask import current_app, has_app_context

#: Used when no application is around (plain unit tests, scripts).
FALLBACK_LOCALES = ("en", "es", "vi")

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def enabled_locales() -> list[str]:
    """The coalition's languages (``ENABLED_LOCALES``), or en/es/vi outside an app."""
    if has_app_context():
        return list(current_app.config.get("ENABLED_LOCALES") or FALLBACK_LOCALES)
    return list(FALLBACK_LOCALES)


def default_locale() -> str:
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE") or "en"
    return "en"


def localized(texts: Mapping[str, str] | None, locale: str | None, fallback: bool = True) -> str:
    """The text in ``locale``; else (if ``fallback``) the default language's, else any one."""
    if not texts:
        return ""
    value = texts.get(locale or "") if locale else None
    if value or not fallback:
        return value or ""
    value = texts.get(default_locale())
    if value:
        return value
    return next((v for v in texts.values() if v), "")


def fallback_locale(texts: Mapping[str, str] | None, locale: str | None) -> str | None:
    """The language :func:`localized` falls back to when ``texts`` lack ``locale`` (so the page
    or text can say so to the respondent), or None when the text exists in ``locale``."""
    if not texts or not locale or texts.get(locale):
        return None
    if texts.get(default_locale()):
        return default_locale()
    return next((code for code, v in texts.items() if v), None)


def strip_accents(text: str) -> str:
    """Remove diacritics; đ/Đ become d/D (NFKD does not decompose them)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str | None) -> str:
    """Lower case, no accents, apostrophes dropped, other punctuation as spaces, single spaces.

    >>> normalize("  ¡Sí, claro!  ")
    'si claro'
    >>> normalize("Không đâu")
    'khong dau'
    """
    if not text:
        return ""
    return _normalize(str(text))


@lru_cache(maxsize=4096)
def _normalize(text: str) -> str:
    """:func:`normalize` of a string, remembered: every answer to a choice question compares
    it with every choice label in every language, and the labels are the same each time."""
    text = strip_accents(text).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    text = _PUNCT.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()
