"""Sentiment of an answer: positive, neutral or negative, with a score in -1..1.

Why this shape: TextBlob's pattern lexicon is the English base (it needs no downloaded corpora
and staff can read why a word counts), but it has no Spanish or Vietnamese and misses the way
complaints are usually phrased here ("the bus never comes" scores 0). So every language has a
small TF-IDF + logistic-regression model trained on the project's own labeled answers, and for
English its score is blended with TextBlob's polarity. For Spanish and Vietnamese the label is
the model's most probable class and the score P(positive) - P(negative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from .cache import cached_model, library_versions
from .data import DATA_DIR, LabeledText, data_fingerprint, read_labeled
from .features import CharNgrams
from .normalize import expand_texting, fold, prepare

__all__ = [
    "LABELS",
    "Sentiment",
    "SentimentModel",
    "build_classifier",
    "default_sentiment_model",
    "sentiment_languages",
]

LABELS = ("negative", "neutral", "positive")
#: English: weight of TextBlob polarity in the blended score (the classifier gets the rest).
TEXTBLOB_WEIGHT = 0.5
#: English: blended scores closer to zero than this are neutral.
NEUTRAL_BAND = 0.15


@dataclass(frozen=True, slots=True)
class Sentiment:
    """`label` is one of LABELS; `score` runs from -1 (negative) to 1 (positive)."""

    label: str
    score: float


NEUTRAL = Sentiment("neutral", 0.0)


def preprocess(text: str, language: str) -> str:
    """Fold accents and case, then expand texting shorthand of `language` ("xq" → "porque")."""
    return expand_texting(fold(prepare(text)), language)


def _preprocess_all(texts, language: str) -> list[str]:
    return [preprocess(t, language) for t in texts]


def build_classifier(language: str, c: float = 4.0) -> Pipeline:
    """Unfitted TF-IDF (word 1-2 grams + char_wb 2-5 grams) + logistic regression pipeline."""
    return Pipeline([
        ("prep", FunctionTransformer(partial(_preprocess_all, language=language))),
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(lowercase=False, ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b")),
            ("chars", Pipeline([("grams", CharNgrams(2, 5)),
                                ("tfidf", TfidfTransformer(sublinear_tf=True))])),
        ])),
        ("lr", LogisticRegression(C=c, max_iter=3000, class_weight="balanced")),
    ])


@dataclass(frozen=True)
class SentimentModel:
    """A trained sentiment model for one language; `textblob_weight` > 0 blends in TextBlob."""

    language: str
    classifier: Pipeline
    textblob_weight: float = 0.0
    neutral_band: float = NEUTRAL_BAND

    def predict(self, texts: Sequence[object]) -> list[Sentiment]:
        """Sentiment of each text, in one vectorised call to the classifier."""
        texts = [prepare(t) for t in texts]
        results = [NEUTRAL] * len(texts)
        idx = [i for i, t in enumerate(texts) if t]
        if not idx:
            return results
        subset = [texts[i] for i in idx]
        proba = self.classifier.predict_proba(subset)
        classes = list(self.classifier.classes_)
        model_score = np.zeros(len(subset))
        if "positive" in classes:  # a model trained on two labels lacks the third
            model_score += proba[:, classes.index("positive")]
        if "negative" in classes:
            model_score -= proba[:, classes.index("negative")]
        if self.textblob_weight > 0:
            polarity = np.array(_textblob_polarities(subset, self.language))
            score = self.textblob_weight * polarity + (1 - self.textblob_weight) * model_score
            labels = np.where(score > self.neutral_band, "positive",
                              np.where(score < -self.neutral_band, "negative", "neutral"))
        else:
            score = model_score
            labels = np.asarray(classes)[proba.argmax(axis=1)]
        for row, i in enumerate(idx):
            results[i] = Sentiment(str(labels[row]), round(float(np.clip(score[row], -1, 1)), 4))
        return results


@lru_cache(maxsize=1)
def _pattern_analyzer():
    from textblob.en.sentiments import PatternAnalyzer

    return PatternAnalyzer()


def _textblob_polarities(texts: Sequence[str], language: str) -> list[float]:
    """TextBlob's PatternAnalyzer polarity (what TextBlob(text).sentiment.polarity returns),
    on text with texting shorthand expanded so "dont like" reads as a negation."""
    analyze = _pattern_analyzer().analyze
    return [analyze(expand_texting(t.lower(), language)).polarity for t in texts]


def sentiment_languages() -> tuple[str, ...]:
    """Languages with a training file (`analysis/data/sentiment_<code>.tsv`)."""
    return tuple(sorted(p.stem.split("_", 1)[1] for p in DATA_DIR.glob("sentiment_*.tsv")))


def fit_sentiment_model(language: str, examples: Sequence[LabeledText]) -> SentimentModel:
    """Train a model for `language` on `examples` (pairs of text and label)."""
    labels = {label for _, label in examples}
    if not labels <= set(LABELS) or len(labels) < 2:
        raise ValueError(f"labels must be two or more of {LABELS}, got {sorted(labels)}")
    classifier = build_classifier(language)
    # One BLAS thread: these models are tiny, and on a busy small server extra BLAS threads
    # spin-wait for each other (training went from 0.2 s to 3 s with two threads).
    with threadpool_limits(limits=1):
        classifier.fit([text for text, _ in examples], [label for _, label in examples])
    weight = TEXTBLOB_WEIGHT if language == "en" else 0.0
    return SentimentModel(language, classifier, textblob_weight=weight)


@lru_cache(maxsize=8)
def default_sentiment_model(language: str) -> SentimentModel | None:
    """The model trained on the project's data for `language` (None when there is no data)."""
    if language not in sentiment_languages():
        return None
    name = f"sentiment_{language}.tsv"
    fingerprint = data_fingerprint([name], *library_versions(),
                                   f"tb={TEXTBLOB_WEIGHT}", f"band={NEUTRAL_BAND}")
    return cached_model(f"sentiment-{language}", fingerprint,
                        lambda: fit_sentiment_model(language, read_labeled(name)))
