"""The codebook as stored in the database, and the one write path for editing it.

Why a version counter: every tag records which codebook made it (``AnswerTag.model_version``),
so after an edit the re-tag job and ``flask analyze`` know which answers are stale, and the pure
:class:`analysis.Codebook` built from the table is cached per app until the next edit.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from analysis.models import CodebookState, Theme
from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.signals import tags_outdated
from feedback.responses.models import utcnow


def codebook_version() -> int:
    """The number of codebook edits so far (0 for a fresh database)."""
    state = db.session.get(CodebookState, 1)
    return state.version if state else 0


def bump_codebook_version() -> int:
    """Record a codebook edit (caller commits)."""
    state = db.session.get(CodebookState, 1)
    if state is None:
        state = CodebookState(id=1, version=0)
        db.session.add(state)
    state.version += 1
    state.changed_at = utcnow()
    return state.version


def codebook_dict(themes=None) -> dict:
    """The active themes in the pure layer's format: {key: {"labels", "keywords", "exclude"}}."""
    if themes is None:
        themes = db.session.scalars(db.select(Theme).filter_by(active=True).order_by(Theme.key))
    return {
        t.key: {"labels": dict(t.labels or {}), "keywords": {
            loc: list(words) for loc, words in (t.keywords or {}).items() if words
        }, "exclude": {loc: list(words) for loc, words in (t.exclude or {}).items() if words},
        "examples": {loc: list(s) for loc, s in (t.examples or {}).items() if s}}
        for t in themes
    }


def load_codebook():
    """The pure Codebook of the active themes, cached per app and codebook version."""
    from analysis import Codebook

    version = codebook_version()
    cache = current_app.extensions.setdefault("analysis_codebook", {})
    if cache.get("version") != version or "codebook" not in cache:
        cache["codebook"] = Codebook.from_dict(codebook_dict())
        cache["version"] = version
    return cache["codebook"]


def clean_keywords(keywords: Mapping[str, object]) -> dict[str, list[str]]:
    """Keywords per locale from text (one per line) or lists; blanks and duplicates dropped."""
    cleaned = {}
    for locale, words in keywords.items():
        if isinstance(words, str):
            words = words.splitlines()
        seen = []
        for word in words or []:
            word = str(word).strip()
            if word and word.lower() not in (w.lower() for w in seen):
                seen.append(word)
        if seen:
            cleaned[locale] = seen
    return cleaned


def save_theme(
    key: str,
    labels: Mapping[str, str],
    keywords: Mapping[str, object],
    *,
    theme: Theme | None = None,
    active: bool = True,
    retag: bool = True,
) -> Theme:
    """Create (``theme`` None) or update a theme, commit, and queue a re-tag of all comments.

    ``labels`` and ``keywords`` are per locale; locales not given keep their current texts.

    Raises ValueError when the key is taken by another theme.
    """
    key = key.strip().lower()
    other = db.session.scalar(db.select(Theme).filter_by(key=key))
    if other is not None and other is not theme:
        raise ValueError("key taken")
    if theme is None:
        theme = Theme(key=key)
        db.session.add(theme)
    creating = theme is None or theme.id is None
    theme.key = key
    # Locales the caller did not send (a language since disabled) keep their texts.
    merged_labels = {loc: t for loc, t in (theme.labels or {}).items() if loc not in labels}
    merged_labels.update({loc: t.strip() for loc, t in labels.items() if t and t.strip()})
    merged_keywords = {loc: w for loc, w in (theme.keywords or {}).items() if loc not in keywords}
    merged_keywords.update(clean_keywords(keywords))
    theme.labels = merged_labels
    theme.keywords = merged_keywords
    db.session.flush()
    record_audit("codebook.create" if creating else "codebook.edit", "theme", theme.id,
                 {"key": key})
    return set_theme_active(theme, active, retag)


def set_theme_active(theme: Theme, active: bool, retag: bool = True) -> Theme:
    """Deactivate (or reactivate) a theme; its tags stay, new analyses no longer assign it."""
    if theme.id is not None and theme.active is not None and theme.active != active:
        record_audit("codebook.activate" if active else "codebook.deactivate", "theme",
                     theme.id, {"key": theme.key})
    theme.active = active
    theme.updated_at = utcnow()
    bump_codebook_version()
    db.session.commit()
    if retag:
        queue_retag()
    return theme


def queue_retag() -> None:
    """Ask for every stale comment to be re-tagged after a codebook edit (the tagging job
    listens to ``tags_outdated``; this module never imports it)."""
    tags_outdated.send()


def seed_codebook(codebook: Mapping | None = None) -> int:
    """Add the themes of ``codebook`` (default: the shipped DEFAULT_CODEBOOK) that are missing.

    Returns the number of themes added; existing themes are left as staff edited them.
    """
    if codebook is None:
        from analysis import DEFAULT_CODEBOOK

        codebook = DEFAULT_CODEBOOK
    items = codebook.items() if isinstance(codebook, Mapping) else (
        (entry["key"], entry) for entry in codebook
    )
    if isinstance(codebook, Mapping) and "themes" in codebook:
        items = ((entry["key"], entry) for entry in codebook["themes"])
    added = 0
    for key, entry in items:
        if db.session.scalar(db.select(Theme).filter_by(key=key)) is not None:
            continue
        db.session.add(Theme(
            key=key,
            labels=dict(entry.get("labels") or {}),
            keywords=clean_keywords(entry.get("keywords") or {}),
            exclude=clean_keywords(entry.get("exclude") or {}),
            examples=clean_keywords(entry.get("examples") or {}),
        ))
        added += 1
    if added:
        bump_codebook_version()
    db.session.commit()
    return added
