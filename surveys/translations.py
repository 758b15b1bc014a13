"""What still needs writing before a version can be published in every enabled language."""

from __future__ import annotations

from flask_babel import gettext as _

from feedback.core.languages import LANGUAGE_NAMES, language_name
from feedback.core.numbers import small_int
from surveys.models import SurveyVersion
from surveys.texts import localized
from surveys.types import QUESTION_TYPES

__all__ = ["LANGUAGE_NAMES", "missing_translations"]


def _lang(locale: str) -> str:
    """A language's name in itself, for messages to staff (never translated)."""
    return language_name(locale)


def _check(texts: dict | None, locales, required: bool, what: str, problems: list[str]) -> None:
    """Report ``what`` per locale: always when ``required``, else only if some locale has it."""
    texts = texts or {}
    if not required and not any(v for v in texts.values()):
        return
    for locale in locales:
        if not (texts.get(locale) or "").strip():
            problems.append(_("%(what)s: missing in %(language)s", what=what,
                              language=_lang(locale)))


def _ambiguous_code(code: str, position: int, count: int) -> bool:
    """A digit code that names another choice's place: "1" by SMS would mean two choices."""
    number = small_int(code, digits=4)
    return number is not None and number != position and 1 <= number <= count


def missing_translations(version: SurveyVersion, locales: list[str]) -> list[str]:
    """A readable list of every text missing in ``locales``, plus structural problems that stop
    publishing (no questions, a choice question with fewer than two choices)."""
    problems: list[str] = []
    _check(version.title, locales, True, _("Title"), problems)
    _check(version.intro, locales, False, _("Introduction"), problems)
    _check(version.thanks, locales, False, _("Thank-you message"), problems)
    if not version.questions:
        problems.append(_("The survey has no questions."))
    for number, question in enumerate(version.questions, 1):
        name = _("Question %(n)s “%(text)s”", n=number,
                 text=localized(question.text, locales[0] if locales else None) or question.key)
        _check(question.text, locales, True, name, problems)
        _check(question.help, locales, False, _("%(q)s, help text", q=name), problems)
        settings = question.settings or {}
        for end, label in (("low", _("low end label")), ("high", _("high end label"))):
            _check(settings.get(end), locales, False, _("%(q)s, %(what)s", q=name, what=label),
                   problems)
        qtype = QUESTION_TYPES.get(question.type)
        if qtype and qtype.has_choices and question.type != "yes_no" and (
            len(question.choices) < 2
        ):
            problems.append(_("%(q)s needs at least two choices.", q=name))
        for position, choice in enumerate(question.choices, 1):
            _check(choice.label, locales, True,
                   _("%(q)s, choice “%(code)s”", q=name, code=choice.code), problems)
            if _ambiguous_code(choice.code, position, len(question.choices)):
                problems.append(_(
                    "%(q)s, choice “%(code)s”: a number code must equal the choice's place in "
                    "the list (SMS replies use places); use a word code instead.",
                    q=name, code=choice.code))
    return problems
