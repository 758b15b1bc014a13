"""The public web survey, driven through the test client as a respondent would."""

from __future__ import annotations

import copy

import pytest
from flask_babel import force_locale, gettext

from feedback.responses.models import Response
from surveys import operations as ops
from tests.fixtures.helpers import csrf_token_from
from tests.fixtures.webform import (
    SURVEY,
    URL,
    answer_page,
    checked,
    hidden_token,
    last_page_submission,
)


def responses(db):
    return list(db.session.scalars(db.select(Response)))


def answers_of(response):
    return {a.question_key: a.value for a in response.answers}


@pytest.mark.parametrize(
    ("locale", "question_text", "thanks_text"),
    [
        ("en", "Do you feel safe here?", "Thanks for telling us!"),
        ("es", "¿Te sientes seguro aquí?", "¡Gracias por contarnos!"),
        ("vi", "Bạn có cảm thấy an toàn ở đây không?", "Cảm ơn bạn đã chia sẻ!"),
    ],
)
def test_full_submission_in_each_language(
    client, db, make_survey, make_site, locale, question_text, thanks_text
):
    make_survey()
    make_site("north-club")
    client.get(f"/lang/{locale}?next=/")
    intro = client.get(URL + "?site=north-club")
    assert intro.status_code == 200
    assert f'lang="{locale}"' in intro.get_data(as_text=True)

    page1 = URL + "?site=north-club&page=1"
    assert question_text in client.get(page1).get_data(as_text=True)
    sent = answer_page(client, page1, {"q_visits": "4", "q_safe": "no"})
    assert sent.status_code == 302 and "page=2" in sent.location

    page2 = client.get(sent.location).get_data(as_text=True)
    assert "Page 2 of 3" in page2 or locale != "en"
    sent = answer_page(client, sent.location, {
        "q_why_unsafe": "Dark street outside", "q_rating": "2", "q_topics": ["parks", "buses"],
    })
    assert "page=3" in sent.location
    sent = answer_page(client, sent.location, {"q_idea": "More lights"})
    assert sent.status_code == 302 and "/thanks" in sent.location

    thanks = client.get(sent.location).get_data(as_text=True)
    assert thanks_text in thanks
    [response] = responses(db)
    assert response.channel == "web" and response.locale == locale
    assert response.site.code == "north-club"
    assert answers_of(response) == {
        "visits": 4, "safe": "no", "why_unsafe": "Dark street outside", "rating": 2,
        "topics": ["parks", "buses"], "idea": "More lights",
    }


def test_progress_and_optional_labels_are_shown(client, make_survey):
    make_survey()
    html = client.get(URL + "?page=1").get_data(as_text=True)
    assert "Page 1 of 3" in html
    page2 = answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"}).location
    html = client.get(page2).get_data(as_text=True)
    # "safe" was yes, so the follow-up is skipped and the survey is one page shorter.
    assert "Page 2 of 3" in html
    assert "What makes you feel unsafe?" not in html
    assert "(optional)" in html
    assert '<fieldset class="field question question-radio' in html


def test_intro_says_anonymous_and_optional(client, make_survey):
    make_survey()
    html = client.get(URL).get_data(as_text=True)
    assert "anonymous" in html and "optional" in html
    assert 'href="/s/test-voice?page=1"' in html


def test_validation_errors_are_shown_next_to_fields_and_keep_input(client, db, make_survey):
    make_survey()
    client.get("/lang/es?next=/")
    sent = answer_page(client, URL + "?page=1", {"q_visits": "muchas veces", "q_safe": ""})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert 'role="alert"' in html and 'id="error-summary"' in html
    with force_locale("es"):
        needs_answer = gettext("This question needs an answer.")
    assert html.count(needs_answer) == 2  # in the summary and next to the field
    assert 'value="muchas veces"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="q_visits-error"' in html
    assert responses(db) == []


