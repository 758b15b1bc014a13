"""Question types: what respondents type in English, Spanish and Vietnamese, and what is stored."""

from __future__ import annotations

import pytest

from surveys import choice_types, type_base
from surveys.models import Choice, Question
from surveys.types import QUESTION_TYPES, ParseResult, expected_hint, parse_answer, sms_prompt


def _choice(code, position, en, es, vi, exclusive=False):
    return Choice(code=code, position=position, label={"en": en, "es": es, "vi": vi},
                  exclusive=exclusive)


@pytest.fixture
def transport(app):
    return Question(
        key="transport", type="single_choice", required=True, settings={},
        text={"en": "How did you get here?", "es": "¿Cómo llegaste?", "vi": "Bạn đến bằng gì?"},
        choices=[
            _choice("bus", 1, "Bus", "Autobús", "Xe buýt"),
            _choice("walk", 2, "Walking", "Caminando", "Đi bộ"),
            _choice("car", 3, "Car", "Carro", "Xe hơi"),
        ],
    )


@pytest.fixture
def better(app):
    return Question(
        key="better", type="multiple_choice", required=False, settings={},
        text={"en": "What would help?", "es": "¿Qué ayudaría?", "vi": "Điều gì sẽ giúp?"},
        choices=[
            _choice("parks", 1, "Parks", "Parques", "Công viên"),
            _choice("lights", 2, "Street lights", "Alumbrado público", "Đèn đường"),
            _choice("jobs", 3, "Jobs for youth", "Empleos para jóvenes", "Việc làm cho thanh niên"),
            _choice("pns", 4, "Prefer not to say", "Prefiero no decir", "Không muốn trả lời",
                    exclusive=True),
        ],
    )


@pytest.fixture
def adult(app):
    return Question(key="adult", type="yes_no", required=True, settings={},
                    text={"en": "Is there an adult here you can talk to?",
                          "es": "¿Hay un adulto aquí con quien puedas hablar?",
                          "vi": "Ở đây có người lớn nào bạn có thể nói chuyện không?"})


@pytest.fixture
def safe(app):
    return Question(
        key="safe", type="scale", required=True,
        settings={"min": 1, "max": 5,
                  "low": {"en": "Not at all", "es": "Nada", "vi": "Không chút nào"},
                  "high": {"en": "Very", "es": "Muy seguro", "vi": "Rất an toàn"}},
        text={"en": "How safe do you feel?", "es": "¿Qué tan seguro te sientes?",
              "vi": "Bạn cảm thấy an toàn thế nào?"},
    )


@pytest.mark.parametrize("raw", ["2", "dos", "hai", "two", "walk", "Walking", "caminando",
                                 "CAMINANDO!", "đi bộ", "di bo", "  Di   Bo. ", ["walk"]])
def test_single_choice_by_number_code_or_label_in_any_language(transport, raw):
    for locale in ("en", "es", "vi"):
        assert parse_answer(transport, raw, locale) == ParseResult("walk", None, None)


@pytest.mark.parametrize("raw", ["4", "0", "bicycle", "cuatro", "1 2"])
def test_single_choice_unknown_says_what_is_expected(transport, raw):
    result = parse_answer(transport, raw, "es")
    assert result.value is None and result.number is None
    assert "1" in result.error and "3" in result.error


def test_single_choice_with_two_picks_from_the_web_is_refused(transport):
    assert parse_answer(transport, ["bus", "car"], "en").error


def test_single_choice_numeric_code_gives_a_number(app):
    q = Question(key="grade", type="single_choice", settings={},
                 choices=[Choice(code="9", position=1, label={"en": "9th"}),
                          Choice(code="10", position=2, label={"en": "10th"})])
    assert parse_answer(q, "2", "en") == ParseResult("10", 10.0, None)
    # the web form posts codes, so a list is read as codes first
    assert parse_answer(q, ["9"], "en") == ParseResult("9", 9.0, None)


@pytest.mark.parametrize("raw", ["1,3", "1 3", "1, 3", "1 y 3", "1 and 3", "1 và 3", "1 va 3",
                                 "3 1", "Parks, Jobs for youth", "parques y empleos para jovenes",
                                 "công viên, việc làm cho thanh niên", ["parks", "jobs"],
                                 "one and three", "uno y tres", "một và ba"])
def test_multiple_choice_lists(better, raw):
    for locale in ("en", "es", "vi"):
        assert parse_answer(better, raw, locale).value == ["parks", "jobs"]


def test_multiple_choice_single_label_containing_and(app):
    q = Question(key="x", type="multiple_choice", settings={},
                 choices=[Choice(code="pp", position=1, label={"en": "Parks and playgrounds"}),
                          Choice(code="lib", position=2, label={"en": "Libraries"})])
    assert parse_answer(q, "Parks and playgrounds", "en").value == ["pp"]
    assert parse_answer(q, "parks and playgrounds, libraries", "en").value == ["pp", "lib"]


@pytest.mark.parametrize("raw", ["1,7", "parks, spaceships", "9"])
def test_multiple_choice_unknown_item_is_refused(better, raw):
    result = parse_answer(better, raw, "vi")
    assert result.value is None
    assert "4" in result.error


def test_prefer_not_to_say_excludes_other_choices(better):
    result = parse_answer(better, "1, 4", "en")
    assert result.value is None and "Prefer not to say" in result.error
    assert parse_answer(better, "4", "es").value == ["pns"]
    assert parse_answer(better, "prefiero no decir", "es").value == ["pns"]


def test_multiple_choice_max_choices(better):
    better.settings = {"max_choices": 2}
    assert parse_answer(better, "1,2,3", "en").error
    assert parse_answer(better, "1,2", "en").value == ["parks", "lights"]


