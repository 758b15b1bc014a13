"""Survey versions: publishing freezes a version, edits make a new one, old answers keep theirs."""

from __future__ import annotations

import json

import pytest

from demo import youth_survey as youth
from feedback.responses.intake import IntakeError, record_response
from feedback.responses.models import Answer, Response
from surveys import operations as ops
from surveys.definitions import DefinitionError
from surveys.operations import SurveyError


def T(en, es="", vi=""):  # noqa: N802 - reads like the per-locale texts it builds
    return {k: v for k, v in {"en": en, "es": es, "vi": vi}.items() if v}


def _yes_no(key="adult", **extra):
    return {"key": key, "type": "yes_no", "required": True,
            "text": T("Is there an adult you trust?", "¿Hay un adulto de confianza?",
                      "Có người lớn bạn tin tưởng không?"), **extra}


@pytest.fixture
def survey(db):
    survey = ops.create_survey("club-check-in", T("Check-in", "Registro", "Điểm danh"))
    ops.add_question(survey, _yes_no())
    ops.add_question(survey, {"key": "safe", "type": "scale", "required": True,
                              "text": T("How safe?", "¿Qué tan seguro?", "An toàn thế nào?"),
                              "settings": {"min": 1, "max": 5}})
    return survey


def test_new_survey_is_a_draft_with_nothing_published(survey):
    assert survey.status == "draft"
    assert ops.current_version(survey) is None
    assert [q.key for q in ops.draft_version(survey).questions] == ["adult", "safe"]


def test_publish_refused_with_the_list_of_missing_translations(survey):
    ops.add_question(survey, {"key": "why", "type": "long_text", "text": T("Why?", "¿Por qué?")})
    with pytest.raises(SurveyError) as refused:
        ops.publish(survey, ["en", "es", "vi"])
    problems = refused.value.problems
    assert len(problems) == 1
    assert "Why?" in problems[0] and "Tiếng Việt" in problems[0]
    assert survey.status == "draft" and ops.current_version(survey) is None


def test_publish_lists_title_choice_and_end_label_gaps(db):
    survey = ops.create_survey("gaps", T("Gaps", "Huecos"))
    ops.add_question(survey, {"key": "pick", "type": "single_choice", "text": T("Pick", "Elige",
                                                                            "Chọn"),
                              "choices": [{"code": "a", "label": T("A", "A", "A")},
                                          {"code": "b", "label": T("B", "B")}]})
    ops.add_question(survey, {"key": "rate", "type": "scale", "text": T("Rate", "Califica", "Chấm"),
                              "settings": {"low": T("Bad", "Mal", "Tệ"), "high": T("Good")}})
    with pytest.raises(SurveyError) as refused:
        ops.publish(survey, ["en", "es", "vi"])
    text = "\n".join(refused.value.problems)
    assert "Title" in text and "“b”" in text and "high end label" in text
    assert "“a”" not in text
    assert len(refused.value.problems) == 4  # title vi, choice b vi, high es, high vi


def test_publish_refuses_an_empty_survey_and_a_choice_question_without_choices(db):
    empty = ops.create_survey("empty", T("Empty", "Vacía", "Trống"))
    with pytest.raises(SurveyError, match="no questions"):
        ops.publish(empty, ["en", "es", "vi"])
    ops.add_question(empty, {"key": "pick", "type": "single_choice",
                             "text": T("Pick", "Elige", "Chọn")})
    with pytest.raises(SurveyError, match="two choices"):
        ops.publish(empty, ["en", "es", "vi"])


def test_editing_an_open_survey_keeps_old_answers_on_their_version(survey, db, app):
    v1 = ops.publish(survey, ["en", "es", "vi"])
    assert survey.status == "open" and v1.number == 1
    old = record_response(v1, {"adult": "sí", "safe": "4"}, channel="web", locale="es")

    ops.update_question(survey, "adult", type="yes_no", required=True,
                        text=T("Is there a staff member you trust?",
                               "¿Hay alguien del personal de confianza?",
                               "Có nhân viên nào bạn tin tưởng không?"),
                        help={}, settings={}, ask_if_key=None, ask_if_values=None)
    ops.remove_question(survey, "safe")
    v2 = ops.draft_version(survey)
    assert v2.number == 2 and v2 is not v1
    # respondents still get version 1 until version 2 is published
    assert ops.current_version(survey) is v1
    assert [q.key for q in v1.questions] == ["adult", "safe"]
    assert v1.questions[0].text["en"] == "Is there an adult you trust?"

    ops.publish(survey, ["en", "es", "vi"])
    assert ops.current_version(survey) is v2
    new = record_response(v2, {"adult": "no"}, channel="web", locale="en")

    db.session.expire_all()
    old = db.session.get(Response, old.id)
    assert old.survey_version.number == 1
    assert {a.question_key: a.value for a in old.answers} == {"adult": "yes", "safe": 4}
    assert db.session.get(Answer, old.answers[0].id).question.text["en"] == \
        "Is there an adult you trust?"
    assert db.session.get(Response, new.id).survey_version.number == 2
    with pytest.raises(IntakeError):
        record_response(v2, {}, channel="web", locale="en")


def test_skip_logic_must_point_to_an_earlier_question(survey):
    with pytest.raises(SurveyError, match="earlier"):
        ops.add_question(survey, {"key": "who", "type": "short_text", "text": T("Who?"),
                                  "ask_if_key": "nope", "ask_if_values": ["yes"]})
    ops.add_question(survey, {"key": "who", "type": "short_text", "text": T("Who?"),
                              "ask_if_key": "adult", "ask_if_values": ["yes"]})
    with pytest.raises(SurveyError, match="depends"):
        ops.remove_question(survey, "adult")
    ops.move_question(survey, "who", "up")  # now right after "adult": still fine
    assert [q.key for q in ops.draft_version(survey).questions] == ["adult", "who", "safe"]
    with pytest.raises(SurveyError, match="depends"):
        ops.move_question(survey, "who", "up")


