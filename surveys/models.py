"""Survey definitions: a survey, its frozen versions, their questions and choices.

Every respondent-facing text is stored per locale as a JSON object ``{"en": ..., "es": ...}``
so adding a language needs survey texts, not code.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.clock import utcnow as _utcnow
from feedback.core.extensions import db

STATUSES = ("draft", "open", "closed")


class Survey(db.Model):
    """A survey's stable identity: its link, keyword and status across versions."""

    __tablename__ = "survey"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Used in the public link /s/<slug>.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: SMS keyword that starts the survey by text (upper case), if it runs by SMS.
    sms_keyword: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey",
        order_by="SurveyVersion.number",
        cascade="all, delete-orphan",
        foreign_keys="SurveyVersion.survey_id",
    )


class SurveyVersion(db.Model):
    """One edition of a survey; frozen once published, so answers keep their meaning."""

    __tablename__ = "survey_version"
    __table_args__ = (sa.UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    #: Per-locale texts: {"en": "...", "es": "...", "vi": "..."}.
    title: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    intro: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    thanks: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Set when published; a published version is never edited again.
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions", foreign_keys=[survey_id])
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A question of one survey version; its type decides how raw answers are parsed."""

    __tablename__ = "question"
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: Stable across versions, so reports can follow the same question.
    key: Mapped[str] = mapped_column(sa.String(64))
    #: A name from the question-type registry (surveys.types).
    type: Mapped[str] = mapped_column(sa.String(30))
    required: Mapped[bool] = mapped_column(default=False)
    text: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    help: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Type-specific settings, e.g. {"min": 1, "max": 5, "low": {...}, "high": {...}}.
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Skip logic: ask this question only if the question with this key ...
    ask_if_key: Mapped[str | None] = mapped_column(sa.String(64))
    #: ... was answered with one of these choice codes / values.
    ask_if_values: Mapped[list | None] = mapped_column(sa.JSON)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(db.Model):
    """One option of a choice question; its code is what answers store."""

    __tablename__ = "choice"
    __table_args__ = (sa.UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    #: Stable code stored in answers (e.g. "yes", "4", "black").
    code: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Cannot be combined with other choices ("Prefer not to say" in a multiple choice).
    exclusive: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="choices")
