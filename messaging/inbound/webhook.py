"""``POST /sms/inbound``: Twilio's messaging webhook (CSRF-exempt, signature-checked).

Thin on purpose: check the signature (403 before any write), hand the text to
:func:`messaging.inbound.handling.receive`, answer its TwiML. Everything after the message is stored
answers 200, because Twilio does not retry a 5xx for messaging (docs/reliability.md).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from feedback.core.extensions import csrf
from messaging.inbound import handling as inbound
from messaging.inbound.signature import request_is_authentic

bp = Blueprint("sms_inbound", __name__, url_prefix="/sms")

TWIML_MIMETYPE = "application/xml"


def num_media(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


@bp.post("/inbound")
@csrf.exempt
def receive():
    """Store and answer one inbound text (form fields as Twilio sends them)."""
    if not request_is_authentic():
        abort(403)
    sid = (request.form.get("MessageSid") or request.form.get("SmsSid") or "").strip()
    if not sid or len(sid) > 64:
        abort(400)
    result = inbound.receive(
        sid,
        request.form.get("From"),
        request.form.get("Body"),
        num_media(request.form.get("NumMedia")),
    )
    return Response(result.twiml, mimetype=TWIML_MIMETYPE)