def test_reorder_questions_and_choices(survey):
    ops.move_question(survey, "safe", "up")
    assert [q.key for q in ops.draft_version(survey).questions] == ["safe", "adult"]
    ops.add_question(survey, {"key": "pick", "type": "single_choice", "text": T("Pick")})
    for code in ("a", "b", "c"):
        ops.add_choice(survey, "pick", code, T(code.upper()))
    ops.move_choice(survey, "pick", "c", "up")
    ops.remove_choice(survey, "pick", "a")
    question = ops.find_question(ops.draft_version(survey), "pick")
    assert [(c.code, c.position) for c in question.choices] == [("c", 1), ("b", 2)]
    with pytest.raises(SurveyError, match="already used"):
        ops.add_choice(survey, "pick", "b", T("B again"))
    with pytest.raises(SurveyError, match="no choices"):
        ops.add_choice(survey, "safe", "x", T("X"))


def test_close_and_reopen(survey):
    with pytest.raises(SurveyError):
        ops.reopen(survey)
    ops.publish(survey, ["en", "es", "vi"])
    ops.close(survey)
    assert survey.status == "closed"
    ops.reopen(survey)
    assert survey.status == "open"


def test_duplicate_copies_the_content_under_a_new_slug(survey):
    ops.publish(survey, ["en", "es", "vi"])
    copy = ops.duplicate(survey, "club-check-in-2025")
    assert copy.status == "draft" and copy.slug == "club-check-in-2025"
    assert [q.key for q in ops.draft_version(copy).questions] == ["adult", "safe"]
    with pytest.raises(DefinitionError, match="already uses"):
        ops.duplicate(survey, "club-check-in")


def test_export_import_round_trip(survey):
    data = json.loads(json.dumps(ops.export_definition(survey)))
    copy = ops.import_definition(data, slug="imported")
    assert ops.export_definition(copy) | {"slug": "club-check-in"} == data


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(format="something else"), "not a survey definition"),
    (lambda d: d["questions"][0].update(type="essay"), "unknown type"),
    (lambda d: d["questions"][0].update(key="Bad Key"), "key must be"),
    (lambda d: d["questions"].append(dict(d["questions"][0])), "used twice"),
    (lambda d: d["questions"][1].update(settings={"min": 5, "max": 1}), "scale"),
    (lambda d: d.update(slug="Not a slug!"), "link name"),
    (lambda d: d.update(sms_keyword="STOP"), "reserved"),
    (lambda d: d["questions"][0].update(text="just a string"), "language codes"),
])
def test_import_rejects_bad_files_with_clear_errors(survey, change, message):
    data = ops.export_definition(survey)
    data["slug"] = "fresh"
    change(data)
    with pytest.raises(DefinitionError) as refused:
        ops.import_definition(data)
    assert message in " ".join(refused.value.problems)
    assert ops.get_survey("fresh") is None


def test_demo_youth_survey_is_open_complete_and_idempotent(db):
    first = youth.seed_youth_survey()
    again = youth.seed_youth_survey()
    assert first.id == again.id and len(first.versions) == 1
    version = ops.current_version(first)
    assert first.status == "open"
    assert ops.missing_translations(version, ["en", "es", "vi"]) == []
    keys = [q.key for q in version.questions]
    assert set(youth.DEMOGRAPHIC_KEYS) <= set(keys) and set(youth.FREE_TEXT_KEYS) <= set(keys)
    types = {q.key: q.type for q in version.questions}
    assert types[youth.SAFE] == "scale" and types[youth.TRUSTED_ADULT] == "yes_no"
    assert types[youth.NEIGHBOURHOOD_BETTER] == "multiple_choice"
    assert any(q.ask_if_key for q in version.questions)
    response = record_response(version, {youth.SAFE: "2", youth.WHY_UNSAFE: "Hay peleas afuera",
                                          youth.RACE_ETHNICITY: ["asian", "white"],
                                          youth.AGE_GROUP: "13_15", youth.TRUSTED_ADULT: "có"},
                               channel="web", locale="vi")
    assert {r.group for r in response.respondent.races} == {"asian", "white"}
    assert response.respondent.age_group == "13_15"


def test_publish_refuses_number_codes_that_name_another_choice(db):
    survey = ops.create_survey("grades", T("Grades"))
    ops.add_question(survey, {"key": "grade", "type": "single_choice", "text": T("Grade?"),
                              "choices": [{"code": "2", "label": T("Second")},
                                          {"code": "1", "label": T("First")}]})
    with pytest.raises(SurveyError, match="number code"):
        ops.publish(survey, ["en"])
    ops.move_choice(survey, "grade", "1", "up")
    assert ops.publish(survey, ["en"]).number == 1


def test_cli_export_import_publish(runner, db, tmp_path):
    youth.seed_youth_survey()
    path = tmp_path / "youth.json"
    result = runner.invoke(args=["surveys", "export", "youth-voice", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text("utf-8"))["slug"] == "youth-voice"
    result = runner.invoke(args=["surveys", "import", str(path), "--slug", "youth-copy"])
    assert result.exit_code == 0 and "draft" in result.output
    result = runner.invoke(args=["surveys", "publish", "youth-copy"])
    assert result.exit_code == 0, result.output
    assert ops.get_survey("youth-copy").status == "open"
    again = runner.invoke(args=["surveys", "import", str(path)])
    assert again.exit_code != 0 and "already uses the link name" in again.output
