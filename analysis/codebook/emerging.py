"""Emerging themes: what people write about that the codebook does not cover yet.

Why: a codebook written in January misses what families start to talk about in March. This
module takes the comments of a period that carry no theme, asks the pure ``emerging_themes``
for recurring terms, and shows staff candidate themes with a few example quotes; one click
turns a candidate into a theme (its terms become the keywords of the comments' language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from analysis.codebook import operations as codebook_store
from analysis.disclosure.gate import policy_for
from analysis.models import AnswerTag, AnswerTheme, Theme
from feedback.core.extensions import db
from feedback.responses.models import Answer, Response

#: Comments read per run (newest first): enough for a period, bounded for the web request.
MAX_COMMENTS = 5000
MAX_QUOTES = 3


@dataclass
class Candidate:
    """A possible new theme: recurring terms, how many comments use them, example quotes."""

    terms: list[str]
    count: int
    locale: str
    quotes: list[str] = field(default_factory=list)
    #: Terms per language when the candidate groups comments of several languages by meaning.
    labels: dict[str, list[str]] = field(default_factory=dict)
    #: The size as published: None when the disclosure gate hides it (fewer than the minimum).
    shown_count: int | None = None
    #: Distinct respondents behind the comments, what the gate decides on.
    respondents: int = 0

    @property
    def label(self) -> str:
        return ", ".join(self.terms[:3])

    @property
    def suggested_key(self) -> str:
        key = re.sub(r"[^a-z0-9]+", "-", (self.terms[0] if self.terms else "theme").lower())
        return key.strip("-")[:60] or "theme"


@dataclass
class EmergingResult:
    candidates: list[Candidate]
    #: Comments without a theme that were read.
    untagged: int


def untagged_comments(start: datetime | None = None, end: datetime | None = None,
                      locale: str | None = None, limit: int = MAX_COMMENTS):
    """(text, language, respondent id) of analysed comments with no theme (removed ones count
    as none),
    completed in [start, end), newest first.

    Read through the partial index of theme-less tags (``answer_tag.theme_key`` NULL, kept by
    analysis.tagging.theme_keys), newest first and stopping at ``limit``: the cost follows the
    comments the codebook missed, not every comment. A comment not analysed yet has no tag
    and is left for the next look (the tagging job runs within seconds of the answer)."""
    stmt = _untagged(start, end, locale, Response.respondent_id)
    return [tuple(row) for row in db.session.execute(
        stmt.order_by(AnswerTag.answer_id.desc()).limit(limit))]


def _untagged(start, end, locale, *extra_columns):
    """SELECT text, language (and ``extra_columns``) of theme-less comments in the window."""
    language = sa.func.coalesce(AnswerTag.language, Answer.locale)
    stmt = (
        sa.select(Answer.raw_text, language, *extra_columns)
        .select_from(AnswerTag)
        .join(Answer, Answer.id == AnswerTag.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(AnswerTag.theme_key.is_(None), Answer.raw_text.is_not(None),
               Answer.raw_text != "", Answer.completed_at.is_not(None))
    )
    if start is not None:
        stmt = stmt.where(Answer.completed_at >= start)
    if end is not None:
        stmt = stmt.where(Answer.completed_at < end)
    if locale:
        stmt = stmt.where(language == locale)
    return stmt


def _adapt(item, texts: list[str], locale: str) -> Candidate:
    """Read a pure-layer candidate whatever its exact shape (terms/keywords, examples)."""
    terms = list(getattr(item, "terms", None) or getattr(item, "keywords", None) or [])
    examples = list(getattr(item, "examples", None) or getattr(item, "quotes", None) or [])
    quotes = [texts[e] if isinstance(e, int) and 0 <= e < len(texts) else str(e)
              for e in examples][:MAX_QUOTES]
    count = getattr(item, "count", None) or getattr(item, "size", None) or len(examples)
    return Candidate([str(t) for t in terms], int(count), locale, quotes)


def disclosed_count(comments: int, respondents: int) -> int | None:
    """A candidate's size as the signed-in staff member may see it, through the disclosure gate
    like every figure (docs/privacy.md): withheld (None) when it rests on fewer than the minimum
    of distinct respondents, rounded outside the backbone admin's own view."""
    from flask_login import current_user

    return policy_for(current_user).figure(comments, respondents).value


