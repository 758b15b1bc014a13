"""Answers carry copies of their response's period and scope columns (the dashboard filters on
them without joining responses): the copies must follow the response through web intake, SMS
completion and later edits, or the dashboard would miss or misplace answers."""

from __future__ import annotations

import pytest

from tests.fixtures.review import Q2


def _copies(answer):
    return (answer.completed_at, answer.survey_id, answer.site_id, answer.channel, answer.locale)


def _expected(response):
    return (response.completed_at, response.survey_id, response.site_id, response.channel,
            response.locale)


@pytest.fixture
def survey(db):
    from feedback.responses.models import Organization, PartnerSite
    from surveys.models import Question, Survey, SurveyVersion

    org = Organization(name="Partner", kind="partner")
    site = PartnerSite(code="club", name="Club", organization=org)
    survey = Survey(slug="copies", status="open")
    version = SurveyVersion(survey=survey, number=1, title={"en": "Copies"})
    Question(version=version, key="feel_safe", type="scale", position=1)
    Question(version=version, key="adult_to_talk", type="yes_no", position=2)
    db.session.add_all([org, site, survey, version])
    db.session.commit()
    return version, site


def test_web_answers_take_their_response_period_and_scope(app, db, survey):
    from feedback.responses.intake import record_response

    version, site = survey
    response = record_response(version, {"feel_safe": "4", "adult_to_talk": "yes"},
                               channel="web", locale="es", site=site)
    db.session.expire_all()
    assert len(response.answers) == 2
    for answer in response.answers:
        assert _copies(answer) == _expected(response)
        assert answer.completed_at is not None and answer.site_id == site.id


def test_sms_answers_enter_the_period_only_when_the_response_completes(app, db, survey):
    from analysis.review import indicators
    from analysis.review.goals import Indicator
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from feedback.responses.intake import add_answer, add_respondent, add_response, finish_response
    from feedback.responses.models import Response, utcnow
    from surveys.types import parse_answer

    version, site = survey
    question = version.questions[0]
    row = add_response(version.id, version.survey_id, channel="sms", locale="vi",
                       respondent_id=add_respondent("vi"), site_id=site.id)
    db.session.connection().execute(*add_answer(row, question, "5",
                                                parse_answer(question, "5", "vi")))
    db.session.commit()
    response = db.session.get(Response, row["id"])
    assert response.answers[0].completed_at is None  # a conversation still going on
    indicator = Indicator(question_key="feel_safe", rule="mean", values=[])
    scope = ReviewScope(period=quarter_of(utcnow().date()))
    assert indicators.compute(indicator, scope, min_cell=0).n == 0

    finish_response(response.id)
    db.session.commit()
    db.session.expire_all()
    assert _copies(response.answers[0]) == _expected(response)
    result = indicators.compute(indicator, scope, min_cell=0)
    assert result.n == 1 and result.value == pytest.approx(5.0)


def test_moving_a_response_moves_its_answers_in_the_dashboard(app, db, review_world):
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    add, site_b = review_world["add"], review_world["site_b"]
    responses = add(safe=5, comment="I feel safe at the club", sentiment="positive", count=12)
    scope_b = ReviewScope(period=quarter_of(Q2.date()), site_id=site_b.id)
    before = build_review(scope_b, with_quotes=False)
    assert before.goals[0].comments == 0
    for response in responses:
        response.site_id = site_b.id  # e.g. a site record corrected by staff
    db.session.commit()
    after = build_review(scope_b, with_quotes=False)
    assert after.goals[0].comments == 12
    assert after.goals[0].indicators[0][1].n == 12
