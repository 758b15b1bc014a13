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


def test_retraining_reuses_stored_vectors_of_corrected_answers(app, db, survey, make_staff,
                                                              monkeypatch, tmp_path):
    """A corrected answer's embedding, stored by the tagging job, is what the retrained model
    learns from: its text is never handed to the encoder again."""
    import numpy as np

    from analysis.codebook import operations as codebook_store
    from analysis.models import AnswerEmbedding
    from analysis.tagging import operations as corrections
    from analysis.text import encoder as text_encoder
    from feedback.responses.intake import record_response

    codebook_store.seed_codebook({})
    text = "La parada del camión queda lejísimos de la escuela, qué flojera"
    response = record_response(survey.versions[0], {"comment": text}, channel="sms",
                               locale="es")
    answer = next(a for a in response.answers if a.question_key == "comment")
    corrections.correct_answer(answer.id, "negative", None, make_staff())
    embedding = db.session.get(AnswerEmbedding, answer.id)
    assert embedding is not None and embedding.encoder == text_encoder.encoder_name()
    marker = np.zeros(text_encoder.encoder().dim, dtype=np.float32)
    marker[0] = 1.0  # not the text's real vector: only the stored one can put it in the model
    embedding.vector = text_encoder.pack(marker)
    db.session.commit()

    encoded: list[str] = []
    active = text_encoder.encoder()
    real_encode = active.encode
    monkeypatch.setattr(active, "encode", lambda texts: encoded.extend(texts) or
                        real_encode(texts))
    # a fresh vector cache, as on a worker that never encoded the text
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    retrain.retrain("es")
    assert not [t for t in encoded if "lejísimos" in t.lower()]
    assert retrain.stored_vectors("es")[text].tolist() == marker.tolist()

