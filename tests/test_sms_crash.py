"""A text stored but not handled (its worker died) lands on the question it answered, or on
none; texts apply in arrival order; a database that cannot be reached spools the text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from feedback.responses.models import Answer, utcnow
from messaging.inbound import handling as inbound
from messaging.inbound import spool
from messaging.inbound.jobs import drain_spool, sweep_inbound
from messaging.models import Contact, InboundMessage, OutboundMessage
from tests.fixtures.sms import Killed

PHONE = "+15045550123"


def _answers(db):
    return [(a.question_key, a.value)
            for a in db.session.scalars(db.select(Answer).order_by(Answer.id))]


def _left_unhandled_mid_survey(text, dies_after_store, body: str, sid: str) -> None:
    """The family starts the survey in English, then texts ``body`` for its first question:
    stored, but the worker dies before handling it."""
    text(PHONE, "PULSE")
    text(PHONE, "1")
    dies_after_store()
    with pytest.raises(Killed):
        text(PHONE, body, sid=sid)


def _connection_drops_once(monkeypatch, step: str) -> None:
    """The next call of the handling's ``step`` loses its database connection."""
    real = getattr(inbound, step)

    def dropped(*args, **kwargs):
        monkeypatch.setattr(inbound, step, real)
        raise OperationalError("SELECT", {}, Exception("server closed the connection"),
                               connection_invalidated=True)

    monkeypatch.setattr(inbound, step, dropped)


def _age(db, sid, seconds=60):
    message = db.session.scalar(db.select(InboundMessage).filter_by(message_sid=sid))
    message.received_at -= timedelta(seconds=seconds)
    db.session.commit()
    return message


def test_twilio_retry_of_a_stored_text_answers_its_question(db, family_survey, text,
                                                            dies_after_store):
    _left_unhandled_mid_survey(text, dies_after_store, "5", "SMkilled")
    assert db.session.scalar(
        db.select(InboundMessage.status).filter_by(message_sid="SMkilled")) == "received"
    again = text(PHONE, "5", sid="SMkilled")  # Twilio's retry of the same MessageSid
    assert any("Did your child" in reply for reply in again)
    assert [value for _key, value in _answers(db)] == [5]
    assert text(PHONE, "5", sid="SMkilled") == again  # a third delivery: the same reply


def test_sweeper_applies_a_late_text_to_the_question_open_when_it_arrived(
        db, family_survey, text, dies_after_store):
    _left_unhandled_mid_survey(text, dies_after_store, "5", "SMkilled")
    _age(db, "SMkilled")
    assert sweep_inbound.call_local() == 1
    answers = _answers(db)
    assert [value for _key, value in answers] == [5]
    sent = db.session.scalars(db.select(OutboundMessage.body)).all()
    assert any("Did your child" in body for body in sent)  # the next question, by REST API


def test_a_text_whose_question_moved_on_is_an_unmatched_late_reply(db, family_survey, text,
                                                                   dies_after_store):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    # Stored while the first question was open; its handling is lost ...
    dies_after_store()
    with pytest.raises(Killed):
        text(PHONE, "5", sid="SMkilled")
    # ... and the conversation moves on without it (the sweeper was late).
    db.session.execute(
        db.update(InboundMessage).where(InboundMessage.message_sid == "SMkilled")
        .values(awaited_question_key="some_earlier_question"))
    db.session.commit()
    _age(db, "SMkilled")
    before = _answers(db)
    assert sweep_inbound.call_local() == 1
    late = db.session.scalar(db.select(InboundMessage).filter_by(message_sid="SMkilled"))
    assert late.status == "late"
    assert _answers(db) == before  # never guessed onto the question open now


