"""Test data for the agenda review: a survey, themes, respondents with demographics and
answers in two quarters, tagged, built directly (fast and exact)."""

from __future__ import annotations

from datetime import datetime

import pytest

Q1 = datetime(2026, 1, 15, 12, 0)
Q2 = datetime(2026, 4, 15, 12, 0)


@pytest.fixture
def review_world(db):
    """A factory that adds respondents who answered; returns helpers and created objects."""
    from analysis.models import AnswerTag, AnswerTheme, Theme
    from analysis.review.goals import AgendaGoal, Indicator
    from feedback.models import (
        Answer,
        Organization,
        PartnerSite,
        Respondent,
        RespondentRace,
        Response,
    )
    from surveys.models import Question, Survey, SurveyVersion

    org_a = Organization(name="Partner A", kind="partner")
    org_b = Organization(name="Partner B", kind="partner")
    site_a = PartnerSite(code="site-a", name="Site A", organization=org_a)
    site_b = PartnerSite(code="site-b", name="Site B", organization=org_b)
    survey = Survey(slug="youth-voice", status="open")
    version = SurveyVersion(survey=survey, number=1, title={"en": "Youth voice"})
    q_safe = Question(version=version, key="feel_safe", type="scale", position=1)
    q_adult = Question(version=version, key="adult_to_talk", type="yes_no", position=2)
    q_text = Question(version=version, key="comment", type="long_text", position=3)
    safety = Theme(key="safety", labels={"en": "Safety", "vi": "An toàn"})
    transport = Theme(key="transportation", labels={"en": "Transportation"})
    db.session.add_all([org_a, org_b, site_a, site_b, survey, version, q_safe, q_adult, q_text,
                        safety, transport])
    db.session.flush()
    goal = AgendaGoal(key="youth-feel-safe", names={"en": "Youth feel safe",
                                                    "vi": "Thanh niên cảm thấy an toàn"},
                      themes=[safety])
    goal.indicators = [
        Indicator(labels={"en": "Feel safe (4-5)", "vi": "Cảm thấy an toàn"},
                  question_key="feel_safe", rule="share_of_values", values=["4", "5"]),
        Indicator(labels={"en": "Has an adult to talk to"}, question_key="adult_to_talk",
                  rule="share_of_values", values=["yes"]),
    ]
    db.session.add(goal)
    db.session.commit()

    def add(*, when=Q2, site=site_a, channel="web", locale="en", safe=None, adult=None,
            comment=None, sentiment="neutral", score=0.0, themes=(safety,), age_group=None,
            gender=None, races=(), count=1, confidence=0.9):
        made = []
        for _ in range(count):
            respondent = Respondent(pseudonym=f"p{db.session.query(Respondent).count()}x{_}",
                                    age_group=age_group, gender=gender)
            respondent.races = [RespondentRace(group=r) for r in races]
            response = Response(respondent=respondent, survey_id=survey.id,
                                survey_version_id=version.id, channel=channel,
                                site_id=site.id if site else None, locale=locale,
                                started_at=when, completed_at=when)
            db.session.add(response)
            if safe is not None:
                response.answers.append(Answer(question_id=q_safe.id, question_key="feel_safe",
                                               raw_text=str(safe), value=str(safe),
                                               value_number=float(safe), created_at=when))
            if adult is not None:
                response.answers.append(Answer(
                    question_id=q_adult.id, question_key="adult_to_talk", raw_text=adult,
                    value=adult, value_number=1.0 if adult == "yes" else 0.0, created_at=when))
            if comment is not None:
                answer = Answer(question_id=q_text.id, question_key="comment", raw_text=comment,
                                value=comment, created_at=when)
                response.answers.append(answer)
                db.session.flush()
                db.session.add(AnswerTag(answer_id=answer.id, language=locale,
                                         sentiment_label=sentiment, sentiment_score=score,
                                         sentiment_confidence=confidence))
                for theme in themes:
                    db.session.add(AnswerTheme(answer_id=answer.id, theme_id=theme.id,
                                               source="auto"))
            made.append(response)
        db.session.commit()
        return made

    return {"add": add, "goal": goal, "site_a": site_a, "site_b": site_b, "org_a": org_a,
            "org_b": org_b, "survey": survey, "safety": safety, "transport": transport}
