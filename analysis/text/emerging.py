"""Candidate new themes: what untagged comments keep talking about.

Why: a codebook only finds what staff already expected. When answers nobody tagged share a
salient term ("streetlights", "xe buyt", "uniformes"), staff should see it as a candidate theme
with real quotes, and decide whether to add it to the codebook.

How: answers are folded (no accents, so "đèn" and "den" count together), stop words of every
enabled language are removed, and each answer contributes its words and two-word phrases. Terms
used by at least `min_count` answers are ranked by summed TF-IDF weight (frequent across answers,
prominent within them). Groups are then taken greedily: the best term claims the answers that
use it, the terms most of those answers share are listed with it, and those answers leave the
pool, so one answer supports one candidate. Ties break alphabetically: the result is
deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .langid import DEFAULT_LANGUAGES
from .normalize import fold, prepare
from .stopwords import STOP_WORDS

__all__ = ["EmergingTheme", "emerging_themes"]

_WORD = re.compile(r"[^\W\d_]{2,}")
#: A term joins a group's label when this share of the group's answers use it.
RELATED_SHARE = 0.6
#: A two-word phrase replaces its word as the label when it covers this share of the group.
PHRASE_SHARE = 0.8
MAX_TERMS = 3
QUOTE_CHARS = 160


@dataclass(frozen=True)
class EmergingTheme:
    """A candidate theme: its folded `terms` (label first), how many answers, which, and quotes."""

    terms: tuple[str, ...]
    count: int
    indices: tuple[int, ...]
    examples: tuple[str, ...]


def _stop_set(stop_words, languages: Sequence[str]) -> frozenset[str]:
    if stop_words is None:
        words: set[str] = set()
        for language in languages:
            words |= STOP_WORDS.get(language, frozenset())
        return frozenset(words)
    if isinstance(stop_words, Mapping):
        stop_words = [w for words in stop_words.values() for w in words]
    return frozenset(fold(w) for w in stop_words)


def _analyzer(stop: frozenset[str]):
    def terms(text: str) -> list[str]:
        words = _WORD.findall(fold(prepare(text)))
        keep = [w not in stop for w in words]
        out = [w for w, k in zip(words, keep, strict=True) if k]
        pairs = zip(words[:-1], words[1:], keep[:-1], keep[1:], strict=True)
        out += [f"{a} {b}" for a, b, ka, kb in pairs if ka and kb]
        return out
    return terms


def _quote(text: str) -> str:
    text = " ".join(prepare(text).split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def emerging_themes(
    texts: Sequence[object],
    top_n: int = 5,
    min_count: int = 3,
    stop_words: Mapping[str, Iterable[str]] | Iterable[str] | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_examples: int = 3,
    language: str | None = None,
) -> list[EmergingTheme]:
    """Up to `top_n` candidate themes shared by at least `min_count` of `texts`.

    `stop_words` replaces the built-in lists (a flat list, or lists by language); by default the
    lists of `languages` are used, or only those of `language` when the caller knows the texts
    are all in one language.
    """
    if top_n < 1 or min_count < 1:
        return []
    if language is not None:
        languages = (language,)
    prepared = [prepare(t) for t in texts]
    if sum(1 for t in prepared if t) < min_count:
        return []
    vectorizer = TfidfVectorizer(analyzer=_analyzer(_stop_set(stop_words, languages)),
                                 min_df=min_count, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(prepared).tocsc()
    except ValueError:  # no term reaches min_count
        return []
    terms = vectorizer.get_feature_names_out()
    salience = np.asarray(matrix.sum(axis=0)).ravel()
    docs_of = [set(matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]].tolist())
               for j in range(len(terms))]
    order = sorted(range(len(terms)), key=lambda j: (-salience[j], terms[j]))
    pool = set(range(len(prepared)))
    found: list[EmergingTheme] = []
    for lead in order:
        group = docs_of[lead] & pool
        if len(group) < min_count:
            continue
        label = [terms[lead]]
        phrases = [j for j in order if " " in terms[j] and terms[lead] in terms[j].split()
                   and len(docs_of[j] & group) >= PHRASE_SHARE * len(group)]
        if " " not in terms[lead] and phrases:
            label = [terms[phrases[0]]]
        for j in order:
            if len(label) >= MAX_TERMS:
                break
            if any(terms[j] in t.split(" ") or t in terms[j].split(" ") or t == terms[j]
                   for t in label):
                continue
            if len(docs_of[j] & group) >= RELATED_SHARE * len(group):
                label.append(terms[j])
        indices = tuple(sorted(group))
        found.append(EmergingTheme(
            terms=tuple(label), count=len(indices), indices=indices,
            examples=tuple(_quote(prepared[i]) for i in indices[:max_examples]),
        ))
        pool -= group
        if len(found) >= top_n:
            break
    return found


@dataclass(frozen=True)
class MeaningCluster:
    """Comments close in meaning, whatever their languages: `labels` per language (the terms
    that language's comments share most), `indices` into the input, unique `quotes`."""

    labels: Mapping[str, tuple[str, ...]]
    count: int
    indices: tuple[int, ...]
    quotes: tuple[str, ...]


def cluster_by_meaning(
    texts: Sequence[object],
    vectors: np.ndarray,
    languages: Sequence[str | None],
    *,
    similar_at: float,
    top_n: int = 5,
    min_count: int = 3,
    max_quotes: int = 3,
) -> list[MeaningCluster]:
    """Up to `top_n` groups of at least `min_count` comments close in meaning (cosine at or
    above `similar_at` to the group's seed), all languages together (docs/analysis.md,
    "Emerging themes"). The seed is the comment with the most close neighbours still free;
    its neighbours join it and leave the pool, so a comment supports one group. Quotes are
    the members closest to the group's centre, one per language first, never the same text
    twice. Deterministic: ties break by position."""
    prepared = [prepare(t) for t in texts]
    n = len(prepared)
    if n < min_count or top_n < 1:
        return []
    vectors = np.asarray(vectors, dtype=np.float32)
    close = (vectors @ vectors.T) >= similar_at
    free = np.array([bool(t) for t in prepared])
    found: list[MeaningCluster] = []
    while len(found) < top_n:
        counts = (close & free[None, :]).sum(axis=1) * free
        seed = int(np.argmax(counts))
        if counts[seed] < min_count:
            break
        members = np.nonzero(close[seed] & free)[0]
        free[members] = False
        centre = vectors[members].mean(axis=0)
        by_closeness = members[np.argsort(-(vectors[members] @ centre), kind="stable")]
        quotes: list[str] = []
        seen_text: set[str] = set()
        seen_lang: set[str | None] = set()
        for first_pass in (True, False):
            for i in by_closeness:
                key = fold(prepared[i]).lower()
                if len(quotes) >= max_quotes or key in seen_text:
                    continue
                if first_pass and languages[i] in seen_lang:
                    continue
                quotes.append(_quote(prepared[i]))
                seen_text.add(key)
                seen_lang.add(languages[i])
        labels: dict[str, tuple[str, ...]] = {}
        for language in sorted({languages[i] for i in members if languages[i]}):
            own = [prepared[i] for i in members if languages[i] == language]
            labels[language] = _top_terms(own, language)
        found.append(MeaningCluster(labels, len(members), tuple(int(i) for i in sorted(members)),
                                    tuple(quotes)))
    return found


def _top_terms(texts: Sequence[str], language: str, k: int = 3) -> tuple[str, ...]:
    """The `k` words (stop words of `language` removed) most of `texts` use, most shared first."""
    stop = _stop_set(None, (language,))
    counts: dict[str, int] = {}
    for text in texts:
        for word in set(_WORD.findall(fold(text))):
            if word not in stop:
                counts[word] = counts.get(word, 0) + 1
    return tuple(w for w, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:k])
