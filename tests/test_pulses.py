"""Recurring pulses: a monthly pulse sends across simulated months and stops at its end date;
a send not yet started can be moved, rewritten (per language, with segment counts) or
cancelled; each send's response rate is on the pulse page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from feedback.core.audit import AuditEvent
from messaging.campaigns import operations as campaigns
from messaging.campaigns import pulses
from messaging.models import Campaign
from messaging.outbound import sending as outbound
from messaging.outbound.reminders import send_reminders
from tests.fixtures.fake_twilio import AUTH_TOKEN, PUBLIC_BASE_URL
from tests.fixtures.helpers import csrf_token_from
from tests.fixtures.sms import sign

pytest_plugins = ["tests.fixtures.outbound"]

#: 10:00 in Chicago on 3 June 2031 (the clock fixture starts the day before).
FIRST = datetime(2031, 6, 3, 10, 0)


@pytest.fixture
def families(make_contact):
    return {"en": make_contact(locale="en"), "es": make_contact(locale="es"),
            "vi": make_contact(locale="vi"), "out": make_contact(locale="en", opted_out=True)}


@pytest.fixture
def staff(app, clock, make_staff, login):
    """A staff member signed in on the test clock, whose session outlives the simulated
    months (the real timeouts are tested in test_auth.py)."""
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(days=400)
    app.config["SESSION_ABSOLUTE_TIMEOUT"] = timedelta(days=400)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=400)
    make_staff("staff@example.org", role="staff")
    login("staff@example.org")


def _month_of_sends(clock, when_utc):
    """Move the clock past a send's start and run what the worker would."""
    clock.set(when_utc + timedelta(minutes=1))
    campaigns.launch_due_campaigns()
    clock.set(when_utc + timedelta(minutes=10))  # past the pacing of every text
    return outbound.send_due_messages()


def _plan(survey, **kw):
    args = dict(name="Monthly check-in", survey_id=survey.id, group="parents",
                cadence="monthly", first_local=FIRST, ends_on=date(2031, 8, 20),
                quiet_start=21, quiet_end=8)
    args.update(kw)
    return pulses.create_pulse(**args)


def test_run_dates_keep_the_day_clamp_short_months_and_skip_quiet_hours():
    assert [t.isoformat() for t in pulses.run_times(
        "monthly", datetime(2031, 1, 31, 10), date(2031, 4, 30))] == [
        "2031-01-31T10:00:00", "2031-02-28T10:00:00", "2031-03-31T10:00:00",
        "2031-04-30T10:00:00"]
    assert [t.date().isoformat() for t in pulses.run_times(
        "quarterly", datetime(2031, 11, 15, 9), date(2032, 8, 15))] == [
        "2031-11-15", "2032-02-15", "2032-05-15", "2032-08-15"]
    assert len(pulses.run_times("weekly", datetime(2031, 6, 3, 9), date(2031, 6, 30))) == 4
    # 22:30 is inside 21-8 quiet hours: each run waits for 08:00 the next morning.
    late = pulses.run_times("weekly", datetime(2031, 6, 3, 22, 30), date(2031, 6, 12))
    assert [t.isoformat() for t in late] == ["2031-06-04T08:00:00", "2031-06-11T08:00:00"]


def test_a_monthly_pulse_sends_three_times_and_stops_at_its_end_date(
        app, db, clock, fake_twilio, families, make_sms_survey):
    survey = make_sms_survey()
    pulse = _plan(survey)
    runs = pulses.runs_of(pulse)
    assert [r.status for r in runs] == ["scheduled"] * 3
    sent_per_month = []
    for run in runs:
        before = len(fake_twilio.created)
        _month_of_sends(clock, run.starts_at)
        sent_per_month.append({m["To"] for m in fake_twilio.created[before:]})
    parents = {families[k].phone for k in ("en", "es", "vi")}
    assert sent_per_month == [parents, parents, parents]  # never the opted-out parent
    assert [r.starts_at.month for r in runs] == [6, 7, 8]
    # September and later: the end date has passed, nothing more goes out.
    before = len(fake_twilio.created)
    for month in (9, 10, 11):
        _month_of_sends(clock, datetime(2031, month, 3, 15, 0))
    assert len(fake_twilio.created) == before
    db.session.expire_all()
    assert [r.status for r in pulses.runs_of(pulse)] == ["done"] * 3
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="pulse.create"))


