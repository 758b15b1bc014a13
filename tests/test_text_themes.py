"""Codebook themes: matching as respondents type, evidence as they typed it, editable codebooks."""

from __future__ import annotations

import copy

import pytest

from analysis import DEFAULT_CODEBOOK, Codebook, Theme, match_themes, match_themes_many
from analysis.text.pipeline import default_codebook


def keys(text, codebook=None):
    return [m.key for m in match_themes(text, codebook or default_codebook())]


def evidence(text, key, codebook=None):
    found = {m.key: m.evidence for m in match_themes(text, codebook or default_codebook())}
    return found.get(key)


def one_theme(*keywords, language="en", exclude=()):
    return Codebook((Theme("t", {"en": "T"}, {language: list(keywords)},
                           {language: list(exclude)}),))


@pytest.mark.parametrize(("text", "expected"), [
    ("The 27 bus skips our stop", ["transportation"]),
    ("La parada del camión no tiene techo", ["transportation"]),
    ("Xe buýt sáng nào cũng trễ", ["transportation"]),
    ("Hay pandillas cerca de la escuela", ["safety", "schools"]),
    ("The rent went up and the landlord ignores the mold", ["housing"]),
    ("Chủ nhà không sửa máy sưởi, tiền thuê lại tăng", ["housing"]),
    ("My son needs a counselor, he is stressed all the time", ["mental_health"]),
    ("Thank you for asking", []),
])
def test_default_codebook_in_each_language(text, expected):
    assert keys(text) == expected


def test_evidence_is_the_words_as_typed():
    assert evidence("El AUTOBÚS nunca llega y los autobuses van llenos", "transportation") == (
        "AUTOBÚS", "autobuses")
    assert evidence("Cảnh sát chặn xe hoài", "police_justice") == ("Cảnh sát",)


@pytest.mark.parametrize("text", ["el autobus no pasa", "truong hoc rat xa", "ko co xe buyt",
                                  "la clinica cierra temprano", "cong vien do qua"])
def test_missing_accents_still_match(text):
    assert keys(text), text


def test_unaccented_keyword_matches_accented_answer():
    codebook = one_theme("xe buyt", language="vi")
    assert evidence("Xe buýt trễ quá", "t", codebook) == ("Xe buýt",)


def test_contradicting_accents_do_not_match():
    # Folded, Vietnamese "trên" (on) is Spanish "tren" (train), "chỗ" is "chợ" (market).
    assert "transportation" not in keys("Tụi nhỏ chơi trên đường")
    assert "food" not in keys("Trường dời đi chỗ khác")
    assert "food" in keys("Mẹ tôi đi chợ mỗi sáng")
    assert "transportation" in keys("El tren llega tarde")


@pytest.mark.parametrize(("keyword", "language", "text"), [
    ("bus", "en", "Two buses came full"),
    ("party", "en", "The block parties were fun"),
    ("activity", "en", "More activities please"),
    ("autobús", "es", "los autobuses llegan tarde"),
    ("luz", "es", "no hay luces en la calle"),
    ("clase", "es", "las clases empiezan tarde"),
    ("bull*", "en", "he was bullied again"),
    ("after school", "en", "the after-school club"),
    ("ride to school", "en", "no ride to school this week"),
])
def test_plurals_prefixes_and_phrases(keyword, language, text):
    assert keys(text, one_theme(keyword, language=language)) == ["t"]


@pytest.mark.parametrize(("keyword", "text"), [
    ("park", "parking is too expensive"),
    ("work", "too much homework"),
    ("school bus", "the school, bus and park"),
    ("rent", "my parents work"),
])
def test_word_boundaries_and_punctuation(keyword, text):
    assert keys(text, one_theme(keyword)) == []


def test_vietnamese_keywords_do_not_inflect():
    assert keys("xe buyts", one_theme("xe buyt", language="vi")) == []


def test_keywords_match_whatever_the_answer_language():
    assert "parks_recreation" in keys("We need more canchas and a piscina")
    assert "transportation" in keys("el bus y el xe buýt")


def test_exclusions():
    assert keys("Con tôi bị bắt nạt ở trường") == ["safety", "schools"]
    assert "police_justice" in keys("Anh họ tôi bị bắt tuần trước")
    assert "jobs" not in keys("Good job on the new playground")
    assert "housing" not in keys("The bus shelter is broken")


def test_editing_the_codebook_changes_tags():
    text = "School uniforms cost too much"
    assert keys(text) == ["schools"]
    edited = copy.deepcopy(DEFAULT_CODEBOOK)
    edited["school_costs"] = {"labels": {"en": "School costs"},
                              "keywords": {"en": ["uniform*"], "es": ["uniforme*"]}}
    assert keys(text, Codebook.from_dict(edited)) == ["schools", "school_costs"]
    edited["schools"]["keywords"]["en"].remove("school")
    assert keys(text, Codebook.from_dict(edited)) == ["school_costs"]
    assert keys("los uniformes son caros", Codebook.from_dict(edited)) == ["school_costs"]


def test_replace_and_remove_themes():
    codebook = default_codebook().replace(Theme("food", {"en": "Food"}, {"en": ["tacos"]}),
                                          remove=["transportation"])
    assert keys("tacos on the bus", codebook) == ["food"]
    assert codebook.keys.index("food") == default_codebook().keys.index("food") - 1


def test_dict_round_trip():
    codebook = Codebook.from_dict(DEFAULT_CODEBOOK)
    assert Codebook.from_dict(codebook.to_dict()) == codebook
    assert codebook.to_dict()["police_justice"]["exclude"]["vi"] == ["bị bắt nạt"]


def test_default_codebook_covers_the_agenda_in_three_languages():
    expected = {"safety", "transportation", "jobs", "schools", "health", "housing", "food",
                "youth_programs", "mental_health", "police_justice", "parks_recreation"}
    assert set(DEFAULT_CODEBOOK) == expected
    for key, spec in DEFAULT_CODEBOOK.items():
        for language in ("en", "es", "vi"):
            assert 8 <= len(spec["keywords"][language]) <= 25, (key, language)
            assert spec["labels"][language]


@pytest.mark.parametrize("data", [
    {"a": {"labels": {}, "keywords": {}, "colour": "red"}},
    {"": {"keywords": {"en": ["x"]}}},
])
def test_invalid_codebooks_are_refused(data):
    with pytest.raises(ValueError):
        Codebook.from_dict(data)


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError):
        Codebook((Theme("a"), Theme("a")))


def test_theme_keywords_are_read_only():
    theme = Theme("t", {"en": "T"}, {"en": ["bus"]})
    with pytest.raises(TypeError):
        theme.keywords["en"] = ("car",)


def test_batch_matching_equals_single_matching():
    texts = ["", None, "😀", "El autobús", "park and pool", "x" * 1600]
    assert match_themes_many(texts, default_codebook()) == [
        match_themes(t, default_codebook()) for t in texts]
