"""The SMS survey conversation: one question at a time, in three languages."""

from __future__ import annotations

import pytest

from feedback.responses.models import Answer, Response
from messaging.models import Contact, Conversation, InboundMessage, OutboundMessage

PHONE = "+15045550142"


def answers_of(db, phone=PHONE) -> dict:
    contact = db.session.scalar(db.select(Contact).filter_by(phone=phone))
    rows = db.session.scalars(
        db.select(Answer).join(Response).filter(Response.respondent_id == contact.respondent_id)
    )
    return {a.question_key: a.value for a in rows}


def test_full_conversation_in_english(db, family_survey, text):
    out = text(PHONE, "pulse")
    assert len(out) == 1 and "Reply 1 for English" in out[0]
    assert "Responda 2 para Español" in out[0] and "Trả lời 3 để dùng Tiếng Việt" in out[0]
    out = text(PHONE, "1")
    assert "How well do our programs meet" in out[0]
    assert "7 short questions" in out[0]  # the intro comes with the first question
    assert "Did your child go to an after-school" in text(PHONE, "4")[0]
    assert "What kind of program" in text(PHONE, "yes")[0]
    assert "one thing that would help" in text(PHONE, "2")[0]
    assert "describes you" in text(PHONE, "More tutoring please")[0]
    assert "neighborhood" in text(PHONE, "2")[0]
    assert "race or ethnicity" in text(PHONE, "1")[0]
    out = text(PHONE, "2 and 3")
    assert "Thank you! Staff read every answer" in out[0]
    values = answers_of(db)
    assert values == {
        "needs_met": 4, "used_program": "yes", "program_kind": "tutoring",
        "one_thing": "More tutoring please", "role": "parent", "neighbourhood": "eastside",
        "race_ethnicity": ["black", "hispanic_latino"],
    }
    response = db.session.scalar(db.select(Response))
    assert response.channel == "sms" and response.locale == "en"
    assert response.completed_at is not None
    contact = db.session.scalar(db.select(Contact).filter_by(phone=PHONE))
    assert contact.consent_source == "keyword" and contact.locale == "en"
    assert contact.respondent.neighbourhood == "eastside"
    conversation = db.session.scalar(db.select(Conversation))
    assert conversation.state == "completed"
    # The whole thread is kept: 9 texts in, 9 replies out.
    assert db.session.scalar(db.select(db.func.count(InboundMessage.id))) == 9
    assert db.session.scalar(db.select(db.func.count(OutboundMessage.id))) == 9


def test_full_conversation_in_spanish_with_words(db, family_survey, text):
    text(PHONE, "PULSE")
    out = text(PHONE, "español")
    assert "¿Qué tan bien responden nuestros programas" in out[0]
    assert "¿Su hijo/a fue" in text(PHONE, "cuatro")[0]
    assert "¿Qué tipo de programa?" in text(PHONE, "sí")[0]
    assert "¿Qué es una cosa" in text(PHONE, "deportes")[0]
    text(PHONE, "Transporte para llegar al centro")
    text(PHONE, "2")
    text(PHONE, "2")
    out = text(PHONE, "3")
    assert "¡Gracias!" in out[0]
    values = answers_of(db)
    assert values["needs_met"] == 4 and values["used_program"] == "yes"
    assert values["program_kind"] == "sports"
    assert values["race_ethnicity"] == ["hispanic_latino"]
    assert db.session.scalar(db.select(Response.locale)) == "es"


def test_full_conversation_in_vietnamese(db, family_survey, text):
    text(PHONE, "Pulse")
    out = text(PHONE, "3")
    assert "Các chương trình của chúng tôi" in out[0]
    text(PHONE, "năm")
    out = text(PHONE, "không")  # no: the program question is skipped
    assert "Một điều gì có thể giúp" in out[0]
    text(PHONE, "Cần xe đưa đón")
    text(PHONE, "2")
    text(PHONE, "3")
    out = text(PHONE, "1")
    assert "Cảm ơn bạn!" in out[0]
    values = answers_of(db)
    assert values["needs_met"] == 5 and values["used_program"] == "no"
    assert "program_kind" not in values
    assert values["race_ethnicity"] == ["asian"]


