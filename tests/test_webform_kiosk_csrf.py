"""Web survey: CSRF refusal and expiry keep the answers; kiosk mode forgets the respondent."""

from __future__ import annotations

from feedback.responses.models import FormSitting, Response
from tests.fixtures.helpers import csrf_token_from
from tests.fixtures.webform import URL, answer_page, checked, hidden_token


def count_responses(db) -> int:
    return db.session.scalar(db.select(db.func.count(Response.id)))


def test_post_without_csrf_token_rerenders_with_message_and_stores_nothing(client, db, make_survey):
    make_survey()
    answer_page(client, URL + "?page=1", {"q_visits": "2", "q_safe": "yes"})
    html = client.get(URL + "?page=3").get_data(as_text=True)
    sent = client.post(URL + "?page=3", data={
        "token": hidden_token(html), "action": "next", "q_idea": "Free wifi",
    })
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert "Please send this page again" in page
    assert 'value="Free wifi"' in page
    assert count_responses(db) == 0
    # Sending the re-rendered page (it carries a fresh token) works.
    again = client.post(URL + "?page=3", data={
        "csrf_token": csrf_token_from(page), "token": hidden_token(page),
        "action": "next", "q_idea": "Free wifi",
    })
    assert "/thanks" in again.location
    assert count_responses(db) == 1


def test_expired_csrf_token_keeps_answers(client, db, web_app, make_survey):
    make_survey()
    html = client.get(URL + "?page=1").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(html), "token": hidden_token(html),
            "action": "next", "q_visits": "12", "q_safe": "no"}
    web_app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is now older than the limit
    sent = client.post(URL + "?page=1", data=form)
    web_app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert "Please send this page again" in page
    assert 'value="12"' in page
    assert checked(page, "q_safe") == ["no"]
    assert db.session.scalar(db.select(db.func.count(FormSitting.token))) == 0  # nothing saved
    form["csrf_token"] = csrf_token_from(page)
    assert "page=2" in client.post(URL + "?page=1", data=form).location


def test_kiosk_thanks_page_returns_to_start_and_reset_forgets_everything(
    client, db, make_survey, make_site
):
    make_survey()
    make_site("tablet-1", kiosk=True, reset=15)
    client.get("/lang/vi?next=/")
    base = URL + "?site=tablet-1"
    answer_page(client, base + "&page=1", {"q_visits": "1", "q_safe": "no"})
    answer_page(client, base + "&page=2", {"q_why_unsafe": "Tối quá"})
    done = answer_page(client, base + "&page=3", {"q_idea": "Thêm đèn"})
    thanks = client.get(done.location).get_data(as_text=True)
    # No meta refresh (the person could not stop it: WCAG 2.2.1); a countdown the person can
    # extend, run by a static script (the CSP forbids inline ones), and the restart link.
    assert "http-equiv" not in thanks
    assert 'data-seconds="15"' in thanks
    assert 'data-restart-url="/s/test-voice/restart?site=tablet-1"' in thanks
    assert "data-more-time" in thanks and "data-countdown" in thanks
    assert '<script src="/static/kiosk.js">' in thanks and "<script>" not in thanks
    assert 'href="/s/test-voice/restart?site=tablet-1"' in thanks
    assert "Cảm ơn bạn đã chia sẻ!" in thanks
    with client.session_transaction() as session:
        [sitting] = session["webform"].values()  # the survey's sitting, by survey
        assert sitting["done"] and "answers" not in sitting
    assert db.session.scalar(db.select(db.func.count(FormSitting.token))) == 0  # left too

    restart = client.get("/s/test-voice/restart?site=tablet-1")
    assert restart.location.endswith(base)
    with client.session_transaction() as session:
        assert "webform" not in session and "locale" not in session
    intro = client.get(base).get_data(as_text=True)
    assert '<html lang="en">' in intro  # the next person starts in the default language
    assert "Continue the survey" not in intro
    assert count_responses(db) == 1


def test_non_kiosk_thanks_page_does_not_refresh(client, make_survey, make_site):
    make_survey()
    make_site("library", kiosk=False)
    answer_page(client, URL + "?site=library&page=1", {"q_visits": "1", "q_safe": "yes"})
    done = answer_page(client, URL + "?site=library&page=3", {})
    thanks = client.get(done.location).get_data(as_text=True)
    assert "http-equiv" not in thanks and "kiosk.js" not in thanks
    assert "Staff read every answer" in thanks


def test_a_long_answer_in_vietnamese_is_kept_on_the_server_not_in_the_cookie(
    client, db, make_survey
):
    """2,000 Vietnamese characters would not fit a 4 KB cookie: the browser keeps a token only,
    the answers wait on the server between pages and leave it with the submission."""
    make_survey()
    client.get("/lang/vi?next=/")
    long_answer = ("Đèn đường hỏng, đi bộ về nhà buổi tối rất tối và đáng sợ. " * 40)[:2000]
    first = answer_page(client, URL + "?page=1", {"q_visits": "3", "q_safe": "no"})
    second = answer_page(client, URL + "?page=2", {"q_why_unsafe": long_answer})
    for sent in (first, second):
        assert all(len(c) < 1024 for c in sent.headers.getlist("Set-Cookie"))
    stored = db.session.scalar(db.select(FormSitting))
    assert stored.answers["why_unsafe"] == long_answer
    done = answer_page(client, URL + "?page=3", {"q_idea": "Thêm đèn"})
    assert "/thanks" in done.location
    response = db.session.scalar(db.select(Response))
    assert {a.question_key: a.raw_text for a in response.answers}["why_unsafe"] == long_answer
    assert db.session.scalar(db.select(db.func.count(FormSitting.token))) == 0


def test_abandoned_sittings_are_deleted_after_the_configured_hours(client, db, web_app,
                                                                    make_survey):
    from datetime import timedelta

    from feedback.responses.models import utcnow
    from feedback.webform.operations import drop_abandoned_sittings

    make_survey()
    answer_page(client, URL + "?page=1", {"q_visits": "3", "q_safe": "yes"})
    assert drop_abandoned_sittings() == 0  # a sitting in progress stays
    stored = db.session.scalar(db.select(FormSitting))
    stored.updated_at = utcnow() - timedelta(hours=web_app.config["SITTING_HOURS"] + 1)
    db.session.commit()
    assert drop_abandoned_sittings() == 1
    # Coming back later starts over instead of failing.
    assert client.get(URL + "?page=2").status_code in (200, 302)
