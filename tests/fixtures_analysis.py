"""Test data for analysis: a small survey and a factory of respondents with answers.

Rows are inserted directly (not through intake) so a breakdown test can build exactly the
population it needs; tagging tests go through feedback.intake instead.
"""

from __future__ import annotations

__all__ = ["people", "sites", "survey"]

import secrets
from datetime import datetime

import pytest

from feedback.models import (
    Answer,
    Organization,
    PartnerSite,
    Respondent,
    RespondentRace,
    Response,
)
from surveys.models import Question, Survey, SurveyVersion


@pytest.fixture
def survey(db):
    """A published survey with a yes/no question and a free-text comment question."""
    survey = Survey(slug="youth-voice", status="open")
    version = SurveyVersion(survey=survey, number=1, title={"en": "Youth voice"},
                            published_at=datetime(2025, 1, 1))
    version.questions = [
        Question(key="safe", type="yes_no", position=0, text={"en": "Do you feel safe?"}),
        Question(key="comment", type="long_text", position=1, text={"en": "Anything else?"}),
    ]
    db.session.add(survey)
    db.session.commit()
    return survey


@pytest.fixture
def sites(db):
    """Two partner organisations with one site each."""
    a = Organization(name="Org A", kind="partner")
    b = Organization(name="Org B", kind="partner")
    sa_, sb = PartnerSite(code="a", name="Site A", organization=a), PartnerSite(
        code="b", name="Site B", organization=b)
    db.session.add_all([a, b, sa_, sb])
    db.session.commit()
    return sa_, sb


@pytest.fixture
def people(db, survey):
    """Factory: ``people(n, **attrs)`` adds n respondents, each with one completed response.

    attrs: races (list), age_group, gender, neighbourhood, role, channel, locale, site,
    safe (True/False/None), comment (str/None), completed_at.
    """
    version = survey.versions[0]
    questions = {q.key: q for q in version.questions}

    def make(n, races=(), channel="web", locale="en", site=None, safe=None, comment=None,
             completed_at=datetime(2025, 3, 1, 12), **demographics):
        made = []
        for _ in range(n):
            person = Respondent(pseudonym=secrets.token_hex(8), **demographics)
            person.races = [RespondentRace(group=g) for g in races]
            response = Response(
                respondent=person, survey_id=survey.id, survey_version_id=version.id,
                channel=channel, locale=locale, site_id=site.id if site else None,
                started_at=completed_at, completed_at=completed_at,
            )
            if safe is not None:
                response.answers.append(Answer(
                    question_id=questions["safe"].id, question_key="safe",
                    raw_text="yes" if safe else "no", value="yes" if safe else "no",
                    value_number=1.0 if safe else 0.0,
                ))
            if comment is not None:
                response.answers.append(Answer(
                    question_id=questions["comment"].id, question_key="comment",
                    raw_text=comment, value=comment,
                ))
            db.session.add(response)
            made.append(response)
        db.session.commit()
        return made

    return make
