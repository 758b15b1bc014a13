"""analyze_text / analyze_many: one result per answer, whatever a respondent sends."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import LABELS, TextAnalysis, analyze_many, analyze_text

LONG = ("El autobús de la mañana siempre llega tarde y mis hijos pierden la primera clase. "
        * 20)[:1600]
AWKWARD = [
    "", "   ", "\n\t", None, "😀", "😡😡😡", "🙏🏽", "2", "10", "3.5", "100%", "?", "...",
    LONG, "x" * 1600, "I like the park pero el bus llega tarde, ko co xe buyt",
    "q", "xq", "ko", "k", "tmb", "ko co", "dc", "j", "no se q decir xq no c", "ko bit j het",
    "e ko dc di hoc vi ko co xe", "tmb la clinica", "\u0301\u0301", "İstanbul", "ǅ", "\x00",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_input_gives_a_valid_result(text):
    result = analyze_text(text)
    assert isinstance(result, TextAnalysis)
    assert result.language in (None, "en", "es", "vi")
    assert 0.0 <= result.language_confidence <= 1.0
    assert result.sentiment.label in LABELS
    assert -1.0 <= result.sentiment.score <= 1.0
    json.dumps(result.to_dict())


@pytest.mark.parametrize("text", ["", "   ", None, "😀", "2", "ok"])
def test_no_language_no_opinion_no_theme(text):
    result = analyze_text(text)
    assert result.language is None
    assert result.themes == ()
    if text != "ok":
        assert result.sentiment.label == "neutral" and result.sentiment.score == 0.0


def test_result_is_immutable():
    result = analyze_text("El autobús llega tarde")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.language = "en"


def test_one_answer_all_three_analyses():
    result = analyze_text("El autobús siempre llega tarde y los niños tienen miedo en la parada",
                          language="en")
    assert result.language == "es"
    assert result.sentiment.label == "negative"
    assert result.theme_keys == ("safety", "transportation")
    assert dict((t.key, t.evidence) for t in result.themes)["transportation"] == (
        "autobús", "parada")


def test_long_answer_is_read_whole_for_themes():
    text = "The teachers are great. " * 60 + "But the bus stop has no light."
    assert len(text) > 1400
    assert "transportation" in analyze_text(text).theme_keys


def test_batch_equals_one_by_one():
    texts = AWKWARD + ["Trường học rất tốt", "la escuela es buena", "The park is dirty"]
    priors = (["es", "vi", None, "en"] * len(texts))[: len(texts)]
    assert analyze_many(texts, languages=priors) == [
        analyze_text(t, language=p) for t, p in zip(texts, priors, strict=True)]


def test_one_locale_for_the_whole_batch():
    assert [r.language for r in analyze_many(["normal", "local"], languages="es")] == ["es", "es"]
    with pytest.raises(ValueError):
        analyze_many(["a", "b"], languages=["es"])


def test_codebook_as_plain_dict():
    codebook = {"uniforms": {"labels": {"en": "Uniforms"}, "keywords": {"en": ["uniform"]}}}
    assert analyze_text("The uniforms are expensive", codebook=codebook).theme_keys == (
        "uniforms",)


def test_enabled_languages():
    french = "Le bus est toujours en retard et les enfants attendent dans le froid"
    result = analyze_text(french, enabled_languages=("en", "es", "vi", "fr"))
    assert result.language == "fr"
    assert result.sentiment.label == "neutral"  # no French model: no opinion rather than a guess
    assert "transportation" in result.theme_keys


def test_importing_analysis_stays_light():
    code = ("import sys, analysis; "
            "print(sorted(m for m in ('sklearn', 'flask', 'textblob') if m in sys.modules)); "
            "print(callable(analysis.analyze_text))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent
                         ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"
