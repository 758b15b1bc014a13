"""POST /sms/inbound: signature checks, store-first, duplicates, failures, concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from feedback.responses.models import Answer
from messaging.inbound.handling import execute_together
from messaging.models import Contact, Conversation, InboundMessage, OutboundMessage
from tests.fixtures.sms import TOKEN, replies, sign

PHONE = "+15045550123"


def params(body="PULSE", sid="SM00000000000000000000000000000001", **extra):
    data = {"MessageSid": sid, "AccountSid": "ACx", "From": PHONE, "To": "+15045550000",
            "Body": body, "NumMedia": "0"}
    data.update(extra)
    return data


@pytest.fixture
def signed(app):
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    return app


def count(db, model):
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_known_vector_from_reliability_doc():
    validator = RequestValidator("12345")
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    data = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
            "From": "+12349013030", "To": "+18005551212"}
    assert validator.compute_signature(url, data) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    from messaging.inbound.signature import is_valid

    assert is_valid(url, data, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345")
    assert not is_valid(url, data, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "54321")


def test_valid_signature_is_answered_with_twiml(signed, client, db, family_survey):
    data = params()
    response = client.post("/sms/inbound", data=data, headers={
        "X-Twilio-Signature": sign("http://localhost/sms/inbound", data)})
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert "Reply 1 for English" in replies(response.get_data(as_text=True))[0]
    assert count(db, InboundMessage) == 1


@pytest.mark.parametrize("case", ["missing", "tampered", "wrong-token", "dropped-query"])
def test_bad_signatures_are_refused_before_any_write(signed, client, db, family_survey, case):
    data = params()
    url = "http://localhost/sms/inbound"
    headers = {"X-Twilio-Signature": sign(url, data)}
    target = "/sms/inbound"
    if case == "missing":
        headers = {}
    elif case == "tampered":
        data = dict(data, Body="STOP")
    elif case == "wrong-token":
        headers = {"X-Twilio-Signature": sign(url, data, token="not-the-token")}
    elif case == "dropped-query":  # signed with a query string the request no longer has
        headers = {"X-Twilio-Signature": sign(url + "?campaign=7", data)}
    response = client.post(target, data=data, headers=headers)
    assert response.status_code == 403
    assert count(db, InboundMessage) == 0 and count(db, Contact) == 0


def test_behind_a_proxy_the_public_url_is_validated(signed, client, db, family_survey):
    signed.config["PUBLIC_BASE_URL"] = "https://public.example.org"
    data = params()
    public = sign("https://public.example.org/sms/inbound", data)
    assert client.post("/sms/inbound", data=data,
                       headers={"X-Twilio-Signature": public}).status_code == 200
    # the internal URL's signature is not accepted once a public base URL is configured
    internal = sign("http://localhost/sms/inbound", params(sid="SM2"))
    assert client.post("/sms/inbound", data=params(sid="SM2"),
                       headers={"X-Twilio-Signature": internal}).status_code == 403


def test_encoded_query_string_is_validated_raw(signed, client, db, family_survey):
    data = params()
    url = "http://localhost/sms/inbound?a=%27x%27&b=%C3%A9"
    response = client.post("/sms/inbound?a=%27x%27&b=%C3%A9", data=data,
                           headers={"X-Twilio-Signature": sign(url, data)})
    assert response.status_code == 200
    decoded = sign("http://localhost/sms/inbound?a='x'&b=é", params(sid="SM3"))
    assert client.post("/sms/inbound?a=%27x%27&b=%C3%A9", data=params(sid="SM3"),
                       headers={"X-Twilio-Signature": decoded}).status_code == 403


def test_unknown_extra_parameters_still_validate(signed, client, db, family_survey):
    data = params(FromCity="NEW ORLEANS", SmsStatus="received", ApiVersion="2010-04-01",
                  SomeFieldTwilioAddsLater="x")
    response = client.post("/sms/inbound", data=data, headers={
        "X-Twilio-Signature": sign("http://localhost/sms/inbound", data)})
    assert response.status_code == 200


def test_a_signed_text_with_control_characters_validates_as_sent(
        signed, client, db, family_survey):
    """Twilio signs the values it sent; the app removes control characters from every form
    before views read it, so the signature must be checked on the values as sent."""
    data = params(body="PUL\x00SE\x07\r\n")
    response = client.post("/sms/inbound", data=data, headers={
        "X-Twilio-Signature": sign("http://localhost/sms/inbound", data)})
    assert response.status_code == 200
    assert "Reply 1 for English" in replies(response.get_data(as_text=True))[0]
    assert db.session.scalar(db.select(InboundMessage.body)) == "PULSE\n"


def test_twilio_backend_always_requires_a_signature(app, client, db, family_survey):
    app.config["SMS_BACKEND"] = "twilio"
    app.config["TWILIO_AUTH_TOKEN"] = ""
    assert client.post("/sms/inbound", data=params()).status_code == 403
    assert count(db, InboundMessage) == 0


def test_console_backend_without_a_token_accepts_unsigned_posts(client, db, family_survey):
    assert client.post("/sms/inbound", data=params()).status_code == 200


def test_duplicate_delivery_stores_once_and_answers_the_same(db, family_survey, text):
    first = text(PHONE, "PULSE", sid="SMdup1")
    second = text(PHONE, "PULSE", sid="SMdup1")
    assert first == second and "Reply 1 for English" in first[0]
    assert count(db, InboundMessage) == 1
    assert count(db, OutboundMessage) == 1
    assert count(db, Conversation) == 1


def test_a_handling_failure_still_answers_200_and_the_job_replies(
        db, family_survey, text, monkeypatch):
    from messaging.inbound import handling as inbound

    real = inbound.dispatch_text
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(inbound, "dispatch_text", flaky)
    response = text(PHONE, "PULSE", raw=True)
    assert response.status_code == 200
    assert replies(response.get_data(as_text=True)) == []  # empty TwiML
    # The queue (immediate in tests) ran finish_inbound: the reply went out by the REST API.
    message = db.session.scalar(db.select(InboundMessage))
    assert message.status == "handled"
    sent = db.session.scalars(db.select(OutboundMessage)).all()
    assert len(sent) == 1 and "Reply 1 for English" in sent[0].body
    assert sent[0].status not in ("pending", "suppressed")
    assert calls["n"] == 2
    # A redelivery of the same MessageSid does not reply a second time.
    assert text(PHONE, "PULSE", sid=message.message_sid) == []
    assert count(db, OutboundMessage) == 1


def test_a_failure_after_the_answer_is_written_leaves_nothing_half_done(
        db, family_survey, text, monkeypatch):
    """The message is committed on its own, its handling in one transaction: a failure after
    the answer's INSERT (here, right after the last writes: answer, state, outcome, replies)
    rolls it all back, and the job stores the answer exactly once and replies through the
    REST API."""
    from messaging.inbound import handling as inbound

    text(PHONE, "PULSE")
    text(PHONE, "1")  # English: now at needs_met
    calls = []

    def broken_once(connection, writes):
        calls.append(writes)
        result = execute_together(connection, writes)  # the answer is written, then:
        if len(calls) == 1:
            result.close()
            raise RuntimeError("connection reset")
        return result

    monkeypatch.setattr(inbound, "execute_together", broken_once)
    response = text(PHONE, "4", raw=True)
    assert response.status_code == 200
    assert replies(response.get_data(as_text=True)) == []
    assert [a.value for a in db.session.scalars(db.select(Answer))] == [4]
    assert set(db.session.scalars(db.select(InboundMessage.status))) == {"handled"}
    conversation = db.session.scalar(db.select(Conversation))
    assert conversation.current_question_key == "used_program"
    last = db.session.scalars(
        db.select(OutboundMessage).order_by(OutboundMessage.id.desc())
    ).first()
    assert "Did your child" in last.body and last.status not in ("pending", "suppressed")
    assert len(calls) == 2, "the webhook's handling failed, the job's finished it"


def test_a_commit_whose_acknowledgement_is_lost_is_neither_redone_nor_left_silent(
        db, family_survey, text, monkeypatch):
    """The handling's COMMIT reaches the database, then the connection drops before the
    webhook hears back. Handling the text again finds it handled: the answer stays stored
    once (no job may apply it a second time) and the family still gets its next question."""
    from sqlalchemy.exc import OperationalError

    from messaging.inbound import handling as inbound

    _mid_survey(db, text)
    calls = []

    def acknowledgement_lost(connection, writes):
        calls.append(writes)
        result = execute_together(connection, writes)
        if len(calls) == 1:
            result.close()
            db.session.commit()  # the COMMIT went through, then the connection dropped:
            raise OperationalError("COMMIT", None, ConnectionResetError("reset"),
                                   connection_invalidated=True)
        return result

    monkeypatch.setattr(inbound, "execute_together", acknowledgement_lost)
    reply = text(PHONE, "4")
    assert any("Did your child" in r for r in reply), reply
    assert [a.value for a in db.session.scalars(db.select(Answer))] == [4]
    assert set(db.session.scalars(db.select(InboundMessage.status))) == {"handled"}
    assert db.session.scalar(db.select(Conversation)).current_question_key == "used_program"
    assert len(calls) == 1


def test_a_handled_text_is_never_marked_failed_for_its_job_to_apply_again(
        db, family_survey, text, monkeypatch):
    """As above, and the second handling fails as well: the text stays handled, so the job
    that finishes failed texts finds nothing to do. Marked failed, the job would apply it
    again: to a question that has moved on, an unmatched late reply shown to staff."""
    from sqlalchemy.exc import OperationalError

    from messaging.inbound import handling as inbound

    _mid_survey(db, text)
    real_handle_new, handlings, writes_seen = inbound.handle_new, [], []

    def acknowledgement_lost(connection, writes):
        writes_seen.append(writes)
        execute_together(connection, writes).close()
        db.session.commit()
        raise OperationalError("COMMIT", None, ConnectionResetError("reset"),
                               connection_invalidated=True)

    def the_second_fails(*args, **kwargs):
        handlings.append(args)
        if len(handlings) == 2:
            raise OperationalError("SELECT", None, ConnectionRefusedError("down"))
        return real_handle_new(*args, **kwargs)

    monkeypatch.setattr(inbound, "execute_together", acknowledgement_lost)
    monkeypatch.setattr(inbound, "handle_new", the_second_fails)
    assert text(PHONE, "4") == []  # the job (run at once in tests) has run too
    assert [a.value for a in db.session.scalars(db.select(Answer))] == [4]
    assert set(db.session.scalars(db.select(InboundMessage.status))) == {"handled"}
    assert len(writes_seen) == 1 and len(handlings) == 2


def test_failure_logs_neither_phone_nor_body(db, family_survey, text, monkeypatch, caplog):
    from messaging.inbound import handling as inbound

    def broken(*args, **kwargs):
        raise RuntimeError(f"boom {PHONE} secret body")

    monkeypatch.setattr(inbound, "dispatch_text", broken)
    with caplog.at_level("INFO"):
        assert text(PHONE, "my secret body", raw=True).status_code == 200
    assert caplog.records, "the failure is logged"
    assert PHONE not in caplog.text and "secret body" not in caplog.text
    assert "5045550123" not in caplog.text


def test_a_database_error_never_carries_the_text_it_was_storing(db):
    """Whoever prints a failed statement (a traceback, a job's failure, gunicorn's error log)
    sees the SQL, not its parameters: a phone number or a message body."""
    with pytest.raises(sa.exc.DBAPIError) as caught:
        db.session.execute(sa.text("SELECT phone FROM no_such_table WHERE body = :body"),
                           {"body": f"my secret body from {PHONE}"})
    db.session.rollback()
    assert "no_such_table" in str(caught.value)
    assert "secret body" not in str(caught.value) and PHONE not in str(caught.value)


def test_the_pipelined_snapshot_error_never_carries_the_text_either(db, family_survey, text):
    """PostgreSQL: the lock and the snapshot go through psycopg's pipeline, past SQLAlchemy's
    own error wrapping; a connection lost there is reported with the SQL only, never the
    text's first words that the snapshot looks up as a survey keyword."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the pipelined lock and snapshot are PostgreSQL's")
    from messaging.inbound import conversation

    text(PHONE, "PULSE")
    contact_id = db.session.scalar(db.select(Contact.id))
    db.session.commit()
    with db.engine.connect() as connection:
        pid = connection.connection.driver_connection.info.backend_pid
        with db.engine.connect() as other:
            other.execute(sa.select(sa.func.pg_terminate_backend(pid)))
        with pytest.raises(sa.exc.DBAPIError) as caught:
            conversation._lock_and_read_pipelined(connection, {
                "contact_id": contact_id, "keyword": "MYSECRETWORDS", "inbound_id": 0})
    assert caught.value.connection_invalidated
    assert "FROM contact" in str(caught.value) and "MYSECRETWORDS" not in str(caught.value)


