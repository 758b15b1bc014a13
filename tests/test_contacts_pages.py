"""The contact list and page: search and filters, who sees numbers, staff opt-out and opt-in
(audited, honoured by every later send) and erasure on request (the number gone everywhere)."""

from __future__ import annotations

import io
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


def test_the_group_filter_finds_contacts_in_a_group_named_with_accents(
        client, admin, make_contact):
    make_contact(phone="+15045550181", groups=("Padres de niños",))
    make_contact(phone="+15045550182", groups=("Phụ huynh",))
    make_contact(phone="+15045550183", groups=("Padres de ninos",))  # not the same group
    html = client.get("/staff/contacts/", query_string={"group": "Padres de niños"}
                      ).get_data(as_text=True)
    assert "+15045550181" in html and "+15045550183" not in html
    html = client.get("/staff/contacts/", query_string={"group": "Phụ huynh"}
                      ).get_data(as_text=True)
    assert "+15045550182" in html and "+15045550181" not in html


def test_name_search_ignores_the_case_of_accented_letters(client, staff, db, make_contact):
    # A partner's spreadsheet in capitals; staff type the name as they would write it.
    martinez = make_contact(phone="+15045550192")
    martinez.name = "ÁNGELA MARTÍNEZ"
    duc = make_contact(phone="+15045550193", locale="vi")
    duc.name = "Đức Nguyễn"
    db.session.commit()
    html = client.get("/staff/contacts/", query_string={"q": "martínez"}).get_data(as_text=True)
    assert "ÁNGELA MARTÍNEZ" in html and "Đức Nguyễn" not in html
    html = client.get("/staff/contacts/", query_string={"q": "đức"}).get_data(as_text=True)
    assert "Đức Nguyễn" in html and "ÁNGELA MARTÍNEZ" not in html


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


def test_the_contact_page_shows_a_text_without_the_number_typed_in_it(
        client, staff, db, make_contact):
    family = make_contact(phone="+15045550146")
    db.session.add(InboundMessage(message_sid="SMbody1", contact_id=family.id,
                                  body="this is my new number 504-555-0178 call me",
                                  received_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    html = client.get(f"/staff/contacts/{family.id}").get_data(as_text=True)
    assert "this is my new number" in html
    assert "555-0178" not in html  # redacted as on the late-replies page


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


def test_a_number_typed_in_an_erasure_reason_never_reaches_the_audit_log(
        client, admin, db, make_contact):
    family = make_contact(phone="+15045550142", groups=("parents",))
    path = f"/staff/contacts/{family.id}"
    post_form(client, path + "/erase",
              {"reason": "Mother called from 504-555-0142 asking us to delete"}, path)
    assert db.session.get(Contact, family.id) is None
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="contact.erase"))
    assert "Mother called from" in event.details["reason"]
    assert "555-0142" not in str(event.details)
    assert "555-0142" not in client.get("/staff/audit/").get_data(as_text=True)


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


def test_a_child_answering_yes_after_a_staff_opt_out_stays_opted_out(
        app, client, db, make_sms_survey, text, staff):
    make_sms_survey()
    phone = "+15045550145"
    text(phone, "PARK")
    text(phone, "1")   # English; now asked "Do you feel safe at the park?" (Yes / No)
    contact = db.session.scalar(sa.select(Contact).filter_by(phone=phone))
    # The parent phones the office: stop texting my child. Staff opt the contact out.
    path = f"/staff/contacts/{contact.id}"
    post_form(client, path + "/opt-out", {"reason": "Parent phoned: stop texting"}, path)
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).opted_out
    # The child answers the question still on the phone.
    out = text(phone, "Yes")
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).opted_out, out


def test_start_after_a_staff_opt_out_subscribes_again_and_the_audit_log_says_so(
        app, client, db, make_sms_survey, text, staff):
    make_sms_survey()
    phone = "+15045550147"
    text(phone, "PARK")
    contact = db.session.scalar(sa.select(Contact).filter_by(phone=phone))
    path = f"/staff/contacts/{contact.id}"
    post_form(client, path + "/opt-out", {"reason": "Parent phoned: stop texting"}, path)
    assert text(phone, "Yes") == []  # no answer, no opt-in, nothing sent
    assert "subscribed" in text(phone, "START")[0]  # carriers require START to work
    db.session.expire_all()
    assert not db.session.get(Contact, contact.id).opted_out
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action.like("contact.opt%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.details.get("by")) for e in events] == [
        ("contact.opt_out", None), ("contact.opt_in", "text")]
    # Opted out by their own STOP now: a YES undoes that, as Twilio's defaults do.
    text(phone, "STOP")
    assert "subscribed" in text(phone, "YES")[0]