def test_a_newer_text_waits_for_an_older_unhandled_one(db, family_survey, text,
                                                       dies_after_store, caplog):
    _left_unhandled_mid_survey(text, dies_after_store, "5", "SMfirst")
    # The family answers again before anything came back: the older text is applied first,
    # the newer one (meant for the same question) is kept as a late reply.
    text(PHONE, "4", sid="SMsecond")
    assert [value for _key, value in _answers(db)] == [5]
    statuses = dict(db.session.execute(
        db.select(InboundMessage.message_sid, InboundMessage.status)).all())
    assert statuses["SMfirst"] == "handled" and statuses["SMsecond"] == "late"
    assert "failed" not in caplog.text  # both in the newer text's request, not by a job


def test_a_connection_dropped_while_applying_the_older_text_first_keeps_the_order(
        db, family_survey, text, dies_after_store, monkeypatch):
    """The newer text's request applies the older unhandled one first, and the connection
    drops just then: handled again on a fresh connection, the older text still goes first
    and answers its question; the newer one, meant for the same question, is kept late."""
    _left_unhandled_mid_survey(text, dies_after_store, "5", "SMfirst")
    _connection_drops_once(monkeypatch, "handle_stored")
    text(PHONE, "4", sid="SMsecond")
    assert _answers(db) == [("needs_met", 5)]
    statuses = dict(db.session.execute(
        db.select(InboundMessage.message_sid, InboundMessage.status)).all())
    assert statuses["SMfirst"] == "handled" and statuses["SMsecond"] == "late"


def test_the_sweeper_never_applies_a_newer_text_before_an_older_one_that_failed(
        db, family_survey, text, dies_after_store, monkeypatch):
    """Two texts of one family were left unhandled, and the older one fails in this sweep:
    the newer one waits for it (it would otherwise take the older one's question), and the
    next sweep applies both in arrival order."""
    text(PHONE, "PULSE")
    text(PHONE, "1")
    for sid, body in (("SMfirst", "5"), ("SMsecond", "4")):
        dies_after_store()
        with pytest.raises(Killed):
            text(PHONE, body, sid=sid)
        _age(db, sid)
    real = inbound.handle_stored
    first_id = db.session.scalar(
        db.select(InboundMessage.id).filter_by(message_sid="SMfirst"))

    def older_fails(inbound_id, **kwargs):
        if inbound_id == first_id:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        return real(inbound_id, **kwargs)

    monkeypatch.setattr(inbound, "handle_stored", older_fails)
    sweep_inbound.call_local()
    assert _answers(db) == []
    monkeypatch.setattr(inbound, "handle_stored", real)
    sweep_inbound.call_local()
    assert _answers(db) == [("needs_met", 5)]
    statuses = dict(db.session.execute(
        db.select(InboundMessage.message_sid, InboundMessage.status)).all())
    assert statuses["SMfirst"] == "handled" and statuses["SMsecond"] == "late"


def test_a_text_that_keeps_failing_is_set_aside_and_the_newer_ones_go_on(
        db, family_survey, text, dies_after_store, monkeypatch):
    """An older text whose handling always raises (a bug it trips) holds its family's newer
    texts back only for a while: after ``MAX_FAILED_HANDLINGS`` failed handlings it is set
    aside for staff as an unmatched late reply, and the newer text answers the question."""
    text(PHONE, "PULSE")
    text(PHONE, "1")
    dies_after_store()
    with pytest.raises(Killed):
        text(PHONE, "5", sid="SMpoison")
    real = inbound.handle_stored
    poison_id = db.session.scalar(
        db.select(InboundMessage.id).filter_by(message_sid="SMpoison"))

    def poison_fails(inbound_id, **kwargs):
        if inbound_id == poison_id:
            raise ValueError("a bug this text trips")
        return real(inbound_id, **kwargs)

    monkeypatch.setattr(inbound, "handle_stored", poison_fails)
    text(PHONE, "4", sid="SMnewer")  # waits: the older text goes first, and fails
    _age(db, "SMpoison")
    _age(db, "SMnewer")
    sweeps = 0
    while _status(db, "SMpoison") != "late":
        assert _answers(db) == []  # never overtaken while it may still be applied
        assert sweeps < inbound.MAX_FAILED_HANDLINGS
        sweep_inbound.call_local()
        sweeps += 1
    assert _answers(db) == [("needs_met", 4)]
    assert _status(db, "SMnewer") == "handled"
    assert db.session.scalar(db.select(InboundMessage.failed_handlings).filter_by(
        message_sid="SMpoison")) == inbound.MAX_FAILED_HANDLINGS
    assert db.session.scalar(db.select(InboundMessage.failed_handlings).filter_by(
        message_sid="SMnewer")) == 0  # its wait was the older text's fault, not its own


