"""Emerging themes: untagged comments grouped by the salient terms they share."""

from __future__ import annotations

import random

from analysis import emerging_themes

COMMENTS = [
    "The school uniforms are too expensive",            # 0
    "Uniforms cost too much this year",                 # 1
    "we cannot afford uniforms for three kids",         # 2
    "why do uniforms change every year",                # 3
    "Streetlights on Elm are out again",                # 4
    "Please fix the streetlights near the church",      # 5
    "streetlights broken for weeks",                    # 6
    "I like the new library",                           # 7
    "Las lámparas de la calle no sirven",               # 8
    "las lamparas del parque estan rotas",              # 9
    "Lámparas apagadas desde hace meses",               # 10
    "",                                                 # 11
    "2",                                                # 12
    "the wifi at the library is slow",                  # 13
]


def test_groups_comments_by_shared_term():
    found = emerging_themes(COMMENTS, top_n=5, min_count=3)
    by_label = {theme.terms[0]: theme for theme in found}
    assert by_label["uniforms"].indices == (0, 1, 2, 3)
    assert by_label["uniforms"].count == 4
    assert by_label["streetlights"].indices == (4, 5, 6)
    assert by_label["streetlights"].examples[0] == "Streetlights on Elm are out again"


def test_accents_do_not_split_a_term():
    found = emerging_themes(COMMENTS, top_n=5, min_count=3)
    lamps = [t for t in found if "lamparas" in t.terms]
    assert len(lamps) == 1 and lamps[0].indices == (8, 9, 10)


def test_min_count_and_top_n():
    found = emerging_themes(COMMENTS, top_n=5, min_count=3)
    assert all("library" not in t.terms for t in found)  # only two comments mention it
    assert any("library" in t.terms for t in emerging_themes(COMMENTS, min_count=2))
    assert len(emerging_themes(COMMENTS, top_n=1, min_count=3)) == 1
    assert emerging_themes(COMMENTS, min_count=5) == []


def test_each_comment_supports_one_candidate():
    texts = ["uniforms are expensive", "new uniforms again", "uniforms every year",
             "uniforms for three kids", "books are expensive", "lunch is expensive"]
    found = emerging_themes(texts, min_count=3)
    assert [t.terms[0] for t in found] == ["uniforms"]
    # "expensive" has three comments, but one of them already supports "uniforms".
    assert all("expensive" not in t.terms for t in found)
    indices = [i for theme in emerging_themes(COMMENTS, min_count=2) for i in theme.indices]
    assert len(indices) == len(set(indices))


def test_stop_words_never_label_a_theme():
    texts = ["the bus is very late", "the bus is very full", "the bus is very dirty",
             "el bus es muy lento", "rất tốt", "rất xa"]
    labels = {term for theme in emerging_themes(texts, min_count=2) for term in theme.terms}
    assert "bus" in labels
    assert not labels & {"the", "is", "very", "es", "muy", "rat"}


def test_custom_stop_words_replace_the_built_in_lists():
    texts = ["the bus is late", "late bus again", "bus very late today"]
    assert emerging_themes(texts)[0].terms[0] in {"bus", "late"}
    custom = emerging_themes(texts, stop_words={"en": ["bus"]})
    assert custom[0].terms[0] == "late"
    assert all("bus" not in term for theme in custom for term in theme.terms)


def test_vietnamese_two_syllable_words_become_the_label():
    texts = ["xe buyt tre qua", "Xe buýt không dừng ở trạm", "xe buýt đông người",
             "con tôi thích vẽ"]
    found = emerging_themes(texts, min_count=3, language="vi")
    assert found[0].terms[0] == "xe buyt"
    assert found[0].indices == (0, 1, 2)


def test_deterministic_whatever_the_order():
    first = emerging_themes(COMMENTS, min_count=3)
    assert emerging_themes(COMMENTS, min_count=3) == first
    shuffled = COMMENTS[:]
    random.Random(3).shuffle(shuffled)
    again = emerging_themes(shuffled, min_count=3)
    assert sorted((t.terms, t.count) for t in again) == sorted((t.terms, t.count) for t in first)


def test_nothing_to_group():
    assert emerging_themes([]) == []
    assert emerging_themes(["", "  ", "2", "😀"]) == []
