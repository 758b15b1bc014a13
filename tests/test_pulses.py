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
from messaging.outbound import pacing
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


def test_run_dates_keep_the_day_clamp_short_months_and_skip_quiet_hours(app):
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


def test_a_send_moved_into_the_pulse_quiet_hours_waits_for_their_end(
        app, db, client, staff, clock, families, make_sms_survey):
    """The pulse says no send starts between 17:00 and 10:00: a send moved to 19:00 starts at
    10:00 the next morning, as the planned sends do; none may be moved past the end date."""
    survey = make_sms_survey()
    pulse = _plan(survey, quiet_start=17, quiet_end=10)
    _june, july, august = pulses.runs_of(pulse)
    assert pulses.edit_run(july, datetime(2031, 7, 3, 19, 0), {})
    db.session.expire_all()
    assert pacing.to_local(db.session.get(Campaign, july.id).starts_at).replace(
        tzinfo=None) == datetime(2031, 7, 4, 10, 0)
    # The last day a send may start is 20 August: 19:00 that day would start on the 21st.
    for moved_to in (datetime(2031, 8, 25, 11, 0), datetime(2031, 8, 20, 19, 0)):
        with pytest.raises(pulses.PulseError):
            pulses.edit_run(august, moved_to, {})
    path = f"/staff/campaigns/{august.id}/edit"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    refused = client.post(path, data={"csrf_token": token, "starts_at": "2031-08-25T11:00",
                                      "submit": "1"})
    assert refused.status_code == 200
    assert "may not start after its last day, 2031-08-20" in unescape(
        refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Campaign, august.id).starts_at == august.starts_at


def test_quiet_hours_that_leave_no_hour_to_send_are_refused(
        app, db, client, staff, clock, families, make_sms_survey):
    """Pulse quiet hours 6-22 leave 22:00-06:00, all inside the coalition's 21-8: refused,
    on the form's field, instead of sends planned in the pulse's own quiet hours."""
    survey = make_sms_survey()
    with pytest.raises(pulses.PulseError) as refused:
        _plan(survey, quiet_start=6, quiet_end=22)
    assert "leave no hour to send" in str(refused.value)
    assert not pulses.list_pulses()
    page = client.get("/staff/campaigns/pulses/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "name": "Nightly", "survey_id": str(survey.id),
            "group": "parents", "cadence": "weekly", "first_local": "2031-06-10T18:00",
            "ends_on": "2031-07-30", "quiet_start": "6", "quiet_end": "22"}
    for button in ("preview", "submit"):
        shown = client.post("/staff/campaigns/pulses/new", data={**form, button: "1"})
        text = unescape(shown.get_data(as_text=True))
        assert shown.status_code == 200 and "leave no hour to send" in text
        assert "sends planned" not in text
    assert not pulses.list_pulses()


def test_every_planned_send_starts_when_the_preview_says_and_by_the_end_date(
        app, db, client, staff, clock, families, make_sms_survey):
    """A weekly pulse at 22:30 ending on 10 June: the coalition's quiet hours move each send
    to 08:00 the next day, so the send of the 10th would start on the 11th and is not
    planned; the preview lists the times the sends really start."""
    survey = make_sms_survey()
    # The pulse's own quiet hours (3-5) leave 22:30 alone; the coalition's 21-8 do not.
    assert pulses.run_times("weekly", datetime(2031, 6, 3, 22, 30), date(2031, 6, 10), 3, 5) \
        == [datetime(2031, 6, 4, 8, 0)]
    page = client.get("/staff/campaigns/pulses/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "name": "Late", "survey_id": str(survey.id),
            "group": "parents", "cadence": "weekly", "first_local": "2031-06-03T22:30",
            "ends_on": "2031-06-10", "quiet_start": "3", "quiet_end": "5"}
    shown = unescape(client.post("/staff/campaigns/pulses/new",
                                 data={**form, "preview": "1"}).get_data(as_text=True))
    assert "1 sends planned" in shown and "2031-06-04 08:00" in shown
    assert client.post("/staff/campaigns/pulses/new",
                       data={**form, "submit": "1"}).status_code == 302
    pulse = pulses.list_pulses()[0]
    starts = [pacing.to_local(r.starts_at).replace(tzinfo=None) for r in pulses.runs_of(pulse)]
    assert starts == [datetime(2031, 6, 4, 8, 0)]
    # A pulse none of whose sends could start by its end date is refused.
    with pytest.raises(pulses.PulseError):
        _plan(survey, cadence="weekly", first_local=datetime(2031, 6, 3, 22, 30),
              ends_on=date(2031, 6, 3))


