"""What an inbound text means: keywords first, then the open conversation, then a survey
keyword, else a polite default. Plain functions over the models (the webhook, the simulator and
the ``finish_inbound`` job share them); the caller holds the contact's lock and commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from feedback.extensions import db
from messaging import conversation as engine
from messaging import keywords
from messaging.models import Contact, Conversation
from messaging.outbound import mark_contact_opted_out
from surveys.models import Survey


@dataclass
class Handled:
    """The outcome of handling one inbound text."""

    texts: list[str] = field(default_factory=list)
    contact: Contact | None = None
    conversation_id: int | None = None
    announcements: list[tuple] = field(default_factory=list)


def find_survey_by_keyword(body: str | None) -> Survey | None:
    """The survey whose SMS keyword is this whole message (any status), if any."""
    key = keywords.survey_keyword_key(body)
    if not key or key.isdigit() or len(key) > 30:  # answers like "3" never need the query
        return None
    return db.session.scalar(db.select(Survey).filter(Survey.sms_keyword == key))


def wants_contact(body: str | None) -> bool:
    """An unknown number becomes a contact only by texting a survey keyword (opting in) or an
    opt-out word (so the suppression list remembers it)."""
    word = keywords.match_keyword(body)
    if word is not None and word.kind == keywords.OPT_OUT:
        return True
    survey = find_survey_by_keyword(body)
    return survey is not None and survey.status == "open"


def _expired_text(contact: Contact, conversation: Conversation) -> str:
    survey = conversation.survey_version.survey
    keyword = survey.sms_keyword if survey.status == "open" else None
    return engine.render_text("expired", contact.locale, keyword=keyword)


def _last_conversation(contact: Contact) -> Conversation | None:
    return db.session.scalar(
        db.select(Conversation).filter_by(contact_id=contact.id)
        .order_by(Conversation.id.desc()).limit(1)
    )


def dispatch_text(contact: Contact | None, body: str | None, num_media: int) -> Handled:
    """Decide what a text means and apply it (caller commits). Keywords first, then the
    open conversation, then a survey keyword, else a polite default."""
    out = Handled(contact=contact)
    opted_out = bool(contact and contact.opted_out)
    word = keywords.match_keyword(body, opted_out=opted_out)
    locale = (contact.locale if contact else None) or (word.locale if word else None)
    if word is not None and word.kind == keywords.OPT_OUT:
        if contact is not None and not opted_out:
            for open_one in db.session.scalars(
                db.select(Conversation).filter(
                    Conversation.contact_id == contact.id,
                    Conversation.state.in_(engine.OPEN_STATES),
                )
            ):
                open_one.state = "stopped"
            mark_contact_opted_out(contact)
            out.texts.append(engine.render_text("opted_out", contact.locale or word.locale))
        return out  # a second STOP (or any STOP we cannot tie to a contact) gets no reply
    if opted_out:
        if word is not None and word.kind == keywords.OPT_IN:
            contact.opted_out, contact.opted_out_at = False, None
            out.texts.append(engine.render_text("opted_in", locale))
        return out  # nothing else is ever sent to an opted-out contact
    if word is not None and word.kind == keywords.HELP:
        out.texts.append(engine.render_text("help", locale))
        return out
    if word is not None and word.kind == keywords.OPT_IN:
        out.texts.append(engine.render_text("opted_in", locale))
        return out
    if contact is None:
        out.texts.append(engine.render_text("unknown", locale))
        return out
    current = engine.open_conversation(contact)
    if current is not None and engine.is_stale(current):
        engine.expire(current)
        if find_survey_by_keyword(body) is None:
            out.texts.append(_expired_text(contact, current))
            return out
        current = None
    if word is not None and word.kind == keywords.LANGUAGE:
        return _from_turn(out, engine.switch_language(contact, current, word.locale))
    survey = find_survey_by_keyword(body)
    if survey is not None:
        if survey.status != "open":
            out.texts.append(engine.render_text("survey_closed", contact.locale))
            return out
        return _from_turn(out, engine.begin(contact, survey))
    if current is not None:
        if num_media and not (body or "").strip():
            out.texts.append(engine.render_text("picture", contact.locale))
            return out
        return _from_turn(out, engine.reply(current, body or ""))
    if num_media and not (body or "").strip():
        out.texts.append(engine.render_text("picture", contact.locale))
        return out
    last = _last_conversation(contact)
    if last is not None and last.state == "expired":
        out.texts.append(_expired_text(contact, last))
    else:
        out.texts.append(engine.render_text("unknown", contact.locale))
    return out


def _from_turn(out: Handled, turn: engine.Turn) -> Handled:
    out.texts.extend(turn.texts)
    out.announcements.extend(turn.announcements)
    if turn.conversation is not None:
        if turn.conversation.id is None:  # a new conversation: its id, for the replies
            db.session.flush()
        out.conversation_id = turn.conversation.id
    return out
