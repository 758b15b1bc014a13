"""Campaigns, pacing, quiet hours, reminders and updates, sent through the real twilio client."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.responses.models import Respondent
from messaging.campaigns import operations as campaigns
from messaging.models import Campaign, Conversation, OutboundMessage
from messaging.outbound import pacing
from messaging.outbound import sending as outbound
from messaging.outbound.reminders import send_reminders
from tests.fixtures.helpers import csrf_token_from

#: 10:00 in America/Chicago (CDT, UTC-5) on the clock fixture's day.
MORNING = datetime(2031, 6, 2, 15, 0)
#: 22:00 local that evening.
EVENING = datetime(2031, 6, 3, 3, 0)
#: 08:00 local the next morning.
NEXT_MORNING = datetime(2031, 6, 3, 13, 0)


@pytest.fixture
def families(make_contact):
    """Three subscribed parents (en, es, vi), one opted-out parent, one youth."""
    return {
        "en": make_contact(locale="en"),
        "es": make_contact(locale="es"),
        "vi": make_contact(locale="vi"),
        "out": make_contact(locale="en", opted_out=True),
        "youth": make_contact(locale="en", groups=("youth",)),
    }


def _messages(db, campaign_id=None, kind=None):
    query = sa.select(OutboundMessage).order_by(OutboundMessage.id)
    if campaign_id is not None:
        query = query.where(OutboundMessage.campaign_id == campaign_id)
    if kind is not None:
        query = query.where(OutboundMessage.kind == kind)
    db.session.expire_all()
    return list(db.session.scalars(query))


def _run_until(clock, when):
    clock.set(when)
    return outbound.send_due_messages()


def test_preview_shows_each_language_with_segments(app, db, clock, families, make_sms_survey):
    survey = make_sms_survey()
    preview = campaigns.preview_campaign(survey, "parents", clock.now)
    texts = {item.locale: item for item in preview.texts}
    assert set(texts) == {"en", "es", "vi"}
    assert "Do you feel safe at the park?" in texts["en"].text
    assert "¿Se siente seguro en el parque?" in texts["es"].text
    assert texts["en"].info.encoding == "GSM-7"
    assert texts["vi"].info.encoding == "UCS-2"
    assert texts["vi"].info.segments > texts["en"].info.segments
    assert preview.recipients == 3 and preview.opted_out == 1
    assert preview.estimated_segments == sum(t.info.segments for t in texts.values())


def test_campaign_texts_each_family_once_in_their_language(app, db, clock, fake_twilio,
                                                          families, make_sms_survey):
    survey = make_sms_survey()
    campaign = campaigns.start_campaign("Parks", survey.id, "parents", clock.now)
    _run_until(clock, clock.now + timedelta(minutes=5))
    sent = {m["To"]: m["Body"] for m in fake_twilio.created}
    assert set(sent) == {families[k].phone for k in ("en", "es", "vi")}
    assert "Do you feel safe" in sent[families["en"].phone]
    assert "¿Se siente seguro" in sent[families["es"].phone]
    assert "an toàn" in sent[families["vi"].phone]
    ids = {m.id for m in _messages(db, campaign.id)}
    assert {m["StatusCallback"].split("/sms/status?ref=")[1] for m in fake_twilio.created} == {
        str(i) for i in ids}  # each callback names its own message
    conversations = db.session.scalars(
        sa.select(Conversation).where(Conversation.campaign_id == campaign.id)).all()
    assert len(conversations) == 3
    progress = campaigns.campaign_progress(campaign)
    assert progress["queued"] == 3 and progress["suppressed"] == 0
    # Launching again (a duplicate job) queues nothing more.
    assert campaigns.launch_campaign.call_local(campaign.id) == 0
    assert len(_messages(db, campaign.id)) == 3


def test_sending_is_paced_per_sender(app, db, clock, families, make_sms_survey):
    app.config["SMS_RATE_PER_SECOND"] = 0.5
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    times = [m.send_after for m in _messages(db, campaign.id)]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert times[0] == clock.now
    assert all(gap >= 2 for gap in gaps)  # at least 2 s per segment at 0.5/s


def test_two_campaigns_at_once_share_the_senders_rate(app, db, clock, families,
                                                     make_sms_survey):
    """The rate is the sender's: a second campaign launched at the same moment waits behind
    the first instead of doubling the rate."""
    app.config["SMS_RATE_PER_SECOND"] = 0.5
    survey = make_sms_survey()
    parents = campaigns.start_campaign("Parks", survey.id, "parents", clock.now)
    youth = campaigns.start_campaign("Parks, youth", survey.id, "youth", clock.now)
    first = [m.send_after for m in _messages(db, parents.id)]
    second = [m.send_after for m in _messages(db, youth.id)]
    assert len(first) == 3 and len(second) == 1
    assert second[0] >= max(first) + timedelta(seconds=2)
    times = sorted(first + second)
    assert all((b - a).total_seconds() >= 2 for a, b in zip(times, times[1:], strict=False))


def test_429_then_success_delivers_one_invitation(app, db, clock, fake_twilio, families,
                                                  make_sms_survey):
    fake_twilio.fail_next(429, 20429)
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    first = _messages(db, campaign.id)[0]
    assert first.status == "retry"
    _run_until(clock, clock.now + timedelta(hours=1))
    to_first = [m for m in fake_twilio.created if m["To"] == first.contact.phone]
    assert len(to_first) == 1
    assert len(fake_twilio.created) == 3


def test_campaign_started_at_night_waits_for_the_morning(app, db, clock, fake_twilio,
                                                         families, make_sms_survey):
    clock.set(EVENING - timedelta(minutes=5))
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", EVENING)
    assert campaign.starts_at == NEXT_MORNING
    assert _run_until(clock, EVENING + timedelta(hours=1)) == 0
    assert campaigns.launch_due_campaigns() == 0
    assert fake_twilio.created == []
    clock.set(NEXT_MORNING)
    assert campaigns.launch_due_campaigns() >= 1
    _run_until(clock, NEXT_MORNING + timedelta(minutes=5))
    assert len(fake_twilio.created) == 3
    assert all(m.send_after >= NEXT_MORNING for m in _messages(db, campaign.id))


def test_send_job_holds_invitations_during_quiet_hours(app, db, clock, families,
                                                       make_sms_survey):
    clock.set(EVENING)
    message = outbound.queue_message(families["en"], "Invitation", kind="invitation")
    db.session.commit()
    assert outbound.send_outbound.call_local(message.id) == "held"
    db.session.refresh(message)
    assert message.status == "pending"
    assert NEXT_MORNING <= message.send_after < NEXT_MORNING + timedelta(hours=2)
    assert pacing.to_local(message.send_after).hour == 8
    # A reply to a family who texted us at night is not held.
    reply = outbound.queue_message(families["es"], "Gracias", kind="reply")
    db.session.commit()
    assert outbound.send_outbound.call_local(reply.id) == "sent"


def _start_and_send(clock, make_sms_survey):
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    _run_until(clock, clock.now + timedelta(minutes=5))
    return campaign


def test_one_reminder_after_the_delay_only_to_unfinished(app, db, clock, fake_twilio,
                                                         families, make_sms_survey):
    campaign = _start_and_send(clock, make_sms_survey)
    done = db.session.scalar(sa.select(Conversation).where(
        Conversation.contact_id == families["es"].id))
    done.state = "completed"
    db.session.commit()
    clock.set(clock.now + timedelta(hours=23))
    assert send_reminders() == 0
    clock.set(clock.now + timedelta(hours=2))
    assert send_reminders() == 2
    assert send_reminders() == 0  # once per conversation
    _run_until(clock, clock.now + timedelta(minutes=5))
    reminders = _messages(db, campaign.id, kind="reminder")
    assert {m.contact_id for m in reminders} == {families["en"].id, families["vi"].id}
    assert all(m.status == "queued" for m in reminders)
    bodies = [m["Body"] for m in fake_twilio.created if m["To"] == families["en"].phone]
    assert len(bodies) == 2 and "reminder" in bodies[1]
    assert "Do you feel safe" in bodies[1]
    clock.set(clock.now + timedelta(days=3))
    assert send_reminders() == 0
    assert campaigns.campaign_progress(campaign)["reminders"] == 2


def test_no_reminders_in_quiet_hours(app, db, clock, families, make_sms_survey):
    _start_and_send(clock, make_sms_survey)
    clock.set(EVENING + timedelta(days=1))
    assert send_reminders() == 0
    clock.set(NEXT_MORNING + timedelta(days=1))
    assert send_reminders() == 3


def test_opt_out_stops_campaign_texts_and_reminders(app, db, clock, fake_twilio, families,
                                                   make_sms_survey):
    app.config["SMS_RATE_PER_SECOND"] = 0.01  # 100 s between texts
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    # The Vietnamese family texts STOP before their invitation goes out.
    families["vi"].opted_out = True
    db.session.commit()
    _run_until(clock, clock.now + timedelta(hours=1))
    assert families["vi"].phone not in {m["To"] for m in fake_twilio.created}
    statuses = {m.contact_id: m.status for m in _messages(db, campaign.id)}
    assert statuses[families["vi"].id] == "suppressed"
    clock.set(clock.now + timedelta(days=1))
    send_reminders()
    _run_until(clock, clock.now + timedelta(hours=1))
    assert families["vi"].phone not in {m["To"] for m in fake_twilio.created}
    assert campaigns.campaign_progress(campaign)["suppressed"] == 1


def test_twilio_21610_during_campaign_opts_out(app, db, clock, fake_twilio, families,
                                              make_sms_survey):
    fake_twilio.fail_next(400, 21610)
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    first = _messages(db, campaign.id)[0]
    assert first.status == "failed" and first.contact.opted_out
    _run_until(clock, clock.now + timedelta(minutes=5))
    clock.set(clock.now + timedelta(days=1, hours=1))
    assert send_reminders() == 2  # the two others, not the opted-out family


def test_update_campaign_texts_past_respondents_in_their_language(app, db, clock,
                                                                  fake_twilio, make_contact):
    people = [Respondent(pseudonym=f"p{i}") for i in range(4)]
    db.session.add_all(people)
    db.session.commit()
    en = make_contact(locale="en", respondent_id=people[0].id)
    es = make_contact(locale="es", respondent_id=people[1].id)
    out = make_contact(locale="es", respondent_id=people[2].id, opted_out=True)
    make_contact(locale="en", respondent_id=people[3].id)  # not in the list
    texts = {"en": "You said the park was dark; new lights are up.",
             "es": "Nos dijeron que el parque estaba oscuro; ya hay luces."}
    chosen = [people[0].id, people[1].id, people[2].id]
    preview = campaigns.preview_update(texts, chosen)
    assert (preview.recipients, preview.opted_out, preview.estimated_segments) == (2, 1, 2)
    campaign = campaigns.create_update_campaign("Lights fixed", texts, chosen)
    _run_until(clock, clock.now + timedelta(minutes=5))
    sent = {m["To"]: m["Body"] for m in fake_twilio.created}
    assert set(sent) == {en.phone, es.phone}
    assert sent[es.phone].startswith("Nos dijeron") and sent[en.phone].startswith("You said")
    assert out.phone not in sent
    assert db.session.get(Campaign, campaign.id).kind == "update"


def test_staff_preview_and_start_through_the_pages(app, db, client, clock, families,
                                                   make_sms_survey, make_staff, login):
    survey = make_sms_survey()
    make_staff(role="staff")
    login()
    page = client.get("/staff/campaigns/new")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "name": "Parks",
            "survey_id": str(survey.id), "group": "parents", "starts_at": "2031-06-02T10:00"}
    preview = client.post("/staff/campaigns/new", data={**data, "preview": "Preview"})
    html = preview.get_data(as_text=True)
    assert "Do you feel safe at the park?" in html and "UCS-2" in html
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0
    started = client.post("/staff/campaigns/new", data={**data, "submit": "Start"})
    assert started.status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert campaign.starts_at == MORNING  # 10:00 local stored as 15:00 UTC
    detail = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Parks" in detail and 'id="progress-queued">' in detail
    assert "5045" not in detail


def test_partner_viewers_cannot_open_campaigns(app, client, make_staff, login):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get("/staff/campaigns/").status_code == 403


def test_send_due_command_sends_waiting_texts(app, db, runner, clock, fake_twilio, families,
                                              make_sms_survey):
    campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    assert len(fake_twilio.created) == 1  # the others wait for their paced time
    clock.set(clock.now + timedelta(minutes=5))
    result = runner.invoke(args=["sms-out", "send-due"])
    assert result.exit_code == 0, result.output
    assert len(fake_twilio.created) == 3


def test_campaign_launch_interrupted_after_claim_is_picked_up_again(
        app, db, fake_twilio, clock, make_contact, make_sms_survey, monkeypatch):
    from messaging.campaigns import operations as campaigns
    from messaging.inbound import answering

    make_contact(locale="en")
    make_contact(locale="es")
    survey = make_sms_survey()
    campaign = campaigns.start_campaign("June", survey.id, "parents",
                                        clock.now + timedelta(hours=1))
    campaign_id = campaign.id
    clock.set(clock.now + timedelta(hours=1))

    real_start, calls = answering.start, {"n": 0}

    def start_dies_on_second(*args, **kwargs):  # the worker is killed / DB connection lost
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker died mid-launch")
        return real_start(*args, **kwargs)

    monkeypatch.setattr(answering, "start", start_dies_on_second)
    with pytest.raises(RuntimeError):
        campaigns.launch_due_campaigns()
    db.session.rollback()
    monkeypatch.setattr(answering, "start", real_start)

    # the safety net runs every minute afterwards
    for _ in range(3):
        clock.set(clock.now + timedelta(minutes=1))
        campaigns.launch_due_campaigns()
        outbound.sweep_outbound()
    db.session.expire_all()
    queued = db.session.scalars(sa.select(OutboundMessage).where(
        OutboundMessage.campaign_id == campaign_id)).all()
    status = db.session.get(Campaign, campaign_id).status
    assert len(queued) == 2, f"campaign stuck in {status!r}, no family invited"


def test_a_start_years_away_gets_a_message(app, db, client, clock, make_staff, login,
                                           make_sms_survey, families):
    """The year 9999 overflowed the time-zone arithmetic (an error page)."""
    survey = make_sms_survey()
    make_staff()
    login()
    token = csrf_token_from(client.get("/staff/campaigns/new").get_data(as_text=True))
    page = client.post("/staff/campaigns/new", data={
        "name": "x", "survey_id": str(survey.id), "group": "parents",
        "starts_at": "9999-12-31T23:59", "preview": "Preview", "csrf_token": token})
    assert page.status_code == 200
    assert "Enter a date within the next 5 years." in page.get_data(as_text=True)


def _text(client, phone, body, sid):
    """A family's text to the webhook, signed as Twilio signs it; returns the replies."""
    from tests.fixtures.fake_twilio import AUTH_TOKEN, PUBLIC_BASE_URL
    from tests.fixtures.sms import replies, sign

    params = {"MessageSid": sid, "AccountSid": "ACtest", "From": phone, "To": "+15045550000",
              "Body": body, "NumMedia": "0"}
    signature = sign(PUBLIC_BASE_URL + "/sms/inbound", params, AUTH_TOKEN)
    response = client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return replies(response.get_data(as_text=True))


