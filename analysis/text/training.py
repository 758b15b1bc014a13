"""Retraining sentiment from staff corrections, and measuring whether it helped.

Why: staff reviewing answers will correct sentiment labels. A job can pass those corrections to
`train_sentiment_model`, score both the current and the candidate model on the same held-back
examples with `evaluate_sentiment_model`, and keep the candidate only if its macro-F1 is higher.
Macro-F1 (the mean of the per-label F1) is the headline number because a model that calls
everything neutral can have a fine accuracy and still be useless.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .data import LabeledText, read_labeled
from .sentiment import LABELS, SentimentModel, fit_sentiment_model, sentiment_languages

__all__ = [
    "SentimentScores",
    "as_examples",
    "evaluate_sentiment_model",
    "load_sentiment_examples",
    "split_examples",
    "train_sentiment_model",
]


@dataclass(frozen=True)
class SentimentScores:
    """Scores of a model on labeled examples; `f1` maps each label to its F1."""

    n: int
    accuracy: float
    macro_f1: float
    f1: dict[str, float]


def as_examples(pairs: Iterable[tuple[str, str] | LabeledText]) -> list[LabeledText]:
    """Accept (text, label) pairs from any source and check the labels."""
    examples = [LabeledText(str(text), str(label)) for text, label in pairs]
    wrong = {e.label for e in examples} - set(LABELS)
    if wrong:
        raise ValueError(f"unknown sentiment labels {sorted(wrong)}; use {LABELS}")
    return examples


def load_sentiment_examples(language: str) -> list[LabeledText]:
    """The project's training examples for `language` (`analysis/data/sentiment_<code>.tsv`)."""
    if language not in sentiment_languages():
        raise ValueError(f"no sentiment data for {language!r}; have {sentiment_languages()}")
    return read_labeled(f"sentiment_{language}.tsv")


def split_examples(examples: Sequence[tuple[str, str]], test_fraction: float = 0.2,
                   seed: int = 0) -> tuple[list[LabeledText], list[LabeledText]]:
    """Deterministic split stratified by label: (train, held_back)."""
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be between 0 and 1")
    rng = random.Random(seed)
    train: list[LabeledText] = []
    test: list[LabeledText] = []
    by_label: dict[str, list[LabeledText]] = {}
    for example in as_examples(examples):
        by_label.setdefault(example.label, []).append(example)
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        cut = round(len(group) * test_fraction)
        test.extend(group[:cut])
        train.extend(group[cut:])
    return train, test


def train_sentiment_model(language: str, extra_examples: Iterable[tuple[str, str]] = (),
                          *, include_base: bool = True,
                          known_vectors: Mapping[str, np.ndarray] | None = None) -> SentimentModel:
    """A new model for `language` from the project's examples plus `extra_examples`.

    An extra example whose text (ignoring case and surrounding spaces) is also a base example
    replaces it: a staff correction wins over the shipped label. `known_vectors` (text ->
    encoder vector) are used instead of encoding those texts again.
    """
    extra = as_examples(extra_examples)
    corrected = {e.text.strip().lower() for e in extra}
    base = load_sentiment_examples(language) if include_base else []
    examples = [e for e in base if e.text.strip().lower() not in corrected] + extra
    return fit_sentiment_model(language, examples, known_vectors)


def evaluate_sentiment_model(model: SentimentModel,
                             examples: Iterable[tuple[str, str]]) -> SentimentScores:
    """Accuracy, macro-F1 and per-label F1 of `model` on labeled `examples`."""
    examples = as_examples(examples)
    if not examples:
        raise ValueError("no examples to evaluate on")
    truth = [e.label for e in examples]
    predicted = [s.label for s in model.predict([e.text for e in examples])]
    per_label = f1_score(truth, predicted, labels=list(LABELS), average=None, zero_division=0)
    present = [label for label in LABELS if label in truth]
    macro = f1_score(truth, predicted, labels=present, average="macro", zero_division=0)
    return SentimentScores(
        n=len(examples),
        accuracy=round(float(accuracy_score(truth, predicted)), 4),
        macro_f1=round(float(macro), 4),
        f1={label: round(float(v), 4) for label, v in zip(LABELS, per_label, strict=True)},
    )
