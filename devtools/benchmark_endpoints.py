"""Reference endpoints for benchmarks/bench_sms_inbound.py, registered only when the
``BENCHMARK_ENDPOINTS`` setting is on (never in production): one that only checks the
signature, one that also stores the message with one insert. They measure the floor the real
webhook (messaging.inbound.webhook) is compared with.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from feedback.core.extensions import csrf, db
from messaging.inbound import handling as inbound
from messaging.inbound.signature import request_is_authentic
from messaging.inbound.webhook import TWIML_MIMETYPE, num_media
from messaging.models import InboundMessage


def register_benchmark_endpoints(app) -> None:
    """Register the two reference endpoints under ``/sms/bench``."""
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
            num_media=num_media(request.form.get("NumMedia")), status="handled",
        ))
        db.session.commit()
        return Response(inbound.EMPTY_TWIML, mimetype=TWIML_MIMETYPE)

    app.register_blueprint(bench)
