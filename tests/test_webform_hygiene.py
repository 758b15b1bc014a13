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


def _last_page_sent_at_once(app, client, times: int, before_sending=lambda: None) -> list:
    """The client's sitting's last page sent ``times`` at once, from as many threads with the
    browser's cookie (a double tap, an impatient click); their responses."""
    data = last_page_submission(client)
    cookie = client.get_cookie("session").value
    results = []

    def submit():
        other = app.test_client()
        other.set_cookie("session", cookie)
        before_sending()
        results.append(other.post(URL + "?page=3", data=data))

    threads = [threading.Thread(target=submit) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_final_submits_all_get_the_thank_you(app, client, db, make_survey):
    make_survey()
    results = _last_page_sent_at_once(app, client, 4, threading.Barrier(4).wait)
    assert [r.status_code for r in results] == [302] * 4
    assert all("/thanks" in r.location for r in results)
    db.session.remove()
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1


def test_a_nul_byte_in_a_survey_link_gets_the_error_page(client, db, make_survey):
    """PostgreSQL refuses NUL in any text it compares: the link's site code or slug must get
    the translated "could not understand" page, never a server error."""
    make_survey()
    for link in (URL + "?site=north%00club", "/s/test%00voice"):
        page = client.get(link, headers={"Accept-Language": "es"})
        assert page.status_code == 400, link
        assert "No pudimos entender" in page.get_data(as_text=True)


def test_a_number_of_hundreds_of_digits_is_not_a_number(client, db, web_app):
    """It would parse to infinity, which no JSON column (and no average) can hold."""
    from surveys import operations as ops

    both = {"en": "Hours a week?", "es": "¿Horas por semana?", "vi": "Mấy giờ?"}
    survey = ops.import_definition({
        "format": "coalition-feedback/survey", "format_version": 1,
        "title": {"en": "Money", "es": "Dinero", "vi": "Tiền"},
        "questions": [{"key": "hours", "type": "number", "required": True,
                       "settings": {"decimals": True, "min": 0}, "text": both}],
    }, slug="money")
    db.session.commit()
    ops.publish(survey)
    sent = answer_page(client, "/s/money?page=1", {"q_hours": "9" * 400})
    assert sent.status_code == 422
    assert "Answer with a number" in sent.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 0


def test_a_choice_answer_of_odd_digits_is_not_one_of_the_options(client, db, make_survey):
    """"፩" passes str.isdigit() and 5,000 digits pass it too; int() refuses both."""
    make_survey()
    answer_page(client, URL + "?page=1", {"q_visits": "1", "q_safe": "no"})
    for value in ("9" * 5000, "\u1369"):
        sent = answer_page(client, URL + "?page=2", {"q_rating": "3", "q_topics": value})
        assert sent.status_code == 422, value


def test_a_zip_code_longer_than_its_column_is_kept_without_an_error(client, db, web_app):
    """A version published before ZIP codes had to be text questions asks it as a number:
    the answer keeps every digit, the respondent's ZIP code (10 characters) its start, where
    PostgreSQL refused the longer value at the final submit."""
    from surveys import operations as ops
    from surveys.models import Question

    words = {"en": "ZIP?", "es": "¿Código postal?", "vi": "Mã bưu điện?"}
    survey = ops.import_definition({
        "format": "coalition-feedback/survey", "format_version": 1, "title": words,
        "questions": [{"key": "zip", "type": "short_text", "text": words,
                       "settings": {"demographic": "zip_code"}}],
    }, slug="zips")
    db.session.commit()
    ops.publish(survey)
    db.session.execute(db.update(Question).where(Question.key == "zip").values(type="number"))
    db.session.commit()
    done = answer_page(client, "/s/zips?page=1", {"q_zip": "981011234567"})
    assert "/thanks" in done.location
    response = db.session.scalar(db.select(Response))
    assert response.answers[0].value == 981011234567
    assert response.respondent.zip_code == "9810112345"


def test_a_zip_code_is_asked_as_a_text_question(db, web_app):
    """A ZIP code asked as a number or a choice would store what no ZIP column holds."""
    import pytest

    from surveys import operations as ops
    from surveys.definitions import DefinitionError

    words = {"en": "ZIP?", "es": "¿Código postal?", "vi": "Mã bưu điện?"}
    with pytest.raises(DefinitionError) as refused:
        ops.import_definition({
            "format": "coalition-feedback/survey", "format_version": 1, "title": words,
            "questions": [{"key": "zip", "type": "number", "text": words,
                           "settings": {"demographic": "zip_code"}}],
        }, slug="zips")
    assert "ZIP code is asked as a text question" in str(refused.value)


def test_a_double_tap_on_send_counts_once_and_is_not_held(app, client, db, make_survey,
                                                          monkeypatch):
    """Two final submits of one sitting that reach the store together both find no response
    yet: one response, counted once by the anti-padding tally, so a youth's double tap never
    makes their own response look like padding (held out of every figure)."""
    from feedback.responses.models import SubmissionTally
    from feedback.webform import operations

    make_survey()
    app.config["INTAKE_LIMIT_PER_ADDRESS"] = 1
    both_in, real = threading.Barrier(2, timeout=10), operations.store_response

    def store_once_both_arrived(*args, **kwargs):
        both_in.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(operations, "store_response", store_once_both_arrived)
    results = _last_page_sent_at_once(app, client, 2)
    assert [r.status_code for r in results] == [302, 302]
    db.session.remove()
    [response] = db.session.scalars(db.select(Response)).all()
    assert response.flag is None and response.completed_at is not None
    assert [t.n for t in db.session.scalars(db.select(SubmissionTally))] == [1]