def test_invalid_answer_gets_a_reprompt_saying_what_is_expected(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    out = text(PHONE, "banana")
    assert len(out) == 1
    assert "1" in out[0] and "5" in out[0]  # says the range it expects
    assert answers_of(db) == {}
    assert "Did your child" in text(PHONE, "3")[0]
    assert answers_of(db) == {"needs_met": 3}


def test_required_question_is_asked_again_after_three_failures(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    text(PHONE, "banana")
    text(PHONE, "apple")
    out = text(PHONE, "pear")
    assert "need an answer" in out[0] and "How well do our programs" in out[0]
    assert "Did your child" in text(PHONE, "5")[0]


def test_three_failures_skip_an_optional_question(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    text(PHONE, "2")
    text(PHONE, "yes")  # asks the program kind (optional single choice)
    assert "not one of the options" in text(PHONE, "9")[0]
    text(PHONE, "purple")
    out = text(PHONE, "zzz")
    assert "skip that one" in out[0] and "one thing that would help" in out[0]
    assert "program_kind" not in answers_of(db)


def test_stop_please_is_an_answer_not_an_opt_out(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    text(PHONE, "3")
    text(PHONE, "no")
    out = text(PHONE, "stop please")  # free text question
    assert "describes you" in out[0]
    assert answers_of(db)["one_thing"] == "stop please"
    assert db.session.scalar(db.select(Contact.opted_out)) is False


def test_language_can_be_changed_at_any_time(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    out = text(PHONE, "ESPAÑOL")
    assert "español" in out[0].lower() and "¿Qué tan bien" in out[0]
    text(PHONE, "4")
    out = text(PHONE, "tieng viet")
    assert "Tháng này con bạn" in out[0]
    assert db.session.scalar(db.select(Contact.locale)) == "vi"


def test_known_contact_with_a_language_skips_the_menu(db, family_survey, text):
    from feedback.responses.intake import new_respondent

    db.session.add(Contact(phone=PHONE, locale="es", respondent=new_respondent("es")))
    db.session.commit()
    out = text(PHONE, "pulse")
    assert "¿Qué tan bien" in out[0]


def test_picture_message_is_acknowledged(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    out = text(PHONE, "", num_media=1)
    assert "only read text" in out[0]
    assert "Did your child" in text(PHONE, "4")[0]  # the question still waits


def test_unknown_number_with_a_random_text_is_not_made_a_contact(db, family_survey, text):
    out = text("+15045550199", "hello?")
    assert "HELP" in out[0]
    assert db.session.scalar(db.select(db.func.count(Contact.id))) == 0


def test_campaign_invitation_starts_the_survey(app, db, family_survey, text):
    from feedback.responses.intake import new_respondent
    from messaging.inbound import answering, conversation
    from surveys.operations import current_version

    contact = Contact(phone=PHONE, locale="vi", respondent=new_respondent("vi"))
    db.session.add(contact)
    db.session.commit()
    snap = conversation.load_snapshot(contact.id, None)
    step = answering.start(snap, None, family_survey.id, current_version(family_survey).id)
    db.session.connection().execute(*step.update)
    db.session.commit()
    assert "Các chương trình" in step.texts[0]
    assert "Tháng này con bạn" in text(PHONE, "3")[0]


@pytest.mark.parametrize("hours_later, expected", [(47, "Did your child"), (49, "has ended")])
def test_abandoned_conversation_expires(db, family_survey, text, hours_later, expected):
    from datetime import timedelta

    text(PHONE, "PULSE")
    text(PHONE, "1")
    conversation = db.session.scalar(db.select(Conversation))
    conversation.last_activity_at -= timedelta(hours=hours_later)
    db.session.commit()
    out = text(PHONE, "4")
    assert expected in out[0]
    if expected == "has ended":
        assert "PULSE" in out[0]
        assert db.session.scalar(db.select(Conversation.state)) == "expired"
        # the keyword starts it again (language remembered)
        assert "How well do our programs" in text(PHONE, "pulse")[0]


def test_periodic_expiry_then_a_friendly_reply(app, db, family_survey, text):
    from datetime import timedelta

    from messaging.inbound.jobs import expire_conversations

    text(PHONE, "PULSE")
    conversation = db.session.scalar(db.select(Conversation))
    conversation.last_activity_at -= timedelta(hours=72)
    db.session.commit()
    assert expire_conversations.call_local() == 1
    assert "has ended" in text(PHONE, "1")[0]


def test_a_finished_conversation_reaches_the_review_totals(db, family_survey, text):
    """SMS answers are written with Core statements on the webhook's hot path; completing the
    conversation must still put them in the dashboard's daily totals, with their copies."""
    from analysis.review import daily_totals, from_totals
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from feedback.responses.models import utcnow

    for body in ("pulse", "1", "4", "yes", "2", "More tutoring please", "2", "2"):
        text(PHONE, body)
    scope = ReviewScope(period=quarter_of(utcnow().date()))
    daily_totals.refresh()
    assert from_totals.total_responses(scope) == (0, 0)  # not finished yet: not counted
    text(PHONE, "1")
    daily_totals.refresh()
    assert from_totals.total_responses(scope) == (1, 0)
    unit, by_channel, by_locale = from_totals.volume(scope)
    assert [(k, n) for _b, k, n in by_channel] == [("sms", 1)]
    answers = db.session.scalars(db.select(Answer)).all()
    assert len(answers) == 7 and all(a.completed_at and a.channel == "sms" for a in answers)


def test_the_keyword_again_mid_survey_asks_the_waiting_question_again(db, family_survey, text):
    text(PHONE, "PULSE")
    text(PHONE, "1")
    assert "Did your child" in text(PHONE, "4")[0]
    out = text(PHONE, "pulse")
    assert "Did your child" in out[0] and "How well" not in out[0]
    assert answers_of(db) == {"needs_met": 4}
    assert db.session.scalar(db.select(db.func.count(Conversation.id))) == 1
    assert "What kind of program" in text(PHONE, "yes")[0]


def test_a_language_word_while_the_menu_waits_chooses_that_language(db, family_survey, text):
    text(PHONE, "PULSE")
    out = text(PHONE, "ESPAÑOL")
    assert "español" in out[0].lower() and "¿Qué tan bien" in out[0]
    contact = db.session.scalar(db.select(Contact))
    assert contact.locale == "es" and contact.respondent.preferred_locale == "es"
    assert db.session.scalar(db.select(Response.locale)) == "es"
    assert db.session.scalar(db.select(Conversation.state)) == "answering"


def test_an_odd_digit_while_the_menu_waits_asks_again(db, family_survey, text):
    """"፩" passes str.isdigit() but int() refuses it: the menu again, not a handling that
    fails every time it is tried (and holds back the family's later texts)."""
    text(PHONE, "PULSE")
    for odd in ("\u1369", "9" * 5000):
        again = text(PHONE, odd)
        assert again and "2" in again[0]  # the language menu, numbered
    assert set(db.session.scalars(db.select(InboundMessage.status))) == {"handled"}
    assert db.session.scalar(db.select(Conversation.state)) == "choosing_language"


def test_another_surveys_keyword_closes_the_open_conversation(db, family_survey, text,
                                                              make_sms_survey):
    make_sms_survey()
    text(PHONE, "PULSE")
    text(PHONE, "1")
    text(PHONE, "4")
    out = text(PHONE, "PARK")
    assert "Do you feel safe at the park?" in out[0]  # language remembered: no menu
    states = dict(db.session.execute(
        db.select(Conversation.id, Conversation.state).order_by(Conversation.id)).all())
    assert list(states.values()) == ["expired", "answering"]
    assert answers_of(db) == {"needs_met": 4}  # the first survey's answer is kept


def test_a_survey_closed_mid_conversation_takes_no_more_answers(db, family_survey, text):
    """As the web form refuses a sitting in progress once the survey is closed, the next SMS
    answer gets "that survey is closed" and is not stored; the answers given before stay."""
    from surveys.operations import close

    text(PHONE, "PULSE")
    text(PHONE, "1")
    assert "Did your child" in text(PHONE, "4")[0]
    close(family_survey)
    assert text(PHONE, "yes") == ["Sorry, that survey is closed. Thank you for your interest."]
    assert answers_of(db) == {"needs_met": 4}
    assert db.session.scalar(db.select(Conversation.state)) == "expired"
    assert "That survey has ended. Thank you" in text(PHONE, "no")[0]
    assert answers_of(db) == {"needs_met": 4}
