"""Sentiment of an answer: positive, neutral or negative, with a score in -1..1.

Why this shape: TextBlob's pattern lexicon is the English base (it needs no downloaded corpora
and staff can read why a word counts), but it has no Spanish or Vietnamese and misses the way
complaints are usually phrased here ("the bus never comes" scores 0). So every language has a
small TF-IDF + logistic-regression model trained on the project's own labeled answers, and for
English its score is blended with TextBlob's polarity. For Spanish and Vietnamese the label is
the model's most probable class and the score P(positive) - P(negative).

On the encoder (docs/analysis.md, "Sentiment"): when the multilingual sentence encoder is
active, each model also has a calibrated logistic regression on the sentence vectors (sigmoid
calibration, 3-fold), trained on the same examples; its probabilities are averaged with the
TF-IDF model's (`ENCODER_WEIGHT`). The vectors know words the ~700 examples never showed.
`Sentiment.confidence` is the probability of the chosen label: the review quotes only
confident labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from .encoder import encode, encoder, encoder_name
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
#: Share of the encoder head in the averaged class probabilities.
ENCODER_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class Sentiment:
    """`label` is one of LABELS; `score` runs from -1 (negative) to 1 (positive);
    `confidence` is the model's probability of `label` (0 when no model read the text)."""

    label: str
    score: float
    confidence: float = 0.0


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
    #: Calibrated classifier on sentence vectors, and the encoder whose vectors it reads.
    encoder_head: object | None = None
    encoder: str | None = None

    def predict(self, texts: Sequence[object], vectors: np.ndarray | None = None
                ) -> list[Sentiment]:
        """Sentiment of each text, in one vectorised call to each classifier; `vectors` are
        the texts' encoder vectors when the caller has them (else they are encoded)."""
        texts = [prepare(t) for t in texts]
        results = [NEUTRAL] * len(texts)
        idx = [i for i, t in enumerate(texts) if t]
        if not idx:
            return results
        subset = [texts[i] for i in idx]
        proba = self.classifier.predict_proba(subset)
        classes = list(self.classifier.classes_)
        if self.encoder_head is not None and self.encoder == encoder_name():
            head = (encode(subset) if vectors is None
                    else np.asarray(vectors, dtype=np.float32)[idx])
            head_proba = self.encoder_head.predict_proba(head)
            order = [list(self.encoder_head.classes_).index(c) for c in classes]
            proba = (1 - ENCODER_WEIGHT) * proba + ENCODER_WEIGHT * head_proba[:, order]
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
        confidence = [float(proba[row, classes.index(str(label))]) if str(label) in classes
                      else 0.0 for row, label in enumerate(labels)]
        for row, i in enumerate(idx):
            results[i] = Sentiment(str(labels[row]), round(float(np.clip(score[row], -1, 1)), 4),
                                   round(confidence[row], 4))
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


def fit_sentiment_model(language: str, examples: Sequence[LabeledText],
                        known_vectors: Mapping[str, np.ndarray] | None = None) -> SentimentModel:
    """Train a model for `language` on `examples` (pairs of text and label).

    `known_vectors` maps an example's text to its encoder vector when the caller already has
    it (a corrected answer's stored embedding), so retraining does not encode it again."""
    labels = {label for _, label in examples}
    if not labels <= set(LABELS) or len(labels) < 2:
        raise ValueError(f"labels must be two or more of {LABELS}, got {sorted(labels)}")
    classifier = build_classifier(language)
    # One BLAS thread: these models are tiny, and on a busy small server extra BLAS threads
    # spin-wait for each other (training went from 0.2 s to 3 s with two threads).
    with threadpool_limits(limits=1):
        classifier.fit([text for text, _ in examples], [label for _, label in examples])
        head, name = _fit_encoder_head(examples, known_vectors or {})
    weight = TEXTBLOB_WEIGHT if language == "en" else 0.0
    return SentimentModel(language, classifier, textblob_weight=weight, encoder_head=head,
                          encoder=name)


def _fit_encoder_head(examples: Sequence[LabeledText], known: Mapping[str, np.ndarray]):
    """Calibrated logistic regression on the examples' sentence vectors (None with the
    TF-IDF fallback encoder, whose vectors add nothing to the TF-IDF model)."""
    from sklearn.calibration import CalibratedClassifierCV

    if encoder().similar_at is None:
        return None, None
    labels = [label for _, label in examples]
    if min(labels.count(c) for c in set(labels)) < 3:
        return None, None
    unknown = [text for text, _ in examples if text not in known]
    fresh = dict(zip(unknown, encode([prepare(text) for text in unknown]), strict=True))
    vectors = np.vstack([known[text] if text in known else fresh[text] for text, _ in examples])
    head = CalibratedClassifierCV(LogisticRegression(C=4.0, max_iter=3000), cv=3,
                                  method="sigmoid")
    head.fit(vectors, labels)
    return head, encoder_name()


def default_sentiment_model(language: str) -> SentimentModel | None:
    """The model trained on the project's data for `language` (None when there is no data),
    for the active encoder."""
    return _default_model(language, encoder_name())


@lru_cache(maxsize=8)
def _default_model(language: str, _encoder: str) -> SentimentModel | None:
    if language not in sentiment_languages():
        return None
    name = f"sentiment_{language}.tsv"
    fingerprint = data_fingerprint([name], *library_versions(), f"tb={TEXTBLOB_WEIGHT}",
                                   f"band={NEUTRAL_BAND}", f"enc={encoder_name()}")
    return cached_model(f"sentiment-{language}", fingerprint,
                        lambda: fit_sentiment_model(language, read_labeled(name)))