def test_the_database_libraries_log_through_the_scrubbing_handler(app, db):
    """A pool that fails to reset a lost connection logs the failure with its exception (as
    SQLAlchemy does after a PostgreSQL restart): one JSON line, no phone, no body, and no
    statement echo at INFO."""
    import io
    import json
    import logging

    from feedback.core.logging_setup import LIBRARY_LOGGERS

    out = io.StringIO()
    handlers = {logging.getLogger(name).handlers[0] for name in LIBRARY_LOGGERS}
    assert len(handlers) == 1, "one handler for the app and the libraries"
    (handler,) = handlers
    stream = handler.setStream(out)
    try:
        try:
            raise RuntimeError(f"reset failed [parameters: {{'phone': '{PHONE}', "
                               "'body': 'my secret body'}]")
        except RuntimeError:
            logging.getLogger("sqlalchemy.pool.impl.QueuePool").error(
                "Exception during reset or similar", exc_info=True)
            logging.getLogger("psycopg").warning("error ignored terminating %s", PHONE)
        logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 'an echoed statement'")
    finally:
        handler.setStream(stream)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["message"] for line in lines] == [
        "Exception during reset or similar", "error ignored terminating [redacted-phone]"]
    assert lines[0]["exc_type"] == "RuntimeError"
    assert PHONE not in out.getvalue() and "secret body" not in out.getvalue()


