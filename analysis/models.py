"""Analysis tables: the codebook, the machine's (and people's) tags on free-text answers,
the history of corrections, and the coalition's trained sentiment models.

These tables point down to ``answer`` and ``staff_user`` by foreign key; the response store
never imports them (docs/architecture.md). Tags are one row per answer, so every breakdown can join
``answer_tag`` and group by sentiment in one SQL query.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.extensions import db
from feedback.responses.models import utcnow
from surveys.texts import localized

SENTIMENTS = ("positive", "neutral", "negative")
THEME_SOURCES = ("auto", "manual", "removed")


class Theme(db.Model):
    """One theme of the coalition's codebook (e.g. "safety", "transport")."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier used by the text analyser and in exports.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Display names per locale: {"en": "Safety", "es": "Seguridad", ...}.
    labels: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Words or phrases per locale that signal the theme: {"en": ["unsafe", ...], ...}.
    keywords: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Phrases per locale that must NOT count as the theme ("good job" is not about jobs).
    exclude: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: language -> example sentences; a comment close in meaning to one (in any language)
    #: matches the theme even without a keyword (docs/analysis.md, "Themes by meaning").
    examples: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Inactive themes are kept (old tags keep their meaning) but no longer assigned.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def label(self, locale: str | None) -> str:
        """The label in ``locale``, else the default language's, else any, else the key."""
        return localized(self.labels, locale) or self.key


class AnswerTag(db.Model):
    """What the analysis says about one free-text answer: language and sentiment."""

    __tablename__ = "answer_tag"
    __table_args__ = (
        sa.CheckConstraint(
            "sentiment_label IN ('positive', 'neutral', 'negative')", name="sentiment_label"
        ),
        # comments without a theme, newest first: what emerging themes read
        sa.Index("ix_answer_tag_no_theme", "answer_id", postgresql_where=sa.text(
            "theme_key IS NULL"), sqlite_where=sa.text("theme_key IS NULL")),
        # covering on PostgreSQL: a period's comments by sentiment read the index only
        sa.Index("ix_answer_tag_sentiment", "answer_id", postgresql_include=["sentiment_label"]),
    )

    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    #: Detected language code, NULL when too short to tell.
    language: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    language_confidence: Mapped[float] = mapped_column(default=0.0)
    #: The label reports use: the person's correction if there is one, else the machine's.
    sentiment_label: Mapped[str] = mapped_column(sa.String(10), index=True)
    sentiment_score: Mapped[float] = mapped_column(default=0.0)
    #: What the machine said last time, kept when a person corrects (agreement statistics).
    auto_sentiment_label: Mapped[str | None] = mapped_column(sa.String(10))
    sentiment_corrected_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    sentiment_corrected_at: Mapped[datetime | None]
    #: Set when a person reviewed the themes (so agreement counts the themes as checked).
    themes_reviewed_at: Mapped[datetime | None]
    analyzed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Which analyser produced the tag (e.g. "rules-1+codebook-7"); re-analysis compares it.
    model_version: Mapped[str] = mapped_column(sa.String(80), default="")
    #: The model's probability of its label (0 for labels made before the encoder); the
    #: review quotes only confident labels (docs/analysis.md, "Sentiment").
    sentiment_confidence: Mapped[float] = mapped_column(default=0.0, server_default=sa.text("0"))
    #: The comment asks for something ("more lights", "cần thêm xe buýt").
    is_request: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The answer's themes (not removed) as ",3,7,", NULL for none: kept in step with
    #: ``answer_theme`` by analysis.tagging.theme_keys, so the review's daily totals can group
    #: comments
    #: by their set of themes in SQL (a goal counts a comment once, however many of its themes).
    theme_key: Mapped[str | None] = mapped_column(sa.String(200))

    answer: Mapped[Answer] = relationship("Answer")  # noqa: F821 - lower row, by name
    corrected_by: Mapped[StaffUser | None] = relationship("StaffUser")  # noqa: F821


class AnswerTheme(db.Model):
    """A theme on an answer; manual removals are kept so re-analysis does not bring them back."""

    __tablename__ = "answer_theme"
    __table_args__ = (
        sa.CheckConstraint("source IN ('auto', 'manual', 'removed')", name="source"),
        sa.Index("ix_answer_theme_theme_source", "theme_id", "source"),
        # covering on PostgreSQL: a period's comments by goal read the index only
        sa.Index("ix_answer_theme_answer", "answer_id", postgresql_include=["theme_id", "source"]),
    )

    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    )
    #: 'auto' (the machine), 'manual' (a person added it), 'removed' (a person took it off).
    source: Mapped[str] = mapped_column(sa.String(10), default="auto")
    #: What the machine matched (words or phrases), shown to staff to explain the tag.
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Whether the machine proposed it (kept when a person confirms or removes it).
    auto: Mapped[bool] = mapped_column(default=False)
    corrected_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    corrected_at: Mapped[datetime | None]

    theme: Mapped[Theme] = relationship()


class TagCorrection(db.Model):
    """Audit row for every human change to a tag: who, when, what it was and what it became."""

    __tablename__ = "tag_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: 'sentiment' or 'theme:<key>'.
    field: Mapped[str] = mapped_column(sa.String(80))
    old_value: Mapped[str | None] = mapped_column(sa.String(80))
    new_value: Mapped[str | None] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    staff_user: Mapped[StaffUser | None] = relationship("StaffUser")  # noqa: F821


class SentimentModel(db.Model):
    """A sentiment model trained for the coalition from examples and staff corrections."""

    __tablename__ = "sentiment_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: Scores on the held-back examples.
    macro_f1: Mapped[float] = mapped_column(default=0.0)
    accuracy: Mapped[float] = mapped_column(default=0.0)
    n_examples: Mapped[int] = mapped_column(default=0)
    n_corrections: Mapped[int] = mapped_column(default=0)
    #: At most one active model per language is used by tagging.
    active: Mapped[bool] = mapped_column(default=False)
    #: The pickled model (trusted: only written by this application).
    blob: Mapped[bytes | None] = mapped_column(sa.LargeBinary)


class AnswerEmbedding(db.Model):
    """The sentence encoder's vector of one answer, computed once by the tagging job and
    reused by every re-tagging (docs/analysis.md, "Encoder"); float16 bytes."""

    __tablename__ = "answer_embedding"

    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    #: Name of the encoder that made the vector; another encoder's vectors are not reused.
    encoder: Mapped[str] = mapped_column(sa.String(40))
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary)


class CodebookState(db.Model):
    """A single row counting codebook edits, so tags know which codebook made them."""

    __tablename__ = "codebook_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
