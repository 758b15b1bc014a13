"""Pure text analysis: language, sentiment and themes of free-text answers (no Flask, no DB).

Why a separate subpackage: the jobs, summaries and review pages of `analysis` need a database
and an app; these functions need only strings, so they can be tested, benchmarked and evaluated
(`python -m analysis.tagging.evaluate`) on their own.
"""

from .codebook import Codebook, Theme
from .default_codebook import DEFAULT_CODEBOOK
from .emerging import EmergingTheme, emerging_themes
from .langid import DEFAULT_LANGUAGES, LanguageGuess, identify_language, identify_languages
from .pipeline import TextAnalysis, analyze_many, analyze_text, default_codebook
from .sentiment import LABELS, Sentiment, SentimentModel, default_sentiment_model
from .themes import ThemeMatch, match_themes, match_themes_many
from .training import (
    SentimentScores,
    evaluate_sentiment_model,
    load_sentiment_examples,
    split_examples,
    train_sentiment_model,
)

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
