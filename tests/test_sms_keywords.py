"""Keywords: opt-out, opt-in, help and language words in three languages, whole message only."""

from __future__ import annotations

import pytest

from messaging.inbound.conversation import (
    HELP,
    LANGUAGE,
    OPT_IN,
    OPT_OUT,
    language_choice,
    match_keyword,
)
from messaging.models import Contact, Conversation, OutboundMessage

PHONE = "+15045550177"


@pytest.mark.parametrize("body", [
    "STOP", "stop", " Stop! ", "StopAll", "UNSUBSCRIBE", "cancel", "End", "quit", "REVOKE",
    "optout", "PARAR", "alto", "Detener", "cancelar", "BAJA", "DỪNG", "dung", "NGỪNG", "ngung",
    "Hủy", "HUY", "stop.",
])
def test_opt_out_words(body):
    assert match_keyword(body).kind == OPT_OUT


@pytest.mark.parametrize("body", [
    "stop please", "please stop texting me", "don't stop", "the end of the school day",
    "alto nivel", "đúng", "Đúng rồi", "",
])
def test_sentences_and_lookalikes_are_not_opt_outs(body):
    word = match_keyword(body)
    assert word is None or word.kind != OPT_OUT


@pytest.mark.parametrize("body, locale", [
    ("START", "en"), ("unstop", "en"), ("Comenzar", "es"), ("INICIAR", "es"),
    ("BẮT ĐẦU", "vi"), ("bat dau", "vi"),
])
def test_opt_in_words(body, locale):
    assert match_keyword(body) == match_keyword(body, opted_out=True)
    assert match_keyword(body).kind == OPT_IN and match_keyword(body).locale == locale


@pytest.mark.parametrize("body", ["YES", "Sí", "si"])
def test_yes_opts_in_only_when_opted_out(body):
    assert match_keyword(body) is None  # an ordinary answer
    assert match_keyword(body, opted_out=True).kind == OPT_IN


@pytest.mark.parametrize("body, locale", [
    ("HELP", "en"), ("info", "en"), ("Ayuda", "es"), ("GIÚP", "vi"), ("giup", "vi"),
])
def test_help_words(body, locale):
    assert (match_keyword(body).kind, match_keyword(body).locale) == (HELP, locale)


@pytest.mark.parametrize("body, locale", [
    ("ENGLISH", "en"), ("Español", "es"), ("espanol", "es"), ("Tiếng Việt", "vi"),
    ("TIENG VIET", "vi"), ("Vietnamese", "vi"),
])
def test_language_words(body, locale):
    assert (match_keyword(body).kind, match_keyword(body).locale) == (LANGUAGE, locale)


def test_language_menu_choices():
    locales = ["en", "es", "vi"]
    assert [language_choice(b, locales) for b in ("1", "2", "3", "4", "es", "tiếng việt", "x")] \
        == ["en", "es", "vi", None, "es", "vi", None]
    assert language_choice("2", ["en", "vi"]) == "vi"


@pytest.mark.parametrize("word, locale, confirmation", [
    ("STOP", "en", "You are unsubscribed"),
    ("PARAR", "es", "Se dio de baja"),
    ("DỪNG", "vi", "Bạn đã hủy đăng ký"),
])
def test_opt_out_in_each_language_then_silence(db, family_survey, text, word, locale, confirmation):
    text(PHONE, "PULSE")
    text(PHONE, {"en": "1", "es": "2", "vi": "3"}[locale])
    out = text(PHONE, word)
    assert len(out) == 1 and confirmation in out[0]
    contact = db.session.scalar(db.select(Contact).filter_by(phone=PHONE))
    assert contact.opted_out and contact.opted_out_at is not None
    assert db.session.scalar(db.select(Conversation.state)) == "stopped"
    sent_before = db.session.scalar(db.select(db.func.count(OutboundMessage.id)))
    # Confirmed once: a second STOP, an answer, HELP, even the survey keyword get nothing.
    for later in (word, "STOP", "4", "HELP", "PULSE", "yes please"):
        assert text(PHONE, later) == []
    assert db.session.scalar(db.select(db.func.count(OutboundMessage.id))) == sent_before
    # A campaign invitation queued later is suppressed by the outbound side.
    from messaging.outbound.sending import queue_message

    message = queue_message(contact, "Invitation", kind="invitation")
    db.session.commit()
    assert message.status == "suppressed"


def test_stop_from_an_unknown_number_is_remembered(db, family_survey, text):
    assert "unsubscribed" in text(PHONE, "stop")[0]
    contact = db.session.scalar(db.select(Contact).filter_by(phone=PHONE))
    assert contact.opted_out
    assert text(PHONE, "PULSE") == []


def test_start_opts_back_in_with_how_to_stop(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "STOP")
    out = text(PHONE, "START")
    assert "subscribed" in out[0] and "STOP" in out[0]
    assert db.session.scalar(db.select(Contact.opted_out)) is False
    assert "Reply 1 for English" in text(PHONE, "PULSE")[0]


def test_yes_opts_back_in_only_an_opted_out_contact(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    text(PHONE, "4")
    assert "What kind of program" in text(PHONE, "YES")[0]  # an answer here
    text(PHONE, "STOP")
    assert "subscribed" in text(PHONE, "YES")[0]


@pytest.mark.parametrize("word, locale", [("HELP", "en"), ("AYUDA", "es"), ("GIÚP", "vi")])
def test_help_names_the_program_contact_and_how_to_stop(app, db, family_survey, text, word,
                                                         locale):
    app.config["COALITION_NAME"] = "City Youth Partnership"
    app.config["COALITION_CONTACT"] = "504-555-0000"
    out = text(PHONE, word)
    assert "City Youth Partnership" in out[0] and "504-555-0000" in out[0]
    assert "STOP" in out[0]


def test_help_keeps_the_conversation_where_it_was(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    text(PHONE, "help")
    assert "Did your child" in text(PHONE, "4")[0]


def test_a_number_that_stopped_before_its_contact_was_erased_starts_opted_out(
        db, family_survey, text):
    from messaging.contacts import consent
    from messaging.models import OptOutHash

    text(PHONE, "PULSE")
    text(PHONE, "STOP")
    consent.erase(db.session.scalar(db.select(Contact).filter_by(phone=PHONE)), "asked")
    # The survey keyword makes the number a contact again, opted out: nothing is sent.
    assert text(PHONE, "PULSE") == []
    again = db.session.scalar(db.select(Contact).filter_by(phone=PHONE))
    assert again.opted_out and again.opted_out_by == "text"
    # START (or YES, after their own STOP) subscribes it again and clears the kept opt-out.
    assert "subscribed" in text(PHONE, "START")[0]
    assert db.session.scalar(db.select(db.func.count()).select_from(OptOutHash)) == 0
    assert "Reply 1 for English" in text(PHONE, "PULSE")[0]


def test_start_from_an_erased_number_that_had_stopped_clears_its_kept_opt_out(
        db, family_survey, text):
    from messaging.contacts import consent
    from messaging.models import OptOutHash

    text(PHONE, "STOP")
    consent.erase(db.session.scalar(db.select(Contact).filter_by(phone=PHONE)), "asked")
    assert "subscribed" in text(PHONE, "START")[0]
    assert db.session.scalar(db.select(db.func.count()).select_from(OptOutHash)) == 0
    assert not db.session.scalar(db.select(Contact).filter_by(phone=PHONE)).opted_out
