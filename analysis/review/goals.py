"""The common agenda: goals, their linked codebook themes, shared indicators, loop updates.

Indicators are defined once, centrally, so every partner's figure is measured the same way
(collective impact's "shared measurement"): a question key plus a rule (share of chosen values,
or mean of the numeric value).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis.models import Theme
from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.responses.models import utcnow
from surveys.texts import localized

RULES = ("share_of_values", "mean")

goal_theme = sa.Table(
    "agenda_goal_theme",
    db.metadata,
    sa.Column("goal_id", sa.ForeignKey("agenda_goal.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class AgendaGoal(db.Model):
    """A goal of the coalition's common agenda, e.g. "Youth feel safe"."""

    __tablename__ = "agenda_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier (demo seeding, exports).
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Per-locale texts: {"en": ..., "es": ..., "vi": ...}.
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    descriptions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    themes: Mapped[list[Theme]] = relationship(secondary=goal_theme, order_by=Theme.key)
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="goal", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    def name(self, locale: str | None) -> str:
        return localized(self.names, locale) or self.key

    def description(self, locale: str | None) -> str:
        return localized(self.descriptions, locale)


class Indicator(db.Model):
    """A shared measure computed from a closed question's answers."""

    __tablename__ = "indicator"
    __table_args__ = (
        sa.CheckConstraint("rule IN ('share_of_values', 'mean')", name="rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_goal.id", ondelete="CASCADE"), index=True
    )
    labels: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: The question's stable key (followed across survey versions).
    question_key: Mapped[str] = mapped_column(sa.String(64))
    #: 'share_of_values': share of answers whose code is in ``values``; 'mean': average number.
    rule: Mapped[str] = mapped_column(sa.String(20), default="share_of_values")
    #: Choice codes counted as "yes" for share_of_values, e.g. ["4", "5"] or ["yes"].
    values: Mapped[list] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    goal: Mapped[AgendaGoal] = relationship(back_populates="indicators")

    def label(self, locale: str | None) -> str:
        return localized(self.labels, locale) or self.question_key


class LoopUpdate(db.Model):
    """"You said, we did": what the coalition heard about a goal and what it will do."""

    __tablename__ = "loop_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_goal.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date]
    #: Exclusive end of the period the update reports on.
    period_end: Mapped[date]
    #: Per-locale texts.
    heard: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    action: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: How many respondents the SMS update was handed to messaging for (None: no SMS).
    sms_recipients: Mapped[int | None]

    @property
    def period_last_day(self) -> date:
        """The last day the update covers, as people name a period (the end is exclusive)."""
        return self.period_end - timedelta(days=1)

    goal: Mapped[AgendaGoal] = relationship()

    def heard_text(self, locale: str | None) -> str:
        return localized(self.heard, locale)

    def action_text(self, locale: str | None) -> str:
        return localized(self.action, locale)


class GoalError(ValueError):
    """A goal or indicator definition that cannot be saved."""


def slugify(text: str) -> str:
    """A lowercase key from a name ("Youth feel safe" -> "youth-feel-safe")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "goal"


def list_goals(active_only: bool = False) -> list[AgendaGoal]:
    """Goals in agenda order."""
    query = db.select(AgendaGoal).order_by(AgendaGoal.position, AgendaGoal.id)
    if active_only:
        query = query.where(AgendaGoal.active.is_(True))
    return list(db.session.scalars(query))


def save_goal(
    goal: AgendaGoal | None,
    *,
    names: dict,
    descriptions: dict,
    theme_ids: list[int],
    position: int = 0,
    active: bool = True,
    key: str | None = None,
) -> AgendaGoal:
    """Create (goal=None) or update a goal with its names, descriptions and linked themes."""
    names = {k: v.strip() for k, v in names.items() if v and v.strip()}
    if not names.get("en") and not names:
        raise GoalError("A goal needs a name.")
    created = goal is None
    if goal is None:
        base = key or slugify(names.get("en") or next(iter(names.values())))
        key, n = base, 1
        while db.session.scalar(db.select(AgendaGoal.id).filter_by(key=key)) is not None:
            n += 1
            key = f"{base}-{n}"
        goal = AgendaGoal(key=key)
        db.session.add(goal)
    goal.names = names
    goal.descriptions = {k: v.strip() for k, v in descriptions.items() if v and v.strip()}
    goal.position = position
    goal.active = active
    goal.themes = (
        list(db.session.scalars(db.select(Theme).where(Theme.id.in_(theme_ids))))
        if theme_ids else []
    )
    db.session.flush()
    record_audit("goal.create" if created else "goal.edit", "goal", goal.id,
                 {"key": goal.key, "active": goal.active})
    db.session.commit()
    return goal


def save_indicator(
    goal: AgendaGoal,
    indicator: Indicator | None,
    *,
    labels: dict,
    question_key: str,
    rule: str,
    values: list[str],
    position: int = 0,
) -> Indicator:
    """Create or update an indicator of ``goal``; share_of_values needs at least one value."""
    if rule not in RULES:
        raise GoalError("Unknown rule.")
    values = [str(v).strip() for v in values if str(v).strip()]
    if rule == "share_of_values" and not values:
        raise GoalError("List the answer values that count.")
    if not question_key.strip():
        raise GoalError("A question key is required.")
    created = indicator is None
    if indicator is None:
        indicator = Indicator(goal=goal)
        db.session.add(indicator)
    indicator.labels = {k: v.strip() for k, v in labels.items() if v and v.strip()}
    indicator.question_key = question_key.strip()
    indicator.rule = rule
    indicator.values = values if rule == "share_of_values" else []
    indicator.position = position
    db.session.flush()
    # what counts decides every published figure of the goal: who changed it, and to what
    record_audit("indicator.create" if created else "indicator.edit", "indicator",
                 indicator.id, _indicator_details(indicator))
    db.session.commit()
    return indicator


def _indicator_details(indicator: Indicator) -> dict:
    return {"goal": indicator.goal.key, "question_key": indicator.question_key,
            "rule": indicator.rule, "values": list(indicator.values or [])}


def delete_indicator(indicator: Indicator) -> None:
    """Remove an indicator (its figures are computed, so nothing else is lost; audited)."""
    record_audit("indicator.delete", "indicator", indicator.id, _indicator_details(indicator))
    db.session.delete(indicator)
    db.session.commit()
