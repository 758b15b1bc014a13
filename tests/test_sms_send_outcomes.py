"""Outbound sends tell "not sent" from "maybe sent": a refused connection is retried, a read
timeout is looked up in Twilio's message list before any resend (docs/reliability.md)."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest

from messaging.models import OutboundMessage
from messaging.outbound import sending as outbound
from messaging.outbound.gateway import TransientSendError, get_gateway

pytest_plugins = ["tests.fixtures.outbound"]


def _queue(db, clock, contact, body="Thank you for your answers", kind="reply", **kw):
    message = outbound.queue_message(contact, body, kind=kind, **kw)
    message.created_at = clock.now
    db.session.commit()
    return message


def _fresh(db, message_id):
    db.session.expire_all()
    return db.session.get(OutboundMessage, message_id)


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
    assert settled.status == "sent"  # what Twilio lists a moment later


def test_read_timeout_of_a_message_twilio_still_queues_is_not_sent_again(
        app, db, fake_twilio, clock, make_contact):
    """Twilio took the text but holds it in its queue (no date sent yet) when the sweeper
    looks: a list filtered on the date sent would miss it, and the family would get it
    twice once Twilio sends it."""
    app.config["SMS_HTTP_TIMEOUT"] = 0.5
    fake_twilio.slow_next(1.5)
    fake_twilio.hold_next()
    message = _queue(db, clock, make_contact())
    assert outbound.send_outbound.call_local(message.id) == "unknown"
    clock.set(clock.now + timedelta(minutes=2))
    outbound.sweep_outbound()
    settled = _fresh(db, message.id)
    assert len(fake_twilio.created) == 1
    assert settled.provider_sid == fake_twilio.created[0]["sid"]
    assert settled.status == "queued"


def test_reconcile_ignores_the_same_text_sent_before_the_row(app, db, fake_twilio, clock,
                                                             make_contact):
    """The family got the same words last month (a monthly pulse whose record retention
    has since erased): that message is in Twilio's list, but it is not this row's send,
    which never reached Twilio."""
    contact = make_contact()
    get_gateway(app).send(contact.phone, "Thank you for your answers")
    clock.set(clock.now + timedelta(days=30))
    message = _queue(db, clock, contact)
    message.status = "unknown"
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=1))
    assert outbound.reconcile_unknown()["resent"] == 1
    assert len(fake_twilio.created) == 2


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


def test_reconcile_does_not_take_the_sid_of_another_row_with_same_body(
        app, db, fake_twilio, clock, make_contact):
    """Two identical texts to one family a few seconds apart: the first went out (SID
    recorded), the second's outcome is unknown and it never reached Twilio. Reconciling the
    second must not adopt the first one's Twilio message; it must be sent."""
    contact = make_contact()
    first = _queue(db, clock, contact, "Please answer 1 or 2")
    assert outbound.send_outbound.call_local(first.id) == "sent"
    second = _queue(db, clock, contact, "Please answer 1 or 2")
    second.status = "unknown"  # e.g. the worker died after the claim, before the request
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=1))
    outbound.reconcile_unknown()          # raises IntegrityError on provider_sid today
    assert len(fake_twilio.created) == 2  # the second text really reaches the family


def test_reconcile_does_not_match_a_twiml_reply_with_same_body(
        app, db, fake_twilio, clock, make_contact):
    """Same, when the first text was a TwiML reply (Twilio sent it, we hold no SID): the
    unknown REST send is matched to the TwiML reply and silently never sent."""
    contact = make_contact()
    body = "Sorry, please answer 1 or 2"
    # Twilio itself sent this one as the webhook's TwiML reply (no SID on our side)
    get_gateway(app).send(contact.phone, body)
    db.session.connection().execute(*outbound.twiml_replies(contact.id, [body]))
    db.session.commit()
    second = _queue(db, clock, contact, body)
    second.status = "unknown"
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=1))
    outbound.reconcile_unknown()
    assert len(fake_twilio.created) == 2, "the unknown text was taken as sent, never resent"