def test_staff_move_and_rewrite_a_send_before_it_starts(
        app, db, client, staff, clock, fake_twilio, families, make_sms_survey):
    survey = make_sms_survey()
    pulse = _plan(survey)
    june, july, august = pulses.runs_of(pulse)
    path = f"/staff/campaigns/{july.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Invitation in Español" in page and 'value="2031-07-03T10:00"' in page
    form = {"csrf_token": csrf_token_from(page), "starts_at": "2031-07-10T11:00",
            "invitation_es": "¡Hola! Encuesta del mes de julio. Responda PARAR para darse de baja.",
            "reminder_es": "Todavía esperamos su respuesta."}
    # A text that does not say how to stop is refused, with the language named.
    refused = client.post(path, data={**form, "invitation_es": "¡Hola!", "submit": "1"})
    assert "The Español invitation must say how to stop" in unescape(
        refused.get_data(as_text=True))
    # Preview: each language's first text with its segment count.
    shown = unescape(client.post(path, data={**form, "preview": "1"}).get_data(as_text=True))
    assert "Encuesta del mes de julio" in shown and re.search(r"\d+ segments, UCS-2", shown)
    saved = client.post(path, data={**form, "submit": "1"})
    assert saved.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Campaign, july.id)
    assert moved.starts_at == datetime(2031, 7, 10, 16, 0)  # 11:00 CDT
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="campaign.edit"))

    _month_of_sends(clock, june.starts_at)
    before = len(fake_twilio.created)
    _month_of_sends(clock, datetime(2031, 7, 3, 15, 0))  # the old time: nothing goes
    assert len(fake_twilio.created) == before
    _month_of_sends(clock, moved.starts_at)
    july_texts = {m["To"]: m["Body"] for m in fake_twilio.created[before:]}
    assert "Encuesta del mes de julio" in july_texts[families["es"].phone]
    assert "we would like to hear from you" in july_texts[families["en"].phone]  # standard
    # The rewritten reminder goes to the Spanish parent who has not answered.
    clock.set(clock.now + timedelta(days=2))
    send_reminders()
    clock.set(clock.now + timedelta(minutes=10))
    outbound.send_due_messages()
    reminders = [m["Body"] for m in fake_twilio.created if m["To"] == families["es"].phone
                 and "Todavía esperamos su respuesta." in m["Body"]]
    assert len(reminders) == 1 and "¿Se siente seguro" in reminders[0]
    # Once started, a send can no longer be changed.
    locked = client.get(path).get_data(as_text=True)
    assert "it can no longer be changed" in locked and 'name="starts_at"' not in locked
    assert client.post(path, data={**form, "submit": "1"}).status_code == 302
    assert db.session.get(Campaign, august.id).status == "scheduled"


def test_staff_cancel_a_send_and_stop_the_pulse(
        app, db, client, staff, clock, fake_twilio, families, make_sms_survey):
    survey = make_sms_survey()
    pulse = _plan(survey, ends_on=date(2031, 10, 20))
    june, july, august, september, october = pulses.runs_of(pulse)
    page = client.get(f"/staff/campaigns/pulses/{pulse.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"/staff/campaigns/{july.id}/cancel",
                       data={"csrf_token": token}).status_code == 302
    _month_of_sends(clock, june.starts_at)
    sent_after_june = len(fake_twilio.created)
    _month_of_sends(clock, july.starts_at)
    assert len(fake_twilio.created) == sent_after_june  # cancelled: nothing in July
    # A send already started cannot be cancelled.
    client.post(f"/staff/campaigns/{june.id}/cancel", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Campaign, june.id).status == "done"
    assert db.session.get(Campaign, july.id).status == "cancelled"
    # Stopping the pulse cancels every send not started.
    client.post(f"/staff/campaigns/pulses/{pulse.id}/stop", data={"csrf_token": token})
    db.session.expire_all()
    assert [db.session.get(Campaign, r.id).status for r in (august, september, october)] == [
        "cancelled"] * 3
    for run in (august, september, october):
        _month_of_sends(clock, run.starts_at)
    assert len(fake_twilio.created) == sent_after_june


def test_each_send_shows_its_response_rate(
        app, db, client, staff, clock, fake_twilio, families, make_sms_survey):
    def text(phone, body):
        params = {"MessageSid": f"SMpulse{len(body)}{body[:3]}", "AccountSid": "ACtest",
                  "From": phone, "To": "+15045550000", "Body": body, "NumMedia": "0"}
        signature = sign(PUBLIC_BASE_URL + "/sms/inbound", params, AUTH_TOKEN)
        response = client.post("/sms/inbound", data=params,
                               headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200

    survey = make_sms_survey()
    pulse = _plan(survey)
    june = pulses.runs_of(pulse)[0]
    _month_of_sends(clock, june.starts_at)
    phone = families["en"].phone
    text(phone, "1")
    text(phone, "More shade")  # the last question: the survey is complete
    page = unescape(client.get(f"/staff/campaigns/pulses/{pulse.id}").get_data(as_text=True))
    row = page.split(f'id="run-{june.id}"')[1].split("</tr>")[0]
    assert re.search(r"<td>3</td>\s*<td>1</td>\s*<td class=\"rate\">33 %</td>", row)
    detail = client.get(f"/staff/campaigns/{june.id}").get_data(as_text=True)
    assert '<td id="progress-rate">33 %</td>' in detail


def test_planning_a_pulse_through_the_form(app, db, client, staff, clock, families,
                                           make_sms_survey):
    survey = make_sms_survey()
    page = client.get("/staff/campaigns/pulses/new").get_data(as_text=True)
    assert "Invitation in Tiếng Việt" in page
    form = {"csrf_token": csrf_token_from(page), "name": "Quarterly voice",
            "survey_id": str(survey.id), "group": "parents", "cadence": "quarterly",
            "first_local": "2031-06-10T18:00", "ends_on": "2032-06-30",
            "quiet_start": "21", "quiet_end": "8"}
    shown = unescape(client.post("/staff/campaigns/pulses/new",
                                 data={**form, "preview": "1"}).get_data(as_text=True))
    assert "5 sends planned" in shown and "2032-06-10 18:00" in shown
    assert re.search(r"\d+ segments, GSM-7", shown)
    past = client.post("/staff/campaigns/pulses/new",
                       data={**form, "first_local": "2030-01-01T10:00", "submit": "1"})
    assert "The first send must be in the future." in unescape(past.get_data(as_text=True))
    done = client.post("/staff/campaigns/pulses/new", data={**form, "submit": "1"})
    assert done.status_code == 302
    listing = client.get("/staff/campaigns/").get_data(as_text=True)
    assert "Quarterly voice" in listing and "every three months" in listing
