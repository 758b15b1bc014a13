"""Analysis staff pages: who may open them, and what a person does there."""

from __future__ import annotations

import re

import pytest

from analysis.codebook import operations as codebook_store
from analysis.models import AnswerTag, AnswerTheme, SentimentModel, Theme
from feedback.responses.intake import record_response
from tests.fixtures.helpers import csrf_token_from

PAGES = ["/staff/codebook", "/staff/codebook/new", "/staff/codebook/emerging",
         "/staff/answers", "/staff/analysis/agreement"]


@pytest.fixture
def comment(db, survey):
    codebook_store.seed_codebook(
        {"transport": {"labels": {"en": "Transport"}, "keywords": {"en": ["bus"]}}})
    response = record_response(survey.versions[0], {"comment": "The bus is always late"},
                               channel="sms", locale="en")
    return next(a for a in response.answers if a.question_key == "comment")


@pytest.mark.parametrize("path", PAGES + ["/staff/analysis/model"])
def test_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES + ["/staff/analysis/model"])
def test_partner_viewers_cannot_read_comments_or_codebook(client, make_staff, login, path):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get(path).status_code == 403


def test_model_page_is_for_admins(client, make_staff, login):
    make_staff()
    login()
    assert client.get("/staff/analysis/model").status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_staff_open_every_page(client, make_staff, login, comment, path):
    make_staff()
    login()
    assert client.get(path).status_code == 200


def test_create_a_theme_tags_existing_comments(client, db, make_staff, login, comment):
    make_staff()
    login()
    page = client.get("/staff/codebook/new").get_data(as_text=True)
    response = client.post("/staff/codebook/new", data={
        "csrf_token": csrf_token_from(page), "key": "punctuality", "active": "y",
        "label_en": "Punctuality", "keywords_en": "late\non time", "label_es": "Puntualidad",
        "keywords_es": "tarde",
    })
    assert response.status_code == 302
    theme = db.session.scalar(db.select(Theme).filter_by(key="punctuality"))
    assert theme.keywords == {"en": ["late", "on time"], "es": ["tarde"]}
    assert db.session.get(AnswerTheme, (comment.id, theme.id)) is not None
    listing = client.get("/staff/codebook").get_data(as_text=True)
    assert "Punctuality" in listing


def test_duplicate_theme_key_is_refused(client, db, make_staff, login, comment):
    make_staff()
    login()
    page = client.get("/staff/codebook/new").get_data(as_text=True)
    response = client.post("/staff/codebook/new", data={
        "csrf_token": csrf_token_from(page), "key": "transport", "label_en": "Again"})
    assert response.status_code == 200
    assert "already uses this key" in response.get_data(as_text=True)


def test_answer_list_shows_comments_and_no_phone_numbers(client, make_staff, login, comment):
    make_staff()
    login()
    html = client.get("/staff/answers?sentiment=negative").get_data(as_text=True)
    assert "The bus is always late" in html
    assert not re.search(r"\+1\d{10}", html)
    other = client.get("/staff/answers?sentiment=positive").get_data(as_text=True)
    assert "The bus is always late" not in other


def test_staff_correct_a_comment(client, db, make_staff, login, comment):
    user = make_staff()
    login()
    url = f"/staff/answers/{comment.id}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token_from(page),
                                       "sentiment": "neutral"})
    assert response.status_code == 302
    db.session.expire_all()
    tag = db.session.get(AnswerTag, comment.id)
    assert tag.sentiment_label == "neutral" and tag.sentiment_corrected_by_id == user.id
    # No theme ticked: the automatic theme is remembered as removed.
    assert db.session.scalars(db.select(AnswerTheme.source)).all() == ["removed"]
    html = client.get(url).get_data(as_text=True)
    assert "staff@example.org" in html  # the correction history names who did it


def test_admin_retrains_from_the_model_page(client, db, make_staff, login, monkeypatch):
    from analysis.tagging import retrain

    calls = []

    def fake_retrain(language, actor):
        calls.append(language)
        row = SentimentModel(language=language, macro_f1=0.8, accuracy=0.8, active=True)
        db.session.add(row)
        db.session.commit()
        return retrain.RetrainOutcome(language, row, 0.7, 0.7, True, 0)

    monkeypatch.setattr(retrain, "retrain", fake_retrain)
    make_staff(email="admin@example.org", role="admin")
    login("admin@example.org")
    page = client.get("/staff/analysis/model").get_data(as_text=True)
    html = client.post("/staff/analysis/model", data={
        "csrf_token": csrf_token_from(page), "language": "es"}).get_data(as_text=True)
    assert calls == ["es"]
    assert "0.800" in html and "0.700" in html


def test_model_page_shows_the_encoder_and_evaluation_figures(client, make_staff, login):
    from analysis.text.encoder import encoder_name

    make_staff(email="admin@example.org", role="admin")
    login("admin@example.org")
    html = client.get("/staff/analysis/model").get_data(as_text=True)
    assert encoder_name() in html
    assert 'id="evaluation"' in html and "Confusion matrix, vi" in html
