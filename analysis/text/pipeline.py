"""`analyze_text` and `analyze_many`: language, sentiment and themes of answers in one call.

Why a batch form: the tagging job and the benchmark handle thousands of answers; each model is
called once per batch (language models on every text, each sentiment model on the texts of its
language) instead of once per answer, which is what keeps the whole pipeline within twice the
cost of TextBlob alone.

Which sentiment model reads an answer: the one of its detected language; when the answer is too
short to tell, the one of the respondent's locale, else English. Answers without letters
("2", "👍") are neutral.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .codebook import Codebook
from .default_codebook import DEFAULT_CODEBOOK
from .encoder import encode, encoder
from .langid import DEFAULT_LANGUAGES, identify_languages
from .meaning import is_request, themes_by_meaning
from .normalize import prepare
from .sentiment import NEUTRAL, Sentiment, SentimentModel, default_sentiment_model
from .themes import ThemeMatch, match_themes_many

__all__ = ["TextAnalysis", "analyze_many", "analyze_text", "default_codebook"]

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """What the text layer says about one answer."""

    #: ISO 639-1 code, or None when the answer is too short or unclear to tell.
    language: str | None
    language_confidence: float
    sentiment: Sentiment
    themes: tuple[ThemeMatch, ...]
    #: The answer asks for something ("more basketball courts", "cần thêm xe buýt").
    is_request: bool = False

    @property
    def theme_keys(self) -> tuple[str, ...]:
        """Keys of the matched themes, in codebook order."""
        return tuple(t.key for t in self.themes)

    def to_dict(self) -> dict:
        """Plain data, ready to store as JSON."""
        return {
            "language": self.language,
            "language_confidence": self.language_confidence,
            "sentiment": {"label": self.sentiment.label, "score": self.sentiment.score},
            "themes": [{"key": t.key, "evidence": list(t.evidence)} for t in self.themes],
            "is_request": self.is_request,
        }


EMPTY = TextAnalysis(None, 0.0, NEUTRAL, ())


@lru_cache(maxsize=1)
def default_codebook() -> Codebook:
    """`DEFAULT_CODEBOOK` as a Codebook (built once)."""
    return Codebook.from_dict(DEFAULT_CODEBOOK)


def _codebook(codebook: Codebook | Mapping | None) -> Codebook:
    if codebook is None:
        return default_codebook()
    if isinstance(codebook, Codebook):
        return codebook
    return Codebook.from_dict(codebook)


def _priors(languages: Sequence[str | None] | str | None, n: int) -> list[str | None]:
    if languages is None or isinstance(languages, str):
        return [languages] * n
    priors = list(languages)
    if len(priors) != n:
        raise ValueError(f"got {len(priors)} languages for {n} texts")
    return priors


def analyze_many(
    texts: Sequence[object],
    codebook: Codebook | Mapping | None = None,
    languages: Sequence[str | None] | str | None = None,
    *,
    enabled_languages: Sequence[str] = DEFAULT_LANGUAGES,
    sentiment_models: Mapping[str, SentimentModel] | None = None,
    embeddings: np.ndarray | None = None,
) -> list[TextAnalysis]:
    """Analyse many answers; `languages` are the respondents' chosen locales (one per text, one
    for all, or None). `sentiment_models` replaces the default model of a language, for example
    one retrained from staff corrections. `embeddings` are the texts' encoder vectors when the
    caller has them stored (the tagging job); otherwise they are computed with `encode`."""
    prepared = [prepare(t) for t in texts]
    priors = _priors(languages, len(prepared))
    guesses = identify_languages(prepared, priors, enabled_languages)
    book = _codebook(codebook)
    themes = match_themes_many(prepared, book)
    if embeddings is None and encoder().similar_at is not None:
        embeddings = encode(prepared)
    if embeddings is not None and any(t.examples for t in book.themes):
        themes = _with_meaning(themes, themes_by_meaning(embeddings, book), book)
    by_language: dict[str, list[int]] = {}
    for i, (text, guess) in enumerate(zip(prepared, guesses, strict=True)):
        if not any(c.isalpha() for c in text):
            continue
        prior = priors[i] if priors[i] in enabled_languages else None
        by_language.setdefault(guess.code or prior or FALLBACK_LANGUAGE, []).append(i)
    sentiments = [NEUTRAL] * len(prepared)
    for language, idx in by_language.items():
        model = (sentiment_models or {}).get(language) or default_sentiment_model(language)
        if model is None:
            continue
        vectors = None if embeddings is None else np.asarray(embeddings)[idx]
        predicted = model.predict([prepared[i] for i in idx], vectors)
        for i, sentiment in zip(idx, predicted, strict=True):
            sentiments[i] = sentiment
    return [
        TextAnalysis(g.code, g.confidence, s, t, is_request(text)) if text else EMPTY
        for text, g, s, t in zip(prepared, guesses, sentiments, themes, strict=True)
    ]


def _with_meaning(keyword_matches, meaning_matches, book: Codebook):
    """Keyword matches plus meaning matches (evidence "≈ <example>"), in codebook order."""
    merged = []
    for found, close in zip(keyword_matches, meaning_matches, strict=True):
        if not close:
            merged.append(found)
            continue
        by_key = {m.key: m for m in found}
        for key, example in close.items():
            by_key.setdefault(key, ThemeMatch(key, (f"≈ {example}",)))
        merged.append(tuple(by_key[k] for k in book.keys if k in by_key))
    return merged


def analyze_text(
    text: object,
    codebook: Codebook | Mapping | None = None,
    language: str | None = None,
    *,
    enabled_languages: Sequence[str] = DEFAULT_LANGUAGES,
    sentiment_models: Mapping[str, SentimentModel] | None = None,
) -> TextAnalysis:
    """Analyse one answer; `language` is the respondent's chosen locale, used as a prior only."""
    return analyze_many([text], codebook, [language], enabled_languages=enabled_languages,
                        sentiment_models=sentiment_models)[0]
