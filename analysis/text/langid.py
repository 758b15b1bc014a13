"""Which language an answer is written in, from two models and the respondent's locale.

Why two models: py3langid is trained on edited web text and is very good at it, but often reads
short unaccented Vietnamese ("truong hoc rat tot") as English or Spanish. The
project's own character n-gram model is trained on answers as respondents type them, with
accent-stripped copies, but on a few thousand sentences only. Their probabilities are averaged
(a linear opinion pool, so one model's overconfidence cannot veto the other), then the locale the
respondent chose is applied as a prior: it can tip a text the models find nearly undecided, never
overrule a clear one, because families often answer in Spanish in an English conversation.

Too little text ("2", "ok", an emoji) gives `code=None` rather than a guess.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from .cache import cached_model, library_versions
from .data import data_fingerprint, read_labeled
from .features import CharNgrams
from .langid_batch import batch_rank
from .normalize import fold, letter_count, prepare

__all__ = [
    "DEFAULT_LANGUAGES",
    "LanguageGuess",
    "identify_language",
    "identify_languages",
    "ngram_language_model",
]

DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "es", "vi")
TRAINING_FILE = "langid_train.tsv"

#: Share of the n-gram model in the pooled probability (py3langid gets the rest).
NGRAM_WEIGHT = 0.6
#: Its share when the text has no accent and the n-gram model reads it as Vietnamese:
#: py3langid learned Vietnamese from accented text only and reads "cam on vi cap" as English,
#: while the n-gram model was trained on accent-free copies of every sentence.
NGRAM_WEIGHT_ACCENTLESS_VI = 0.8
#: Factor on the chosen locale's probability before renormalising. 1.5 flips a guess only
#: when the text alone is closer than 60/40 between that locale and another language.
PRIOR_BOOST = 1.5
#: Fewer letters than this (outside words like "ok", "lol") is too short to tell.
MIN_LETTERS = 3
#: Below this pooled probability the answer is "unclear"; short texts must be surer.
MIN_CONFIDENCE = 0.5
SHORT_TEXT_LETTERS = 12
SHORT_MIN_CONFIDENCE = 0.65
#: Only the start of a long answer is read: 300 characters settle its language.
MAX_CHARS = 300


class LanguageGuess(NamedTuple):
    """ISO 639-1 code (None when too short or unclear) and the pooled probability behind it."""

    code: str | None
    confidence: float


def _train_ngram_model() -> Pipeline:
    examples = read_labeled(TRAINING_FILE, "lang")
    model = Pipeline([
        ("grams", CharNgrams(1, 4)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ("lr", LogisticRegression(C=20.0, max_iter=2000)),
    ])
    with threadpool_limits(limits=1):  # tiny model: more BLAS threads only contend
        model.fit([e.text for e in examples], [e.label for e in examples])
    return model


@lru_cache(maxsize=1)
def ngram_language_model() -> Pipeline:
    """The project's char n-gram language model (trained once, cached in memory and on disk)."""
    fingerprint = data_fingerprint([TRAINING_FILE], *library_versions())
    return cached_model("langid-ngram", fingerprint, _train_ngram_model)


@lru_cache(maxsize=1)
def _full_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]):
    """py3langid restricted to `languages` (a shallow copy: the big tables stay shared)."""
    identifier = copy.copy(_full_identifier())
    identifier.set_languages(list(languages))
    return identifier


def _langid_matrix(texts: Sequence[str], languages: tuple[str, ...]) -> np.ndarray:
    """py3langid's probabilities, columns in the order of `languages`."""
    identifier = _identifier(languages)
    proba = batch_rank(identifier, texts)
    return proba[:, [identifier.nb_classes.index(code) for code in languages]]


def _ngram_matrix(texts: Sequence[str], languages: tuple[str, ...],
                  langid: np.ndarray) -> np.ndarray:
    """n-gram probabilities over `languages`; languages it was not trained on keep py3langid's."""
    model = ngram_language_model()
    classes = list(model.classes_)
    known = [i for i, code in enumerate(languages) if code in classes]
    if not known:
        return langid
    proba = model.predict_proba(list(texts))
    picked = proba[:, [classes.index(languages[i]) for i in known]]
    picked /= np.maximum(picked.sum(axis=1, keepdims=True), 1e-12)
    unknown = [i for i in range(len(languages)) if i not in known]
    out = np.array(langid, copy=True)
    unknown_mass = langid[:, unknown].sum(axis=1, keepdims=True) if unknown else 0.0
    out[:, known] = picked * (1.0 - unknown_mass)
    return out


def _pool(texts: Sequence[str], languages: tuple[str, ...], ngram: np.ndarray,
          langid: np.ndarray) -> np.ndarray:
    """The linear opinion pool of the two models, row by row (see the module docstring)."""
    accentless_vi = np.zeros(len(texts), dtype=bool)
    if "vi" in languages:
        accentless_vi = ((ngram.argmax(axis=1) == languages.index("vi"))
                         & np.array([t.isascii() for t in texts], dtype=bool))
    weight = np.where(accentless_vi, NGRAM_WEIGHT_ACCENTLESS_VI, NGRAM_WEIGHT)[:, None]
    return weight * ngram + (1.0 - weight) * langid


def identify_languages(
    texts: Sequence[object],
    priors: Sequence[str | None] | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> list[LanguageGuess]:
    """Guess the language of each text; `priors` are the respondents' chosen locales (or None)."""
    languages = tuple(languages)
    if not languages:
        raise ValueError("languages must name at least one language")
    prepared = [prepare(t)[:MAX_CHARS] for t in texts]
    letters = [letter_count(fold(t)) for t in prepared]
    idx = [i for i, n in enumerate(letters) if n >= MIN_LETTERS]
    guesses = [LanguageGuess(None, 0.0)] * len(prepared)
    if not idx:
        return guesses
    subset = [prepared[i] for i in idx]
    langid = _langid_matrix(subset, languages)
    ngram = _ngram_matrix(subset, languages, langid)
    pooled = _pool(subset, languages, ngram, langid)
    if priors is not None:
        for row, i in enumerate(idx):
            prior = priors[i]
            if prior in languages:
                pooled[row, languages.index(prior)] *= PRIOR_BOOST
        pooled /= pooled.sum(axis=1, keepdims=True)
    best = pooled.argmax(axis=1)
    for row, i in enumerate(idx):
        confidence = float(pooled[row, best[row]])
        needed = SHORT_MIN_CONFIDENCE if letters[i] < SHORT_TEXT_LETTERS else MIN_CONFIDENCE
        code = languages[best[row]] if confidence >= needed else None
        guesses[i] = LanguageGuess(code, round(confidence, 4))
    return guesses


def identify_language(text: object, prior: str | None = None,
                      languages: Sequence[str] = DEFAULT_LANGUAGES) -> LanguageGuess:
    """Guess the language of one text; `prior` is the respondent's chosen locale."""
    return identify_languages([text], [prior], languages)[0]
