"""Shared pieces of the question types: the parse result, the base class, raw-text helpers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.texts import localized, normalize
from surveys.words import vocabulary

_NUMBER_TOKEN = re.compile(r"^-?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class ParseResult:
    """A parsed answer: ``value`` to store (None = no answer), ``number`` for SQL aggregates,
    ``error`` a translated message (then nothing is stored)."""

    value: Any = None
    number: float | None = None
    error: str | None = None


def raw_text(raw) -> str:
    """One string from a raw answer (web lists are joined with commas)."""
    if raw is None:
        return ""
    if isinstance(raw, (list, tuple)):
        return ", ".join(str(x).strip() for x in raw if x is not None and str(x).strip())
    return str(raw).strip()


def is_empty(raw) -> bool:
    return not raw_text(raw)


def _echo(raw) -> str:
    """The respondent's reply, shortened, for "“x” is not one of the options"."""
    text = raw_text(raw)
    return text if len(text) <= 30 else text[:29] + "…"


def to_number(text: str) -> float | None:
    """Digits ("4", "4.5", "4,5") or a number word 0-10 in any language; one number inside a
    short reply counts too ("15 years", "tengo 15", "15 tuổi"). Never infinity: hundreds of
    digits are not a number anyone meant (and JSON has no infinity to store)."""
    value = _to_number(text)
    return value if value is None or math.isfinite(value) else None


def _to_number(text: str) -> float | None:
    if _NUMBER_TOKEN.match(text.strip()):
        return float(text.strip().replace(",", "."))
    words = normalize(text).split()
    if not words:
        return None
    number_words = vocabulary().number_words
    joined = " ".join(words)
    if joined in number_words:
        return float(number_words[joined])
    numeric = [w for w in text.replace(",", ".").split() if _NUMBER_TOKEN.match(w.strip(".!?"))]
    if len(numeric) == 1:
        return float(numeric[0].strip(".!?"))
    spelled = [number_words[w] for w in words if w in number_words]
    if not numeric and len(spelled) == 1 and len(words) <= 3:
        return float(spelled[0])
    return None


def plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


class QuestionType:
    """Base class: free text parsing; subclasses override what differs."""

    name = ""
    label = _l("Question")
    has_choices = False

    def parse(self, question, raw, locale: str) -> ParseResult:
        raise NotImplementedError

    def options(self, question, locale: str) -> list[tuple[str, str]]:
        """(code, label) pairs a respondent picks from, in order (empty for open types)."""
        return []

    def sms_prompt(self, question, locale: str) -> str:
        """The question as one text message: its text, then how to answer."""
        with force_locale(locale):
            parts = [localized(question.text, locale)]
            parts.extend(self._sms_answer_lines(question, locale))
        return "\n".join(p for p in parts if p)

    def _sms_answer_lines(self, question, locale: str) -> list[str]:
        return []

    def expected_hint(self, question, locale: str) -> str:
        """What a valid answer looks like (SMS re-prompts, web errors), in ``locale``."""
        return ""


def unknown(raw, hint: str) -> str:
    return _("“%(answer)s” is not one of the options. %(hint)s", answer=_echo(raw), hint=hint)