def test_a_campaign_whose_survey_closed_before_its_start_is_not_sent(
        app, db, client, clock, fake_twilio, families, make_sms_survey, make_staff, login):
    from surveys.operations import close

    survey = make_sms_survey()
    campaign = campaigns.start_campaign("Parks", survey.id, "parents",
                                        clock.now + timedelta(hours=2))
    close(survey)
    clock.set(clock.now + timedelta(hours=2, minutes=1))
    assert campaigns.launch_due_campaigns() == 0
    assert campaigns.launch_campaign.call_local(campaign.id) == 0  # the planned job, too
    _run_until(clock, clock.now + timedelta(minutes=10))
    assert fake_twilio.created == [] and _messages(db, campaign.id) == []
    assert db.session.get(Campaign, campaign.id).status == "skipped"
    make_staff(role="staff")
    login()
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Status: Not sent: the survey was not open for SMS." in page


def test_invitations_still_waiting_when_the_survey_closes_are_not_sent(
        app, db, client, clock, fake_twilio, families, make_sms_survey):
    """Closed after its launch, while the paced invitations wait their turn: the ones not yet
    sent stay unsent (counted with the texts not sent on the campaign page)."""
    from surveys.operations import close

    app.config["SMS_RATE_PER_SECOND"] = 0.01  # 100 s between texts
    survey = make_sms_survey()
    campaign = campaigns.start_campaign("Parks", survey.id, "parents", clock.now)
    assert len(fake_twilio.created) == 1  # the first goes at once
    close(survey)
    _run_until(clock, clock.now + timedelta(minutes=10))
    assert len(fake_twilio.created) == 1
    assert sorted(m.status for m in _messages(db, campaign.id)) == [
        "queued", "suppressed", "suppressed"]
    assert campaigns.campaign_progress(campaign)["suppressed"] == 2