def test_skip_logic_skips_follow_up_and_ignores_stale_answers(client, db, make_survey):
    make_survey()
    sent = answer_page(client, URL + "?page=1", {"q_visits": "2", "q_safe": "no"})
    sent = answer_page(client, sent.location, {"q_why_unsafe": "fights"})
    # Go back to page 1 and change "safe" to yes: the follow-up no longer applies.
    answer_page(client, URL + "?page=1", {"q_visits": "2", "q_safe": "yes"})
    html = client.get(URL + "?page=2").get_data(as_text=True)
    assert "What makes you feel unsafe?" not in html
    sent = answer_page(client, URL + "?page=2", {"q_rating": "5"})
    sent = answer_page(client, sent.location, {})
    assert "/thanks" in sent.location
    [response] = responses(db)
    assert answers_of(response) == {"visits": 2, "safe": "yes", "rating": 5}


def test_back_keeps_answers_without_validating(client, make_survey):
    make_survey()
    sent = answer_page(client, URL + "?page=1", {"q_visits": "3", "q_safe": "yes"})
    back = answer_page(client, sent.location, {"q_rating": "4", "q_idea": ""}, action="back")
    assert back.status_code == 302 and "page=1" in back.location
    html = client.get(URL + "?page=2").get_data(as_text=True)
    assert checked(html, "q_rating") == ["4"]


def test_double_submit_records_one_response(client, db, make_survey):
    make_survey()
    data = last_page_submission(client)
    first = client.post(URL + "?page=3", data=data)
    second = client.post(URL + "?page=3", data=data)  # double click, or back and resend
    assert "/thanks" in first.location and "/thanks" in second.location
    assert len(responses(db)) == 1
    # Going back to a page of the finished sitting leads to the thank-you page too.
    assert "/thanks" in client.get(URL + "?page=2").location
    assert len(responses(db)) == 1


def test_back_and_resubmit_from_a_fresh_session_records_one(client, db, make_survey):
    make_survey()
    answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"})
    html = client.get(URL + "?page=3").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "token": hidden_token(html), "action": "next"}
    assert "/thanks" in client.post(URL + "?page=3", data=data).location
    client.get("/s/test-voice/restart")  # e.g. a kiosk reset cleared the session meanwhile
    html = client.get(URL + "?page=1").get_data(as_text=True)
    data["csrf_token"] = csrf_token_from(html)
    assert "/thanks" in client.post(URL + "?page=3", data=data).location
    assert len(responses(db)) == 1


def test_a_new_sitting_after_finishing_records_a_second_response(client, db, make_survey):
    make_survey()
    for _ in range(2):
        client.get(URL)
        answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"})
        answer_page(client, URL + "?page=3", {})
    assert len(responses(db)) == 2


def test_nothing_about_the_device_is_stored(client, db, make_survey):
    make_survey()
    client.environ_base.update(HTTP_USER_AGENT="SecretPhone/1.0", REMOTE_ADDR="203.0.113.9")
    sent = answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"})
    sent = answer_page(client, sent.location, {"q_rating": "4"})
    sent = answer_page(client, sent.location, {"q_idea": "hi"})
    assert "/thanks" in sent.location
    # the response was stored (so there is something to look at) ...
    (response,) = responses(db)
    assert response.completed_at is not None and answers_of(response)["idea"] == "hi"
    # ... and no row of any table holds the device's address or browser
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            dump = repr(tuple(row))
            assert "203.0.113.9" not in dump and "SecretPhone" not in dump, table.name


def test_closed_survey_has_a_friendly_page(client, make_survey):
    make_survey(status="closed")
    page = client.get(URL)
    assert page.status_code == 410
    assert "This survey is closed" in page.get_data(as_text=True)
    assert client.get(URL + "?page=1").status_code == 410


@pytest.mark.parametrize("status", ["draft", None])
def test_unknown_or_draft_survey_is_not_found(client, make_survey, status):
    if status:
        make_survey(status=status)
    page = client.get(URL)
    assert page.status_code == 404
    assert "Survey not found" in page.get_data(as_text=True)


def test_unknown_site_code_explains_and_offers_the_survey(client, make_survey):
    make_survey()
    page = client.get(URL + "?site=nowhere")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "We do not recognise this site" in html
    assert 'href="/s/test-voice"' in html


def test_language_switch_keeps_page_site_and_answers(client, make_survey, make_site):
    make_survey()
    make_site("north-club")
    sent = answer_page(client, URL + "?site=north-club&page=1", {"q_visits": "7", "q_safe": "yes"})
    back = answer_page(client, sent.location, {}, action="back")
    switched = client.get("/lang/vi?next=" + back.location.replace("&", "%26").replace("?", "%3F"))
    assert switched.location.endswith(back.location)
    html = client.get(switched.location).get_data(as_text=True)
    assert "Bạn có cảm thấy an toàn ở đây không?" in html
    assert 'value="7"' in html


