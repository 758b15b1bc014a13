"""The question-type registry: how each type parses, validates and prompts, in each language.

The web form, the SMS conversation engine and the intake path all call :func:`parse_answer`,
so "2", "dos", "hai", a label in any enabled language or a choice code mean the same thing on
every channel. Each type is a class in :data:`QUESTION_TYPES` with ``parse``, ``sms_prompt``
and ``expected_hint``; errors come back translated in the respondent's locale.
"""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.choice_types import MultipleChoice, SingleChoice, YesNo, yes_no_word
from surveys.texts import localized, normalize
from surveys.type_base import ParseResult, QuestionType, is_empty, plain, raw_text, to_number

#: The values settings["demographic"] may take (feedback.responses.intake copies them to the
#: respondent).
DEMOGRAPHICS = ("age_group", "race_ethnicity", "gender", "neighbourhood", "zip_code", "role")
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")


class Number(QuestionType):
    """A number within settings min/max; whole numbers unless settings["decimals"]."""

    name = "number"
    label = _l("Number")

    def bounds(self, question) -> tuple[float | None, float | None]:
        settings = question.settings or {}
        return settings.get("min"), settings.get("max")

    def parse(self, question, raw, locale):
        with force_locale(locale):
            value = to_number(raw_text(raw))
            low, high = self.bounds(question)
            if value is None:
                return ParseResult(error=self.expected_hint(question, locale))
            if not value.is_integer() and not (question.settings or {}).get("decimals"):
                return ParseResult(error=_("Please answer with a whole number."))
            if (low is not None and value < low) or (high is not None and value > high):
                return ParseResult(error=self.expected_hint(question, locale))
            return ParseResult(plain(value), float(value))

    def expected_hint(self, question, locale):
        low, high = self.bounds(question)
        with force_locale(locale):
            if low is not None and high is not None:
                return _("Answer with a number from %(min)s to %(max)s.",
                         min=plain(low), max=plain(high))
            if low is not None:
                return _("Answer with a number of at least %(min)s.", min=plain(low))
            if high is not None:
                return _("Answer with a number no larger than %(max)s.", max=plain(high))
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
        norm = normalize(raw_text(raw))
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
            text = raw_text(raw)
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
    if is_empty(raw):
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
