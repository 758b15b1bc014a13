"""Quotes on the review: a comment in its own language, with contact details removed."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.disclosure.redaction import redact
from analysis.models import SENTIMENTS

__all__ = ["Quote", "quotes_per_goal", "redact"]


@dataclass
class Quote:
    text: str
    language: str | None
    sentiment: str


def quotes_per_goal(rows) -> dict[int, list[Quote]]:
    """{goal id: its quotes, positive first} from rows of (goal id, sentiment, text,
    language); empty texts are skipped, contact details removed."""
    order = {label: i for i, label in enumerate(SENTIMENTS)}
    result: dict[int, list[Quote]] = {}
    for goal_id, sentiment, text, language in rows:
        if text:
            result.setdefault(goal_id, []).append(
                Quote(text=redact(text), language=language, sentiment=sentiment))
    for quotes in result.values():
        quotes.sort(key=lambda q: order.get(q.sentiment, 9))
    return result
