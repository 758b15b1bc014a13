"""The numpy n-gram hasher and text folding the models are built on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from analysis.text.features import CharNgrams
from analysis.text.normalize import expand_texting, fold, letter_count

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["Hola  mundo", "", "xe buýt", "a", "Trường học rất tốt!", "q", "don't stop", "😀 ok"]


def test_counts_agree_with_sklearn_char_wb():
    reference = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4)).fit(TEXTS)
    spaces = [i for i, gram in enumerate(reference.get_feature_names_out()) if not gram.strip()]
    expected = reference.transform(TEXTS).toarray()
    expected[:, spaces] = 0  # sklearn also counts the padding space as a 1-gram
    ours = CharNgrams(1, 4, n_bits=24).fit(TEXTS).transform(TEXTS).toarray()
    assert ours.sum(axis=1).tolist() == expected.sum(axis=1).tolist()
    assert (ours > 0).sum(axis=1).tolist() == (expected > 0).sum(axis=1).tolist()


def test_unseen_ngrams_are_dropped():
    grams = CharNgrams(2, 3).fit(["bus"])
    assert grams.transform(["xyz"]).nnz == 0
    assert grams.transform(["bus"]).sum() == grams.transform(["the bus"]).sum()


def test_long_batches_are_chunked_consistently():
    texts = ["la escuela es buena " * 80] * 300  # more than one chunk of characters
    grams = CharNgrams(1, 5).fit(texts[:1])
    matrix = grams.transform(texts)
    assert matrix.shape[0] == 300
    assert np.all(matrix.sum(axis=1) == matrix[0].sum())


def test_hashing_is_the_same_in_another_process():
    code = ("from analysis.text.features import CharNgrams; "
            "print(CharNgrams(1, 4)._hashed(['xe buýt trễ'], None).indices.tolist())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123"},
                           cwd=ROOT).stdout.strip()
    here = CharNgrams(1, 4)._hashed(["xe buýt trễ"], None).indices.tolist()
    assert other == str(here)


@pytest.mark.parametrize(("text", "folded"), [
    ("Trường Học", "truong hoc"), ("ĐƯỜNG", "duong"), ("Autobús", "autobus"), ("niño", "nino"),
    ("don’t", "don't"), ("😀 Bus", "😀 bus"),
])
def test_fold_strips_accents_and_keeps_positions(text, folded):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(("text", "language", "expanded"), [
    ("xq no vino q mal", "es", "porque no vino que mal"),
    ("tmb el bus", "es", "tambien el bus"),
    ("ko co j dc", "vi", "khong co gi duoc"),
    ("xe bi hong", "vi", "xe bi hong"),  # "hong" may be "hỏng" (broken): left alone
    ("i dont like it", "en", "i do not like it"),
    ("ko co j", None, "ko co j"),
])
def test_texting_expansion(text, language, expanded):
    assert expand_texting(text, language) == expanded


def test_letter_count_ignores_fillers():
    assert letter_count("ok ok jaja 2") == 0
    assert letter_count("no se") == 4
    assert letter_count("el autobus " * 5) == 45


@pytest.mark.parametrize("languages", [("en", "es", "vi"), ("en", "es", "vi", "fr")])
def test_batched_py3langid_equals_its_rank(languages):
    from analysis.text.langid import _identifier
    from analysis.text.langid_batch import batch_rank

    identifier = _identifier(languages)
    texts = ["", "😀", "2", "THE BUS IS LATE", "la escuela es buena", "truong hoc rat tot",
             "Trường học rất tốt", "x" * 300, "Le bus est en retard", "ko co j", "\x00 ok"]
    batch = batch_rank(identifier, texts)
    for row, text in enumerate(texts):
        expected = dict(identifier.rank(text))
        for column, code in enumerate(identifier.nb_classes):
            assert batch[row, column] == pytest.approx(expected[code], abs=1e-4), (text, code)