@pytest.mark.parametrize("raw", ["yes", "Yes", "Y", "y", "yeah", "1", "Sí", "si", "SI", "s",
                                 "claro", "có", "co", "Có ạ", "vâng", "dạ", "yes please",
                                 "sí, gracias"])
def test_yes(adult, raw):
    assert parse_answer(adult, raw, "en") == ParseResult("yes", 1.0, None)


@pytest.mark.parametrize("raw", ["no", "No", "N", "nope", "2", "no gracias", "không", "khong",
                                 "ko", "Không có", "chưa", "no thanks"])
def test_no(adult, raw):
    assert parse_answer(adult, raw, "es") == ParseResult("no", 0.0, None)


def test_k_means_no_only_in_vietnamese(adult):
    assert parse_answer(adult, "k", "vi").value == "no"
    assert parse_answer(adult, "k", "en").error


@pytest.mark.parametrize("raw", ["maybe", "no sé", "không biết", "I don't know", "3", "quizás"])
def test_yes_no_unclear_is_asked_again(adult, raw):
    result = parse_answer(adult, raw, "en")
    assert result.value is None
    assert result.error and expected_hint(adult, "en") in result.error


@pytest.mark.parametrize(("raw", "value"), [("3", 3), ("tres", 3), ("ba", 3), ("three", 3),
                                            ("5", 5), ("năm", 5), ("cinco", 5), ("1", 1),
                                            ("Nada", 1), ("rất an toàn", 5), ("4 stars", 4)])
def test_scale_digits_words_and_end_labels(safe, raw, value):
    for locale in ("en", "es", "vi"):
        assert parse_answer(safe, raw, locale) == ParseResult(value, float(value), None)


@pytest.mark.parametrize("raw", ["0", "6", "seis", "sáu", "great", "2.5"])
def test_scale_out_of_range_or_unknown(safe, raw):
    result = parse_answer(safe, raw, "en")
    assert result.value is None
    assert result.error


def test_number_bounds_and_words(app):
    q = Question(key="age", type="number", settings={"min": 10, "max": 24}, required=True)
    assert parse_answer(q, "15", "en") == ParseResult(15, 15.0, None)
    assert parse_answer(q, "15 años", "es").value == 15
    assert parse_answer(q, "15 tuổi", "vi").value == 15
    assert parse_answer(q, "diez", "es").value == 10
    assert parse_answer(q, "mười", "vi").value == 10
    assert "10" in parse_answer(q, "9", "en").error and "24" in parse_answer(q, "9", "en").error
    assert parse_answer(q, "25", "en").error
    assert parse_answer(q, "12.5", "en").error
    assert parse_answer(q, "lots", "en").error
    q.settings = {"decimals": True}
    assert parse_answer(q, "2,5", "es") == ParseResult(2.5, 2.5, None)


def test_empty_required_and_optional(transport, better, app):
    for raw in (None, "", "   ", [], [""]):
        assert parse_answer(better, raw, "en") == ParseResult(None, None, None)
        assert parse_answer(transport, raw, "vi").error


def test_short_and_long_text_lengths(app):
    short = Question(key="s", type="short_text", settings={"max_length": 10})
    assert parse_answer(short, "  hello  ", "en") == ParseResult("hello", None, None)
    assert "10" in parse_answer(short, "x" * 11, "en").error
    long = Question(key="l", type="long_text", settings={})
    text = "Me gusta el programa porque los mentores nos escuchan. " * 10
    assert parse_answer(long, text, "es").value == text.strip()
    assert "2000" in parse_answer(long, "y" * 2001, "en").error


@pytest.mark.parametrize(("raw", "value"), [("70117", "70117"), (" 70117 ", "70117"),
                                            ("70117-1234", "70117")])
def test_zip_code_demographic(app, raw, value):
    q = Question(key="zip", type="short_text", settings={"demographic": "zip_code"})
    assert parse_answer(q, raw, "en").value == value


@pytest.mark.parametrize("raw", ["7011", "701178", "abcde", "New Orleans"])
def test_zip_code_must_be_five_digits(app, raw):
    q = Question(key="zip", type="short_text", settings={"demographic": "zip_code"})
    assert "ZIP" in parse_answer(q, raw, "en").error


def test_errors_are_written_in_the_respondents_locale(transport, monkeypatch):
    from flask_babel import get_locale

    seen = []

    def spy(message, **kwargs):
        seen.append(str(get_locale()))
        return message % kwargs if kwargs else message

    monkeypatch.setattr(type_base, "_", spy)
    monkeypatch.setattr(choice_types, "_", spy)
    parse_answer(transport, "bicycle", "vi")
    assert seen and set(seen) == {"vi"}


def test_sms_prompts_number_the_choices_in_the_locale(transport, safe, adult):
    assert sms_prompt(transport, "es") == "¿Cómo llegaste?\n1 Autobús\n2 Caminando\n3 Carro"
    prompt = sms_prompt(safe, "en")
    assert prompt.startswith("How safe do you feel?\n")
    assert "1-5" in prompt and "1 = Not at all" in prompt and "5 = Very" in prompt
    assert "Nada" in sms_prompt(safe, "es")
    assert sms_prompt(adult, "vi").startswith("Ở đây có người lớn")
    assert "1 " in sms_prompt(adult, "vi") and "2 " in sms_prompt(adult, "vi")


def test_missing_translation_falls_back_to_default_language(transport):
    transport.text = {"en": "How did you get here?"}
    assert sms_prompt(transport, "vi").startswith("How did you get here?")


def test_registry_lists_every_type_with_a_label():
    assert set(QUESTION_TYPES) == {"single_choice", "multiple_choice", "scale", "yes_no",
                                   "number", "short_text", "long_text"}
    for qtype in QUESTION_TYPES.values():
        assert str(qtype.label)