def test_unknown_send_of_a_message_queued_hours_earlier_is_reconciled(
        app, db, fake_twilio, clock, make_contact):
    """A campaign text queued at launch with send_after 5 h later (long pacing, or held by
    quiet hours) times out when sent: it must still be looked up / resent."""
    contact = make_contact()
    message = _queue(db, clock, contact, "Invitation", kind="invitation",
                     send_after=clock.now + timedelta(hours=5))
    clock.set(clock.now + timedelta(hours=5))
    message = _fresh(db, message.id)
    message.status = "unknown"
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=1))
    outbound.sweep_outbound()
    clock.set(clock.now + timedelta(minutes=1))
    outbound.sweep_outbound()
    assert _fresh(db, message.id).status != "unknown", "never reconciled, never resent"


def test_two_overlapping_reconciles_send_an_unknown_text_once(
        app, db, fake_twilio, clock, make_contact, monkeypatch):
    """Sweep A and sweep B (the next minute's run, on another worker thread, while A is still
    working through a slow message list) both find the row not in Twilio's list. B resends
    it; while B's request is in flight, A writes 'retry' over B's 'sending' and sends too."""
    from feedback.core.extensions import db as the_db

    message = _queue(db, clock, make_contact())
    message.status = "unknown"
    db.session.commit()
    clock.set(clock.now + timedelta(minutes=1))

    gateway = get_gateway(app)
    real_find, real_send = gateway.sent_matching, gateway.send
    b_in_flight, a_done = threading.Event(), threading.Event()
    main = threading.current_thread()
    errors = []

    def sweep_b():
        try:
            with app.app_context():
                outbound.reconcile_unknown()
                the_db.session.remove()
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    holder = {}

    def sent_matching(to, body, since):
        found = real_find(to, body, since)
        if threading.current_thread() is main and "b" not in holder:
            holder["b"] = threading.Thread(target=sweep_b)
            holder["b"].start()
            assert b_in_flight.wait(10)  # A's slow list call returns only now
        return found

    def send(to, body, reference=None):
        if threading.current_thread() is not main:
            b_in_flight.set()
            a_done.wait(10)  # B's create request is slow to complete
        return real_send(to, body, reference=reference)

    monkeypatch.setattr(gateway, "sent_matching", sent_matching)
    monkeypatch.setattr(gateway, "send", send)
    outbound.reconcile_unknown()  # sweep A
    a_done.set()
    holder["b"].join(20)
    assert not errors, errors
    assert len(fake_twilio.created) == 1, "the family got the same text twice"


def test_read_timeout_does_not_move_a_delivered_callback_backwards(
        app, db, fake_twilio, clock, make_contact, monkeypatch):
    """Twilio takes the text but answers after our 10 s timeout; its 'delivered' callback
    (carrying ?ref=) arrives before the timeout fires. The job must not then write
    'unknown' over 'delivered' (docs: a delivered message stays delivered)."""
    from feedback.core.extensions import db as the_db
    from messaging.outbound.status import apply_status

    message = _queue(db, clock, make_contact())
    gateway = get_gateway(app)
    real_send = gateway.send

    def send_then_time_out(to, body, reference=None):
        result = real_send(to, body, reference=reference)

        def callback():  # the /sms/status request, served by another web worker
            with app.app_context():
                apply_status(result.sid, "delivered", reference=reference)
                the_db.session.commit()
                the_db.session.remove()

        t = threading.Thread(target=callback)
        t.start()
        t.join()
        raise TransientSendError("read timeout", maybe_sent=True)

    monkeypatch.setattr(gateway, "send", send_then_time_out)
    outbound.send_outbound.call_local(message.id)
    assert _fresh(db, message.id).status == "delivered"


def test_scheduled_send_job_runs_at_send_after_whatever_the_host_time_zone(
        app, db, clock, make_contact, monkeypatch):
    """The app's times are naive UTC; the queue must not read them as the host's local time
    (on a server at UTC+7 a text planned for 16:00 would be tried at 09:00, hours early)."""
    import time

    from feedback.core.queue import queue

    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")  # a host not on UTC (UTC+7)
    time.tzset()
    try:
        message = _queue(db, clock, make_contact(), "Invitation", kind="invitation",
                         send_after=clock.now + timedelta(hours=1))
        outbound.dispatch([message.id])
        etas = [t.eta for t in queue.huey.scheduled()]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert etas == [message.send_after], f"planned for {etas} (UTC), due {message.send_after}"
