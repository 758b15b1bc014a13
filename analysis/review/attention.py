"""The staff home's review check: agenda goals (and their indicators) missing a name or label
in an enabled language, so the dashboard and reports would show another language."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import ngettext

from feedback.core.extensions import db
from feedback.core.roles import STAFF_ROLES, AttentionItem, add_attention


def goals_missing_a_language() -> list[AttentionItem]:
    from analysis.review.goals import AgendaGoal, Indicator

    enabled = list(current_app.config.get("ENABLED_LOCALES", []))
    lacking = 0
    for goal in db.session.scalars(sa.select(AgendaGoal)):
        texts = [goal.names or {}] + [
            i.labels or {} for i in db.session.scalars(
                sa.select(Indicator).where(Indicator.goal_id == goal.id))]
        if any(not (t.get(code) or "").strip() for t in texts for code in enabled):
            lacking += 1
    if not lacking:
        return []
    return [AttentionItem("goal_translation", lacking, ngettext(
        "%(num)s agenda goal lacks a name or indicator label in one of the coalition's "
        "languages.",
        "%(num)s agenda goals lack a name or indicator label in one of the coalition's "
        "languages.", lacking), url_for("review.goals"))]


def init_app(app) -> None:
    add_attention(app, goals_missing_a_language, STAFF_ROLES)
