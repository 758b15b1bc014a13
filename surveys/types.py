"""The question-type registry: how each type parses, validates and prompts, in each language.

The web form, the SMS conversation engine and the intake path all call :func:`parse_answer`,
so "2", "dos", "hai", a label in any enabled language or a choice code mean the same thing on
every channel. Each type is a class in :data:`QUESTION_TYPES` with ``parse``, ``sms_prompt``
and ``expected_hint``; errors come back translated in the respondent's locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.texts import localized, normalize
from surveys.words import (
    FILLER_WORDS,
    LIST_JOINERS,
    NO_PHRASES,
    NO_PHRASES_BY_LOCALE,
    NO_WORDS,
    NUMBER_WORDS,
    YES_PHRASES,
    YES_WORDS,
)

#: The values settings["demographic"] may take (feedback.intake copies them to the respondent).
DEMOGRAPHICS = ("age_group", "race_ethnicity", "gender", "neighbourhood", "zip_code", "role")
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
_NUMBER_TOKEN = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")


@dataclass(frozen=True)
class ParseResult:
    """A parsed answer: ``value`` to store (None = no answer), ``number`` for SQL aggregates,
    ``error`` a translated message (then nothing is stored)."""

    value: Any = None
    number: float | None = None
    error: str | None = None


def _raw_text(raw) -> str:
    """One string from a raw answer (web lists are joined with commas)."""
    if raw is None:
        return ""
    if isinstance(raw, (list, tuple)):
        return ", ".join(str(x).strip() for x in raw if x is not None and str(x).strip())
    return str(raw).strip()


def _is_empty(raw) -> bool:
    return not _raw_text(raw)


def _echo(raw) -> str:
    """The respondent's reply, shortened, for "“x” is not one of the options"."""
    text = _raw_text(raw)
    return text if len(text) <= 30 else text[:29] + "…"


def to_number(text: str) -> float | None:
    """Digits ("4", "4.5", "4,5") or a number word 0-10 in any language; one number inside a
    short reply counts too ("15 years", "tengo 15", "15 tuổi")."""
    if _NUMBER_TOKEN.match(text.strip()):
        return float(text.strip().replace(",", "."))
    words = normalize(text).split()
    if not words:
        return None
    joined = " ".join(words)
    if joined in NUMBER_WORDS:
        return float(NUMBER_WORDS[joined])
    numeric = [w for w in text.replace(",", ".").split() if _NUMBER_TOKEN.match(w.strip(".!?"))]
    if len(numeric) == 1:
        return float(numeric[0].strip(".!?"))
    spelled = [NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS]
    if not numeric and len(spelled) == 1 and len(words) <= 3:
        return float(spelled[0])
    return None


def _plain(value: float) -> int | float:
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


class ChoiceType(QuestionType):
    """Pick from the question's Choice rows by number, code or label in any language."""

    has_choices = True

    def choices(self, question) -> list:
        return list(question.choices)

    def options(self, question, locale):
        return [(c.code, localized(c.label, locale)) for c in self.choices(question)]

    def match(self, question, text: str, locale: str, prefer_code: bool = False):
        """The one choice ``text`` names, or None."""
        choices = self.choices(question)
        norm = normalize(text)
        if not norm:
            return None
        by_code = {normalize(c.code): c for c in choices}
        position = None
        if norm.isdigit():
            position = int(norm)
        elif norm in NUMBER_WORDS and norm not in by_code:
            position = NUMBER_WORDS[norm]
        if prefer_code and norm in by_code:
            return by_code[norm]
        if position is not None and 1 <= position <= len(choices):
            return choices[position - 1]
        if norm in by_code:
            return by_code[norm]
        for choice in choices:
            if any(normalize(lbl) == norm for lbl in (choice.label or {}).values()):
                return choice
        codes = set(by_code)
        if codes >= {"yes", "no"}:
            answer = yes_no_word(norm, locale)
            if answer:
                return by_code[answer]
        if len(norm) >= 3:  # a unique label start: "black" for "Black or African American"
            hits = [
                c for c in choices
                if any(normalize(lbl).startswith(norm) for lbl in (c.label or {}).values())
            ]
            if len(hits) == 1:
                return hits[0]
        return None

    def _sms_answer_lines(self, question, locale):
        options = self.options(question, locale)
        return [f"{i} {label}" for i, (_code, label) in enumerate(options, 1)]

    @staticmethod
    def _number(code: str) -> float | None:
        try:
            return float(code)
        except (TypeError, ValueError):
            return None


class SingleChoice(ChoiceType):
    name = "single_choice"
    label = _l("Single choice")

    def parse(self, question, raw, locale):
        with force_locale(locale):
            items = [x for x in raw if str(x).strip()] if isinstance(raw, (list, tuple)) else [raw]
            if len(items) > 1:
                return ParseResult(error=_("Please choose only one option."))
            choice = self.match(question, str(items[0]), locale, isinstance(raw, (list, tuple)))
            if choice is None:
                return ParseResult(error=_unknown(raw, self.expected_hint(question, locale)))
            return ParseResult(choice.code, self._number(choice.code))

    def expected_hint(self, question, locale):
        with force_locale(locale):
            return _("Answer with one number from 1 to %(n)s.", n=len(self.choices(question)))