def _people(respondent_ids, indices) -> int:
    return len({respondent_ids[i] for i in indices})


def _untagged_with_vectors(start, end, locale, limit: int = MAX_COMMENTS):
    """(text, language, stored vector, respondent) of the comments `untagged_comments` reads."""
    from analysis.models import AnswerEmbedding
    from analysis.text.encoder import encoder_name

    stmt = _untagged(start, end, locale, AnswerEmbedding.vector, Response.respondent_id).join(
        AnswerEmbedding, sa.and_(AnswerEmbedding.answer_id == Answer.id,
                                 AnswerEmbedding.encoder == encoder_name()))
    return list(db.session.execute(stmt.order_by(AnswerTag.answer_id.desc()).limit(limit)))


def _by_meaning(start, end, locale, top: int) -> EmergingResult | None:
    """Candidates clustering all languages together on the stored sentence vectors; None with
    the TF-IDF fallback encoder (then candidates are found per language by shared terms)."""
    import numpy as np

    from analysis.text.emerging import cluster_by_meaning
    from analysis.text.encoder import encoder, unpack

    threshold = encoder().similar_at
    if threshold is None:
        return None
    rows = _untagged_with_vectors(start, end, locale)
    if not rows:
        return None
    texts = [r[0] for r in rows]
    languages = [r[1] for r in rows]
    vectors = np.vstack([unpack(r[2]) for r in rows])
    respondent_ids = [r[3] for r in rows]
    candidates = []
    for cluster in cluster_by_meaning(texts, vectors, languages, similar_at=threshold,
                                      top_n=top, max_quotes=MAX_QUOTES):
        first = locale if locale in cluster.labels else next(iter(cluster.labels), "und")
        terms = list(cluster.labels.get(first, ()))
        if terms:
            people = _people(respondent_ids, cluster.indices)
            candidates.append(Candidate(
                terms, cluster.count, first, list(cluster.quotes),
                {k: list(v) for k, v in cluster.labels.items()},
                disclosed_count(cluster.count, people), people))
    return EmergingResult(candidates, len(rows))


def emerging_candidates(start: datetime | None = None, end: datetime | None = None,
                        locale: str | None = None, top: int = 8) -> EmergingResult:
    """Top candidate themes among untagged comments of a period: by meaning across languages
    with the sentence encoder, else per language by shared terms."""
    from analysis import emerging_themes

    by_meaning = _by_meaning(start, end, locale, top)
    if by_meaning is not None and by_meaning.candidates:
        return by_meaning
    comments = untagged_comments(start, end, locale)
    by_language: dict[str, list[tuple[str, int]]] = {}
    for text, lang, respondent in comments:
        by_language.setdefault(lang or "und", []).append((text, respondent))
    candidates: list[Candidate] = []
    for lang, found in sorted(by_language.items()):
        texts = [text for text, _ in found]
        respondent_ids = [respondent for _, respondent in found]
        for item in emerging_themes(texts, language=None if lang == "und" else lang):
            candidate = _adapt(item, texts, lang)
            candidate.respondents = _people(respondent_ids, item.indices)
            candidate.shown_count = disclosed_count(candidate.count, candidate.respondents)
            if candidate.terms:
                candidates.append(candidate)
    candidates.sort(key=lambda c: -c.count)
    return EmergingResult(candidates[:top], len(comments))


def create_theme_from_candidate(key: str, label: str, locale: str, terms: str) -> Theme:
    """Create a theme whose keywords in ``locale`` are the candidate's terms (re-tags).

    Comments of an undetected language file their terms under the default locale, so the
    codebook form (one column per enabled locale) shows them.
    """
    from flask import current_app

    if locale not in (current_app.config.get("ENABLED_LOCALES") or []):
        locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return codebook_store.save_theme(key, {locale: label}, {locale: terms})


def themes_with_counts() -> list[tuple[Theme, int]]:
    """Every theme with the number of comments carrying it (active first, then by key)."""
    counts = sa.select(AnswerTheme.theme_id, sa.func.count().label("n")).where(
        AnswerTheme.source != "removed").group_by(AnswerTheme.theme_id).subquery()
    rows = db.session.execute(
        sa.select(Theme, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.theme_id == Theme.id)
        .order_by(Theme.active.desc(), Theme.key)
    )
    return [(theme, int(n)) for theme, n in rows]