def test_control_characters_in_a_staff_form_are_removed_not_a_server_error(
        app, db, client, staff, clock, families, make_sms_survey):
    """A NUL pasted into the pulse name reached PostgreSQL, which refuses it (a 500): form
    values lose their control characters before any view sees them, as web answers do."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    survey = make_sms_survey()
    page = client.get("/staff/campaigns/pulses/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "name": "Monthly\x00 check\x07-in\t",
            "survey_id": str(survey.id), "group": "parents", "cadence": "monthly",
            "first_local": "2031-06-03T10:00", "ends_on": "2031-08-20", "quiet_start": "21",
            "quiet_end": "8", "reminder_en": "Still\r\nwaiting\x00", "submit": "1"}
    assert client.post("/staff/campaigns/pulses/new", data=form).status_code == 302
    pulse = pulses.list_pulses()[0]
    assert pulse.name == "Monthly check-in\t"
    assert pulse.texts == {"reminder": {"en": "Still\nwaiting"}}


def test_a_send_of_a_closed_survey_is_not_sent_and_the_pulse_page_says_why(
        app, db, client, staff, clock, fake_twilio, families, make_sms_survey):
    """Staff close the survey after June: July's send invites nobody to it (texting its
    keyword would get "that survey is closed"), and the pulse page says why. A survey opened
    again before the next send lets that one go out."""
    from surveys.operations import close, reopen

    survey = make_sms_survey()
    pulse = _plan(survey)
    june, july, august = pulses.runs_of(pulse)
    _month_of_sends(clock, june.starts_at)
    close(survey)
    before = len(fake_twilio.created)
    _month_of_sends(clock, july.starts_at)
    assert fake_twilio.created[before:] == []
    db.session.expire_all()
    assert db.session.get(Campaign, july.id).status == "skipped"
    assert db.session.scalar(sa.select(AuditEvent.details).where(
        AuditEvent.action == "campaign.skip", AuditEvent.target_id == str(july.id))) == {
        "reason": "survey not open for SMS", "pulse_id": pulse.id}
    page = unescape(client.get(f"/staff/campaigns/pulses/{pulse.id}").get_data(as_text=True))
    row = page.split(f'id="run-{july.id}"')[1].split("</tr>")[0]
    assert "Not sent: the survey was not open for SMS" in row
    reopen(survey)
    _month_of_sends(clock, august.starts_at)
    assert len(fake_twilio.created) == before + 3


def test_a_send_moved_later_while_its_launch_runs_waits_for_its_new_time(
        app, db, clock, fake_twilio, families, make_sms_survey, monkeypatch):
    """The launch reads the start time, then claims the send: staff who move it to next week
    in between are told "saved", so the send must wait for next week (launched now, its
    invitations would go out next week to conversations expired meanwhile)."""
    survey = make_sms_survey()
    june = pulses.runs_of(_plan(survey))[0]
    moved = june.starts_at + timedelta(days=7)
    real_claim = campaigns._claim_campaign

    def claim_after_edit(campaign_id):
        with db.engine.begin() as other:  # staff's request, on its own connection
            other.execute(sa.update(Campaign).where(Campaign.id == campaign_id,
                                                    Campaign.status == "scheduled")
                          .values(starts_at=moved))
        return real_claim(campaign_id)

    monkeypatch.setattr(campaigns, "_claim_campaign", claim_after_edit)
    clock.set(june.starts_at + timedelta(minutes=1))
    assert campaigns.launch_campaign.call_local(june.id) == 0
    monkeypatch.setattr(campaigns, "_claim_campaign", real_claim)
    db.session.expire_all()
    assert db.session.get(Campaign, june.id).status == "scheduled"
    assert fake_twilio.created == []
    _month_of_sends(clock, moved)
    db.session.expire_all()
    assert db.session.get(Campaign, june.id).status == "done"
    assert len(fake_twilio.created) == 3


def test_a_double_click_on_plan_the_pulse_plans_it_once(
        app, db, client, staff, clock, fake_twilio, families, make_sms_survey):
    """Both clicks send the same form (its submission token): the second shows the pulse
    the first planned, so every family gets each invitation once."""
    from messaging.models import Pulse
    from tests.fixtures.helpers import hidden_field_from

    survey = make_sms_survey()
    page = client.get("/staff/campaigns/pulses/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "name": "Monthly", "survey_id": str(survey.id),
            "group": "parents", "cadence": "monthly", "first_local": "2031-06-03T10:00",
            "ends_on": "2031-08-20", "quiet_start": "21", "quiet_end": "8", "submit": "1",
            "submission_token": hidden_field_from(page, "submission_token")}
    first = client.post("/staff/campaigns/pulses/new", data=form)
    second = client.post("/staff/campaigns/pulses/new", data=form)  # the second click
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Pulse.id))) == 1
    june = pulses.runs_of(pulses.list_pulses()[0])[0]
    _month_of_sends(clock, june.starts_at)
    assert [m["To"] for m in fake_twilio.created].count(families["en"].phone) == 1
    # A new visit to the form is a new pulse.
    again = client.get("/staff/campaigns/pulses/new").get_data(as_text=True)
    assert hidden_field_from(again, "submission_token") != form["submission_token"]
