"""py3langid's probabilities for a whole batch at once, computed from its own model tables.

Why: py3langid walks each text byte by byte in Python, which made it the most expensive stage of
the pipeline (a third of TextBlob's time on its own). Its model is a byte-level automaton that
counts features, then a naive Bayes table. Here the automaton advances every text of the batch
one byte per step with numpy, and the table is applied with one sparse product. The result equals
`LanguageIdentifier.rank` (see tests/test_text_features.py); if a future py3langid changes these
internals, `batch_rank` falls back to calling `rank` per text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

__all__ = ["batch_rank"]

#: Texts per automaton pass: bounds the (texts × bytes) matrix.
_CHUNK = 4096


@lru_cache(maxsize=8)
def _tables(identifier):
    """(next state table, state → row offset, state → feature, P(feature|class), P(class))."""
    nextmove = np.asarray(identifier.tk_nextmove)  # ~10M entries: no widening copy
    rowbase = np.asarray(identifier.tk_row, dtype=np.int64) << 8
    output = np.asarray(identifier.tk_output, dtype=np.int64)
    return (nextmove, rowbase, output, np.asarray(identifier.nb_ptc, dtype=np.float32),
            np.asarray(identifier.nb_pc, dtype=np.float32))


def _encode(text: str) -> bytes:
    """py3langid's input encoding: all-caps text lower-cased, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def _probabilities(encoded: list[bytes], tables) -> np.ndarray:
    nextmove, rowbase, output, ptc, pc = tables
    n = len(encoded)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    order = np.argsort(-lengths, kind="stable")  # longest first: active texts are a prefix
    ordered = lengths[order]
    width = int(ordered[0]) if n else 0
    data = np.zeros((n, max(width, 1)), dtype=np.int64)
    flat = np.frombuffer(b"".join(encoded[i] for i in order), dtype=np.uint8)
    rows = np.repeat(np.arange(n), ordered)
    starts = np.repeat(np.cumsum(ordered) - ordered, ordered)
    data[rows, np.arange(flat.size) - starts] = flat
    active = np.searchsorted(-ordered, -np.arange(width), side="left")  # texts longer than t
    state = np.zeros(n, dtype=np.int64)
    hit_rows, hit_features = [], []
    for t in range(width):
        k = int(active[t])
        current = nextmove[rowbase[state[:k]] + data[:k, t]]
        state[:k] = current
        feature = output[current]
        found = np.flatnonzero(feature >= 0)
        if found.size:
            hit_rows.append(found)
            hit_features.append(feature[found])
    scores = np.zeros((n, pc.size), dtype=np.float32)
    if hit_rows:
        counts = sparse.csr_matrix(
            (np.ones(sum(r.size for r in hit_rows), dtype=np.float32),
             (np.concatenate(hit_rows), np.concatenate(hit_features))),
            shape=(n, ptc.shape[0]))
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        has_features = np.diff(counts.indptr) > 0
        scores[has_features] = (counts @ ptc)[has_features] + pc
    # Same temperature as py3langid: sqrt of the byte length keeps long texts calibrated.
    scores /= np.sqrt(np.maximum(ordered, 1)).astype(np.float32)[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    out = np.empty_like(scores)
    out[order] = scores
    return out


def batch_rank(identifier, texts: Sequence[str]) -> np.ndarray:
    """Normalised probabilities (texts × identifier.nb_classes), as `identifier.rank` gives."""
    encoded = [_encode(t) for t in texts]
    try:
        if identifier._alias_pairs or not identifier._norm_probs:
            raise AttributeError("aliased or unnormalised model")
        tables = _tables(identifier)
    except AttributeError:  # another py3langid: use its public, per-text API
        column = {code: i for i, code in enumerate(identifier.nb_classes)}
        out = np.zeros((len(texts), len(column)))
        for row, text in enumerate(texts):
            for code, prob in identifier.rank(text):
                out[row, column[code]] = prob
        return out
    parts = [_probabilities(encoded[i : i + _CHUNK], tables)
             for i in range(0, len(encoded), _CHUNK)]
    return np.vstack(parts) if parts else np.zeros((0, len(identifier.nb_classes)))
