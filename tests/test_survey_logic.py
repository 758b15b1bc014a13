"""Skip logic: follow-up questions are asked only after the answers that call for them."""

from __future__ import annotations

from surveys.logic import applicable_questions, is_applicable, next_question
from surveys.models import Question


def _q(key, ask_if_key=None, ask_if_values=None):
    return Question(key=key, type="short_text", ask_if_key=ask_if_key, ask_if_values=ask_if_values)


def test_unconditional_question_is_always_asked():
    assert is_applicable(_q("a"), {})


def test_single_value_must_match():
    follow = _q("why_unsafe", "safe", [1, 2])
    assert is_applicable(follow, {"safe": 1})
    assert is_applicable(follow, {"safe": 2.0})
    assert is_applicable(follow, {"safe": "2"})
    assert not is_applicable(follow, {"safe": 4})


def test_yes_no_and_codes():
    follow = _q("who", "adult", ["yes"])
    assert is_applicable(follow, {"adult": "yes"})
    assert not is_applicable(follow, {"adult": "no"})


def test_any_overlap_with_a_multiple_choice_answer():
    follow = _q("which_park", "better", ["parks"])
    assert is_applicable(follow, {"better": ["lights", "parks"]})
    assert not is_applicable(follow, {"better": ["lights"]})


def test_unanswered_controlling_question_means_do_not_ask():
    follow = _q("who", "adult", ["yes"])
    assert not is_applicable(follow, {})
    assert not is_applicable(follow, {"adult": None})
    assert not is_applicable(follow, {"adult": []})


def test_no_values_means_any_answer_opens_the_follow_up():
    follow = _q("more", "adult", None)
    assert is_applicable(follow, {"adult": "no"})
    assert not is_applicable(follow, {})


def test_next_question_walks_the_survey_one_at_a_time():
    questions = [_q("adult"), _q("who", "adult", ["yes"]), _q("end")]
    assert next_question(questions, {}, ()).key == "adult"
    assert next_question(questions, {"adult": "no"}, {"adult"}).key == "end"
    assert next_question(questions, {"adult": "yes"}, {"adult"}).key == "who"
    assert next_question(questions, {"adult": "yes"}, {"adult", "who", "end"}) is None
    assert [q.key for q in applicable_questions(questions, {"adult": "no"})] == ["adult", "end"]
