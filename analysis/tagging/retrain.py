"""Retraining the coalition's sentiment model from the shipped examples plus staff corrections.

Why the gate: a model trained on a few hundred corrections can be worse than the shipped one
(a careless reviewer, or too few examples). A candidate is scored on the same held-back
examples as the current model (the coalition's active model, else the shipped default) and is
activated only if its macro-F1 is at least as good. Every candidate is kept with its scores,
so staff can see why one was refused.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import sqlalchemy as sa

from analysis.models import AnswerEmbedding, AnswerTag, SentimentModel
from analysis.text import encoder as text_encoder
from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.signals import tags_outdated
from feedback.responses.models import Answer


@dataclass
class RetrainOutcome:
    """Scores of the current and the candidate model, and whether the candidate was kept."""

    language: str
    candidate: SentimentModel
    current_macro_f1: float | None
    current_accuracy: float | None
    activated: bool
    n_corrections: int


def retrain_languages() -> tuple[str, ...]:
    """Languages with shipped training data (the pure layer decides)."""
    from analysis.text.sentiment import sentiment_languages

    return sentiment_languages()


def corrected_examples(language: str) -> list[tuple[str, str]]:
    """(text, label) of answers in ``language`` whose sentiment a person set."""
    rows = db.session.execute(
        sa.select(Answer.raw_text, AnswerTag.sentiment_label)
        .join(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(AnswerTag.language == language, AnswerTag.sentiment_corrected_at.is_not(None),
               Answer.raw_text.is_not(None), Answer.raw_text != "")
        .order_by(Answer.id)
    )
    return [(text, label) for text, label in rows]


def stored_vectors(language: str) -> dict:
    """{text: encoder vector} of the corrected answers in ``language`` whose embedding the
    tagging job stored with the active encoder: retraining reuses them rather than encoding
    again (docs/analysis.md, "Encoder")."""
    rows = db.session.execute(
        sa.select(Answer.raw_text, AnswerEmbedding.vector)
        .join(AnswerTag, AnswerTag.answer_id == Answer.id)
        .join(AnswerEmbedding, AnswerEmbedding.answer_id == Answer.id)
        .where(AnswerTag.language == language, AnswerTag.sentiment_corrected_at.is_not(None),
               AnswerEmbedding.encoder == text_encoder.encoder_name())
    )
    return {text: text_encoder.unpack(blob) for text, blob in rows}


def held_back_examples(language: str) -> list[tuple[str, str]]:
    """The shipped evaluation examples of ``language`` (never used for training)."""
    from analysis.text.data import read_labeled

    return [(e.text, e.label) for e in read_labeled(f"eval_sentiment_{language}.tsv")]


def current_model(language: str):
    """(active SentimentModel row or None, the model object in use)."""
    row = db.session.scalar(db.select(SentimentModel).filter_by(language=language, active=True))
    if row is not None and row.blob is not None:
        return row, pickle.loads(row.blob)  # noqa: S301 - written by this app only
    from analysis.text.sentiment import default_sentiment_model

    return None, default_sentiment_model(language)


def retrain(language: str, actor=None, extra_examples=None, held_back=None) -> RetrainOutcome:
    """Train a candidate for ``language``, score it against the current model, keep the better.

    ``extra_examples`` defaults to the corrections in the database and ``held_back`` to the
    shipped evaluation file (tests pass their own). Commits; queues a re-tag when activated.
    """
    from analysis.text.training import evaluate_sentiment_model, train_sentiment_model

    extra = corrected_examples(language) if extra_examples is None else list(extra_examples)
    held = held_back_examples(language) if held_back is None else list(held_back)
    candidate_model = train_sentiment_model(language, extra,
                                            known_vectors=stored_vectors(language))
    scores = evaluate_sentiment_model(candidate_model, held)
    current_row, current = current_model(language)
    current_scores = evaluate_sentiment_model(current, held) if current is not None else None
    better = current_scores is None or scores.macro_f1 >= current_scores.macro_f1
    row = SentimentModel(
        language=language,
        created_by_id=getattr(actor, "id", None),
        macro_f1=scores.macro_f1,
        accuracy=scores.accuracy,
        n_examples=scores.n,
        n_corrections=len(extra),
        active=False,
        blob=pickle.dumps(candidate_model),
    )
    db.session.add(row)
    if better:
        if current_row is not None:
            current_row.active = False
            db.session.flush()
        row.active = True
    db.session.flush()
    record_audit("model.retrain", "sentiment_model", row.id,
                 {"language": language, "activated": better,
                  "macro_f1": round(scores.macro_f1, 4), "corrections": len(extra)},
                 user_id=getattr(actor, "id", None))
    db.session.commit()
    if better:
        tags_outdated.send()
    return RetrainOutcome(
        language=language,
        candidate=row,
        current_macro_f1=current_scores.macro_f1 if current_scores else None,
        current_accuracy=current_scores.accuracy if current_scores else None,
        activated=better,
        n_corrections=len(extra),
    )


def model_history(limit: int = 30) -> list[SentimentModel]:
    """Recent trained models (newest first), without loading their blobs' contents."""
    return list(db.session.scalars(
        db.select(SentimentModel).order_by(SentimentModel.created_at.desc(),
                                           SentimentModel.id.desc()).limit(limit)
    ))


def correction_counts() -> dict[str | None, int]:
    """Sentiment corrections per language (shown on the model page)."""
    rows = db.session.execute(
        sa.select(AnswerTag.language, sa.func.count())
        .where(AnswerTag.sentiment_corrected_at.is_not(None)).group_by(AnswerTag.language)
    )
    return {lang: int(n) for lang, n in rows}