def test_language_buttons_in_the_form_keep_what_was_typed(client, make_survey, make_site):
    make_survey()
    make_site("north-club")
    page = URL + "?site=north-club&page=1"
    html = client.get(page).get_data(as_text=True)
    switched = client.post(page, data={
        "csrf_token": csrf_token_from(html), "token": hidden_token(html),
        "switch_lang": "es", "q_visits": "9",  # typed but not sent with "Next"
    })
    assert switched.location.endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert '<html lang="es">' in html and "¿Cuántas veces viniste este mes?" in html
    assert 'value="9"' in html
    assert checked(html, "q_safe") == []


# --- one sitting per survey, kept across a new version -----------------------------------


def _optional_survey(db, slug):
    """The test survey with every question optional, published."""
    data = copy.deepcopy(SURVEY)
    for q in data["questions"]:
        q["required"] = False
    survey = ops.import_definition(data, slug=slug)
    db.session.commit()
    ops.publish(survey)
    return survey


def _only_response_answers(db):
    [response] = db.session.scalars(db.select(Response)).all()
    return {a.question_key: a.value for a in response.answers}


def test_opening_another_survey_in_a_second_tab_keeps_this_sittings_answers(
        client, db, web_app):
    """One sitting per survey: a youth who looks at another survey mid-way loses nothing
    (the browser kept one sitting, and the other survey's page replaced it)."""
    _optional_survey(db, "voice-a")
    _optional_survey(db, "voice-b")
    a = "/s/voice-a"
    answer_page(client, a + "?page=1", {"q_visits": "4", "q_safe": "no"})
    answer_page(client, a + "?page=2", {"q_why_unsafe": "Dark street", "q_rating": "2"})
    client.get("/s/voice-b?page=1")          # the youth just looks at the other survey
    done = answer_page(client, a + "?page=3", {"q_idea": "More lights"})
    assert "/thanks" in done.location
    assert _only_response_answers(db) == {"visits": 4, "safe": "no", "why_unsafe": "Dark street",
                            "rating": 2, "idea": "More lights"}


def test_republishing_mid_sitting_keeps_the_answers_already_given(client, db, web_app):
    """Staff publish again (a typo in the intro) while a youth is on page 3: the sitting goes
    on in the new version with the answers given (it was dropped, and the response stored
    with the last page's answers only)."""
    survey = _optional_survey(db, "voice-a")
    a = "/s/voice-a"
    answer_page(client, a + "?page=1", {"q_visits": "4", "q_safe": "no"})
    html = client.get(a + "?page=3").get_data(as_text=True)  # page 3 open in the browser
    form = {"csrf_token": csrf_token_from(html), "token": hidden_token(html), "action": "next",
            "q_idea": "More lights"}
    # staff fix a typo in the intro and publish again
    ops.set_texts(survey, title=SURVEY["title"], thanks=SURVEY["thanks"],
                  intro={"en": "Tell us!", "es": "¡Cuéntanos!", "vi": "Hãy kể!"})
    ops.publish(survey)
    done = client.post(a + "?page=3", data=form)
    assert "/thanks" in done.location
    assert _only_response_answers(db) == {"visits": 4, "safe": "no", "idea": "More lights"}


def test_a_sitting_kept_the_old_way_goes_on(client, db, web_app):
    """A browser mid-survey when this version of the app is deployed holds one sitting for
    the whole browser: it goes on, its answers kept."""
    from feedback.responses.models import FormSitting
    from surveys.operations import current_version

    survey = _optional_survey(db, "voice-a")
    version = current_version(survey)
    db.session.add(FormSitting(token="a" * 32, version_id=version.id,
                               answers={"visits": "4", "safe": "no"}))
    db.session.commit()
    with client.session_transaction() as session:
        session["webform"] = {"version": version.id, "token": "a" * 32, "done": False}
    done = answer_page(client, "/s/voice-a?page=3", {"q_idea": "More lights"})
    assert "/thanks" in done.location
    assert _only_response_answers(db) == {"visits": 4, "safe": "no", "idea": "More lights"}
