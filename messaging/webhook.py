"""``POST /sms/inbound``: Twilio's messaging webhook (CSRF-exempt, signature-checked).

Thin on purpose: check the signature (403 before any write), hand the text to
:func:`messaging.inbound.receive`, answer its TwiML. Everything after the message is stored
answers 200, because Twilio does not retry a 5xx for messaging (RELIABILITY.md).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from feedback.extensions import csrf, db
from messaging import inbound
from messaging.signature import request_is_authentic

bp = Blueprint("sms_inbound", __name__, url_prefix="/sms")

TWIML_MIMETYPE = "application/xml"


def _num_media(value: str | None) -> int:
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
        _num_media(request.form.get("NumMedia")),
    )
    return Response(result.twiml, mimetype=TWIML_MIMETYPE)


def register_benchmark_endpoints(app) -> None:
    """Reference endpoints for benchmarks/bench_sms_inbound.py (BENCHMARK_ENDPOINTS=1 only):
    one that only checks the signature, one that also stores the message with one insert."""
    from messaging.models import InboundMessage

    bench = Blueprint("sms_bench", __name__, url_prefix="/sms/bench")

    @bench.post("/validate")
    @csrf.exempt
    def validate_only():
        if not request_is_authentic():
            abort(403)
        return Response(inbound.EMPTY_TWIML, mimetype=TWIML_MIMETYPE)

    @bench.post("/store")
    @csrf.exempt
    def store_only():
        if not request_is_authentic():
            abort(403)
        db.session.add(InboundMessage(
            message_sid=request.form["MessageSid"], body=request.form.get("Body"),
            num_media=_num_media(request.form.get("NumMedia")), status="handled",
        ))
        db.session.commit()
        return Response(inbound.EMPTY_TWIML, mimetype=TWIML_MIMETYPE)

    app.register_blueprint(bench)
