"""The intake contract, through both channels: the web form and the SMS webhook store a
response the same way, with the same side effects (docs/architecture.md, "Side effects").

Every test here runs twice, once per channel (the ``channel`` fixture), on the same survey:
the demo family-pulse survey, open on the web at /s/family-pulse and by SMS with PULSE.
"""

from __future__ import annotations

import re

import pytest

from analysis.models import AnswerTag
from analysis.review.daily_totals import StaleDay
from feedback.core.signals import response_recorded
from feedback.responses.models import Answer, Respondent, RespondentRace, Response
from tests.fixtures.helpers import csrf_token_from

PHONE = "+15045550177"

#: What both channels must store, whichever way the person typed it.
EXPECTED = {
    "needs_met": 4, "used_program": "yes", "program_kind": "tutoring",
    "one_thing": "More tutoring please", "role": "parent", "neighbourhood": "eastside",
    "race_ethnicity": ["black", "hispanic_latino"],
}
#: The same answers as a family texts them, in the order the questions come.
SMS_REPLIES = ["4", "yes", "2", "More tutoring please", "2", "1", "2 and 3"]
#: The same answers as the web form posts them.
WEB_FIELDS = {
    "q_needs_met": "4", "q_used_program": "yes", "q_program_kind": "tutoring",
    "q_one_thing": "More tutoring please", "q_role": "parent", "q_neighbourhood": "eastside",
    "q_race_ethnicity": ["black", "hispanic_latino"],
}
TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]*)"')


#: What each channel says when an answer is over the question's size limit.
TOO_LONG = "Please keep your answer under"


def _by_web(client, survey, comments: list[str], repeat_last: bool) -> None:
    """Fill the survey page by page; every comment but the last must be refused."""
    url = f"/s/{survey.slug}?page=1"
    comments = list(comments)
    for _ in range(10):
        html = client.get(url).get_data(as_text=True)
        data = {"csrf_token": csrf_token_from(html), "token": TOKEN_RE.search(html).group(1),
                "action": "next"}
        on_page = {name for name in WEB_FIELDS if f'name="{name}"' in html}
        assert on_page, html
        data.update({name: WEB_FIELDS[name] for name in on_page})
        if "q_one_thing" in on_page:
            data["q_one_thing"] = comments.pop(0)
            if comments:
                refused = client.post(url, data=data)
                assert refused.status_code == 422 and TOO_LONG in refused.get_data(as_text=True)
                continue
        sent = client.post(url, data=data)
        assert sent.status_code == 302, sent.get_data(as_text=True)
        if "/thanks" in sent.location:
            if repeat_last:  # a double submit of the last page
                assert client.post(url, data=data).status_code == 302
            return
        url = sent.location
    raise AssertionError("the web form never reached its thanks page")


def _by_sms(text, comments: list[str], repeat_last: bool) -> None:
    """Text the survey's keyword and the answers; every comment but the last must be refused."""
    text(PHONE, "pulse")
    text(PHONE, "1")  # English
    for index, reply in enumerate(SMS_REPLIES):
        if index == SMS_REPLIES.index(EXPECTED["one_thing"]):
            for refused in comments[:-1]:
                assert TOO_LONG in text(PHONE, refused)[0]
            reply = comments[-1]
        sid = f"SMintake{index:026d}"
        out = text(PHONE, reply, sid=sid)
    assert "Thank you" in out[0]
    if repeat_last:  # Twilio delivers the last text again
        text(PHONE, reply, sid=sid)


@pytest.fixture(params=["web", "sms"])
def channel(request):
    return request.param


@pytest.fixture
def respond(channel, client, family_survey, text):
    """Fill the family survey once through ``channel``; returns the stored response.

    ``comments``: what the person writes for the free-text question, in turn (all but the
    last are expected to be refused); ``repeat_last``: the last page or text arrives twice."""

    def run(comments=(EXPECTED["one_thing"],), repeat_last: bool = False) -> Response:
        if channel == "web":
            _by_web(client, family_survey, list(comments), repeat_last)
        else:
            _by_sms(text, list(comments), repeat_last)
        from feedback.core.extensions import db

        db.session.expire_all()
        return db.session.scalars(db.select(Response)).one()

    return run


def test_the_answers_are_stored_the_same_way(db, channel, respond):
    response = respond()
    assert response.channel == channel and response.completed_at is not None
    assert {a.question_key: a.value for a in response.answers} == EXPECTED


def test_demographic_answers_describe_the_respondent(db, respond):
    response = respond()
    respondent = db.session.get(Respondent, response.respondent_id)
    assert respondent.role == "parent" and respondent.neighbourhood == "eastside"
    groups = set(db.session.scalars(
        db.select(RespondentRace.group).filter_by(respondent_id=respondent.id)))
    assert groups == {"black", "hispanic_latino"}


def test_every_answer_carries_its_responses_columns(db, respond):
    response = respond()
    answers = list(db.session.scalars(db.select(Answer).filter_by(response_id=response.id)))
    assert answers
    for answer in answers:
        assert answer.completed_at == response.completed_at
        assert answer.channel == response.channel and answer.survey_id == response.survey_id


def test_completion_is_announced_once_and_the_comment_is_tagged(db, respond):
    news = []

    def listen(sender, response_id=None, answer_ids=(), completed=False, **_):
        news.append((response_id, completed))

    response_recorded.connect(listen)
    try:
        response = respond()
    finally:
        response_recorded.disconnect(listen)
    assert (response.id, True) in news
    comment = next(a for a in response.answers if a.question_key == "one_thing")
    assert db.session.get(AnswerTag, comment.id) is not None  # the tagging job ran


def test_the_completion_day_is_marked_for_the_review_totals(db, respond):
    response = respond()
    days = set(db.session.scalars(db.select(StaleDay.day)))
    assert response.completed_at.date() in days


def test_control_characters_are_stripped_from_a_comment(db, respond):
    response = respond(comments=["More\x00 tutoring\x07 please\r"])
    comment = next(a for a in response.answers if a.question_key == "one_thing")
    assert comment.value == comment.raw_text == "More tutoring please"


def test_a_comment_over_the_size_limit_is_refused_then_corrected(db, respond):
    response = respond(comments=["x" * 2001, "Shorter"])
    comment = next(a for a in response.answers if a.question_key == "one_thing")
    assert comment.value == "Shorter"


def test_a_repeated_last_submission_completes_one_response_once(db, respond):
    news = []

    def listen(sender, response_id=None, completed=False, **_):
        news.append((response_id, completed))

    response_recorded.connect(listen)
    try:
        response = respond(repeat_last=True)  # .one(): no second response
    finally:
        response_recorded.disconnect(listen)
    assert news.count((response.id, True)) == 1
    assert len(response.answers) == len(EXPECTED)
