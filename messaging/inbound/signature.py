"""Validation of Twilio's ``X-Twilio-Signature`` header (docs/reliability.md, webhooks).

Twilio signs the URL it was configured with (the PUBLIC one) plus every POST parameter. Behind
a TLS-terminating proxy the app sees an internal URL, and Werkzeug's ``request.url`` decodes
``%27`` or ``%C3%A9`` in the query string, either of which breaks the signature; so the URL is
rebuilt from ``PUBLIC_BASE_URL`` (when set), the path and the RAW query string.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, request
from twilio.request_validator import RequestValidator


def public_url(base_url: str | None = None) -> str:
    """The URL Twilio signed for the current request.

    ``PUBLIC_BASE_URL`` + path + ``?`` + the raw query string, or (without a public base URL)
    the request's own scheme and host rebuilt the same way.
    """
    base = (base_url if base_url is not None else current_app.config.get("PUBLIC_BASE_URL"))
    base = (base or "").rstrip("/") or request.host_url.rstrip("/")
    raw_query = request.environ.get("QUERY_STRING", "")
    if isinstance(raw_query, bytes):  # pragma: no cover - WSGI servers give str
        raw_query = raw_query.decode("latin-1")
    path = request.environ.get("SCRIPT_NAME", "") + request.environ.get("PATH_INFO", "")
    url = base + (path or request.path)
    return url + ("?" + raw_query if raw_query else "")


def is_valid(url: str, params: Mapping[str, str], signature: str | None, token: str) -> bool:
    """True when ``signature`` is Twilio's signature of ``url`` and ``params`` with ``token``."""
    if not signature or not token:
        return False
    return RequestValidator(token).validate(url, params, signature)


def signature_required() -> bool:
    """Whether this app must validate signatures.

    Always with the twilio backend; with the console backend only when an auth token is
    configured (development without a token may post to the webhook by hand).
    """
    config = current_app.config
    return config.get("SMS_BACKEND") != "console" or bool(config.get("TWILIO_AUTH_TOKEN"))


def request_is_authentic() -> bool:
    """Validate the current request's signature against the public URL (all form fields, as
    sent: the app's ``request.form`` has lost its control characters, feedback.core.hygiene)."""
    if not signature_required():
        return True
    return is_valid(
        public_url(),
        request.raw_form,  # the MultiDict itself: every key, repeated values included
        request.headers.get("X-Twilio-Signature"),
        current_app.config.get("TWILIO_AUTH_TOKEN") or "",
    )
