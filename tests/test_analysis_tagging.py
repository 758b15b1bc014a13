"""Tagging stored comments: on intake, after codebook edits, with corrections kept, by CLI."""

from __future__ import annotations

import pytest

from analysis.codebook import operations as codebook_store
from analysis.models import SENTIMENTS, AnswerTag, AnswerTheme, TagCorrection, Theme
from analysis.tagging import operations as corrections
from analysis.tagging.jobs import current_version, retag_batches, tag_answer_ids
from feedback.responses.intake import record_response
from feedback.responses.models import Answer
from tests.fixtures.analysis import record_comment

TRANSPORT = {"labels": {"en": "Transport", "es": "Transporte"},
             "keywords": {"en": ["bus", "ride"], "es": ["autobús", "camión"]}}
SAFETY = {"labels": {"en": "Safety"}, "keywords": {"en": ["unsafe", "scared", "fight"]}}


@pytest.fixture
def codebook(db):
    codebook_store.seed_codebook({"transport": TRANSPORT, "safety": SAFETY})
    return {t.key: t for t in db.session.scalars(db.select(Theme))}


def _themes(db, answer_id, include_removed=False):
    rows = db.session.scalars(db.select(AnswerTheme).filter_by(answer_id=answer_id))
    return {r.theme.key: r.source for r in rows if include_removed or r.source != "removed"}


def test_a_recorded_comment_is_tagged_right_away(app, db, survey, codebook):
    answer = record_comment(survey, "The bus never comes on time and I hate waiting in the cold")
    db.session.expire_all()
    tag = db.session.get(AnswerTag, answer.id)
    assert tag is not None
    assert tag.language == "en"
    assert tag.sentiment_label == "negative"
    assert tag.model_version == current_version()
    assert _themes(db, answer.id) == {"transport": "auto"}


def test_spanish_comment_gets_spanish_keywords(app, db, survey, codebook):
    answer = record_comment(survey, "El autobús nunca llega a tiempo, es muy frustrante",
                            locale="es")
    db.session.expire_all()
    assert db.session.get(AnswerTag, answer.id).language == "es"
    assert "transport" in _themes(db, answer.id)


def test_editing_the_codebook_changes_tags(app, db, survey, codebook):
    answer = record_comment(survey, "The library is too noisy to study")
    db.session.expire_all()
    assert _themes(db, answer.id) == {}
    codebook_store.save_theme("study", {"en": "Study space"}, {"en": "library\nstudy"})
    db.session.expire_all()
    assert _themes(db, answer.id) == {"study": "auto"}
    # Deactivating takes the automatic tag away again.
    codebook_store.set_theme_active(db.session.scalar(db.select(Theme).filter_by(key="study")),
                                    False)
    db.session.expire_all()
    assert _themes(db, answer.id) == {}


def test_corrections_survive_reanalysis(app, db, survey, codebook, make_staff):
    staff = make_staff()
    answer = record_comment(survey, "I got scared at the bus stop last night")
    db.session.expire_all()
    assert _themes(db, answer.id) == {"transport": "auto", "safety": "auto"}
    machine = db.session.get(AnswerTag, answer.id).auto_sentiment_label
    person = next(label for label in SENTIMENTS if label != machine)
    corrections.correct_answer(answer.id, person, [codebook["safety"].id], staff)
    tag_answer_ids([answer.id])
    # An edit of the codebook re-tags every comment: still the person's reading.
    codebook_store.save_theme("transport", TRANSPORT["labels"], {"en": "bus\nstop"},
                              theme=codebook["transport"])
    db.session.expire_all()
    tag = db.session.get(AnswerTag, answer.id)
    assert tag.sentiment_label == person
    assert tag.auto_sentiment_label == machine
    assert _themes(db, answer.id, include_removed=True) == {
        "transport": "removed", "safety": "manual"}
    history = db.session.scalars(db.select(TagCorrection).filter_by(answer_id=answer.id)).all()
    assert {h.field for h in history} == {"sentiment", "theme:transport", "theme:safety"}
    assert all(h.staff_user_id == staff.id for h in history)


def test_agreement_per_language(app, db, survey, codebook, make_staff):
    staff = make_staff()
    a1 = record_comment(survey, "The bus driver yelled at us, awful")
    a2 = record_comment(survey, "I love the art classes here, thank you")
    a3 = record_comment(survey, "Me siento inseguro en el parque", locale="es")
    db.session.expire_all()
    machine = {a.id: db.session.get(AnswerTag, a.id).auto_sentiment_label for a in (a1, a2)}
    assert _themes(db, a1.id) == {"transport": "auto"}
    # a1: the person agrees on sentiment and on transport, and adds safety.
    corrections.correct_answer(a1.id, machine[a1.id],
                               [codebook["transport"].id, codebook["safety"].id], staff)
    # a2: the person disagrees on sentiment, themes untouched.
    other = next(label for label in SENTIMENTS if label != machine[a2.id])
    corrections.correct_answer(a2.id, other, None, staff)
    corrections.correct_answer(a3.id, "negative", None, staff)
    stats = {a.language: a for a in corrections.agreement()}
    en = stats["en"]
    assert en.sentiment_n == 2 and en.sentiment_accuracy == 0.5
    assert en.themes_answers == 1
    assert en.theme_precision == 1.0 and en.theme_recall == 0.5
    assert stats["es"].sentiment_n == 1


def test_analyze_cli_resumes_and_skips_current_tags(app, db, runner, survey, codebook):
    answers = [record_comment(survey, f"The bus number {i} was late again") for i in range(5)]
    # Three tagged by an older codebook, two never tagged.
    db.session.expire_all()
    for a in answers[:3]:
        db.session.get(AnswerTag, a.id).model_version = "old"
    for a in answers[3:]:
        db.session.delete(db.session.get(AnswerTag, a.id))
    db.session.commit()
    # A run interrupted after its first batch of two ...
    batches = retag_batches(batch_size=2)
    assert next(batches) == 2
    batches.close()
    # ... is finished by the next run, which does only the three left.
    result = runner.invoke(args=["analyze", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Analysed 3 comments" in result.output
    db.session.expire_all()
    assert {db.session.get(AnswerTag, a.id).model_version for a in answers} == {
        current_version()}
    again = runner.invoke(args=["analyze"])
    assert "Nothing to analyse" in again.output
    everything = runner.invoke(args=["analyze", "--all", "--survey", "youth-voice"])
    assert "Analysed 5 comments" in everything.output
    other = runner.invoke(args=["analyze", "--all", "--survey", "no-such-survey"])
    assert "Nothing to analyse" in other.output


def test_non_text_answers_are_not_tagged(app, db, survey, codebook):
    version = survey.versions[0]
    response = record_response(version, {"safe": "yes"}, channel="web", locale="en")
    ids = [a.id for a in response.answers]
    assert ids and db.session.scalar(
        db.select(AnswerTag).where(AnswerTag.answer_id.in_(ids))) is None
    assert db.session.get(Answer, ids[0]).question_key == "safe"


def test_editing_some_locales_keeps_the_others(app, db, codebook):
    theme = codebook["transport"]
    codebook_store.save_theme("transport", {"es": "Transporte público"},
                              {"es": "autobús\nmetro\n\nmetro"}, theme=theme)
    db.session.expire_all()
    theme = db.session.scalar(db.select(Theme).filter_by(key="transport"))
    assert theme.labels == {"en": "Transport", "es": "Transporte público"}
    assert theme.keywords == {"en": ["bus", "ride"], "es": ["autobús", "metro"]}
