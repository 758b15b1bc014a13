"""Tagging answers with codebook themes by keyword, with the matched words as evidence.

Why regexes and not a model: staff must be able to see and change why an answer got a theme.
A codebook is compiled once into one regex per theme (cached per codebook).

Accents are optional on both sides: "autobus" matches the keyword "autobús", "truong hoc" matches
"trường học", and a keyword typed without accents ("xe buyt") matches accented answers. What does
not match is a letter whose accent contradicts the keyword: otherwise Vietnamese "trên" (on)
would be Spanish "tren" (train) and "đi chỗ" (go somewhere) would be "đi chợ" (go shopping).
An unaccented English or Spanish keyword letter accepts only Spanish accents (á é í ó ú ü ñ); an
unaccented letter of a keyword in another language (Vietnamese) accepts any accent.

English and Spanish keywords also match their plurals (s/es, y→ies, z→ces); Vietnamese has no
inflection. A trailing `*` makes a prefix keyword.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .codebook import Codebook
from .normalize import fold, prepare

__all__ = ["ThemeMatch", "compile_codebook", "keyword_pattern", "match_themes",
           "match_themes_many"]

#: Languages whose keywords get plural endings and whose plain letters take Spanish accents only.
LATIN_LANGUAGES = frozenset({"en", "es"})
_SPANISH_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "úü", "n": "ñ"}
_VOWELS = "aeiou"


def _any_accent_table() -> dict[str, str]:
    """Base letter → every lower-case Latin letter that folds to it ("d" → "đ", "a" → "àá…")."""
    table: dict[str, set[str]] = {}
    for block in (range(0x00C0, 0x0250), range(0x1E00, 0x1F00)):
        for cp in block:
            ch = chr(cp)
            base = fold(ch)
            if ch == ch.lower() and base != ch and len(base) == 1 and base.isascii():
                table.setdefault(base, set()).add(ch)
    return {base: "".join(sorted(chars)) for base, chars in table.items()}


_ANY_ACCENT = _any_accent_table()


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    """A theme found in an answer and the words that matched, as they appear in the answer."""

    key: str
    evidence: tuple[str, ...]


def _letters(text: str, latin: bool) -> str:
    """Regex for keyword letters: an accented letter or its bare form; a bare letter or its
    accented forms (Spanish ones only when `latin`)."""
    out = []
    for c in text:
        base = fold(c)
        if base != c and len(base) == 1:
            out.append(f"[{re.escape(c)}{re.escape(base)}]")
            continue
        accented = _SPANISH_ACCENTS.get(c, "") if latin else _ANY_ACCENT.get(c, "")
        out.append(f"[{c}{accented}]" if accented else re.escape(c))
    return "".join(out)


def _word_pattern(word: str, latin: bool) -> str:
    """Regex for one lower-case keyword word, with plural endings for English and Spanish."""
    bare = fold(word)
    if not latin or not bare.isalpha() or len(bare) < 2:
        return _letters(word, latin)
    if bare.endswith("y") and bare[-2] not in _VOWELS:
        return _letters(word[:-1], latin) + "(?:y|ies)"
    if bare.endswith("z"):
        return _letters(word[:-1], latin) + "(?:z|ces)"
    if bare.endswith(("s", "x", "ch", "sh")):
        return _letters(word, latin) + "(?:es)?"
    return _letters(word, latin) + "(?:e?s)?"


def keyword_pattern(keyword: str, language: str) -> str | None:
    """Regex body for one keyword of `language` (None if it has no words)."""
    prefix = keyword.rstrip().endswith("*")
    words = [w for w in re.split(r"[\s\-]+", prepare(keyword.rstrip("* ")).lower()) if w]
    if not words:
        return None
    latin = language in LATIN_LANGUAGES
    parts = [_word_pattern(w, latin) for w in words[:-1]]
    last = _letters(words[-1], latin) + r"\w*" if prefix else _word_pattern(words[-1], latin)
    return r"(?<!\w)" + r"[\s\-]+".join([*parts, last]) + r"(?!\w)"


def _alternation(pairs: list[tuple[str, str]]) -> re.Pattern[str] | None:
    """One regex for (language, keyword) pairs, longest keywords tried first."""
    patterns: dict[str, int] = {}
    for language, keyword in pairs:
        pattern = keyword_pattern(keyword, language)
        if pattern:
            patterns.setdefault(pattern, len(keyword))
    if not patterns:
        return None
    return re.compile("|".join(sorted(patterns, key=lambda p: (-patterns[p], p))))


@lru_cache(maxsize=32)
def compile_codebook(codebook: Codebook):
    """Per theme with keywords: (key, keyword regex, exclusion regex or None)."""
    compiled = []
    for theme in codebook.themes:
        regex = _alternation(theme.all_keywords())
        if regex is not None:
            compiled.append((theme.key, regex, _alternation(theme.all_exclusions())))
    return tuple(compiled)


def _lower_aligned(text: str) -> str:
    """Lower case with one character per character, so match positions fit the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _match(original: str, compiled) -> tuple[ThemeMatch, ...]:
    lowered = _lower_aligned(original)
    found = []
    for key, regex, exclusion in compiled:
        matches = regex.finditer(lowered)
        if exclusion is not None:
            spans = [m.span() for m in exclusion.finditer(lowered)]
            matches = [m for m in matches
                       if not any(s <= m.start() and m.end() <= e for s, e in spans)]
        evidence: dict[str, str] = {}
        for m in matches:
            evidence.setdefault(fold(m.group(0)), original[m.start() : m.end()])
        if evidence:
            found.append(ThemeMatch(key, tuple(evidence.values())))
    return tuple(found)


def match_themes(text: object, codebook: Codebook) -> tuple[ThemeMatch, ...]:
    """Themes of `codebook` found in `text`, in codebook order."""
    return match_themes_many([text], codebook)[0]


def match_themes_many(texts: Sequence[object], codebook: Codebook) -> list[tuple[ThemeMatch, ...]]:
    """`match_themes` for many texts, compiling the codebook once."""
    compiled = compile_codebook(codebook)
    results = []
    for text in texts:
        original = prepare(text)
        results.append(_match(original, compiled) if original else ())
    return results
