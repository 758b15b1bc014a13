"""Pseudonymous respondent ids for exports: HMAC-SHA256 with a secret key.

A bare hash of an id or phone number can be reversed by trying every value (a US phone number
space is searched in milliseconds); a keyed HMAC cannot be recomputed without the key. The key is
``PSEUDONYM_KEY`` when set, otherwise one derived from ``SECRET_KEY`` (so a development install
works, and rotating either key changes every exported id, unlinking older exports).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

#: Length of the hex pseudonym: 16 hex chars = 64 bits, ample for a coalition's respondents.
PSEUDONYM_LENGTH = 16


def pseudonym_key() -> bytes:
    """The HMAC key: PSEUDONYM_KEY, or a key derived from SECRET_KEY for a separate purpose."""
    key = current_app.config.get("PSEUDONYM_KEY") or ""
    if key:
        return key.encode("utf-8")
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, b"coalition-feedback:pseudonym", hashlib.sha256).digest()


def pseudonymize(value: object, key: bytes | None = None) -> str:
    """The pseudonymous id of ``value`` (a respondent id): stable for one key, opaque without it."""
    key = key if key is not None else pseudonym_key()
    digest = hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]
