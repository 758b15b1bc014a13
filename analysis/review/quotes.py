"""Quotes on the review: a comment in its own language, with contact details removed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from analysis.disclosure.redaction import redact
from analysis.models import SENTIMENTS, AnswerTag
from feedback.core.extensions import db
from feedback.responses.models import Answer

#: A machine label is quoted only when the model gave it at least this probability; labels
#: a person set or confirmed are always quotable (docs/analysis.md, "Sentiment").
QUOTE_MIN_CONFIDENCE = 0.6


def confident_label():
    """SQL condition: the answer's sentiment label may be quoted."""
    return sa.or_(AnswerTag.sentiment_corrected_at.is_not(None),
                  AnswerTag.sentiment_confidence >= QUOTE_MIN_CONFIDENCE)

__all__ = ["Quote", "quotes_per_goal", "redact", "texts_of"]


def texts_of(answer_ids) -> dict[int, tuple[str, str | None, bool]]:
    """{answer id: (text, language, whether its label may be quoted)} of the answers that
    still have a text. Read on each view and never remembered, so a text removed since
    (retention, erasure) is not shown from a memo (analysis.review.memo)."""
    ids = set(answer_ids)
    if not ids:
        return {}
    return {answer_id: (text, language, quotable)
            for answer_id, text, language, quotable in db.session.execute(
                sa.select(Answer.id, Answer.raw_text, AnswerTag.language, confident_label())
                .join(AnswerTag, AnswerTag.answer_id == Answer.id)
                .where(Answer.id.in_(ids), Answer.raw_text.is_not(None)))}


@dataclass
class Quote:
    text: str
    language: str | None
    sentiment: str


def quotes_per_goal(rows) -> dict[int, list[Quote]]:
    """{goal id: its quotes, positive first} from rows of (goal id, sentiment, text,
    language[, quotable]); empty texts and rows whose label is not confident (quotable False)
    are skipped, contact details removed."""
    order = {label: i for i, label in enumerate(SENTIMENTS)}
    result: dict[int, list[Quote]] = {}
    for goal_id, sentiment, text, language, *quotable in rows:
        if text and (not quotable or quotable[0]):
            result.setdefault(goal_id, []).append(
                Quote(text=redact(text), language=language, sentiment=sentiment))
    for quotes in result.values():
        quotes.sort(key=lambda q: order.get(q.sentiment, 9))
    return result