class MultipleChoice(ChoiceType):
    name = "multiple_choice"
    label = _l("Multiple choice")

    def parse(self, question, raw, locale):
        with force_locale(locale):
            prefer_code = isinstance(raw, (list, tuple))
            pieces = [str(x) for x in raw] if prefer_code else [str(raw)]
            picked: list = []
            for piece in pieces:
                found = self._split_match(question, piece, locale, prefer_code)
                if found is None:
                    return ParseResult(error=_unknown(piece, self.expected_hint(question, locale)))
                picked.extend(c for c in found if c not in picked)
            if not picked:
                return ParseResult(error=_("This question needs an answer."))
            exclusive = [c for c in picked if c.exclusive]
            if exclusive and len(picked) > 1:
                return ParseResult(error=_(
                    "“%(label)s” cannot be combined with other answers.",
                    label=localized(exclusive[0].label, locale),
                ))
            limit = (question.settings or {}).get("max_choices")
            if limit and len(picked) > int(limit):
                return ParseResult(error=_("Please choose at most %(n)s options.", n=int(limit)))
            picked.sort(key=lambda c: c.position)
            return ParseResult([c.code for c in picked], None)

    def _split_match(self, question, text, locale, prefer_code):
        """Choices named by ``text``: whole, else split on commas, then joiners, then spaces."""
        whole = self.match(question, text, locale, prefer_code)
        if whole is not None:
            return [whole]
        found = []
        for part in re.split(r"[,;/&+\n]+", text):
            if not normalize(part):
                continue
            choice = self.match(question, part, locale, prefer_code)
            if choice is not None:
                found.append(choice)
                continue
            words = normalize(part).split()
            groups, current = [], []
            for word in words:
                if word in LIST_JOINERS:
                    groups.append(current)
                    current = []
                else:
                    current.append(word)
            groups.append(current)
            for group in (g for g in groups if g):
                choice = self.match(question, " ".join(group), locale, prefer_code)
                if choice is not None:
                    found.append(choice)
                    continue
                singles = [self.match(question, w, locale, prefer_code) for w in group]
                if any(c is None for c in singles):
                    return None
                found.extend(singles)
        return found or None

    def expected_hint(self, question, locale):
        with force_locale(locale):
            return _(
                "Answer with one or more numbers from 1 to %(n)s, separated by commas "
                "(for example 1,3).", n=len(self.choices(question)),
            )


class _Yes:
    code, position, exclusive, label = "yes", 1, False, {}


class _No:
    code, position, exclusive, label = "no", 2, False, {}


def yes_no_word(norm: str, locale: str) -> str | None:
    """"yes", "no" or None for a normalised reply in any language ("sí", "có ạ", "ko")."""
    if norm in YES_PHRASES:
        return "yes"
    if norm in NO_PHRASES or norm in NO_PHRASES_BY_LOCALE.get(locale, ()):
        return "no"
    words = norm.split()
    meaningful = [w for w in words if w not in FILLER_WORDS]
    if meaningful and all(w in YES_WORDS for w in meaningful):
        return "yes"
    if meaningful and all(w in NO_WORDS for w in meaningful):
        return "no"
    return None


class YesNo(ChoiceType):
    """Yes (1) or no (2); stores "yes"/"no" and 1/0. Uses Choice rows for labels if present."""

    name = "yes_no"
    label = _l("Yes / no")

    def choices(self, question):
        return list(question.choices) or [_Yes, _No]

    def options(self, question, locale):
        if question.choices:
            return super().options(question, locale)
        with force_locale(locale):
            return [("yes", _("Yes")), ("no", _("No"))]

    def parse(self, question, raw, locale):
        with force_locale(locale):
            text = _raw_text(raw)
            norm = normalize(text)
            code = yes_no_word(norm, locale)
            if code is None:
                if norm in ("1", "2"):
                    code = "yes" if norm == "1" else "no"
                elif question.choices:
                    choice = self.match(question, text, locale, isinstance(raw, (list, tuple)))
                    code = choice.code if choice is not None else None
            if code not in ("yes", "no"):
                return ParseResult(error=_unknown(raw, self.expected_hint(question, locale)))
            return ParseResult(code, 1.0 if code == "yes" else 0.0)

    def expected_hint(self, question, locale):
        with force_locale(locale):
            return _("Answer 1 for yes or 2 for no.")


