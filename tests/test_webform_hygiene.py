"""The web form at the one intake: control characters, field sizes (``back`` too), new
sittings per address, and concurrent final submits that all end on the thank-you page."""

from __future__ import annotations

import threading

from feedback.responses.models import Answer, FormSitting, Response
from tests.fixtures.webform import URL, answer_page, last_page_submission


def test_nul_bytes_in_a_free_text_answer_are_removed(client, db, make_survey):
    make_survey()
    answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"})
    answer_page(client, URL + "?page=2", {"q_rating": "3"})
    done = answer_page(client, URL + "?page=3", {"q_idea": "More\x00 pizza\x07\tplease"})
    assert "/thanks" in done.location
    idea = db.session.scalar(db.select(Answer).filter_by(question_key="idea"))
    assert idea.raw_text == "More pizza\tplease"


def test_back_keeps_only_bounded_answers(client, db, make_survey):
    make_survey()
    answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"})
    back = answer_page(client, URL + "?page=3", {"q_idea": "x" * 100_000}, action="back")
    assert back.status_code == 302
    sitting = db.session.scalar(db.select(FormSitting))
    assert len(sitting.answers["idea"]) <= 2000


def test_new_sittings_are_limited_per_address(app, client, db, make_survey):
    make_survey()
    app.config["SITTING_RATE_LIMIT"] = "2 per hour"
    for _ in range(2):
        assert answer_page(client, URL + "?page=1",
                           {"q_visits": "1", "q_safe": "yes"}).status_code == 302
        client.get("/s/test-voice/restart")
    refused = answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "yes"})
    assert refused.status_code == 429
    assert "Too many surveys" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(FormSitting)) <= 2


def test_concurrent_final_submits_all_get_the_thank_you(app, client, db, make_survey):
    make_survey()
    data = last_page_submission(client)
    cookie = client.get_cookie("session").value
    barrier, results = threading.Barrier(4), []

    def submit():
        other = app.test_client()
        other.set_cookie("session", cookie)
        barrier.wait()
        results.append(other.post(URL + "?page=3", data=data))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in results] == [302] * 4
    assert all("/thanks" in r.location for r in results)
    db.session.remove()
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1