def _status(db, sid):
    db.session.expire_all()
    return db.session.scalar(db.select(InboundMessage.status).filter_by(message_sid=sid))


def test_nul_and_control_characters_are_removed_before_storing(db, family_survey, text):
    text(PHONE, "PUL\x00SE\x07")
    text(PHONE, "1")
    text(PHONE, "\x005\r")
    stored = db.session.scalars(db.select(InboundMessage.body).order_by(InboundMessage.id))
    assert list(stored) == ["PULSE", "1", "5"]
    assert [value for _key, value in _answers(db)] == [5]


def test_dropped_connection_is_retried_once(db, family_survey, text, monkeypatch):
    real, calls = inbound.store, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(inbound, "store", flaky)
    assert text(PHONE, "PULSE")
    assert len(calls) == 2 and spool.pending() == []
    assert db.session.scalar(db.select(db.func.count(InboundMessage.id))) == 1


def test_unreachable_database_spools_then_drains_in_order_once(app, db, family_survey, text,
                                                              monkeypatch, tmp_path):
    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    real = inbound.store

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(inbound, "store", down)
    assert text(PHONE, "PULSE", sid="SMa") == []  # 200, empty TwiML: nothing lost
    assert text(PHONE, "1", sid="SMb") == []
    assert text(PHONE, "1", sid="SMb") == []  # Twilio repeated it
    files = spool.pending()
    assert len(files) == 3
    assert db.session.scalar(db.select(db.func.count(InboundMessage.id))) == 0
    monkeypatch.setattr(inbound, "store", real)  # the database is back
    assert drain_spool.call_local() == 3
    assert spool.pending() == []
    rows = db.session.execute(
        db.select(InboundMessage.message_sid, InboundMessage.status)
        .order_by(InboundMessage.id)).all()
    assert rows == [("SMa", "handled"), ("SMb", "handled")]
    sent = db.session.scalars(db.select(OutboundMessage.body).order_by(OutboundMessage.id))
    assert len(list(sent)) >= 2  # the survey's replies, by the REST API
    assert drain_spool.call_local() == 0


def test_a_spooled_text_overtaken_by_a_newer_one_is_kept_late_not_guessed(
        app, db, client, staff, family_survey, text, monkeypatch, tmp_path):
    """The database is down when the family answers, so the text is spooled and they hear
    nothing; once it is back they answer again before the drain runs, and the survey moves
    on. The spooled text is stored after that: it must not answer the question asked after
    it arrived, so it is kept as an unmatched late reply. A spooled STOP still opts out."""
    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    text(PHONE, "PULSE")
    text(PHONE, "1")  # English: now at needs_met (1-5)
    real = inbound.store

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(inbound, "store", down)
    assert text(PHONE, "2", sid="SMspooled") == []
    monkeypatch.setattr(inbound, "store", real)  # the database is back
    assert any("Did your child" in reply for reply in text(PHONE, "4", sid="SMagain"))
    assert drain_spool.call_local() == 1
    assert _answers(db) == [("needs_met", 4)]  # "2" would have answered "used the program?"
    spooled = db.session.scalar(db.select(InboundMessage).filter_by(message_sid="SMspooled"))
    assert spooled.status == "late"
    page = client.get("/staff/contacts/late-replies").get_data(as_text=True)
    assert "1 reply is waiting." in page  # for staff to follow up; its question unknown

    monkeypatch.setattr(inbound, "store", down)
    assert text(PHONE, "STOP", sid="SMstop") == []
    monkeypatch.setattr(inbound, "store", real)
    text(PHONE, "1", sid="SMyes")  # answers "used the program?": the survey moves on again
    assert drain_spool.call_local() == 1
    assert db.session.scalar(db.select(Contact.opted_out).filter_by(phone=PHONE)) is True


