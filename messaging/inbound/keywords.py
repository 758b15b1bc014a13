"""SMS keywords: opt-out, opt-in, help and language switches, in every language.

The words come from each language's data file (``translations/<code>/language.toml``, read by
feedback.core.languages): Somali's "JOOJI" stops a contact once ``so/language.toml`` lists it.
Functions over strings (no request, no database) so the rules are easy to test. A keyword
only counts when it is the WHOLE message (one word, or a fixed two-word phrase such as
"tieng viet"), in any case, with accents and surrounding spaces or punctuation ignored:
"Stop!" and " stop " opt out, "stop please" is an answer (docs/reliability.md, opt-out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feedback.core.languages import registry
from surveys.texts import normalize

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
LANGUAGE = "language"


def _accented(body: str | None) -> str:
    """Lower case and trimmed of punctuation, but with its accents kept."""
    return " ".join(re.sub(r"[^\w\s]", " ", (body or "").casefold()).split())


@dataclass(frozen=True)
class Keyword:
    """A recognised keyword: what it does and its language (or the language switched to)."""

    kind: str
    locale: str


def match_keyword(body: str | None, *, opted_out: bool = False) -> Keyword | None:
    """The keyword this whole message is, or None if it is an ordinary text (an answer).

    ``opted_out`` says whether the sender is on the suppression list: only then do YES and
    SÍ opt back in (for everyone else they answer a yes/no question).

    >>> match_keyword(" Stop! ").kind
    'opt_out'
    >>> match_keyword("stop please") is None
    True
    """
    text = normalize(body)
    words = registry()
    if not text or _accented(body) in words.not_keywords:
        return None
    if text in words.opt_out_words:
        return Keyword(OPT_OUT, words.opt_out_words[text])
    if text in words.opt_in_words and (opted_out or text not in words.ambiguous_opt_in):
        return Keyword(OPT_IN, words.opt_in_words[text])
    if text in words.help_words:
        return Keyword(HELP, words.help_words[text])
    if text in words.switch_words:
        return Keyword(LANGUAGE, words.switch_words[text])
    return None


def matches_survey_keyword(body: str | None, keyword: str | None) -> bool:
    """True when the whole message is the survey's keyword ("pulse", "PULSE!", " Pulse ")."""
    if not keyword:
        return False
    return normalize(body) == normalize(keyword)


def survey_keyword_key(body: str | None) -> str | None:
    """The form a message takes when looked up as a survey keyword (upper case, no accents),
    or None when it cannot be one: answers like "3" or a long sentence never need the look-up.
    """
    key = normalize(body).upper()
    return None if not key or key.isdigit() or len(key) > 30 else key


def language_choice(body: str | None, locales: list[str]) -> str | None:
    """The language picked in answer to the language menu: "2", "es", "español", "tiếng việt"
    (the switch and menu words of each language's data file).

    ``locales`` is the menu's order (ENABLED_LOCALES), so "1" is the first one.
    """
    text = normalize(body)
    if not text:
        return None
    if text.isdigit():
        index = int(text) - 1
        return locales[index] if 0 <= index < len(locales) else None
    if text in locales:
        return text
    locale = registry().menu_words.get(text)
    return locale if locale in locales else None
