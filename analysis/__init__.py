"""Analysis: tagging stored answers with language, sentiment and themes, and the staff review.

The pure text layer lives in `analysis.text`; its public names are re-exported here. They are
loaded on first use (PEP 562 `__getattr__`), so importing `analysis.models` or a view does not
pay for importing scikit-learn, and this module imports nothing else of the project.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__all__ = [
    "DEFAULT_CODEBOOK",
    "DEFAULT_LANGUAGES",
    "LABELS",
    "Codebook",
    "EmergingTheme",
    "LanguageGuess",
    "Sentiment",
    "SentimentModel",
    "SentimentScores",
    "TextAnalysis",
    "Theme",
    "ThemeMatch",
    "analyze_many",
    "analyze_text",
    "default_codebook",
    "default_sentiment_model",
    "emerging_themes",
    "evaluate_sentiment_model",
    "identify_language",
    "identify_languages",
    "load_sentiment_examples",
    "match_themes",
    "match_themes_many",
    "split_examples",
    "train_sentiment_model",
]

if TYPE_CHECKING:
    from analysis.text import (  # noqa: F401
        DEFAULT_CODEBOOK,
        DEFAULT_LANGUAGES,
        LABELS,
        Codebook,
        EmergingTheme,
        LanguageGuess,
        Sentiment,
        SentimentModel,
        SentimentScores,
        TextAnalysis,
        Theme,
        ThemeMatch,
        analyze_many,
        analyze_text,
        default_codebook,
        default_sentiment_model,
        emerging_themes,
        evaluate_sentiment_model,
        identify_language,
        identify_languages,
        load_sentiment_examples,
        match_themes,
        match_themes_many,
        split_examples,
        train_sentiment_model,
    )


def __getattr__(name: str):
    if name in __all__:
        value = getattr(import_module("analysis.text"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
