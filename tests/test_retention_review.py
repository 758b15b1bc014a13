"""End to end through messaging's receivers: the SMS loop respects opt-outs; retention erases
bodies and stale contacts but keeps the de-identified answers."""

from __future__ import annotations

from datetime import timedelta

from tests.fixtures.review import Q2


def _sms_respondents(db, review_world, n=5):
    from messaging.models import Contact

    made = review_world["add"](channel="sms", locale="vi", comment="không an toàn ở trạm xe buýt",
                               sentiment="negative", score=-0.7, count=n)
    contacts = []
    for i, response in enumerate(made):
        contact = Contact(phone=f"+1504555{i:04d}", name=f"Name{i}", locale="vi",
                          respondent_id=response.respondent_id, opted_out=(i == 0))
        db.session.add(contact)
        contacts.append(contact)
    db.session.commit()
    return made, contacts


def test_publish_with_sms_texts_participants_except_opted_out(app, db, review_world):
    from analysis.review import loop
    from analysis.review.periods import quarter_of
    from messaging.models import Campaign, OutboundMessage

    _made, contacts = _sms_respondents(db, review_world)
    update = loop.save_update(None, goal=review_world["goal"], period=quarter_of(Q2.date()),
                              heard={"en": "Unsafe bus stops", "vi": "Trạm xe buýt không an toàn"},
                              action={"en": "More lights", "vi": "Thêm đèn"}, user_id=None)
    assert loop.publish(update, user_id=None, send_sms=True) == 5
    campaign = db.session.scalar(db.select(Campaign).filter_by(kind="update"))
    assert campaign is not None
    messages = db.session.scalars(
        db.select(OutboundMessage).filter_by(campaign_id=campaign.id)).all()
    texted = {m.contact_id for m in messages if m.status != "suppressed"}
    assert contacts[0].id not in texted
    assert texted == {c.id for c in contacts[1:]}
    assert all("Thêm đèn" in (m.body or "") for m in messages if m.contact_id in texted)


def test_retention_erases_bodies_and_stale_contacts_keeps_answers(app, db, runner,
                                                                   review_world):
    from feedback.responses.models import Answer, Respondent, utcnow
    from messaging.models import Contact, InboundMessage

    made, contacts = _sms_respondents(db, review_world, n=2)
    old = utcnow() - timedelta(days=400)
    contacts[0].created_at = old
    db.session.add(InboundMessage(message_sid="SMold", contact_id=contacts[0].id,
                                  body="my old text", received_at=old))
    db.session.add(InboundMessage(message_sid="SMnew", contact_id=contacts[1].id,
                                  body="recent text"))
    db.session.commit()
    answers_before = db.session.scalar(db.select(db.func.count(Answer.id)))
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(InboundMessage).filter_by(message_sid="SMold")).body is None
    assert db.session.scalar(
        db.select(InboundMessage).filter_by(message_sid="SMnew")).body == "recent text"
    phones = set(db.session.scalars(db.select(Contact.phone)))
    assert contacts[1].phone in phones and "+15045550000" not in phones
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == answers_before
    assert db.session.get(Respondent, made[0].respondent_id) is not None


def test_retention_keeps_a_staff_opt_out_so_next_years_list_does_not_text_the_family(
        app, db, clock, fake_twilio, make_contact, make_sms_survey):
    from analysis.review.retention import run_retention
    from feedback.responses.models import utcnow
    from messaging.campaigns import operations as campaigns
    from messaging.contacts import consent
    from messaging.contacts.operations import import_contacts
    from messaging.models import Contact
    from messaging.outbound import sending as outbound

    survey = make_sms_survey()
    family = make_contact(phone="+15045550177", groups=("parents",))
    family.created_at = utcnow() - timedelta(days=400)  # imported last year, never texted
    db.session.commit()
    # Today a parent phones: stop texting us. Staff opt the contact out.
    consent.opt_out(family, "Mother phoned the office")
    report = run_retention()  # tonight: the contact is deleted (no message for a year)
    assert report["contacts_deleted"] == 1 and report["opt_outs_kept"] == 1
    assert db.session.scalar(db.select(Contact).filter_by(phone="+15045550177")) is None
    # The partner sends this year's enrolment list again, with the same number.
    imported = import_contacts("phone,groups\n+15045550177,parents\n", "paper form")
    assert (imported.created, imported.opted_out) == (1, 1)
    again = db.session.scalar(db.select(Contact).filter_by(phone="+15045550177"))
    assert again.opted_out and again.opted_out_by == "staff"
    campaigns.start_campaign("Parks", survey.id, "parents", clock.now)
    outbound.send_due_messages()
    assert "+15045550177" not in {m["To"] for m in fake_twilio.created}


def test_retention_erases_a_wrong_numbers_text_after_a_day_not_a_contacts(app, db, runner):
    """A text that made no contact is answered and then of no use: its body goes at the
    first run a day later, while a contact's text of the same age keeps its body."""
    from feedback.responses.models import utcnow
    from messaging.inbound.handling import receive
    from messaging.models import Contact, InboundMessage

    stranger = receive("SMstranger", "+15045550188", "hi is this Maria? call me at home")
    assert stranger.inbound_id is not None
    family = Contact(phone="+15045550189", locale="en", groups=[])
    db.session.add(family)
    db.session.commit()
    db.session.add(InboundMessage(message_sid="SMfamily", contact_id=family.id,
                                  body="yes", status="handled"))
    db.session.commit()

    assert runner.invoke(args=["retention"]).exit_code == 0  # the same day: kept for retries
    db.session.expire_all()
    texts = {m.message_sid: m for m in db.session.scalars(db.select(InboundMessage))}
    assert texts["SMstranger"].contact_id is None and texts["SMstranger"].status == "handled"
    assert texts["SMstranger"].body and texts["SMstranger"].reply_body

    db.session.execute(db.update(InboundMessage).values(received_at=utcnow()
                                                        - timedelta(days=2)))
    db.session.commit()
    assert runner.invoke(args=["retention"]).exit_code == 0
    db.session.expire_all()
    texts = {m.message_sid: m for m in db.session.scalars(db.select(InboundMessage))}
    assert texts["SMstranger"].body is None and texts["SMstranger"].reply_body is None
    assert texts["SMfamily"].body == "yes"