def test_an_invitation_waiting_when_the_family_already_started_is_not_sent(
        app, db, client, clock, fake_twilio, families, make_sms_survey):
    """A family who texts the keyword while their invitation waits gets the first question
    at once; the invitation, which would ask it again, is not sent."""
    app.config["SMS_RATE_PER_SECOND"] = 0.01
    campaign = campaigns.start_campaign("Parks", make_sms_survey().id, "parents", clock.now)
    vi = families["vi"]
    clock.set(clock.now + timedelta(seconds=30))
    assert "an toàn" in _text(client, vi.phone, "PARK", "SMwaiting0001")[0]
    assert "tốt hơn" in _text(client, vi.phone, "1", "SMwaiting0002")[0]
    _run_until(clock, clock.now + timedelta(minutes=10))
    assert [m["To"] for m in fake_twilio.created].count(vi.phone) == 0
    invitation = next(m for m in _messages(db, campaign.id) if m.contact_id == vi.id)
    assert invitation.status == "suppressed"


def test_a_reminder_waiting_behind_a_long_queue_is_not_sent_once_the_family_finished(
        app, db, client, clock, fake_twilio, families, make_contact, make_sms_survey):
    """Reminders queue behind whatever the sender has waiting (here a campaign to 150 other
    families). A family who finishes the survey while their reminder waits is not told "we
    are still waiting for your answer" with a question they already answered."""
    survey = make_sms_survey()
    _start_and_send(clock, make_sms_survey=lambda: survey)
    for _ in range(150):
        make_contact(locale="en", groups=("youth",))
    # 24 h after the invitations, a campaign to the youth group is going out.
    clock.set(MORNING + timedelta(days=1, minutes=5))
    campaigns.start_campaign("Youth", survey.id, "youth", clock.now)
    assert send_reminders() == 3
    es = families["es"]
    reminder = next(m for m in _messages(db, kind="reminder") if m.contact_id == es.id)
    assert reminder.send_after > clock.now + timedelta(minutes=2)  # waiting its turn
    clock.set(clock.now + timedelta(minutes=1))
    assert "¿Qué lo mejoraría?" in _text(client, es.phone, "1", "SMremind0001")[0]
    _text(client, es.phone, "Más sombra", "SMremind0002")
    clock.set(clock.now + timedelta(hours=1))
    outbound.send_due_messages()
    assert not any(m["Body"] == reminder.body for m in fake_twilio.created)
    assert {m.contact_id: m.status for m in _messages(db, kind="reminder")} == {
        families["en"].id: "queued", es.id: "suppressed", families["vi"].id: "queued"}


