"""Retraining the coalition's sentiment model: kept only when it scores at least as well."""

from __future__ import annotations

import pickle

from analysis.models import SentimentModel
from analysis.tagging import retrain
from analysis.tagging.jobs import current_version
from analysis.text.training import load_sentiment_examples

FLIP = {"positive": "negative", "negative": "positive", "neutral": "positive"}


def _active(db, language):
    return db.session.scalars(
        db.select(SentimentModel).filter_by(language=language, active=True)).all()


def test_a_model_as_good_as_the_shipped_one_is_activated(app, db):
    before = current_version()
    outcome = retrain.retrain("es", extra_examples=[])
    assert outcome.activated
    assert outcome.candidate.macro_f1 >= outcome.current_macro_f1
    assert _active(db, "es") == [outcome.candidate]
    # The pickled model predicts, and tags made before are now out of date.
    model = pickle.loads(outcome.candidate.blob)
    assert model.predict(["Me encanta este programa, gracias"])[0].label == "positive"
    assert current_version() != before


def test_a_worse_model_is_refused_and_kept_for_the_record(app, db):
    good = retrain.retrain("es", extra_examples=[])
    # "Corrections" that flip every shipped label make a model that gets most things wrong.
    flipped = [(text, FLIP[label]) for text, label in load_sentiment_examples("es")]
    outcome = retrain.retrain("es", extra_examples=flipped)
    assert not outcome.activated
    assert outcome.candidate.macro_f1 < outcome.current_macro_f1
    assert _active(db, "es") == [good.candidate]
    assert outcome.candidate in retrain.model_history()


def test_corrections_in_the_database_are_training_examples(app, db, survey, make_staff):
    from analysis.codebook import operations as codebook_store
    from analysis.models import AnswerTag
    from analysis.tagging import operations as corrections
    from feedback.responses.intake import record_response

    codebook_store.seed_codebook({})
    response = record_response(survey.versions[0],
                               {"comment": "El camión no pasa nunca, qué coraje"},
                               channel="sms", locale="es")
    answer = next(a for a in response.answers if a.question_key == "comment")
    db.session.expire_all()
    assert db.session.get(AnswerTag, answer.id).language == "es"
    corrections.correct_answer(answer.id, "negative", None, make_staff())
    assert retrain.corrected_examples("es") == [("El camión no pasa nunca, qué coraje",
                                                 "negative")]
    assert retrain.correction_counts() == {"es": 1}
