"""Quotes on the review: a comment in its own language, with contact details removed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.models import SENTIMENTS

#: Phone-number-like runs (7+ digits with separators) and e-mail addresses, removed from quotes:
#: respondents sometimes type their number or address into a comment.
_PHONE = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def redact(text: str | None) -> str:
    """A quote with phone numbers and e-mail addresses replaced by [removed]."""
    text = _EMAIL.sub("[removed]", text or "")
    return _PHONE.sub(
        lambda m: "[removed]" if sum(ch.isdigit() for ch in m.group()) >= 7 else m.group(), text
    )


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