def test_a_spooled_stop_opts_out_and_the_family_gets_its_confirmation(
        app, db, family_survey, fake_twilio, make_contact, tmp_path):
    """A STOP handled outside the webhook (here the spool's drain) replies by the REST API to
    a contact it has just opted out: the confirmation carriers require still goes out, and
    nothing else does."""
    family = make_contact(phone="+15045550150", groups=("parents",), locale="es")
    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    spool.write("SMspoolstop1", family.phone, "PARAR", 0, utcnow())
    assert drain_spool.call_local() == 1
    db.session.expire_all()
    assert db.session.get(Contact, family.id).opted_out
    assert [(m["To"], "Se dio de baja" in m["Body"]) for m in fake_twilio.created] == [
        (family.phone, True)]
    from messaging.outbound.sending import queue_message

    later = queue_message(db.session.get(Contact, family.id), "Invitation", kind="invitation")
    db.session.commit()
    assert later.status == "suppressed"


def test_a_spooled_text_never_answers_a_campaign_that_invited_after_it_arrived(
        app, db, family_survey, text, clock, make_contact, monkeypatch, tmp_path):
    """A family texts "2" while the database is down; a campaign then invites them before the
    drain runs. The "2" was not an answer to that survey's first question: kept late."""
    from datetime import timedelta

    from messaging.campaigns.operations import start_campaign

    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    contact = make_contact(locale="en")
    real = inbound.store

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(inbound, "store", down)
    assert text(contact.phone, "2", sid="SMspooled") == []
    monkeypatch.setattr(inbound, "store", real)
    clock.set(clock.now + timedelta(seconds=30))
    start_campaign("June pulse", family_survey.id, "parents", clock.now)
    assert drain_spool.call_local() == 1
    assert _answers(db) == []
    spooled = db.session.scalar(db.select(InboundMessage).filter_by(message_sid="SMspooled"))
    assert spooled.status == "late"


def test_a_connection_dropped_while_handling_is_handled_again_at_once(db, family_survey, text,
                                                                     monkeypatch):
    """A restart or a terminated connection is not the text's fault: handled again at once,
    nothing is counted against it (ten such failures would set it aside for staff)."""
    text(PHONE, "PULSE")
    text(PHONE, "1")
    _connection_drops_once(monkeypatch, "handle_new")
    assert any("Did your child" in reply for reply in text(PHONE, "5"))
    assert [value for _key, value in _answers(db)] == [5]
    assert db.session.scalar(db.select(InboundMessage.failed_handlings)
                             .order_by(InboundMessage.id.desc()).limit(1)) == 0


def test_a_connection_dropped_twice_in_a_row_is_counted_once_and_finished_by_the_job(
        db, family_survey, text, monkeypatch):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    real, calls = inbound.handle_new, []

    def dropped_twice(*args, **kwargs):
        calls.append(args)
        if len(calls) <= 2:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"),
                                   connection_invalidated=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(inbound, "handle_new", dropped_twice)
    assert text(PHONE, "5") == []  # no reply in the TwiML: the job sends it (run at once here)
    assert [value for _key, value in _answers(db)] == [5]
    sent = db.session.scalars(db.select(OutboundMessage.body)).all()
    assert any("Did your child" in body for body in sent)
    assert db.session.scalar(db.select(InboundMessage.failed_handlings)
                             .order_by(InboundMessage.id.desc()).limit(1)) == 1
