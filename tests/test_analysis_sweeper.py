"""A comment whose tagging job died with the queue worker is tagged by the sweeper."""

from __future__ import annotations

from datetime import timedelta

from analysis.models import AnswerTag
from analysis.tagging import jobs as tagging
from feedback.responses.intake import record_response
from feedback.responses.models import Answer


def test_sweeper_tags_answers_whose_job_was_lost(app, db, survey, monkeypatch):
    monkeypatch.setattr(tagging, "tag_answers", lambda ids: None)  # the worker died
    version = survey.versions[0]
    response = record_response(version, {"comment": "The bus is always late"},
                               channel="web", locale="en")
    answer = next(a for a in response.answers if a.question_key == "comment")
    assert db.session.get(AnswerTag, answer.id) is None
    assert tagging.sweep_untagged() == 0  # a fresh answer's job may still be on its way
    stored = db.session.get(Answer, answer.id)
    stored.created_at -= timedelta(minutes=2)
    db.session.commit()
    assert tagging.sweep_untagged_job.call_local() == 1
    db.session.expire_all()
    assert db.session.get(AnswerTag, answer.id) is not None
    assert tagging.sweep_untagged() == 0  # idempotent: nothing left
