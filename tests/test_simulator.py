"""/dev/sms: the SMS simulator (console backend only, staff only, CSRF on)."""

from __future__ import annotations

from feedback.responses.models import Answer
from messaging.models import Contact, InboundMessage
from tests.fixtures.helpers import csrf_token_from

PHONE = "+1 504 555 0188"


def send(client, phone, body):
    token = csrf_token_from(client.get("/dev/sms").get_data(as_text=True))
    return client.post("/dev/sms", data={"phone": phone, "body": body, "csrf_token": token})


def test_staff_play_a_whole_conversation(client, db, family_survey, make_staff, login):
    make_staff()
    login()
    assert send(client, PHONE, "PULSE").status_code == 302
    send(client, PHONE, "2")
    page = client.get("/dev/sms").get_data(as_text=True)
    assert "PULSE" in page and "¿Qué tan bien responden" in page
    assert page.index("PULSE") < page.index("¿Qué tan bien")  # newest at the bottom
    send(client, PHONE, "5")
    answers = db.session.scalars(db.select(Answer)).all()
    assert [(a.question_key, a.value) for a in answers] == [("needs_met", 5)]
    contact = db.session.scalar(db.select(Contact))
    assert contact.phone == "+15045550188" and contact.locale == "es"
    assert db.session.scalar(db.select(db.func.count(InboundMessage.id))) == 3


def test_the_simulator_keeps_csrf(client, db, make_staff, login):
    make_staff()
    login()
    response = client.post("/dev/sms", data={"phone": PHONE, "body": "PULSE"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(InboundMessage.id))) == 0


def test_signed_out_people_are_sent_to_login(client):
    response = client.get("/dev/sms")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_partner_viewers_cannot_use_it(client, make_staff, login):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get("/dev/sms").status_code == 403


def test_demo_contacts_can_be_picked(client, db, make_staff, login, family_survey):
    from demo.sms import ensure_contacts

    ensure_contacts(3)
    db.session.commit()
    make_staff()
    login()
    page = client.get("/dev/sms").get_data(as_text=True)
    assert "+15045550101" in page
    contact = db.session.scalar(db.select(Contact).filter_by(phone="+15045550101"))
    token = csrf_token_from(page)
    client.post(f"/dev/sms/pick/{contact.id}", data={"csrf_token": token})
    page = client.get("/dev/sms").get_data(as_text=True)
    assert 'value="+15045550101"' in page


def test_not_served_with_the_twilio_backend(tmp_path):
    from feedback.app import create_app
    from tests.conftest import _test_config

    config = _test_config(tmp_path)
    config.update(SMS_BACKEND="twilio", TWILIO_AUTH_TOKEN="x", TWILIO_ACCOUNT_SID="ACx",
                  TWILIO_FROM_NUMBER="+15045550000")
    app = create_app(config)
    assert app.test_client().get("/dev/sms").status_code == 404


def test_it_plays_demo_numbers_only(client, db, make_staff, login, make_contact):
    """A coalition may import its families before it sets up Twilio: staff who are not
    administrators never see a real number or its texts here, and nobody texts in a real
    family's name."""
    family = make_contact(phone="+12125550187")
    db.session.add(InboundMessage(message_sid="SMreal", contact_id=family.id,
                                  body="my son is scared at the bus stop", status="handled"))
    db.session.commit()
    make_staff()
    login()
    token = csrf_token_from(client.get("/dev/sms").get_data(as_text=True))
    assert client.post(f"/dev/sms/pick/{family.id}", data={"csrf_token": token}).status_code \
        == 404
    typed = send(client, "+1 212 555 0187", "STOP")
    assert typed.status_code == 200 and "numbers only" in typed.get_data(as_text=True)
    page = client.get("/dev/sms").get_data(as_text=True)
    assert "+12125550187" not in page and "scared at the bus stop" not in page
    assert db.session.scalar(db.select(db.func.count(InboundMessage.id))) == 1
