"""Skip logic: whether a question is asked, given the answers so far.

A question with ``ask_if_key`` is asked only when the controlling question was answered with
one of ``ask_if_values`` (any overlap for a multiple-choice answer). An unanswered or skipped
controlling question means "do not ask": nobody is asked a follow-up to something they did not
say. With no ``ask_if_values``, any answer to the controlling question opens the follow-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _as_text(value: Any) -> str:
    """Compare values as text; 4.0 and "4" are the same answer."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


def is_applicable(question, values: Mapping[str, Any]) -> bool:
    """True if ``question`` should be asked given ``values`` (parsed answers by question key)."""
    key = question.ask_if_key
    if not key:
        return True
    answer = values.get(key)
    if answer is None or answer == "" or answer == []:
        return False
    wanted = {_as_text(v) for v in (question.ask_if_values or [])}
    if not wanted:
        return True
    given = answer if isinstance(answer, (list, tuple, set)) else [answer]
    return any(_as_text(v) in wanted for v in given)


def applicable_questions(questions: Iterable, values: Mapping[str, Any]) -> list:
    """The questions, in order, that apply given ``values``."""
    return [q for q in questions if is_applicable(q, values)]


def next_question(questions: Iterable, values: Mapping[str, Any], done: Iterable[str] = ()):
    """The first applicable question whose key is not in ``done`` (answered or skipped by the
    respondent), or None when the survey is finished. Used one question at a time (SMS)."""
    done = set(done)
    for question in questions:
        if question.key not in done and is_applicable(question, values):
            return question
    return None


__all__ = ["applicable_questions", "is_applicable", "next_question"]
