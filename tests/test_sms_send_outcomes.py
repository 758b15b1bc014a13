"""Outbound sends tell "not sent" from "maybe sent": a refused connection is retried, a read
timeout is looked up in Twilio's message list before any resend (docs/reliability.md)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from messaging.models import OutboundMessage
from messaging.outbound import sending as outbound
from messaging.outbound.gateway import TransientSendError, get_gateway

pytest_plugins = ["tests.fixtures.outbound"]


def _queue(db, clock, contact, body="Thank you for your answers"):
    message = outbound.queue_message(contact, body, kind="reply")
    message.created_at = clock.now
    db.session.commit()
    return message


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_refused_connection_is_not_sent_and_is_retried(app, db, fake_twilio, clock,
                                                       make_contact):
    real_base = app.config["TWILIO_API_BASE_URL"]
    app.config["TWILIO_API_BASE_URL"] = _closed_port()
    with pytest.raises(TransientSendError) as info:
        get_gateway(app).send("+15045551234", "Hi")
    assert info.value.maybe_sent is False

    message = _queue(db, clock, make_contact())
    assert outbound.send_outbound.call_local(message.id) == "retry"
    app.config["TWILIO_API_BASE_URL"] = real_base  # the API is back
    clock.set(clock.now + timedelta(minutes=5))
    assert outbound.send_due_messages() == 1
    db.session.expire_all()
    assert db.session.get(OutboundMessage, message.id).status == "queued"
    assert len(fake_twilio.created) == 1


def test_read_timeout_found_in_twilio_list_is_not_sent_again(app, db, fake_twilio, clock,
                                                             make_contact):
    app.config["SMS_HTTP_TIMEOUT"] = 0.5
    fake_twilio.slow_next(1.5)  # Twilio takes it, but we never hear back
    message = _queue(db, clock, make_contact())
    assert outbound.send_outbound.call_local(message.id) == "unknown"
    clock.set(clock.now + timedelta(minutes=2))
    outbound.sweep_outbound()
    db.session.expire_all()
    settled = db.session.get(OutboundMessage, message.id)
    assert len(fake_twilio.created) == 1
    assert settled.provider_sid == fake_twilio.created[0]["sid"]
    assert settled.status == "queued"


def test_unknown_send_missing_from_twilio_list_is_sent_once_more(app, db, fake_twilio, clock,
                                                                 make_contact):
    message = _queue(db, clock, make_contact())
    message.status = "sending"  # a worker died mid-call, before Twilio got anything
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=11))
    outbound.sweep_outbound()  # marks it unknown
    clock.set(clock.now + timedelta(minutes=1))
    outbound.sweep_outbound()  # not in Twilio's list: sent again
    db.session.expire_all()
    assert db.session.get(OutboundMessage, message.id).status == "queued"
    assert len(fake_twilio.created) == 1
    clock.set(clock.now + timedelta(minutes=1))
    outbound.sweep_outbound()
    assert len(fake_twilio.created) == 1


def test_unknown_send_stays_unknown_while_the_list_is_unreachable(app, db, fake_twilio, clock,
                                                                  make_contact):
    message = _queue(db, clock, make_contact())
    message.status = "unknown"
    db.session.commit()
    app.config["TWILIO_API_BASE_URL"] = _closed_port()
    clock.set(clock.now + timedelta(minutes=1))
    assert outbound.reconcile_unknown()["open"] == 1
    db.session.expire_all()
    assert db.session.get(OutboundMessage, message.id).status == "unknown"
    assert fake_twilio.created == []
