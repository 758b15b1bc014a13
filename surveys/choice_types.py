"""Choice question types: single choice, multiple choice and yes/no.

A choice is named by its number (1-based position), its code, or its label in any language,
ignoring case, accents and punctuation; yes/no also understands "sí", "có", "ko" and friends.
"""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.core.numbers import small_int
from surveys.texts import localized, normalize
from surveys.type_base import ParseResult, QuestionType, raw_text, unknown
from surveys.words import vocabulary


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
        if (number := small_int(norm, digits=4)) is not None:  # "3", "٣"; not "፩"
            position = number
        elif norm in (numbers := vocabulary().number_words) and norm not in by_code:
            position = numbers[norm]
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
                return ParseResult(error=unknown(raw, self.expected_hint(question, locale)))
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
                    return ParseResult(error=unknown(piece, self.expected_hint(question, locale)))
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
                if word in vocabulary().list_joiners:
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
    words_of = vocabulary()
    if norm in words_of.yes_phrases:
        return "yes"
    if norm in words_of.no_phrases or norm in words_of.no_only_in(locale):
        return "no"
    words = norm.split()
    meaningful = [w for w in words if w not in words_of.filler_words]
    if meaningful and all(w in words_of.yes_words for w in meaningful):
        return "yes"
    if meaningful and all(w in words_of.no_words for w in meaningful):
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
            text = raw_text(raw)
            norm = normalize(text)
            code = yes_no_word(norm, locale)
            if code is None:
                if norm in ("1", "2"):
                    code = "yes" if norm == "1" else "no"
                elif question.choices:
                    choice = self.match(question, text, locale, isinstance(raw, (list, tuple)))
                    code = choice.code if choice is not None else None
            if code not in ("yes", "no"):
                return ParseResult(error=unknown(raw, self.expected_hint(question, locale)))
            return ParseResult(code, 1.0 if code == "yes" else 0.0)

    def expected_hint(self, question, locale):
        with force_locale(locale):
            return _("Answer 1 for yes or 2 for no.")


