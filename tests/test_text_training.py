"""Retraining sentiment from staff corrections, scoring it, and the on-disk model cache."""

from __future__ import annotations

import pickle

import pytest

from analysis import (
    analyze_many,
    default_sentiment_model,
    evaluate_sentiment_model,
    load_sentiment_examples,
    split_examples,
    train_sentiment_model,
)
from analysis.text.cache import cached_model
from analysis.text.data import read_labeled

# Staff corrections teaching the model "xịn xò" (teen slang: great), which it has never seen.
SLANG = [
    ("Sân chơi mới xịn xò lắm", "positive"),
    ("Lớp học nhạc xịn xò", "positive"),
    ("Đồ ăn ở trại hè xịn xò", "positive"),
    ("Thư viện mới xịn xò quá", "positive"),
    ("phòng tập xịn xò", "positive"),
    ("ban nhạc của trường xịn xò lắm", "positive"),
    ("Xe buýt mới xịn xò", "positive"),
    ("Trung tâm thanh niên xịn xò", "positive"),
    ("đồ ăn xịn xò lắm", "positive"),
    ("áo đồng phục mới xịn xò", "positive"),
]


def test_split_is_stratified_deterministic_and_disjoint():
    examples = load_sentiment_examples("es")
    train, held = split_examples(examples, test_fraction=0.25, seed=1)
    assert split_examples(examples, test_fraction=0.25, seed=1) == (train, held)
    assert len(train) + len(held) == len(examples)
    assert not {e.text for e in train} & {e.text for e in held}
    for label in ("positive", "neutral", "negative"):
        share = sum(e.label == label for e in held) / sum(e.label == label for e in examples)
        assert 0.2 < share < 0.3


def test_corrections_teach_the_model_new_words():
    train, held = SLANG[:7], SLANG[7:]
    current = default_sentiment_model("vi")
    candidate = train_sentiment_model("vi", train)
    before = evaluate_sentiment_model(current, held)
    after = evaluate_sentiment_model(candidate, held)
    assert before.accuracy < 1.0
    assert after.accuracy == 1.0
    assert after.macro_f1 > before.macro_f1


def test_retrained_model_keeps_its_quality_on_the_evaluation_set():
    candidate = train_sentiment_model("vi", SLANG)
    held_back = read_labeled("eval_sentiment_vi.tsv")
    assert evaluate_sentiment_model(candidate, held_back).macro_f1 > 0.7


def test_scores_compare_a_poor_model_with_the_default():
    tiny = train_sentiment_model("es", [("bueno", "positive"), ("malo", "negative"),
                                        ("no sé", "neutral")], include_base=False)
    held_back = read_labeled("eval_sentiment_es.tsv")
    poor = evaluate_sentiment_model(tiny, held_back)
    good = evaluate_sentiment_model(default_sentiment_model("es"), held_back)
    assert good.macro_f1 > 0.7 > poor.macro_f1
    assert good.n == len(held_back)
    assert set(good.f1) == {"positive", "neutral", "negative"}


def test_bad_labels_are_refused():
    with pytest.raises(ValueError):
        train_sentiment_model("es", [("muy bien", "happy")])
    with pytest.raises(ValueError):
        train_sentiment_model("es", [("muy bien", "positive")], include_base=False)
    with pytest.raises(ValueError):
        load_sentiment_examples("fr")


def test_a_model_trained_on_two_labels_still_predicts():
    model = train_sentiment_model("es", [("me encanta", "positive"), ("está bien", "positive"),
                                         ("es horrible", "negative"), ("muy mal", "negative")],
                                  include_base=False)
    (good, bad) = model.predict(["me encanta el parque", "el parque es horrible"])
    assert (good.label, bad.label) == ("positive", "negative")
    assert good.score > 0 > bad.score


def test_models_survive_pickling_for_storage():
    candidate = train_sentiment_model("es", [("está chido", "positive")])
    texts = ["está chido el parque", "la clínica es pésima"]
    restored = pickle.loads(pickle.dumps(candidate))
    assert restored.predict(texts) == candidate.predict(texts)


def test_analyze_many_uses_a_replacement_model():
    candidate = train_sentiment_model("vi", SLANG)
    text = "Hồ bơi mới xịn xò"
    assert analyze_many([text], languages="vi")[0].sentiment.label != "positive"
    result = analyze_many([text], languages="vi", sentiment_models={"vi": candidate})[0]
    assert result.sentiment.label == "positive"


def test_disk_cache_trains_once_and_retrains_when_data_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    calls = []

    def train():
        calls.append(1)
        return {"weights": len(calls)}

    assert cached_model("demo", "a" * 64, train) == {"weights": 1}
    assert cached_model("demo", "a" * 64, train) == {"weights": 1}
    assert len(calls) == 1
    assert cached_model("demo", "b" * 64, train) == {"weights": 2}  # new training data
    assert len(list(tmp_path.glob("demo-*.joblib"))) == 2


def test_disk_cache_replaces_a_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    cached_model("demo", "c" * 64, lambda: "first")
    (path,) = tmp_path.glob("demo-*.joblib")
    path.write_bytes(b"not a pickle")
    assert cached_model("demo", "c" * 64, lambda: "second") == "second"
    assert cached_model("demo", "c" * 64, lambda: "third") == "second"


def test_unwritable_cache_still_returns_a_model(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(blocker / "cache"))
    assert cached_model("demo", "d" * 64, lambda: "model") == "model"
