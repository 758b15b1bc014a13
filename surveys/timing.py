"""How long a survey takes: an estimate from the number and types of its questions.

Posters and invitations say "about N minutes"; the figure comes from the survey itself, so it
changes when the survey does. Each question counts the seconds a person typically needs to
read it and answer on a phone (a tap for a choice, typing for text), questions asked only
after some answers (skip logic) included, so the estimate errs long; the total is rounded up
to whole minutes, at least one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: Seconds to read and answer one question of each type (surveys.types registry names).
SECONDS_BY_TYPE = {
    "yes_no": 8,
    "single_choice": 8,
    "scale": 8,
    "multiple_choice": 12,
    "number": 10,
    "short_text": 20,
    "long_text": 45,
}
#: A type this table does not know yet (a new registry entry) counts as a short answer.
DEFAULT_SECONDS = 15


def _type_of(question) -> str:
    """A question's type name: a Question row, or a question of the import format (a dict)."""
    return question["type"] if isinstance(question, dict) else question.type


def estimated_seconds(questions: Iterable) -> int:
    """The seconds the questions take together (see the table above)."""
    return sum(SECONDS_BY_TYPE.get(_type_of(q), DEFAULT_SECONDS) for q in questions)


def estimated_minutes(questions: Iterable) -> int:
    """Whole minutes, rounded up; at least 1 (a survey always takes some time)."""
    return max(1, math.ceil(estimated_seconds(questions) / 60))
