"""People in the loop: staff correct an answer's sentiment and themes; every change is recorded.

Corrections are the ground truth for two things: the agreement page (how far to trust each
automatic figure, per language) and retraining the coalition's sentiment model. Re-analysis
never undoes them (analysis.tagging.jobs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from analysis.models import SENTIMENTS, AnswerTag, AnswerTheme, TagCorrection, Theme
from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.responses.models import utcnow


class CorrectionError(ValueError):
    """The answer has no tag yet, or the label is unknown."""


def _tag(answer_id: int) -> AnswerTag:
    tag = db.session.get(AnswerTag, answer_id)
    if tag is None:
        raise CorrectionError("not analysed yet")
    return tag


def correct_answer(answer_id: int, sentiment: str | None, theme_ids: Iterable[int] | None,
                   actor) -> int:
    """Set an answer's sentiment and/or its full set of themes, as reviewed by ``actor``.

    ``sentiment`` None leaves it unchanged; ``theme_ids`` None leaves themes unchanged. Saving
    the machine's own label counts as a confirmation (it is recorded, and counts for agreement).
    Commits; returns the number of changes recorded.
    """
    tag = _tag(answer_id)
    now = utcnow()
    changes = []
    actor_id = getattr(actor, "id", None)
    if sentiment is not None:
        if sentiment not in SENTIMENTS:
            raise CorrectionError("unknown sentiment")
        if sentiment != tag.sentiment_label or tag.sentiment_corrected_at is None:
            changes.append(("sentiment", tag.sentiment_label, sentiment))
        tag.sentiment_label = sentiment
        tag.sentiment_corrected_by_id = actor_id
        tag.sentiment_corrected_at = now
    if theme_ids is not None:
        wanted = set(int(t) for t in theme_ids)
        keys = {i: k for i, k in db.session.execute(sa.select(Theme.id, Theme.key))}
        existing = {
            row.theme_id: row
            for row in db.session.scalars(db.select(AnswerTheme).filter_by(answer_id=answer_id))
        }
        for theme_id in wanted - set(existing):
            if theme_id not in keys:
                raise CorrectionError("unknown theme")
            db.session.add(AnswerTheme(answer_id=answer_id, theme_id=theme_id, source="manual",
                                       auto=False, evidence=[], corrected_by_id=actor_id,
                                       corrected_at=now))
            changes.append((f"theme:{keys[theme_id]}", None, "manual"))
        for theme_id, row in existing.items():
            new = "manual" if theme_id in wanted else "removed"
            if row.source != new:
                changes.append((f"theme:{keys.get(theme_id)}", row.source, new))
            row.source = new
            row.corrected_by_id = actor_id
            row.corrected_at = now
        tag.themes_reviewed_at = now
    for field, old, new in changes:
        db.session.add(TagCorrection(answer_id=answer_id, staff_user_id=actor_id, field=field,
                                     old_value=old, new_value=new, created_at=now))
    if changes:
        record_audit("tag.correct", "answer", answer_id,
                     {"fields": sorted({field for field, _, _ in changes})}, user_id=actor_id)
    db.session.commit()
    return len(changes)


def history(answer_id: int) -> list[TagCorrection]:
    """Corrections of one answer, newest first."""
    return list(db.session.scalars(
        db.select(TagCorrection).filter_by(answer_id=answer_id)
        .order_by(TagCorrection.created_at.desc(), TagCorrection.id.desc())
    ))


@dataclass
class Agreement:
    """How often the machine agreed with people, for one language (None = undetected)."""

    language: str | None
    sentiment_n: int = 0
    sentiment_agree: int = 0
    themes_answers: int = 0
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    @property
    def sentiment_accuracy(self) -> float | None:
        return self.sentiment_agree / self.sentiment_n if self.sentiment_n else None

    @property
    def theme_precision(self) -> float | None:
        proposed = self.true_pos + self.false_pos
        return self.true_pos / proposed if proposed else None

    @property
    def theme_recall(self) -> float | None:
        actual = self.true_pos + self.false_neg
        return self.true_pos / actual if actual else None


def agreement() -> list[Agreement]:
    """Per language: sentiment accuracy on corrected answers, theme precision and recall on
    answers whose themes a person reviewed (two SQL aggregates)."""
    stats: dict = {}
    sent = db.session.execute(
        sa.select(
            AnswerTag.language,
            sa.func.count(),
            sa.func.sum(sa.case((AnswerTag.auto_sentiment_label == AnswerTag.sentiment_label, 1),
                                else_=0)),
        ).where(AnswerTag.sentiment_corrected_at.is_not(None)).group_by(AnswerTag.language)
    )
    for lang, n, agree in sent:
        stats.setdefault(lang, Agreement(lang)).__dict__.update(
            sentiment_n=int(n), sentiment_agree=int(agree or 0))
    reviewed = AnswerTag.themes_reviewed_at.is_not(None)
    answers = db.session.execute(
        sa.select(AnswerTag.language, sa.func.count()).where(reviewed)
        .group_by(AnswerTag.language)
    )
    for lang, n in answers:
        stats.setdefault(lang, Agreement(lang)).themes_answers = int(n)
    themes = db.session.execute(
        sa.select(
            AnswerTag.language,
            sa.func.sum(sa.case((sa.and_(AnswerTheme.auto, AnswerTheme.source != "removed"), 1),
                                else_=0)),
            sa.func.sum(sa.case((sa.and_(AnswerTheme.auto, AnswerTheme.source == "removed"), 1),
                                else_=0)),
            sa.func.sum(sa.case((sa.and_(~AnswerTheme.auto, AnswerTheme.source == "manual"), 1),
                                else_=0)),
        ).join(AnswerTheme, AnswerTheme.answer_id == AnswerTag.answer_id)
        .where(reviewed).group_by(AnswerTag.language)
    )
    for lang, tp, fp, fn in themes:
        a = stats.setdefault(lang, Agreement(lang))
        a.true_pos, a.false_pos, a.false_neg = int(tp or 0), int(fp or 0), int(fn or 0)
    return sorted(stats.values(), key=lambda a: (a.language is None, a.language or ""))
