"""Translated error pages that say what to do next and leak nothing about the server."""

from __future__ import annotations

import logging

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("feedback.core.errors")

MESSAGES = {
    400: (_l("We could not understand that request"), _l("Please go back and try again.")),
    403: (_l("You do not have access to this page"), _l("Ask an administrator if you need it.")),
    404: (_l("Page not found"), _l("Check the link, or start again from the home page.")),
    405: (_l("That action is not allowed here"), _l("Please go back and try again.")),
    413: (_l("That upload is too large"), _l("Please choose a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("Please wait a few minutes before trying again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your last action may not have been saved. Please try again in a moment."),
    ),
}


def render_error(code: int, detail=None):
    title, hint = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def _nul_in_link() -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True))


def init_app(app) -> None:
    @app.before_request
    def refuse_nul_in_links():
        """A NUL byte in a link's path or parameters (``/s/x?site=a%00b``) names no page, and
        PostgreSQL refuses it in any text it compares: the error page, not a server error."""
        if _nul_in_link():
            abort(400)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _l("This form expired or was sent from elsewhere. Please reload it and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith("/sms/"):
            return error  # Twilio reads status codes, not pages
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("unhandled error", extra={"event": "error"})
        return render_error(InternalServerError.code)