class Number(QuestionType):
    """A number within settings min/max; whole numbers unless settings["decimals"]."""

    name = "number"
    label = _l("Number")

    def bounds(self, question) -> tuple[float | None, float | None]:
        settings = question.settings or {}
        return settings.get("min"), settings.get("max")

    def parse(self, question, raw, locale):
        with force_locale(locale):
            value = to_number(_raw_text(raw))
            low, high = self.bounds(question)
            if value is None:
                return ParseResult(error=self.expected_hint(question, locale))
            if not value.is_integer() and not (question.settings or {}).get("decimals"):
                return ParseResult(error=_("Please answer with a whole number."))
            if (low is not None and value < low) or (high is not None and value > high):
                return ParseResult(error=self.expected_hint(question, locale))
            return ParseResult(_plain(value), float(value))

    def expected_hint(self, question, locale):
        low, high = self.bounds(question)
        with force_locale(locale):
            if low is not None and high is not None:
                return _("Answer with a number from %(min)s to %(max)s.",
                         min=_plain(low), max=_plain(high))
            if low is not None:
                return _("Answer with a number of at least %(min)s.", min=_plain(low))
            if high is not None:
                return _("Answer with a number no larger than %(max)s.", max=_plain(high))
            return _("Answer with a number.")


class Scale(Number):
    """A rating from settings min to max (default 1-5) with per-locale end labels low/high."""

    name = "scale"
    label = _l("Scale")

    def bounds(self, question):
        settings = question.settings or {}
        return int(settings.get("min", 1)), int(settings.get("max", 5))

    def options(self, question, locale):
        low, high = self.bounds(question)
        return [(str(n), str(n)) for n in range(low, high + 1)]

    def end_labels(self, question, locale) -> tuple[str, str]:
        settings = question.settings or {}
        return localized(settings.get("low"), locale), localized(settings.get("high"), locale)

    def parse(self, question, raw, locale):
        low, high = self.bounds(question)
        norm = normalize(_raw_text(raw))
        for lang_label, value in (((question.settings or {}).get("low") or {}, low),
                                  ((question.settings or {}).get("high") or {}, high)):
            if norm and any(normalize(lbl) == norm for lbl in lang_label.values()):
                return ParseResult(value, float(value))
        return super().parse(question, raw, locale)

    def _sms_answer_lines(self, question, locale):
        low, high = self.bounds(question)
        low_label, high_label = self.end_labels(question, locale)
        if low_label and high_label:
            return [_("Reply %(min)s-%(max)s (%(min)s = %(low)s, %(max)s = %(high)s)",
                      min=low, max=high, low=low_label, high=high_label)]
        return [_("Reply %(min)s-%(max)s", min=low, max=high)]


class ShortText(QuestionType):
    """A short free answer (settings max_length, default 200); a zip_code demographic must be
    a 5-digit US ZIP code (ZIP+4 is cut to 5)."""

    name = "short_text"
    label = _l("Short text")
    default_max = SHORT_TEXT_MAX

    def max_length(self, question) -> int:
        return int((question.settings or {}).get("max_length") or self.default_max)

    def parse(self, question, raw, locale):
        with force_locale(locale):
            text = _raw_text(raw)
            if (question.settings or {}).get("demographic") == "zip_code":
                match = _ZIP.match(text.replace(" ", ""))
                if not match:
                    return ParseResult(error=_("Please enter a 5-digit ZIP code."))
                return ParseResult(match.group(1), None)
            limit = self.max_length(question)
            if len(text) > limit:
                return ParseResult(error=_(
                    "Please keep your answer under %(max)s characters (it has %(n)s).",
                    max=limit, n=len(text),
                ))
            return ParseResult(text, None)

    def expected_hint(self, question, locale):
        with force_locale(locale):
            if (question.settings or {}).get("demographic") == "zip_code":
                return _("Please enter a 5-digit ZIP code.")
            return _("Answer in your own words (up to %(max)s characters).",
                     max=self.max_length(question))


class LongText(ShortText):
    name = "long_text"
    label = _l("Long text")
    default_max = LONG_TEXT_MAX

    def max_length(self, question):
        return min(super().max_length(question), LONG_TEXT_MAX)


def _unknown(raw, hint: str) -> str:
    return _("“%(answer)s” is not one of the options. %(hint)s", answer=_echo(raw), hint=hint)


#: name -> type instance, in the order the builder offers them.
QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in (SingleChoice(), MultipleChoice(), Scale(), YesNo(), Number(), ShortText(),
              LongText())
}


def get_type(question) -> QuestionType:
    """The registry entry for ``question.type`` (KeyError for an unknown type)."""
    return QUESTION_TYPES[question.type]


def parse_answer(question, raw, locale: str) -> ParseResult:
    """Parse and validate one raw answer (None, a string, or a list of strings) in ``locale``.

    Empty and optional gives ``ParseResult(None, None, None)``; empty and required gives a
    translated "needs an answer" error.
    """
    if _is_empty(raw):
        if question.required:
            with force_locale(locale):
                return ParseResult(error=_("This question needs an answer."))
        return ParseResult()
    return get_type(question).parse(question, raw, locale)


def sms_prompt(question, locale: str) -> str:
    return get_type(question).sms_prompt(question, locale)


def expected_hint(question, locale: str) -> str:
    return get_type(question).expected_hint(question, locale)


__all__ = [
    "DEMOGRAPHICS", "QUESTION_TYPES", "ParseResult", "QuestionType", "expected_hint",
    "get_type", "parse_answer", "sms_prompt", "to_number", "yes_no_word",
]
