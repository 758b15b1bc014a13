"""The staff home's checks that belong to the response store and the platform: open surveys
missing a text in an enabled language, responses held by the stuffing guard, and the queue.
Other packages register their own checks (feedback.core.roles.add_attention)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.core.extensions import db
from feedback.core.languages import language_name
from feedback.core.roles import ADMIN, STAFF_ROLES, AttentionItem, add_attention


def surveys_missing_a_language() -> list[AttentionItem]:
    """Open surveys whose published texts lack an enabled language (say, one enabled after
    publishing): their respondents in that language see another one (they are told so)."""
    from surveys.models import Survey
    from surveys.operations import current_version
    from surveys.texts import default_locale

    enabled = list(current_app.config.get("ENABLED_LOCALES", []))
    lacking = 0
    for survey in db.session.scalars(sa.select(Survey).where(Survey.status == "open")):
        version = current_version(survey)
        if version is not None and any(not (version.title or {}).get(code) for code in enabled):
            lacking += 1
    if not lacking:
        return []
    return [AttentionItem("survey_translation", lacking, ngettext(
        "%(num)s open survey lacks a text in one of the coalition's languages: those "
        "respondents see it in %(language)s.",
        "%(num)s open surveys lack a text in one of the coalition's languages: those "
        "respondents see them in %(language)s.", lacking,
        language=language_name(default_locale())), url_for("surveys.index"))]


def flagged_responses() -> list[AttentionItem]:
    """Responses the stuffing guard (feedback.webform.padding) held back: no figure counts them
    until staff accept them on the held responses page."""
    from feedback.responses.models import Response

    held = db.session.scalar(sa.select(sa.func.count(Response.id)).where(
        Response.held_at.is_not(None), Response.completed_at.is_(None))) or 0
    if not held:
        return []
    link = url_for("review.held") if "review.held" in current_app.view_functions else None
    return [AttentionItem("held_responses", held, ngettext(
        "%(num)s response was held as possible stuffing: accept it or leave it out.",
        "%(num)s responses were held as possible stuffing: accept them or leave them out.",
        held), link)]


def queue_state() -> list[AttentionItem]:
    """Jobs waiting in the queue (sending, reminders, tagging); many means a worker is
    missing or behind. The inbound spool's state is messaging's own check
    (messaging.outbound.attention)."""
    from feedback.core.queue import queue

    if current_app.config.get("QUEUE_IMMEDIATE"):
        return []
    try:
        waiting = queue.huey.pending_count()
    except Exception:  # noqa: BLE001 - an unreachable queue store is itself the news
        return [AttentionItem("queue", 1, _("The task queue cannot be reached: texts and "
                                           "analysis jobs are not running."))]
    level = "warning" if waiting >= 100 else "info"
    return [AttentionItem("queue", waiting, ngettext(
        "%(num)s job is waiting in the task queue.", "%(num)s jobs are waiting in the task queue.",
        waiting), None, level)]


def init_app(app) -> None:
    add_attention(app, surveys_missing_a_language, STAFF_ROLES)
    add_attention(app, flagged_responses, STAFF_ROLES)
    add_attention(app, queue_state, ADMIN)
