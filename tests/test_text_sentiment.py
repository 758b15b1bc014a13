"""Sentiment in English (TextBlob base), Spanish and Vietnamese, as people write on phones."""

from __future__ import annotations

import pytest
from textblob import TextBlob

from analysis import LABELS, analyze_text, default_sentiment_model


@pytest.mark.parametrize(("text", "label"), [
    ("The new tutoring center is wonderful, my kids love it", "positive"),
    ("The bus driver was rude and the bus never came", "negative"),
    ("I live on Elm Street", "neutral"),
    ("Me encanta el nuevo parque, está bien bonito", "positive"),
    ("los maestros son super buenos y pacientes", "positive"),
    ("me siento insegura en la parada", "negative"),
    ("no m gusta xq siempre llega tarde el camion", "negative"),
    ("Mi hija está en séptimo grado", "neutral"),
    ("Chương trình hè rất hay, con tôi thích lắm", "positive"),
    ("Xe buýt trễ hoài, tệ quá", "negative"),
    ("thay co rat tot, em rat thich", "positive"),
    ("ko co j de lam o day, chan lam", "negative"),
    ("Tôi có ba đứa con", "neutral"),
])
def test_clear_answers(text, label):
    assert analyze_text(text).sentiment.label == label


@pytest.mark.parametrize("text", ["el autobús", "2", "xe buýt", "no sé", "tôi là phụ huynh",
                                  "My daughter is in seventh grade"])
def test_bare_topics_numbers_and_facts_are_neutral(text):
    assert analyze_text(text).sentiment.label == "neutral"


def test_score_follows_the_label():
    positive = analyze_text("Chương trình hè rất hay, con tôi thích lắm").sentiment
    negative = analyze_text("no m gusta xq siempre llega tarde el camion").sentiment
    assert 0 < positive.score <= 1
    assert -1 <= negative.score < 0


def test_english_base_is_textblob():
    """English scores move with TextBlob's polarity: the classifier only blends in."""
    model = default_sentiment_model("en")
    assert model.textblob_weight >= 0.5
    text = "The coaches are excellent"
    assert TextBlob(text).sentiment.polarity > 0.5
    assert analyze_text(text).sentiment.label == "positive"


def test_complaint_textblob_scores_zero_is_still_negative():
    text = "the bus never comes"
    assert TextBlob(text).sentiment.polarity == 0.0
    assert analyze_text(text).sentiment.label == "negative"


def test_spanish_and_vietnamese_do_not_use_textblob():
    """TextBlob knows no Spanish: "excelente" would score 0 there."""
    assert default_sentiment_model("es").textblob_weight == 0
    assert analyze_text("el servicio fue excelente").sentiment.label == "positive"


def test_labels_are_the_three_classes():
    assert set(LABELS) == {"positive", "neutral", "negative"}
    for language in ("en", "es", "vi"):
        assert set(default_sentiment_model(language).classifier.classes_) == set(LABELS)
