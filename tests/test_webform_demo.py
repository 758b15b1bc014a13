"""The demo web answers: many, varied, backdated, with small groups, and idempotent."""

from __future__ import annotations

from collections import Counter

from demo import youth_survey as youth
from demo.web_answers import quarter_window, seed_web_answers
from feedback.responses.models import Answer, RespondentRace, Response


def test_demo_answers_are_varied_backdated_and_idempotent(web_app, db):
    from demo.cli import ensure_demo_foundation

    ensure_demo_foundation()
    youth.seed_youth_survey()
    assert seed_web_answers(count=120) == 120
    assert seed_web_answers(count=120) == 0  # second run adds nothing
    responses = list(db.session.scalars(db.select(Response)))
    assert len(responses) == 120
    assert {r.locale for r in responses} == {"en", "es", "vi"}
    assert len({r.site_id for r in responses}) >= 3
    assert all(r.completed_at and r.started_at < r.completed_at for r in responses)
    days = {r.completed_at.date() for r in responses}
    assert len(days) > 30  # spread over months, not all today
    start, end = quarter_window(max(r.completed_at for r in responses))
    assert all(start <= r.completed_at <= end for r in responses)

    texts = [a.value for a in db.session.scalars(
        db.select(Answer).where(Answer.question_key.in_(youth.FREE_TEXT_KEYS))
    )]
    assert len(set(texts)) > 40
    races = Counter(db.session.scalars(db.select(RespondentRace.group)))
    assert any(0 < n < 10 for n in races.values())  # small groups exist to be suppressed
    assert races.most_common(1)[0][1] > 20
