"""The SMS demo seeder: an open family survey, demo contacts and backdated conversations."""

from __future__ import annotations

from demo.sms import CONVERSATIONS, KEYWORD, seed_demo_sms
from feedback.responses.models import Answer, Response
from messaging.models import Contact, Conversation
from surveys.models import Survey


def test_seed_is_believable_and_idempotent(app, db, text):
    from demo.cli import ensure_demo_foundation

    ensure_demo_foundation()
    seed_demo_sms()
    seed_demo_sms()  # twice: nothing added the second time
    survey = db.session.scalar(db.select(Survey).filter_by(sms_keyword=KEYWORD))
    assert survey.slug == "family-pulse" and survey.status == "open"
    responses = db.session.scalars(db.select(Response).filter_by(channel="sms")).all()
    assert len(responses) == CONVERSATIONS
    assert all(r.completed_at is not None for r in responses)
    assert {r.locale for r in responses} == {"en", "es", "vi"}
    months = {(r.completed_at.year, r.completed_at.month) for r in responses}
    assert len(months) >= 6  # spread over two quarters
    contacts = db.session.scalars(db.select(Contact)).all()
    assert all(c.phone.startswith("+150455501") for c in contacts)
    assert db.session.scalar(
        db.select(db.func.count(Conversation.id)).filter_by(state="completed")
    ) == CONVERSATIONS
    free_text = db.session.scalars(
        db.select(Answer.value).filter(Answer.question_key == "one_thing")
    ).all()
    assert len(set(free_text)) > 20
    # A demo contact can still text the live survey.
    out = text(contacts[0].phone, "pulse")
    assert "How well do our programs" in out[0]
