"""The gateway and the send job: the real twilio client against a local fake, sent once."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from messaging.models import OutboundMessage
from messaging.outbound import sending as outbound
from messaging.outbound.gateway import (
    ConsoleGateway,
    PermanentSendError,
    TransientSendError,
    get_gateway,
)
from tests.fixtures.fake_twilio import PUBLIC_BASE_URL


def _queue(db, contact, body="Hello from the coalition", **kw):
    message = outbound.queue_message(contact, body, kind=kw.pop("kind", "reply"), **kw)
    db.session.commit()
    return message


def test_console_gateway_logs_without_number_or_body(app, caplog):
    caplog.set_level(logging.INFO)
    result = get_gateway(app).send("+15045551234", "secret body text")
    assert isinstance(get_gateway(app), ConsoleGateway)
    assert result.sid.startswith("SMconsole")
    text = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "sent sms" in text
    assert "5045551234" not in text and "secret body" not in text


def test_twilio_gateway_sends_through_real_client(app, fake_twilio):
    result = get_gateway(app).send("+15045551234", "Hola")
    assert result.sid.startswith("SM") and result.status == "queued"
    sent = fake_twilio.created[0]
    assert sent["To"] == "+15045551234" and sent["Body"] == "Hola"
    assert sent["From"] == "+15045550000"
    assert sent["StatusCallback"] == PUBLIC_BASE_URL + "/sms/status"
    assert int(sent["ValidityPeriod"]) > 0
    assert fake_twilio.requests[0]["auth"].startswith("Basic ")


def test_messaging_service_sid_replaces_from(app, fake_twilio):
    app.config["TWILIO_MESSAGING_SERVICE_SID"] = "MG" + "2" * 32
    result = get_gateway(app).send("+15045551234", "Hi")
    sent = fake_twilio.created[0]
    assert sent["MessagingServiceSid"] == "MG" + "2" * 32 and "From" not in sent
    assert result.status == "accepted"


@pytest.mark.parametrize("http_status, code, kind", [
    (429, 20429, TransientSendError), (500, None, TransientSendError),
    (400, 30003, TransientSendError), (400, 21610, PermanentSendError),
    (400, 30006, PermanentSendError), (400, 21211, PermanentSendError),
])
def test_twilio_errors_are_classified(app, fake_twilio, http_status, code, kind):
    fake_twilio.fail_next(http_status, code)
    with pytest.raises(kind) as info:
        get_gateway(app).send("+15045551234", "Hi")
    assert info.value.code == code


def test_unreachable_api_is_transient(app, fake_twilio):
    app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(TransientSendError):
        get_gateway(app).send("+15045551234", "Hi")


def test_send_job_twice_sends_once(app, db, fake_twilio, clock, make_contact):
    message = _queue(db, make_contact())
    assert outbound.send_outbound.call_local(message.id) == "sent"
    assert outbound.send_outbound.call_local(message.id) == "skipped"
    db.session.refresh(message)
    assert len(fake_twilio.created) == 1
    assert message.provider_sid == fake_twilio.created[0]["sid"]
    assert message.status == "queued" and message.attempts == 1


def test_dispatch_sends_after_commit(app, db, clock, make_contact):
    message = _queue(db, make_contact())
    outbound.dispatch([message.id])
    db.session.refresh(message)
    assert message.status == "sent" and message.provider_sid.startswith("SMconsole")


def test_429_then_success_delivers_one_message(app, db, fake_twilio, clock, make_contact):
    message = _queue(db, make_contact())
    fake_twilio.fail_next(429, 20429)
    assert outbound.send_outbound.call_local(message.id) == "retry"
    db.session.refresh(message)
    assert message.status == "retry" and message.provider_sid is None
    assert message.send_after > clock.now
    # Not due yet: nothing is sent.
    assert outbound.send_due_messages() == 0
    clock.set(message.send_after + timedelta(seconds=1))
    assert outbound.send_due_messages() == 1
    db.session.refresh(message)
    assert message.status == "queued" and message.attempts == 2
    assert len(fake_twilio.created) == 1
    assert len(fake_twilio.requests) == 2


def test_server_errors_back_off_then_give_up(app, db, fake_twilio, clock, make_contact):
    app.config["SMS_MAX_ATTEMPTS"] = 3
    message = _queue(db, make_contact())
    delays = []
    for _ in range(3):
        fake_twilio.fail_next(500)
        before = clock.now
        outbound.send_outbound.call_local(message.id)
        db.session.refresh(message)
        if message.status == "retry":
            delays.append(message.send_after - before)
            clock.set(message.send_after)
    assert message.status == "failed" and len(fake_twilio.created) == 0
    assert delays[1] > delays[0]


def test_21610_opts_contact_out_and_never_retries(app, db, fake_twilio, clock, make_contact):
    contact = make_contact()
    first = _queue(db, contact)
    second = _queue(db, contact, "Second text")
    fake_twilio.fail_next(400, 21610)
    assert outbound.send_outbound.call_local(first.id) == "failed"
    db.session.refresh(first)
    db.session.refresh(second)
    db.session.refresh(contact)
    assert first.error_code == 21610 and first.status == "failed"
    assert contact.opted_out and second.status == "suppressed"
    assert outbound.send_due_messages() == 0
    assert len(fake_twilio.requests) == 1


def test_landline_is_not_retried_and_filtered_is_flagged(app, db, fake_twilio, clock,
                                                         make_contact):
    landline = _queue(db, make_contact())
    filtered = _queue(db, make_contact())
    fake_twilio.fail_next(400, 30006)
    fake_twilio.fail_next(400, 30007)
    outbound.send_outbound.call_local(landline.id)
    outbound.send_outbound.call_local(filtered.id)
    db.session.refresh(landline)
    db.session.refresh(filtered)
    assert (landline.status, landline.error_code) == ("failed", 30006)
    assert filtered.flagged and filtered.status == "failed"
    assert outbound.send_due_messages() == 0


def test_opted_out_contact_is_suppressed_at_queue_and_send_time(app, db, clock, make_contact):
    contact = make_contact(opted_out=True)
    assert _queue(db, contact).status == "suppressed"
    other = make_contact()
    message = _queue(db, other)
    other.opted_out = True
    db.session.commit()
    assert outbound.send_outbound.call_local(message.id) == "suppressed"
    assert db.session.get(OutboundMessage, message.id).provider_sid is None


def test_twiml_reply_is_recorded_as_sent_without_a_job(app, db, make_contact):
    replies = outbound.twiml_replies(make_contact().id, ["¿Cómo está?"])
    db.session.connection().execute(*replies)
    db.session.commit()
    message = db.session.scalar(db.select(OutboundMessage))
    assert message.status == "sent" and message.encoding == "UCS-2"
    assert outbound.send_due_messages() == 0


def test_read_timeout_marks_unknown_instead_of_resending(app, db, clock, make_contact,
                                                         monkeypatch):
    class TimingOut:
        def send(self, to, body, reference=None):
            raise TransientSendError("read timeout", maybe_sent=True)

    monkeypatch.setattr(outbound, "get_gateway", lambda: TimingOut())
    message = _queue(db, make_contact())
    assert outbound.send_outbound.call_local(message.id) == "unknown"
    assert outbound.send_due_messages() == 0


def test_twilio_client_has_a_timeout_and_no_hidden_retries(app, fake_twilio):
    gateway = get_gateway(app)
    http_client = gateway.client.http_client
    assert http_client.timeout == 10
    adapter = http_client.session.get_adapter("https://api.twilio.com")
    assert adapter.max_retries.total == 0


def test_sweeper_resends_lost_jobs_and_gives_up_on_dead_workers(app, db, clock, make_contact):
    lost = _queue(db, make_contact())
    stuck = _queue(db, make_contact())
    stuck.status = "sending"
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=11))
    outbound.sweep_outbound()
    db.session.expire_all()
    assert db.session.get(OutboundMessage, lost.id).status == "sent"
    # A worker died mid-call: we cannot know whether Twilio has it, so no blind resend.
    assert db.session.get(OutboundMessage, stuck.id).status == "unknown"
