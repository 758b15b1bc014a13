"""SMS keywords: opt-out, opt-in, help and language switches, in English, Spanish, Vietnamese.

Pure functions over strings (no Flask, no database) so the rules are easy to test. A keyword
only counts when it is the WHOLE message (one word, or a fixed two-word phrase such as
"tieng viet"), in any case, with accents and surrounding spaces or punctuation ignored:
"Stop!" and " stop " opt out, "stop please" is an answer (docs/reliability.md, opt-out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from surveys.texts import normalize

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
LANGUAGE = "language"

#: Normalised keyword -> the language it is written in (used to answer in that language when
#: the contact has none yet). Carrier-standard English words first (Twilio's list).
OPT_OUT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"), "en"
    ),
    **dict.fromkeys(("parar", "alto", "detener", "cancelar", "baja"), "es"),
    # dừng, ngừng, hủy (accents folded by normalize)
    **dict.fromkeys(("dung", "ngung", "huy"), "vi"),
}
#: "yes" only opts in a contact who has opted out; otherwise it is an answer.
OPT_IN_WORDS: dict[str, str] = {
    **dict.fromkeys(("start", "unstop", "yes"), "en"),
    **dict.fromkeys(("comenzar", "iniciar", "si"), "es"),
    # bắt đầu
    **dict.fromkeys(("bat dau", "batdau"), "vi"),
}
#: Opt-in words that are also ordinary answers; they opt in only an opted-out contact.
AMBIGUOUS_OPT_IN = frozenset({"yes", "si"})
HELP_WORDS: dict[str, str] = {
    **dict.fromkeys(("help", "info"), "en"),
    **dict.fromkeys(("ayuda",), "es"),
    # giúp, giúp đỡ, trợ giúp
    **dict.fromkeys(("giup", "giup do", "tro giup"), "vi"),
}
#: Language switches: the word names the language it switches to.
LANGUAGE_WORDS: dict[str, str] = {
    **dict.fromkeys(("english", "ingles", "tieng anh"), "en"),
    **dict.fromkeys(("espanol", "spanish", "tieng tay ban nha"), "es"),
    **dict.fromkeys(("tieng viet", "tiengviet", "vietnamese", "vietnamita"), "vi"),
}


#: Accented spellings that fold onto a keyword but mean something else: "đúng" (right, yes)
#: folds to "dung" like "dừng" (stop). Unaccented "dung" stays an opt-out, as carriers expect.
NOT_KEYWORDS = frozenset({"đúng", "đúng rồi"})


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
    if not text or _accented(body) in NOT_KEYWORDS:
        return None
    if text in OPT_OUT_WORDS:
        return Keyword(OPT_OUT, OPT_OUT_WORDS[text])
    if text in OPT_IN_WORDS and (opted_out or text not in AMBIGUOUS_OPT_IN):
        return Keyword(OPT_IN, OPT_IN_WORDS[text])
    if text in HELP_WORDS:
        return Keyword(HELP, HELP_WORDS[text])
    if text in LANGUAGE_WORDS:
        return Keyword(LANGUAGE, LANGUAGE_WORDS[text])
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
    """The language picked in answer to the language menu: "2", "es", "español", "tiếng việt".

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
    locale = LANGUAGE_WORDS.get(text)
    if locale in locales:
        return locale
    # Native names that are not switch words on their own ("viet", "tieng").
    aliases = {"viet": "vi", "vn": "vi", "en": "en", "eng": "en", "esp": "es"}
    locale = aliases.get(text)
    return locale if locale in locales else None