def test_a_double_click_on_start_campaign_starts_it_once(
        app, db, client, clock, fake_twilio, families, make_sms_survey, make_staff, login):
    from tests.fixtures.helpers import hidden_field_from

    survey = make_sms_survey()
    make_staff(role="staff")
    login()
    page = client.get("/staff/campaigns/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "name": "Parks", "survey_id": str(survey.id),
            "group": "parents", "starts_at": "2031-06-02T10:00", "submit": "Start",
            "submission_token": hidden_field_from(page, "submission_token")}
    first = client.post("/staff/campaigns/new", data=data)
    second = client.post("/staff/campaigns/new", data=data)  # the second click
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 1
    _run_until(clock, clock.now + timedelta(minutes=5))
    assert len(fake_twilio.created) == 3  # one invitation per family


def test_two_submissions_of_one_form_arriving_together_start_one_campaign(
        app, db, clock, make_sms_survey, monkeypatch):
    """The second click's request arrives while the first one's transaction is still open:
    it waits for it, then shows the campaign the first one started."""
    import threading

    from messaging.campaigns import submissions

    survey_id = make_sms_survey().id
    db.session.commit()
    token, first_created, go_on, started = submissions.new_token(), threading.Event(), \
        threading.Event(), []
    real_created = submissions.created

    def created_then_wait(*args):
        real_created(*args)
        first_created.set()
        assert go_on.wait(10)

    def submit(hold: bool):
        with app.app_context():
            if hold:
                monkeypatch.setattr(submissions, "created", created_then_wait)
            campaign = campaigns.start_campaign("Parks", survey_id, "parents",
                                                clock.now + timedelta(days=1),
                                                submission_token=token)
            started.append(campaign.id)

    first = threading.Thread(target=submit, args=(True,))
    first.start()
    assert first_created.wait(10)
    monkeypatch.setattr(submissions, "created", real_created)
    second = threading.Thread(target=submit, args=(False,))
    second.start()
    second.join(0.5)
    assert second.is_alive() and started == []  # the second waits for the first
    go_on.set()
    first.join(10)
    second.join(10)
    assert len(started) == 2 and started[0] == started[1]
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 1


def test_a_refused_campaign_form_can_be_corrected_and_sent_again(
        db, clock, make_sms_survey):
    from messaging.campaigns import submissions

    survey = make_sms_survey()
    survey.status = "closed"
    db.session.commit()
    token = submissions.new_token()
    with pytest.raises(campaigns.CampaignError):
        campaigns.start_campaign("Parks", survey.id, "parents", clock.now,
                                 submission_token=token)
    survey = db.session.get(type(survey), survey.id)
    survey.status = "open"
    db.session.commit()
    campaign = campaigns.start_campaign("Parks", survey.id, "parents", clock.now,
                                       submission_token=token)
    assert campaign is not None and campaign.status in ("scheduled", "sending", "sent")
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 1
