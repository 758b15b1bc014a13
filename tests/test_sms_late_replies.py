"""Unmatched late replies are listed for staff, never applied to another question, and leave
the staff home's attention list once dealt with."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.core.audit import AuditEvent
from messaging.inbound.jobs import sweep_inbound
from messaging.models import InboundMessage
from surveys.models import Question
from tests.fixtures.helpers import csrf_token_from
from tests.fixtures.sms import Killed

PHONE = "+15045550177"
PAGE = "/staff/contacts/late-replies"


@pytest.fixture
def late_reply(db, family_survey, text, dies_after_store):
    """A text stored while "used_program" was open, handled only after the survey moved on."""
    text(PHONE, "PULSE")
    text(PHONE, "1")
    dies_after_store()
    with pytest.raises(Killed):
        text(PHONE, "yes we went, call me 504-555-0199", sid="SMlate")
    message = db.session.scalar(db.select(InboundMessage).filter_by(message_sid="SMlate"))
    message.awaited_question_key = "used_program"
    message.received_at -= timedelta(seconds=60)  # past the sweeper's grace
    db.session.commit()
    assert sweep_inbound.call_local() == 1
    db.session.refresh(message)
    assert message.status == "late"
    return message


def test_staff_see_the_late_reply_with_its_question(app, db, client, late_reply, staff):
    question = db.session.scalar(db.select(Question).filter_by(key="used_program"))
    html = client.get(PAGE).get_data(as_text=True)
    assert "1 reply is waiting." in html
    assert question.text["en"] in html  # the question it answered, in words
    assert "yes we went" in html
    assert "504-555-0199" not in html and PHONE not in html  # no phone number on the page
    assert f"/staff/contacts/{late_reply.contact_id}" in html


def test_marking_it_dealt_with_clears_the_attention_item(app, db, client, late_reply, staff):
    home = client.get("/staff/").get_data(as_text=True)
    assert "arrived after its question had closed" in home and PAGE in home
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    response = client.post(f"{PAGE}/{late_reply.id}/seen", data={"csrf_token": token})
    assert response.status_code == 302
    html = client.get(PAGE).get_data(as_text=True)
    assert "0 replies are waiting." in html and "yes we went" not in html
    assert "arrived after its question had closed" not in client.get("/staff/").get_data(
        as_text=True)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="sms.late_reply_seen"))
    assert event is not None and event.user_id == staff.id
    # a second click (another tab) changes nothing and says so
    again = client.post(f"{PAGE}/{late_reply.id}/seen", data={"csrf_token": token},
                        follow_redirects=True)
    assert "already dealt with" in again.get_data(as_text=True)


def test_only_staff_may_open_or_mark(app, db, client, late_reply, make_staff, login):
    assert client.get(PAGE).status_code == 302  # to the login page
    make_staff("viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{late_reply.id}/seen").status_code in (400, 403)
    db.session.refresh(late_reply)
    assert late_reply.status == "late"
