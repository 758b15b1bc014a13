"""Closing the loop ("you said, we did"): draft, publish, and optionally text respondents.

Analysis never imports messaging (docs/architecture.md), so the SMS part is handed over by the
``feedback.core.signals.loop_update_published`` signal; messaging's receiver creates an update
campaign, which applies opt-outs, quiet hours and rate limits like every other send. Before
that, ``loop_update_previewing`` asks messaging what the send would be.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from analysis.disclosure.redaction import redact
from analysis.models import AnswerTheme
from analysis.review.goals import AgendaGoal, LoopUpdate, goal_theme
from analysis.review.periods import Period
from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.signals import loop_update_previewing, loop_update_published
from feedback.responses.models import Answer, Response, utcnow


def _clean(texts: dict) -> dict:
    return {k: v.strip() for k, v in texts.items() if v and v.strip()}


def save_update(update: LoopUpdate | None, *, goal: AgendaGoal, period: Period, heard: dict,
                action: dict, user_id: int | None) -> LoopUpdate:
    """Create or edit a draft update (published ones stay editable; the page shows edits)."""
    if update is None:
        update = LoopUpdate(created_by_id=user_id)
        db.session.add(update)
    update.goal = goal
    update.period_start, update.period_end = period.start, period.end
    update.heard, update.action = _clean(heard), _clean(action)
    db.session.commit()
    return update


def participants(update: LoopUpdate) -> list[int]:
    """Respondents who answered by SMS in the update's period about its goal: an answer tagged
    with one of the goal's themes or to one of its indicators' questions."""
    goal = update.goal
    keys = [i.question_key for i in goal.indicators]
    tagged = (
        sa.select(AnswerTheme.answer_id)
        .join(goal_theme, goal_theme.c.theme_id == AnswerTheme.theme_id)
        .where(goal_theme.c.goal_id == goal.id, AnswerTheme.source != "removed")
    )
    about_goal = Answer.id.in_(tagged)
    if keys:
        about_goal = sa.or_(about_goal, Answer.question_key.in_(keys))
    query = (
        sa.select(Response.respondent_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            Response.channel == "sms",
            Response.completed_at >= _dt(update.period_start),
            Response.completed_at < _dt(update.period_end),
            about_goal,
        )
        .distinct()
    )
    return sorted(db.session.scalars(query))


def _dt(day):
    from datetime import datetime

    return datetime.combine(day, datetime.min.time())


def sms_texts(update: LoopUpdate) -> dict[str, str]:
    """The SMS text in every enabled language, rendered under that locale."""
    texts = {}
    for locale in current_app.config["ENABLED_LOCALES"]:
        with force_locale(locale):
            texts[locale] = render_template(
                "review/sms_update.txt",
                coalition=current_app.config["COALITION_NAME"],
                goal=update.goal.name(locale),
                # staff may paste a respondent's words: the quote redaction applies
                heard=redact(update.heard_text(locale)),
                action=redact(update.action_text(locale)),
            ).strip()
    return texts


def sms_preview(update: LoopUpdate):
    """What texting ``update`` would send, for staff to check before they publish: messaging's
    preview of the same texts and respondents :func:`publish` hands over (recipients, opted-out
    contacts skipped, each language's text and segments), or None without a receiver."""
    answers = loop_update_previewing.send(current_app._get_current_object(),
                                          messages_by_locale=sms_texts(update),
                                          respondent_ids=participants(update))
    return answers[0][1] if answers else None


def publish(update: LoopUpdate, *, user_id: int | None, send_sms: bool) -> int:
    """Publish on /results; with ``send_sms``, hand the texts to messaging. Returns how many
    respondents the SMS was handed over for (messaging then skips those who opted out)."""
    update.published_at = update.published_at or utcnow()
    update.published_by_id = user_id
    recipients = participants(update) if send_sms else []
    if send_sms:
        update.sms_recipients = len(recipients)
    record_audit("loop.publish", "loop_update", update.id,
                 {"goal": update.goal.key, "sms": send_sms, "recipients": len(recipients)},
                 user_id=user_id)
    db.session.commit()
    if send_sms and recipients:
        loop_update_published.send(
            current_app._get_current_object(),
            update_id=update.id,
            name=f"You said, we did: {update.goal.key} {update.period_start.isoformat()}",
            messages_by_locale=sms_texts(update),
            respondent_ids=recipients,
            created_by_id=user_id,
        )
    return len(recipients)


def unpublish(update: LoopUpdate, *, user_id: int | None) -> None:
    """Take an update off the public page (texts already sent cannot be recalled)."""
    update.published_at = None
    record_audit("loop.unpublish", "loop_update", update.id, {"goal": update.goal.key},
                 user_id=user_id)
    db.session.commit()


def published_updates() -> list[LoopUpdate]:
    return list(db.session.scalars(
        sa.select(LoopUpdate).where(LoopUpdate.published_at.is_not(None))
        .order_by(LoopUpdate.period_start.desc(), LoopUpdate.published_at.desc())
    ))
