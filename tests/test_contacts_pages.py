"""The contact list and page: search and filters, who sees numbers, staff opt-out and opt-in
(audited, honoured by every later send) and erasure on request (the number gone everywhere)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.core.audit import AuditEvent
from feedback.responses.models import Answer, Organization, PartnerSite, Response, utcnow
from messaging.campaigns import operations as campaigns
from messaging.models import Contact, InboundMessage, OutboundMessage
from messaging.outbound import sending as outbound
from messaging.outbound.reminders import send_reminders
from tests.fixtures.helpers import csrf_token_from, pdf_text, post_form

pytest_plugins = ["tests.fixtures.outbound"]


@pytest.fixture
def people(db, make_contact):
    org = Organization(name="Eastside Org", kind="partner")
    site = PartnerSite(code="east", name="Eastside Library", organization=org)
    db.session.add_all([org, site])
    db.session.commit()
    ana = make_contact(phone="+15045550111", locale="es", groups=("parents", "east"))
    ana.name, ana.site_id = "Ana Reyes", site.id
    bao = make_contact(phone="+15045550122", locale="vi", groups=("parents",))
    bao.name = "Bao Tran"
    cal = make_contact(phone="+15045550133", locale="en", groups=("youth",), opted_out=True)
    cal.name = "Cal Jones"
    db.session.commit()
    return {"ana": ana, "bao": bao, "cal": cal, "site": site}


def _names(html: str) -> set[str]:
    return {n for n in ("Ana Reyes", "Bao Tran", "Cal Jones") if n in html}


def test_admins_search_and_filter_contacts_with_numbers(client, admin, people):
    page = lambda q: client.get("/staff/contacts/?" + q).get_data(as_text=True)  # noqa: E731
    html = page("")
    assert _names(html) == {"Ana Reyes", "Bao Tran", "Cal Jones"} and "+15045550111" in html
    assert _names(page("q=bao")) == {"Bao Tran"}
    assert _names(page("q=550133")) == {"Cal Jones"}  # admins may search by number
    assert _names(page("group=parents")) == {"Ana Reyes", "Bao Tran"}
    assert _names(page("group=east")) == {"Ana Reyes"}
    assert _names(page("language=vi")) == {"Bao Tran"}
    assert _names(page(f"site={people['site'].id}")) == {"Ana Reyes"}
    assert _names(page("opted_out=yes")) == {"Cal Jones"}
    assert _names(page("opted_out=no&group=parents&language=es")) == {"Ana Reyes"}
    assert "2 contacts found" in page("group=parents")
    assert client.get("/staff/contacts/?site=nonsense&page=-3").status_code == 200
    for odd in ("\u1369", "9" * 5000):  # digits to str.isdigit(), not to int() or a database
        assert client.get(f"/staff/contacts/?site={odd}&page={odd}").status_code == 200


def test_staff_see_contacts_without_numbers_and_cannot_search_by_number(client, staff, people):
    html = client.get("/staff/contacts/").get_data(as_text=True)
    assert _names(html) == {"Ana Reyes", "Bao Tran", "Cal Jones"}
    assert "+1504555" not in html
    assert _names(client.get("/staff/contacts/?q=550133").get_data(as_text=True)) == set()
    detail = client.get(f"/staff/contacts/{people['ana'].id}").get_data(as_text=True)
    assert "Ana Reyes" in detail and "Español" in detail and "parents, east" in detail
    assert "+15045550111" not in detail and "/erase" not in detail
    erase = client.post(f"/staff/contacts/{people['ana'].id}/erase",
                        data={"csrf_token": csrf_token_from(detail), "reason": "asked"})
    assert erase.status_code == 403


def test_a_long_list_is_paged(client, admin, make_contact):
    for n in range(55):
        make_contact(phone=f"+1504555{2000 + n:04d}", groups=("many",))
    first = client.get("/staff/contacts/?group=many").get_data(as_text=True)
    assert "55 contacts found" in first and "Page 1 of 2" in first
    assert "page=2" in first and first.count("+1504555") == 50
    second = client.get("/staff/contacts/?group=many&page=2").get_data(as_text=True)
    assert second.count("+1504555") == 5 and "Previous page" in second


def test_partner_viewers_see_no_contact(client, make_staff, login, people):
    make_staff("viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get(f"/staff/contacts/{people['ana'].id}").status_code == 403
    assert client.get("/staff/contacts/?q=ana").status_code == 403


def test_unknown_contact_is_not_found(client, admin):
    assert client.get("/staff/contacts/999").status_code == 404


def test_contact_page_hides_texts_older_than_retention(app, client, admin, db, people):
    ana = people["ana"]
    db.session.add_all([
        InboundMessage(message_sid="SMold", contact_id=ana.id, body="old secret words",
                       received_at=utcnow() - timedelta(days=400)),
        InboundMessage(message_sid="SMnew", contact_id=ana.id, body="recent words",
                       received_at=utcnow() - timedelta(days=1)),
    ])
    db.session.commit()
    html = client.get(f"/staff/contacts/{ana.id}").get_data(as_text=True)
    assert "recent words" in html and "old secret words" not in html
    assert "Ana Reyes" in html and "+15045550111" in html and "test" in html  # consent


def test_staff_language_change_is_saved_and_audited(client, staff, db, people):
    ana = people["ana"]
    path = f"/staff/contacts/{ana.id}"
    post_form(client, path + "/language", {"language": "vi"}, path)
    db.session.refresh(ana)
    assert ana.locale == "vi"
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="contact.language"))
    assert event.details == {"from": "es", "to": "vi"}
    bad = post_form(client, path + "/language", {"language": "xx"}, path)
    assert bad.status_code == 302
    db.session.refresh(ana)
    assert ana.locale == "vi"


def test_staff_opt_out_is_audited_and_honoured_by_every_later_send(
        app, client, clock, staff, login, db, fake_twilio, people, make_sms_survey):
    survey = make_sms_survey()
    bao = people["bao"]
    path = f"/staff/contacts/{bao.id}"
    # A reason is required.
    post_form(client, path + "/opt-out", {"reason": "  "}, path)
    db.session.refresh(bao)
    assert not bao.opted_out
    # Already queued: an invitation from a campaign launched before the call.
    first = campaigns.start_campaign("Parks", survey.id, "parents", clock.now)
    assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id)).where(
        OutboundMessage.contact_id == bao.id)) == 1
    post_form(client, path + "/opt-out", {"reason": "Mother phoned the office"}, path)
    db.session.refresh(bao)
    assert bao.opted_out
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="contact.opt_out"))
    assert event.details == {"reason": "Mother phoned the office"}
    assert event.target_id == str(bao.id) and "+1504" not in str(event.details)
    # A later campaign, the send job and the reminders all leave them out.
    campaigns.start_campaign("Parks again", survey.id, "parents", clock.now)
    clock.set(clock.now + timedelta(days=3))
    outbound.send_due_messages()
    send_reminders()
    outbound.send_due_messages()
    sent_to = {m["To"] for m in fake_twilio.created}
    assert bao.phone not in sent_to and people["ana"].phone in sent_to
    assert first.id
    # Opt back in (three days on, the staff session has timed out): texts may go again, and
    # that is audited too.
    login("staff@example.org")
    post_form(client, path + "/opt-in", {"reason": "Signed a new form"}, path)
    db.session.refresh(bao)
    assert not bao.opted_out and bao.consent_source == "staff"
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="contact.opt_in"))


PHONE = "+15045550142"


def _phone_forms(phone: str) -> list[str]:
    digits = phone.lstrip("+")
    return [phone, digits, digits[1:], f"{digits[1:4]}-{digits[4:7]}-{digits[7:]}",
            f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"]


def test_erasure_removes_the_number_everywhere_and_keeps_answers(
        app, client, db, family_survey, text, make_staff, login, tmp_path):
    from messaging.inbound import spool

    # A family answers the SMS survey, then asks to be forgotten.
    text(PHONE, "pulse")
    text(PHONE, "1")
    text(PHONE, "4")
    text(PHONE, "My number is 504-555-0142 call me")  # an answer that is not valid: kept raw
    contact = db.session.scalar(sa.select(Contact).filter_by(phone=PHONE))
    # A reply that came too late for its question, and one still in the inbound spool.
    db.session.add(InboundMessage(message_sid="SMlate1", contact_id=contact.id,
                                  body="late: 504-555-0142", status="late"))
    db.session.commit()
    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    spool.write("SMspool1", PHONE, "call 504-555-0142", 0, utcnow())
    other = spool.write("SMspool2", "+15045550199", "3", 0, utcnow())
    respondent_id = contact.respondent_id
    answers_before = db.session.scalar(sa.select(sa.func.count(Answer.id)))
    assert answers_before >= 1
    make_staff("admin@example.org", role="admin")
    login("admin@example.org")
    path = f"/staff/contacts/{contact.id}"
    done = post_form(client, path + "/erase", {"reason": "Family asked by phone"}, path)
    assert done.status_code == 302
    db.session.expire_all()

    # Every table, every row, every column: the number appears nowhere.
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                cells = " ".join(str(v) for v in row)
                for form in _phone_forms(PHONE):
                    assert form not in cells, (table.name, form)
    # The answers stay, de-identified, under the same pseudonymous respondent.
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == answers_before
    assert db.session.scalar(sa.select(Response.respondent_id).join(Answer).limit(1)) == (
        respondent_id)
    assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id)).where(
        InboundMessage.body.is_not(None))) == 0
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="contact.erase"))
    assert event.details["reason"] == "Family asked by phone"
    # The spool keeps only other families' texts.
    assert spool.pending() == [other]

    # Every export and page that could list it.
    for url in ("/staff/review/export/answers.csv", "/staff/review/export/summary.csv",
                "/staff/review/report", "/staff/contacts/", "/staff/audit/",
                "/staff/answers"):
        body = client.get(url).get_data(as_text=True)
        for form in _phone_forms(PHONE):
            assert form not in body, (url, form)
    pdf = client.get("/staff/review/report.pdf")
    assert pdf.status_code == 200
    words = pdf_text(pdf.data)
    assert not any(form in words for form in _phone_forms(PHONE))
    assert not re.search(r"555.?0142", words)
