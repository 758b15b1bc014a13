"""The staff home says what needs attention, each item linking to where it is fixed; the
navigation is grouped Collect · Listen · Review · Admin and marks the current page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

from feedback.responses.models import utcnow
from messaging.models import OutboundMessage

pytest_plugins = ["tests.fixtures.outbound"]


def _home(client) -> str:
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _attention(html: str) -> str:
    return unescape(html.split('id="attention-heading"')[1].split("</section>")[0])


def test_nothing_needs_attention_on_a_fresh_install(client, admin):
    assert "Nothing needs attention right now." in _attention(_home(client))


def test_navigation_is_grouped_and_marks_the_current_page(client, admin):
    html = client.get("/staff/contacts/").get_data(as_text=True)
    nav = html.split('<nav class="staff-nav')[1].split("</nav>")[0]
    labels = re.findall(r'class="nav-group-label" id="nav-(\w+)">([^<]+)<', nav)
    assert [k for k, _ in labels] == ["collect", "listen", "review", "admin", "account"]
    collect = nav.split('id="nav-collect"')[1].split("</ul>")[0]
    assert "SMS contacts" in collect and "Surveys" in collect and "SMS campaigns" in collect
    assert "Comments" in nav.split('id="nav-listen"')[1].split("</ul>")[0]
    assert "Agenda review" in nav.split('id="nav-review"')[1].split("</ul>")[0]
    assert "Audit log" in nav.split('id="nav-admin"')[1].split("</ul>")[0]
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
    assert current == ["/staff/contacts/"]


def test_partner_viewers_see_only_their_groups(client, make_staff, login):
    make_staff("viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    nav = _home(client).split('<nav class="staff-nav')[1].split("</nav>")[0]
    assert 'id="nav-collect"' in nav and 'id="nav-review"' in nav  # sites, agenda review
    assert 'id="nav-admin"' not in nav and "SMS contacts" not in nav


def test_failed_unknown_filtered_and_overdue_texts(client, admin, db, make_contact):
    contact = make_contact()
    old = utcnow() - timedelta(hours=2)
    db.session.add_all([
        OutboundMessage(contact_id=contact.id, body="a", status="failed", updated_at=utcnow()),
        OutboundMessage(contact_id=contact.id, body="b", status="undelivered"),
        OutboundMessage(contact_id=contact.id, body="c", status="unknown"),
        OutboundMessage(contact_id=contact.id, body="d", status="sent", flagged=True),
        OutboundMessage(contact_id=contact.id, body="e", status="pending", created_at=old,
                        send_after=old),
        OutboundMessage(contact_id=contact.id, body="f", status="pending",
                        send_after=utcnow() + timedelta(hours=5)),  # waits for the morning
    ])
    db.session.commit()
    box = _attention(_home(client))
    assert "2 texts failed in the last 30 days." in box
    assert "1 text may or may not have been sent" in box
    assert "1 text was filtered by a carrier" in box
    assert "1 text is overdue: is the queue worker running?" in box
    assert box.count('href="/staff/campaigns/"') == 4


def test_open_survey_missing_a_language(client, admin, db):
    from surveys.models import Question, Survey, SurveyVersion

    survey = Survey(slug="en-only", status="open")
    version = SurveyVersion(survey=survey, number=1, title={"en": "English only"},
                            published_at=datetime(2026, 1, 1))
    db.session.add_all([survey, version, Question(version=version, position=0, key="q",
                                                  type="short_text", text={"en": "Q?"})])
    db.session.commit()
    box = _attention(_home(client))
    assert ("1 open survey lacks a text in one of the coalition's languages: those "
            "respondents see it in English.") in box
    assert 'href="/staff/surveys/"' in box


def test_goal_missing_a_language(client, admin, db):
    from analysis.review.goals import AgendaGoal

    db.session.add(AgendaGoal(key="safety", names={"en": "Safe streets", "es": "Calles seguras"}))
    db.session.commit()
    box = _attention(_home(client))
    assert "1 agenda goal lacks a name or indicator label" in box
    assert 'href="/staff/goals"' in box or "/staff/goals" in box


def test_the_queue_state_is_shown_to_admins(app, client, admin):
    app.config["QUEUE_IMMEDIATE"] = False
    html = _home(client)
    assert re.search(r"\d+ jobs? (is|are) waiting in the task queue", _attention(html))


def test_a_failing_check_does_not_break_the_home(app, client, admin):
    from feedback.core.roles import add_attention

    def broken():
        raise RuntimeError("boom")

    add_attention(app, broken)
    box = _attention(_home(client))
    assert "One of the checks could not run" in box


def test_the_home_is_translated(client, admin, db, make_contact):
    contact = make_contact()
    db.session.add(OutboundMessage(contact_id=contact.id, body="a", status="failed"))
    db.session.commit()
    client.get("/lang/es?next=/")
    box = _attention(_home(client))
    assert "Necesita atención" in _home(client) and "1 mensaje falló" in box


def test_responses_held_as_possible_stuffing(client, admin, db):
    from feedback.responses.models import Respondent, Response, utcnow
    from surveys.models import Survey, SurveyVersion

    survey = Survey(slug="held", status="open")
    version = SurveyVersion(survey=survey, number=1, title={"en": "Held"})
    db.session.add_all([survey, version])
    db.session.flush()
    for n in range(2):
        respondent = Respondent(pseudonym=f"held-{n}")
        db.session.add(respondent)
        db.session.flush()
        db.session.add(Response(respondent_id=respondent.id, survey_id=survey.id,
                                survey_version_id=version.id, channel="web", locale="en",
                                flag="burst", held_at=utcnow()))
    db.session.commit()
    box = _attention(_home(client))
    assert "2 responses were held as possible stuffing" in box
    assert 'href="/staff/review/held"' in box


def test_unmatched_late_replies_are_counted(client, admin, db, make_contact):
    from messaging.models import InboundMessage

    contact = make_contact()
    db.session.add_all([
        InboundMessage(message_sid="SMlate1", contact_id=contact.id, body="3", status="late"),
        InboundMessage(message_sid="SMlate2", contact_id=contact.id, body="4", status="late"),
        InboundMessage(message_sid="SMok", contact_id=contact.id, body="5", status="handled"),
    ])
    db.session.commit()
    assert ("2 text replies arrived after their question had closed and were not applied."
            in _attention(_home(client)))


def test_texts_waiting_in_the_spool_are_shown(app, client, admin, tmp_path):
    from messaging.inbound import spool

    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    with app.app_context():
        spool.write("SMspooled", "+15045550142", "1", 0, utcnow())
    assert ("1 received text is waiting in the spool to be stored: is the queue worker "
            "running?") in _attention(_home(client))