def test_an_answer_ends_with_its_last_writes_in_one_statement_on_postgresql(
        db, family_survey, text):
    """An answer moves the conversation on, marks the message handled and records the reply:
    all three are written (both databases), in one statement on PostgreSQL."""
    _mid_survey(db, text)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        reply = text(PHONE, "4")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert "Did your child" in reply[0]
    conversation = db.session.scalar(db.select(Conversation))
    assert conversation.current_question_key == "used_program"
    last_inbound = db.session.scalars(
        db.select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert last_inbound.status == "handled" and "Did your child" in last_inbound.reply_body
    last_reply = db.session.scalars(
        db.select(OutboundMessage).order_by(OutboundMessage.id.desc())).first()
    assert last_reply.body == reply[0] and last_reply.status == "sent"
    last_writes = ("UPDATE conversation", "UPDATE inbound_message", "INSERT INTO outbound_message")
    writes = [s for s in statements if any(part in s for part in last_writes)]
    assert len(writes) == (1 if db.engine.dialect.name == "postgresql" else 3)


def _mid_survey(db, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")  # now at needs_met (scale 1-5); "1"/"2" are also valid yes/no replies


def _check_two_answers(db):
    answers = {a.question_key: a.value for a in db.session.scalars(db.select(Answer))}
    assert set(answers) == {"needs_met", "used_program"}
    conversation = db.session.scalar(db.select(Conversation))
    expected_next = "program_kind" if answers["used_program"] == "yes" else "one_thing"
    assert conversation.current_question_key == expected_next
    assert conversation.failed_attempts == 0
    statuses = set(db.session.scalars(db.select(InboundMessage.status)))
    assert statuses == {"handled"}


def test_two_quick_texts_are_handled_in_order(db, family_survey, text):
    """Sequential variant (both databases)."""
    _mid_survey(db, text)
    assert text(PHONE, "2")
    assert text(PHONE, "1")
    _check_two_answers(db)
    assert {a.value for a in db.session.scalars(db.select(Answer))} == {2, "yes"}


def _post_at_once(app, bodies_and_sids):
    barrier = threading.Barrier(len(bodies_and_sids))
    results = [None] * len(bodies_and_sids)

    def worker(i, body, sid):
        client = app.test_client()
        barrier.wait()
        results[i] = client.post("/sms/inbound", data=params(body=body, sid=sid))

    threads = [threading.Thread(target=worker, args=(i, b, s))
               for i, (b, s) in enumerate(bodies_and_sids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_simultaneous_texts_from_one_phone(app, db, family_survey, text):
    """Threads at a barrier: the contact's row lock (FOR UPDATE on PostgreSQL, the write
    lock taken first on SQLite) makes the second wait. Each text applies only to the question
    open when it arrived: when both arrived while the same question was open, the second is
    kept as an unmatched late reply rather than guessed onto the next question."""
    _mid_survey(db, text)
    db.session.remove()
    results = _post_at_once(app, [("2", "SMsim1"), ("1", "SMsim2")])
    assert [r.status_code for r in results] == [200, 200]
    messages = db.session.scalars(
        db.select(InboundMessage).where(InboundMessage.message_sid.in_(["SMsim1", "SMsim2"]))
    ).all()
    answers = {a.question_key: a.value for a in db.session.scalars(db.select(Answer))}
    handled = [m for m in messages if m.status == "handled"]
    assert {m.status for m in messages} <= {"handled", "late"} and handled
    for message in handled:  # each answer is on the question its text arrived for
        assert message.awaited_question_key in answers
    if len(handled) == 2:
        _check_two_answers(db)
    else:
        assert len(answers) == 1


def test_simultaneous_duplicate_deliveries(app, db, family_survey):
    results = _post_at_once(app, [("PULSE", "SMsame"), ("PULSE", "SMsame"), ("PULSE", "SMsame")])
    assert [r.status_code for r in results] == [200, 200, 200]
    assert count(db, InboundMessage) == 1 and count(db, Contact) == 1
    assert count(db, Conversation) == 1 and count(db, OutboundMessage) == 1


def test_two_first_texts_from_a_new_number_at_once(app, db, family_survey, caplog):
    """Both make the number a contact at the same moment: one wins, the other finds it, and
    each text is answered once with the language menu of the one conversation. When the
    second request takes the contact's lock first it applies the first text too (arrival
    order), so that text's menu goes by the REST API and its own request answers nothing."""
    results = _post_at_once(app, [("PULSE", "SMnew1"), ("PULSE", "SMnew2")])
    assert [r.status_code for r in results] == [200, 200]
    in_twiml = [replies(r.get_data(as_text=True)) for r in results]
    assert all(texts == [] or "Reply 1 for English" in texts[0] for texts in in_twiml)
    assert any(in_twiml)
    menus = db.session.scalars(db.select(OutboundMessage.body)).all()
    assert len([body for body in menus if "Reply 1 for English" in body]) == 2
    assert "failed" not in caplog.text  # both handled in their requests, none left to a job
    assert count(db, Contact) == 1 and count(db, Conversation) == 1
    contact_id = db.session.scalar(db.select(Contact.id))
    assert set(db.session.scalars(db.select(InboundMessage.contact_id))) == {contact_id}


def test_sweep_finishes_a_message_whose_job_was_lost(db, family_survey, text):
    from datetime import timedelta

    from messaging.inbound.jobs import sweep_inbound

    text(PHONE, "PULSE")
    text(PHONE, "1")
    # A text stored by a worker that died before handling it.
    contact = db.session.scalar(db.select(Contact))
    lost = InboundMessage(message_sid="SMlost", contact_id=contact.id, body="5",
                          status="received")
    db.session.add(lost)
    db.session.commit()
    lost.received_at -= timedelta(minutes=10)
    db.session.commit()
    assert sweep_inbound.call_local() == 1
    assert db.session.get(InboundMessage, lost.id).status == "handled"
    assert [a.value for a in db.session.scalars(db.select(Answer))] == [5]
    replies_sent = db.session.scalars(
        db.select(OutboundMessage).order_by(OutboundMessage.id.desc())
    ).first()
    assert "Did your child" in replies_sent.body
    assert sweep_inbound.call_local() == 0  # idempotent


def test_a_connection_lost_while_locking_the_contact_still_answers_in_the_reply(
        db, family_survey, text, monkeypatch):
    """PostgreSQL: the lock and the snapshot go in one round trip (pipeline mode). When the
    server drops the connection just then, the handling runs again on a fresh connection in
    the same request: the family gets its next question in the reply and the answer is
    stored once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the pipelined lock and snapshot are PostgreSQL's")
    from messaging.inbound import conversation

    text(PHONE, "PULSE")
    text(PHONE, "1")  # English: now at needs_met
    real = conversation._lock_and_read_pipelined
    dropped = []

    def dropped_once(connection, params):
        if not dropped:
            pid = connection.connection.driver_connection.info.backend_pid
            with db.engine.connect() as other:
                dropped.append(other.execute(sa.select(sa.func.pg_terminate_backend(pid)))
                               .scalar())
                other.commit()
        return real(connection, params)

    monkeypatch.setattr(conversation, "_lock_and_read_pipelined", dropped_once)
    answered = text(PHONE, "4")
    assert dropped == [True]
    assert any("Did your child" in reply for reply in answered)
    assert [a.value for a in db.session.scalars(db.select(Answer))] == [4]
    assert set(db.session.scalars(db.select(InboundMessage.status))) == {"handled"}
