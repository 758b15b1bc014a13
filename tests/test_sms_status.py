"""Status callbacks: signed, forward-only, 21610 opts out, unknown SIDs still answered."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from messaging.models import OutboundMessage
from messaging.outbound import sending as outbound
from tests.fixtures.fake_twilio import AUTH_TOKEN, PUBLIC_BASE_URL

URL = PUBLIC_BASE_URL + "/sms/status"


@pytest.fixture
def signed_post(app, client):
    """POST a status callback signed with the auth token, as Twilio would."""
    app.config.update(SMS_BACKEND="twilio", TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                      PUBLIC_BASE_URL=PUBLIC_BASE_URL)

    def post(params, token=AUTH_TOKEN, url=URL, query=""):
        signature = RequestValidator(token).compute_signature(url + query, params)
        return client.post("/sms/status" + query, data=params,
                           headers={"X-Twilio-Signature": signature})

    return post


@pytest.fixture
def sent_message(db, make_contact):
    """A message the send job handed to Twilio (status ``queued``, SID recorded)."""
    message = outbound.queue_message(make_contact(), "Hi", kind="invitation")
    message.status, message.provider_sid = "queued", "SM" + "a" * 32
    db.session.commit()
    return message


def _params(sid, status, code=None, **extra):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "1" * 32,
              "To": "+15045550001", "From": "+15045550000", "ApiVersion": "2010-04-01"}
    if code is not None:
        params["ErrorCode"] = str(code)
    params.update(extra)
    return params


def test_delivered_callback_is_recorded(db, signed_post, sent_message):
    response = signed_post(_params(sent_message.provider_sid, "sent"))
    assert response.status_code == 204
    assert db.session.get(OutboundMessage, sent_message.id).status == "sent"
    signed_post(_params(sent_message.provider_sid, "delivered"))
    db.session.expire_all()
    assert db.session.get(OutboundMessage, sent_message.id).status == "delivered"


def test_out_of_order_callbacks_never_move_backwards(db, signed_post, sent_message):
    sid = sent_message.provider_sid
    for status in ("delivered", "sent", "sending", "queued"):
        assert signed_post(_params(sid, status)).status_code == 204
    db.session.expire_all()
    assert db.session.get(OutboundMessage, sent_message.id).status == "delivered"


def test_failed_is_terminal_and_keeps_the_error_code(db, signed_post, sent_message):
    sid = sent_message.provider_sid
    signed_post(_params(sid, "undelivered", 30006))
    signed_post(_params(sid, "sent"))
    db.session.expire_all()
    message = db.session.get(OutboundMessage, sent_message.id)
    assert (message.status, message.error_code) == ("undelivered", 30006)
    # Nothing is re-queued for a landline.
    assert outbound.due_message_ids() == []


def test_21610_marks_the_contact_opted_out(db, signed_post, sent_message):
    contact = sent_message.contact
    later = outbound.queue_message(contact, "Question 2", kind="question")
    db.session.commit()
    signed_post(_params(sent_message.provider_sid, "failed", 21610))
    db.session.expire_all()
    assert db.session.get(OutboundMessage, sent_message.id).error_code == 21610
    assert contact.opted_out
    assert db.session.get(OutboundMessage, later.id).status == "suppressed"


def test_unknown_sid_still_gets_a_success_answer(signed_post):
    assert signed_post(_params("SM" + "f" * 32, "delivered")).status_code == 204


def test_extra_unknown_parameters_still_validate(db, signed_post, sent_message):
    params = _params(sent_message.provider_sid, "delivered", RawDlrDoneDate="2611231200")
    assert signed_post(params).status_code == 204
    assert db.session.get(OutboundMessage, sent_message.id).status == "delivered"


def test_bad_or_missing_signature_is_refused_before_any_write(db, client, signed_post,
                                                              sent_message):
    params = _params(sent_message.provider_sid, "delivered")
    assert signed_post(params, token="wrong-token").status_code == 403
    assert client.post("/sms/status", data=params).status_code == 403
    signature = RequestValidator(AUTH_TOKEN).compute_signature(URL, params)
    tampered = {**params, "MessageStatus": "failed"}
    response = client.post("/sms/status", data=tampered,
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboundMessage, sent_message.id).status == "queued"


class _Gateway:
    """A gateway whose ``send`` runs ``during`` (e.g. an early callback) before answering."""

    def __init__(self, during=None, fail=None):
        self.during, self.fail, self.references = during, fail, []

    def send(self, to, body, reference=None):
        from messaging.outbound.gateway import SendResult

        self.references.append(reference)
        if self.during:
            self.during(reference)
        if self.fail:
            raise self.fail
        return SendResult(sid="SM" + "b" * 32, status="queued")


def test_a_callback_that_overtakes_the_send_job_finds_its_message(
    app, db, clock, signed_post, make_contact, monkeypatch
):
    """Twilio can post "sent" before the job has written the SID: the callback's ?ref= finds
    the message, and the job's own "queued" does not move it backwards."""
    message = outbound.queue_message(make_contact(), "Hi", kind="invitation")
    db.session.commit()

    def early_callback(reference):
        answer = signed_post(_params("SM" + "b" * 32, "sent"), query=f"?ref={reference}")
        assert answer.status_code == 204

    gateway = _Gateway(during=early_callback)
    monkeypatch.setattr(outbound, "get_gateway", lambda: gateway)
    assert outbound.send_outbound.call_local(message.id) == "sent"
    assert gateway.references == [message.id]
    db.session.expire_all()
    stored = db.session.get(OutboundMessage, message.id)
    assert (stored.provider_sid, stored.status) == ("SM" + "b" * 32, "sent")
    signed_post(_params("SM" + "b" * 32, "delivered"))
    db.session.expire_all()
    assert db.session.get(OutboundMessage, message.id).status == "delivered"


def test_a_send_that_timed_out_learns_its_fate_from_the_callback(
    app, db, clock, signed_post, make_contact, monkeypatch
):
    from messaging.outbound.gateway import TransientSendError

    message = outbound.queue_message(make_contact(), "Hi", kind="invitation")
    db.session.commit()
    gateway = _Gateway(fail=TransientSendError("read timeout", maybe_sent=True))
    monkeypatch.setattr(outbound, "get_gateway", lambda: gateway)
    assert outbound.send_outbound.call_local(message.id) == "unknown"
    signed_post(_params("SM" + "c" * 32, "delivered"), query=f"?ref={message.id}")
    db.session.expire_all()
    stored = db.session.get(OutboundMessage, message.id)
    assert (stored.provider_sid, stored.status) == ("SM" + "c" * 32, "delivered")


def test_a_reference_never_takes_over_a_message_that_has_its_sid(db, signed_post,
                                                                 sent_message):
    signed_post(_params("SM" + "d" * 32, "failed"), query=f"?ref={sent_message.id}")
    db.session.expire_all()
    stored = db.session.get(OutboundMessage, sent_message.id)
    assert (stored.provider_sid, stored.status) == ("SM" + "a" * 32, "queued")