def test_erasure_removes_the_number_the_family_typed_into_a_free_text_answer(
        app, client, db, make_sms_survey, text, make_staff, login):
    """The answer stays (de-identified feedback), the number the family typed into it does
    not: pages and exports redact on the way out, the stored text itself must lose it too."""
    make_sms_survey()
    phone = "+15045550144"
    text(phone, "PARK")
    text(phone, "1")  # English
    text(phone, "1")  # safe: yes
    text(phone, "More lights. Call me at 504-555-0144")  # ideas: free text
    contact = db.session.scalar(sa.select(Contact).filter_by(phone=phone))
    make_staff("admin@example.org", role="admin")
    login("admin@example.org")
    path = f"/staff/contacts/{contact.id}"
    post_form(client, path + "/erase", {"reason": "Family asked"}, path)
    db.session.expire_all()
    assert db.session.get(Contact, contact.id) is None
    kept = {a.question_key: (a.raw_text, a.value) for a in db.session.scalars(sa.select(Answer))}
    idea_text, idea_value = kept["ideas"]
    assert idea_text.startswith("More lights.") and idea_value.startswith("More lights.")
    assert not any("555-0144" in str(cell) for row in kept.values() for cell in row), kept


def test_an_erased_family_that_had_opted_out_is_not_texted_after_a_reimport(
        client, clock, admin, db, fake_twilio, make_contact, make_sms_survey):
    from messaging.contacts.operations import import_contacts

    survey = make_sms_survey()
    family = make_contact(phone="+15045550148", groups=("parents",))
    path = f"/staff/contacts/{family.id}"
    post_form(client, path + "/opt-out", {"reason": "Parent phoned: stop texting"}, path)
    post_form(client, path + "/erase", {"reason": "Parent asked us to delete"}, path)
    assert db.session.scalar(sa.select(Contact).filter_by(phone="+15045550148")) is None
    # The partner's next list still has the number.
    page = client.post("/staff/contacts/import", data={
        "csrf_token": csrf_token_from(
            client.get("/staff/contacts/import").get_data(as_text=True)),
        "file": (io.BytesIO(b"phone,groups\n+15045550148,parents\n"), "families.csv"),
        "consent_source": "enrollment"}, content_type="multipart/form-data")
    assert "1 added number had opted out before its contact was deleted" in (
        page.get_data(as_text=True))
    again = db.session.scalar(sa.select(Contact).filter_by(phone="+15045550148"))
    assert again.opted_out
    campaigns.start_campaign("Parks", survey.id, "parents", clock.now)
    outbound.send_due_messages()
    assert "+15045550148" not in {m["To"] for m in fake_twilio.created}
    # A list imported again changes nothing; staff can opt the family in with a reason.
    assert import_contacts("phone\n+15045550148\n", "paper form").opted_out == 0
    post_form(client, f"/staff/contacts/{again.id}/opt-in", {"reason": "Signed a new form"},
              f"/staff/contacts/{again.id}")
    db.session.refresh(again)
    assert not again.opted_out


def test_the_kept_opt_out_holds_no_phone_number(app, client, admin, db, make_contact):
    import hashlib

    from messaging.models import OptOutHash

    family = make_contact(phone=PHONE)
    path = f"/staff/contacts/{family.id}"
    post_form(client, path + "/opt-out", {"reason": "Parent phoned"}, path)
    post_form(client, path + "/erase", {"reason": "Parent asked us to delete"}, path)
    kept = db.session.scalars(sa.select(OptOutHash)).all()
    assert [(len(k.number_hash), k.opted_out_by) for k in kept] == [(64, "staff")]
    # Keyed: not a bare hash of the number, which anyone could compute for every number.
    bare = {getattr(hashlib, name)(form.encode()).hexdigest()
            for name in ("sha256", "sha1", "md5") for form in _phone_forms(PHONE)}
    assert kept[0].number_hash not in bare
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                cells = " ".join(str(v) for v in row)
                for form in _phone_forms(PHONE):
                    assert form not in cells, (table.name, form)
