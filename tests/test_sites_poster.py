"""Site posters say what the survey asks (time, required questions), advertise the survey the
site runs, and warn staff on screen when the QR code would point at this machine."""

from __future__ import annotations

import copy
import re

import pytest

from feedback.responses.models import PartnerSite
from surveys.timing import SECONDS_BY_TYPE, estimated_minutes
from tests.fixtures import webform as fx
from tests.fixtures.helpers import csrf_token_from


def _poster_section(html: str) -> str:
    return html[html.index('<section class="poster"'):]


@pytest.mark.parametrize(("types", "minutes"), [
    ([], 1),
    (["yes_no"] * 7, 1),  # 56 seconds
    (["yes_no"] * 8, 2),  # 64 seconds: rounded up
    (["long_text"] * 2, 2),  # typing takes longer than tapping
    (["single_choice", "short_text", "number", "scale", "multiple_choice"], 1),
    (["some_new_type"] * 5, 2),  # an unknown type counts as a short answer (15 s)
])
def test_estimated_minutes_come_from_the_number_and_types_of_questions(types, minutes):
    assert estimated_minutes([{"type": t} for t in types]) == minutes


def test_a_text_question_counts_more_than_a_choice_question():
    assert SECONDS_BY_TYPE["long_text"] > SECONDS_BY_TYPE["short_text"] > SECONDS_BY_TYPE["scale"]


def test_poster_says_the_estimated_time_and_which_questions_are_required(
    client, make_staff, login, make_site, make_survey
):
    make_survey()  # 6 questions (number, yes/no, long text, scale, multiple, short): 103 s
    site = make_site("east-club")
    make_staff()
    login()
    html = client.get(f"/staff/sites/{site.id}/poster?survey=test-voice&lang=en").get_data(
        as_text=True
    )
    poster = _poster_section(html)
    assert "It takes about 2 minutes." in poster
    assert "five minutes" not in poster and "every question is optional" not in poster.lower()
    assert ("Only these questions need an answer: “How many times did you visit this month?” "
            "and “Do you feel safe here?” The others are optional.") in poster

    html = client.get(f"/staff/sites/{site.id}/poster?survey=test-voice&lang=es").get_data(
        as_text=True
    )
    poster = _poster_section(html)
    assert "“¿Cuántas veces viniste este mes?”" in poster  # the survey's own Spanish text
    assert re.search(r"\b2 minutos\b", poster)
    assert "Only these" not in poster and "It takes" not in poster  # no English left
    html = client.get(f"/staff/sites/{site.id}/poster?survey=test-voice&lang=vi").get_data(
        as_text=True
    )
    poster = _poster_section(html)
    assert "2 phút" in poster and "“Tháng này bạn đến mấy lần?”" in poster


def test_a_required_question_without_its_own_punctuation_gets_a_full_stop(app):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from feedback.sites.operations import _required_text

    questions = [SimpleNamespace(required=True, text={"en": "Your age group"}),
                 SimpleNamespace(required=False, text={"en": "Anything else?"})]
    with app.test_request_context(), force_locale("en"):
        assert _required_text(questions, "en") == (
            "Only one question needs an answer: “Your age group”. The others are optional."
        )
        many = [SimpleNamespace(required=True, text={"en": f"Q{n}"}) for n in range(4)]
        assert _required_text([*many, questions[1]], "en") == (
            "4 of the 5 questions need an answer; the others are optional."
        )


def test_poster_says_every_question_is_optional_only_when_true(
    client, db, make_staff, login, make_site
):
    from surveys import operations

    definition = copy.deepcopy(fx.SURVEY)
    for question in definition["questions"]:
        question["required"] = False
    operations.publish(operations.import_definition(definition))
    site = make_site("east-club")
    make_staff()
    login()
    html = client.get(f"/staff/sites/{site.id}/poster?lang=en").get_data(as_text=True)
    assert "Every question is optional." in _poster_section(html)


