"""Survey definitions as plain data: validation, building rows from dicts, JSON export/import.

One dict shape serves the JSON export, the import, duplication, the copy made when an open
survey is edited, and the demo seeder, so all of them validate the same way::

    {"format": "coalition-feedback/survey", "format_version": 1,
     "slug": "youth-voice", "sms_keyword": null,
     "title": {"en": ...}, "intro": {...}, "thanks": {...},
     "questions": [{"key": "safe", "type": "scale", "required": true,
                    "text": {...}, "help": {...}, "settings": {...},
                    "ask_if_key": null, "ask_if_values": null,
                    "choices": [{"code": "yes", "label": {...}, "exclusive": false}]}]}
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from surveys.models import Choice, Question, SurveyVersion
from surveys.types import DEMOGRAPHICS, QUESTION_TYPES

FORMAT = "coalition-feedback/survey"
FORMAT_VERSION = 1
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
KEYWORD_RE = re.compile(r"^[A-Z0-9]{2,30}$")
#: SMS words the messaging engine keeps for itself (opt-out, help, language switch).
RESERVED_KEYWORDS = {
    "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "START",
    "YES", "NO", "UNSTOP", "HELP", "INFO", "PARAR", "ALTO", "BAJA", "AYUDA", "DUNG", "NGUNG",
    "HUY", "GIUP", "EN", "ES", "VI", "ENGLISH", "ESPANOL", "SPANISH", "VIETNAMESE", "TIENGVIET",
}


class DefinitionError(ValueError):
    """A survey definition that cannot be stored; ``problems`` lists each reason (translated)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _texts(value: Any, where: str, problems: list[str]) -> dict:
    """A per-locale text mapping {"en": "..."}; anything else is reported."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.append(_("%(where)s must map language codes to texts.", where=where))
        return {}
    return {k: v.strip() for k, v in value.items() if v.strip()}


def check_settings(qtype: str, settings: dict, where: str) -> list[str]:
    """Problems with a question's type-specific settings."""
    problems = []
    demographic = settings.get("demographic")
    if demographic is not None and demographic not in DEMOGRAPHICS:
        problems.append(_("%(where)s: unknown demographic “%(name)s”.", where=where,
                          name=demographic))
    if demographic == "zip_code" and qtype not in ("short_text", "long_text"):
        problems.append(_("%(where)s: a ZIP code is asked as a text question.", where=where))
    for name in ("min", "max", "max_length", "max_choices"):
        value = settings.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(_("%(where)s: %(name)s must be a number.", where=where, name=name))
            return problems
    low, high = settings.get("min"), settings.get("max")
    if qtype == "scale":
        low, high = settings.get("min", 1), settings.get("max", 5)
        if int(low) != low or int(high) != high or not 0 <= low < high <= 10:
            problems.append(_("%(where)s: a scale runs between whole numbers from 0 to 10.",
                              where=where))
    elif low is not None and high is not None and low > high:
        problems.append(_("%(where)s: the minimum is larger than the maximum.", where=where))
    return problems


def question_from_dict(data: Any, position: int, earlier_keys: list[str],
                       problems: list[str]) -> Question | None:
    """A new (unsaved) Question with its choices, or None after adding to ``problems``."""
    where = _("Question %(n)s", n=position)
    if not isinstance(data, dict):
        problems.append(_("%(where)s is not an object.", where=where))
        return None
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(_("%(where)s: the key must be lower-case letters, digits or _ and start "
                          "with a letter.", where=where))
        return None
    where = _("Question %(n)s “%(key)s”", n=position, key=key)
    if key in earlier_keys:
        problems.append(_("%(where)s: the key is used twice.", where=where))
    qtype = data.get("type")
    if qtype not in QUESTION_TYPES:
        problems.append(_("%(where)s: unknown type “%(type)s”.", where=where, type=qtype))
        return None
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append(_("%(where)s: settings must be an object.", where=where))
        settings = {}
    problems.extend(check_settings(qtype, settings, where))
    for end in ("low", "high"):
        if end in settings:
            settings[end] = _texts(settings[end], where, problems)
    ask_if_key = data.get("ask_if_key") or None
    ask_if_values = data.get("ask_if_values")
    if ask_if_key is not None and ask_if_key not in earlier_keys:
        problems.append(_("%(where)s: it can only depend on an earlier question.", where=where))
    if ask_if_values is not None and (
        not isinstance(ask_if_values, list)
        or not all(isinstance(v, (str, int, float)) for v in ask_if_values)
    ):
        problems.append(_("%(where)s: ask_if_values must be a list.", where=where))
        ask_if_values = None
    question = Question(
        key=key, type=qtype, position=position, required=bool(data.get("required", False)),
        text=_texts(data.get("text"), where, problems),
        help=_texts(data.get("help"), where, problems), settings=settings,
        ask_if_key=ask_if_key, ask_if_values=ask_if_values or None,
    )
    raw_choices = data.get("choices") or []
    if not isinstance(raw_choices, list):
        problems.append(_("%(where)s: choices must be a list.", where=where))
        raw_choices = []
    codes = set()
    for index, item in enumerate(raw_choices, 1):
        code = item.get("code") if isinstance(item, dict) else None
        code = str(code) if isinstance(code, (int, float)) else code
        if not isinstance(code, str) or not CODE_RE.match(code) or code in codes:
            problems.append(_("%(where)s: choice %(n)s needs a unique code (letters, digits, "
                              "_ . -).", where=where, n=index))
            continue
        codes.add(code)
        question.choices.append(Choice(
            code=code, position=index, label=_texts(item.get("label"), where, problems),
            exclusive=bool(item.get("exclusive", False)),
        ))
    problems.extend(check_bank_question(key, qtype, settings.get("demographic"), codes, where))
    return question


