"""Tagging answers with codebook themes by keyword, with the matched words as evidence.

Why keywords and not a model: staff must be able to see and change why an answer got a theme.

Accents are optional on both sides: "autobus" matches the keyword "autobús", "truong hoc" matches
"trường học", and a keyword typed without accents ("xe buyt") matches accented answers. What does
not match is a letter whose accent contradicts the keyword: otherwise Vietnamese "trên" (on)
would be Spanish "tren" (train) and "đi chỗ" (go somewhere) would be "đi chợ" (go shopping).
An unaccented English or Spanish keyword letter accepts only Spanish accents (á é í ó ú ü ñ); an
unaccented letter of a keyword in another language (Vietnamese) accepts any accent.

English and Spanish keywords also match their plurals (s/es, y→ies, z→ces); Vietnamese has no
inflection. A trailing `*` makes the last word a prefix. Words of a phrase may be separated by
spaces or hyphens, not by punctuation.

How, and why not one regex per theme: alternations of a few hundred accent-tolerant keywords are
tried at every character and cost several times TextBlob. Instead the codebook is compiled once
(cached per codebook) into a dict from each accepted first word to its keywords; an answer is
split into folded words once and each word costs one dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .codebook import Codebook
from .normalize import fold, prepare

__all__ = ["ThemeMatch", "compile_codebook", "match_themes", "match_themes_many"]

#: Languages whose keywords get plural endings and whose plain letters take Spanish accents only.
LATIN_LANGUAGES = frozenset({"en", "es"})
_SPANISH_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "úü", "n": "ñ"}
_VOWELS = "aeiou"
_WORD = re.compile(r"\w+")
_JOINERS = frozenset(" \t\n\r-")
_BUCKET = 3  # one-word prefixes are looked up by their first three letters


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    """A theme found in an answer and the words that matched, as they appear in the answer."""

    key: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Keyword:
    theme: int  # index in _Compiled.keys
    exclusion: bool
    forms: tuple[frozenset[str], ...]  # accepted folded forms per word (last one unused if prefix)
    prefix: str | None  # folded prefix of the last word for "word*" keywords
    words: tuple[str, ...]  # lower-case keyword words with their accents, for the accent check
    latin: bool


@dataclass(frozen=True)
class _Compiled:
    keys: tuple[str, ...]
    by_first: dict[str, tuple[_Keyword, ...]]  # accepted first word → keywords, longest first
    prefixes: dict[str, tuple[tuple[str, _Keyword], ...]]  # 3 first letters → one-word prefixes
    short_prefixes: tuple[tuple[str, _Keyword], ...]  # one-word prefixes under 3 letters


def _forms(word: str, inflect: bool) -> frozenset[str]:
    """Folded spellings one keyword word accepts: itself and, when `inflect`, its plurals."""
    if not inflect or not word.isalpha() or len(word) < 2:
        return frozenset({word})
    if word.endswith("y") and word[-2] not in _VOWELS:
        return frozenset({word, word[:-1] + "ies"})
    if word.endswith("z"):
        return frozenset({word, word[:-1] + "ces"})
    if word.endswith(("s", "x", "ch", "sh")):
        return frozenset({word, word + "es"})
    return frozenset({word, word + "s", word + "es"})


def _keyword(keyword: str, language: str, theme: int, exclusion: bool) -> _Keyword | None:
    prefix = keyword.rstrip().endswith("*")
    words = tuple(_WORD.findall(prepare(keyword.rstrip("* ")).lower()))
    if not words:
        return None
    latin = language in LATIN_LANGUAGES
    folded = [fold(w) for w in words]
    return _Keyword(theme, exclusion, tuple(_forms(w, latin) for w in folded),
                    folded[-1] if prefix else None, words, latin)


@lru_cache(maxsize=32)
def compile_codebook(codebook: Codebook) -> _Compiled:
    """Index the keywords and exclusions of `codebook` by their first word."""
    by_first: dict[str, list[_Keyword]] = {}
    prefixes: dict[str, list[tuple[str, _Keyword]]] = {}
    for index, theme in enumerate(codebook.themes):
        entries = [(kw, False) for kw in theme.all_keywords()]
        entries += [(kw, True) for kw in theme.all_exclusions()]
        for (language, text), exclusion in entries:
            kw = _keyword(text, language, index, exclusion)
            if kw is None:
                continue
            if kw.prefix is not None and len(kw.words) == 1:
                prefixes.setdefault(kw.prefix[:_BUCKET], []).append((kw.prefix, kw))
            else:
                for form in kw.forms[0]:
                    by_first.setdefault(form, []).append(kw)
    longest = lambda kw: -len(kw.words)  # noqa: E731 - a phrase wins over its first word
    return _Compiled(
        keys=tuple(t.key for t in codebook.themes),
        by_first={w: tuple(sorted(kws, key=longest)) for w, kws in by_first.items()},
        prefixes={c: tuple(items) for c, items in prefixes.items() if len(c) == _BUCKET},
        short_prefixes=tuple(item for c, items in prefixes.items() if len(c) < _BUCKET
                             for item in items),
    )


def _accents_agree(typed: str, keyword: str, latin: bool) -> bool:
    """False when a typed accent contradicts the keyword (see the module docstring)."""
    if typed.isascii() or typed == keyword:
        return True
    for t, k in zip(typed, keyword, strict=False):
        base = fold(t)
        if t == base or base != fold(k):
            continue  # typed without accent, or past the stem (luz/luces)
        if k != fold(k):
            if t != k:
                return False
        elif latin and t not in _SPANISH_ACCENTS.get(base, ""):
            return False
    return True


def _span(kw: _Keyword, tokens, i: int, lowered: str) -> tuple[int, int] | None:
    """Character span of `kw` starting at token `i`, or None if it does not match there."""
    n = len(kw.words)
    if i + n > len(tokens):
        return None
    for j in range(n):
        word, start, end = tokens[i + j]
        if j == n - 1 and kw.prefix is not None:
            if not word.startswith(kw.prefix):
                return None
        elif j and word not in kw.forms[j]:
            return None
        if j and not _JOINERS.issuperset(lowered[tokens[i + j - 1][2] : start]):
            return None
        if not _accents_agree(lowered[start:end], kw.words[j], kw.latin):
            return None
    return tokens[i][1], tokens[i + n - 1][2]


def _match(original: str, compiled: _Compiled) -> tuple[ThemeMatch, ...]:
    lowered = original.lower()
    if len(lowered) != len(original):  # a few letters lower-case to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in original)
    folded = fold(lowered)
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    found: dict[int, list[tuple[int, int]]] = {}
    excluded: dict[int, list[tuple[int, int]]] = {}
    last_end: dict[int, int] = {}
    for i, (word, start, _) in enumerate(tokens):
        candidates = compiled.by_first.get(word, ())
        one_word = compiled.prefixes.get(word[:_BUCKET], ()) + compiled.short_prefixes
        if one_word:
            candidates += tuple(kw for p, kw in one_word if word.startswith(p))
        for kw in candidates:
            if not kw.exclusion and last_end.get(kw.theme, -1) > start:
                continue  # this theme already matched a longer phrase here
            span = _span(kw, tokens, i, lowered)
            if span is None:
                continue
            if kw.exclusion:
                excluded.setdefault(kw.theme, []).append(span)
            else:
                found.setdefault(kw.theme, []).append(span)
                last_end[kw.theme] = span[1]
    results = []
    for theme in sorted(found):
        evidence: dict[str, str] = {}
        for s, e in found[theme]:
            if not any(xs <= s and e <= xe for xs, xe in excluded.get(theme, ())):
                evidence.setdefault(folded[s:e], original[s:e])
        if evidence:
            results.append(ThemeMatch(compiled.keys[theme], tuple(evidence.values())))
    return tuple(results)


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