def test_poster_advertises_the_survey_the_site_runs(
    client, db, make_staff, login, make_site, make_survey
):
    make_survey(slug="family-voice")
    youth = make_survey(slug="youth-voice")
    club = make_site("youth-club", name="Youth Club")
    club.survey_id = youth.id
    db.session.commit()
    make_staff()
    login()
    html = client.get(f"/staff/sites/{club.id}/poster").get_data(as_text=True)
    assert "/s/youth-voice?site=youth-club" in html and "family-voice?site" not in html
    # Staff may still print another open survey's poster on purpose.
    html = client.get(f"/staff/sites/{club.id}/poster?survey=family-voice").get_data(
        as_text=True
    )
    assert "/s/family-voice?site=youth-club" in html

    # Several open surveys and none chosen for the site: no guess, staff choose.
    other = make_site("other-club")
    html = client.get(f"/staff/sites/{other.id}/poster").get_data(as_text=True)
    assert '<section class="poster"' not in html
    assert "This site has no survey of its own yet" in html
    assert f'href="/staff/sites/{other.id}/edit"' in html


def test_demo_youth_clubhouse_poster_shows_the_youth_survey(
    client, db, make_staff, login, web_app
):
    from demo.cli import ensure_demo_foundation
    from demo.foundation import assign_demo_site_surveys
    from demo.sms import ensure_family_survey
    from demo.youth_survey import seed_youth_survey

    ensure_demo_foundation()
    seed_youth_survey()
    ensure_family_survey()
    assign_demo_site_surveys()
    clubhouse = db.session.scalar(db.select(PartnerSite).filter_by(code="eastside-club"))
    make_staff()
    login()
    html = client.get(f"/staff/sites/{clubhouse.id}/poster?lang=en").get_data(as_text=True)
    poster = _poster_section(html)
    assert "Youth Voice" in poster and "Family Pulse" not in poster
    assert "/s/youth-voice?site=eastside-club" in poster
    assert "every question is optional" not in poster.lower()
    assert "Only one question needs an answer: “" in poster


def test_site_form_saves_the_survey_the_site_runs(
    client, db, make_staff, login, make_site, make_survey
):
    survey = make_survey()
    site = make_site("east-club")
    make_staff()
    login()
    page = client.get(f"/staff/sites/{site.id}/edit").get_data(as_text=True)
    assert "Test voice" in page
    sent = client.post(f"/staff/sites/{site.id}/edit", data={
        "csrf_token": csrf_token_from(page), "code": "east-club", "name": "East Club",
        "organization_id": site.organization_id, "survey_id": str(survey.id),
        "kiosk_reset_seconds": "20",
    })
    assert sent.status_code == 302
    db.session.refresh(site)
    assert site.survey_id == survey.id
    listing = client.get("/staff/sites/").get_data(as_text=True)
    assert "<td>Test voice</td>" in listing
    page = client.get(f"/staff/sites/{site.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{survey.id}">|<option value="{survey.id}" '
                     r'selected', page)


def test_poster_warns_staff_on_screen_when_public_base_url_is_unset(
    client, make_staff, login, make_site, make_survey, web_app
):
    make_survey()
    site = make_site("east-club")
    make_staff()
    login()
    web_app.config["PUBLIC_BASE_URL"] = ""
    html = client.get(f"/staff/sites/{site.id}/poster").get_data(as_text=True)
    screen_only = html[html.index('<div class="no-print">'):html.index('<section class="poster"')]
    assert "PUBLIC_BASE_URL is not set" in screen_only
    assert "http://localhost/" in screen_only  # the test client's host, where the QR points
    assert "PUBLIC_BASE_URL" not in _poster_section(html)  # never printed on the poster

    web_app.config["PUBLIC_BASE_URL"] = "https://feedback.example.org"
    html = client.get(f"/staff/sites/{site.id}/poster").get_data(as_text=True)
    assert "PUBLIC_BASE_URL is not set" not in html
    assert "https://feedback.example.org/s/test-voice?site=east-club" in html


def test_survey_intro_page_says_the_same_estimate(client, make_survey):
    make_survey()
    intro = client.get("/s/test-voice").get_data(as_text=True)
    assert "It takes about 2 minutes." in intro and "five minutes" not in intro
    client.get("/lang/es?next=/")
    intro = client.get("/s/test-voice").get_data(as_text=True)
    assert "Toma más o menos 2 minutos." in intro