def check_bank_question(key: str, qtype: str, demographic: str | None, codes,
                        where: str) -> list[str]:
    """A demographic question of the shared bank (surveys.demographics.BANK) keeps the bank's
    type and codes, and a question keyed like a bank question is that demographic, so figures
    from different surveys add up; a neighbourhood list is the survey's own."""
    from surveys import demographics

    if demographic not in demographics.BANK:
        if key in demographics.BANK:
            return [_("%(where)s: the key “%(key)s” belongs to the shared demographic "
                      "question; mark it as that demographic, or choose another key.",
                      where=where, key=key)]
        return []
    problems = []
    shared = demographics.bank_question(demographic)
    if qtype != shared["type"]:
        problems.append(_("%(where)s: the shared %(name)s question is of the type “%(type)s”; "
                          "its type cannot change.", where=where, name=demographic,
                          type=QUESTION_TYPES[shared["type"]].label))
    allowed = demographics.bank_codes(demographic)
    return problems + [
        _("%(where)s: “%(code)s” is not a code of the shared %(name)s question (use one "
          "of: %(codes)s).", where=where, code=code, name=demographic,
          codes=", ".join(sorted(allowed)))
        for code in sorted(set(codes) - allowed)]


def fill_version(version: SurveyVersion, data: dict) -> list[str]:
    """Set a version's texts and questions from ``data``; returns the problems found."""
    problems: list[str] = []
    version.title = _texts(data.get("title"), _("Title"), problems)
    version.intro = _texts(data.get("intro"), _("Introduction"), problems)
    version.thanks = _texts(data.get("thanks"), _("Thank-you message"), problems)
    questions = data.get("questions") or []
    if not isinstance(questions, list):
        return problems + [_("“questions” must be a list.")]
    keys: list[str] = []
    for position, item in enumerate(questions, 1):
        question = question_from_dict(item, position, keys, problems)
        if question is not None:
            keys.append(question.key)
            version.questions.append(question)
    return problems


def question_to_dict(question: Question) -> dict:
    return {
        "key": question.key,
        "type": question.type,
        "required": bool(question.required),
        "text": dict(question.text or {}),
        "help": dict(question.help or {}),
        "settings": dict(question.settings or {}),
        "ask_if_key": question.ask_if_key,
        "ask_if_values": list(question.ask_if_values) if question.ask_if_values else None,
        "choices": [
            {"code": c.code, "label": dict(c.label or {}), "exclusive": bool(c.exclusive)}
            for c in question.choices
        ],
    }


def version_to_dict(version: SurveyVersion) -> dict:
    """A version's content as plain data (the export format, without survey identity)."""
    return {
        "title": dict(version.title or {}),
        "intro": dict(version.intro or {}),
        "thanks": dict(version.thanks or {}),
        "questions": [question_to_dict(q) for q in version.questions],
    }


def check_identity(slug: Any, sms_keyword: Any) -> list[str]:
    """Problems with a slug and SMS keyword (format only; uniqueness is checked on write)."""
    problems = []
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        problems.append(_("The link name must be 2-80 lower-case letters, digits or dashes."))
    if sms_keyword:
        if not isinstance(sms_keyword, str) or not KEYWORD_RE.match(sms_keyword.upper()):
            problems.append(_("The SMS keyword must be 2-30 letters or digits, no spaces."))
        elif sms_keyword.upper() in RESERVED_KEYWORDS:
            problems.append(_("“%(word)s” is reserved for opt-out, help or language replies.",
                              word=sms_keyword.upper()))
    return problems
