"""Language identification: the three languages as respondents type them, and what is too short."""

from __future__ import annotations

import pytest

from analysis import identify_language, identify_languages


@pytest.mark.parametrize(("text", "code"), [
    ("The bus is always late and the teachers never call us back", "en"),
    ("Los maestros no nos avisan cuando cancelan las clases", "es"),
    ("Công viên gần nhà tôi rất bẩn và thiếu đèn", "vi"),
])
def test_clear_sentences_in_each_language(text, code):
    guess = identify_language(text)
    assert guess.code == code
    assert guess.confidence > 0.8


@pytest.mark.parametrize("text", [
    "truong hoc rat tot",
    "khong co xe buyt",
    "con toi hoc lop bay, co giao day rat de hieu",
    "tui nho khong co cho choi vao cuoi tuan",
])
def test_vietnamese_without_accents_is_vietnamese(text):
    assert identify_language(text).code == "vi"


@pytest.mark.parametrize(("text", "code"), [
    ("xq el bus nunca pasa x mi casa, q onda", "es"),
    ("tmb la escuela esta bn fea", "es"),
    ("ko co j de lam, chan wa", "vi"),
    ("e ko bit dc gio xe chay", "vi"),
    ("idk the bus is late every day smh", "en"),
])
def test_texting_spellings(text, code):
    assert identify_language(text).code == code


@pytest.mark.parametrize("text", ["", "   ", "2", "ok", "😀", "👍👍", "jaja", "12:30", "k"])
def test_too_short_or_without_words_is_none(text):
    guess = identify_language(text)
    assert guess.code is None
    assert guess.confidence == 0.0


def test_locale_is_a_prior_not_a_replacement():
    spanish = "Mis hijos no tienen dónde jugar después de la escuela"
    assert identify_language(spanish, prior="en").code == "es"
    assert identify_language("khong co xe buyt", prior="es").code == "vi"


def test_locale_tips_an_undecided_word():
    # "normal" is spelled the same in English and Spanish.
    assert identify_language("normal").code is None
    assert identify_language("normal", prior="es").code == "es"
    assert identify_language("Canal Street", prior="en").code == "en"


def test_language_set_is_a_parameter():
    french = "Le bus est toujours en retard et les enfants attendent dans le froid"
    assert identify_language(french, languages=("en", "es", "vi", "fr")).code == "fr"
    assert identify_language(french).code != "fr"
    assert identify_language("la escuela es buena", languages=("en", "vi")).code != "es"


def test_batch_matches_single_calls():
    texts = ["La parada no tiene techo", "xe buyt tre", "2", "The pool is closed"]
    priors = ["en", None, "es", "vi"]
    batch = identify_languages(texts, priors)
    assert batch == [identify_language(t, p) for t, p in zip(texts, priors, strict=True)]


def test_short_vietnamese_typed_without_accents():
    """Families often text Vietnamese without accents, in a few words that look like English
    ("me di lam ve"): these must still read as Vietnamese, not as undecided."""
    texts = ["ban la ai vay", "me di lam ve", "o nha co ai", "da den tre roi",
             "ban be la tot", "bo me di lam", "ve nha an com", "sao den tre vay"]
    assert [g.code for g in identify_languages(texts)] == ["vi"] * len(texts)
    # ... while short English and Spanish without accents keep their language
    assert [g.code for g in identify_languages(
        ["the bus is late", "me gusta la escuela", "no hay luz alli"])] == ["en", "es", "es"]
