"""Themes by meaning and requests, read from sentence vectors (see docs/analysis.md).

A codebook theme matches a comment by its keywords (`themes.py`) *or* when the comment is
close in meaning to one of the theme's example sentences, whatever the languages of both: the
encoder places "the bus never comes", "el autobús nunca llega" and "xe buýt không bao giờ đến"
together. A theme matches by meaning when its best example is at or above the encoder's
`similar_at` and is the best theme (within `MARGIN`; so a comment close to everything, like
"thanks", does not collect every theme). With the TF-IDF fallback only keywords match.

A *request* asks for something ("more basketball courts", "necesitamos más luces", "cần thêm
xe buýt"): recognised by the phrasing of a request in each language (patterns below, accents
folded so "can them xe buyt" counts too).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from .codebook import Codebook
from .encoder import encode, encoder
from .normalize import fold

__all__ = ["MARGIN", "is_request", "themes_by_meaning"]

MARGIN = 0.0


def _examples(codebook: Codebook) -> tuple[list[str], list[str], np.ndarray]:
    """(theme key, sentence, vector) of every example sentence, for the active encoder."""
    return _examples_for(codebook, encoder().name)


@lru_cache(maxsize=8)
def _examples_for(codebook: Codebook, _encoder: str) -> tuple[list[str], list[str], np.ndarray]:
    keys, sentences = [], []
    for theme in codebook.themes:
        for _lang, items in theme.examples.items():
            for sentence in items:
                keys.append(theme.key)
                sentences.append(sentence)
    vectors = encode(sentences) if sentences else np.zeros((0, 1), dtype=np.float32)
    return keys, sentences, vectors


def themes_by_meaning(vectors: np.ndarray, codebook: Codebook) -> list[dict[str, str]]:
    """Per text vector: {theme key: the closest example sentence} of the themes it matches."""
    threshold = encoder().similar_at
    keys, sentences, examples = _examples(codebook)
    out: list[dict[str, str]] = [{} for _ in range(len(vectors))]
    if threshold is None or not keys or len(vectors) == 0 or vectors.shape[1] != examples.shape[1]:
        return out
    sims = np.asarray(vectors, dtype=np.float32) @ examples.T
    order = list(dict.fromkeys(keys))
    columns = {k: [i for i, key in enumerate(keys) if key == k] for k in order}
    per_theme = np.stack([sims[:, columns[k]].max(axis=1) for k in order], axis=1)
    best_example = {k: np.asarray(columns[k])[sims[:, columns[k]].argmax(axis=1)] for k in order}
    best = per_theme.max(axis=1)
    for row in np.nonzero(best >= threshold)[0]:
        for j, key in enumerate(order):
            score = per_theme[row, j]
            if score >= threshold and score >= best[row] - MARGIN:
                out[row][key] = sentences[int(best_example[key][row])]
    return out


_REQUEST_PATTERNS = {
    "en": r"\b(we|i|they|kids|you|the city|families|youth|students|people)\s+(really\s+)?"
          r"(need|want|would like|wish|should|must|have to)\b|\bneeds? (more|a|an|better|new)\b"
          r"|\b(please|pls|plz)\b|^(more|better|add|build|fix|bring|open|hire|give|make|"
          r"put|lower|stop)\b|\b(can|could) (you|we|they) (please )?(add|get|have|make|fix|"
          r"bring|build|give|open)\b|\bshould (be|have|add|build|fix|open|hire)\b"
          r"|\bit would be (nice|great|good)\b|\bneed more\b|\bwe want\b",
    "es": r"\b(necesitamos|necesitan|necesita|queremos|quisiera|quisieramos|deberian|deberia"
          r"|ojala|pedimos|hace falta|hacen falta|faltan|falta|por favor|porfa|que pongan"
          r"|que haya|que abran|que arreglen|pongan|arreglen)\b|^(mas|mejor|mejores)\b",
    "vi": r"\b(can them|can co|muon co|mong co|mong se co|xin cho|xin hay|hay them|nen co"
          r"|nen them|nen lam|de nghi|yeu cau|can nhieu|muon them|them nhieu)\b"
          r"|^(them|can (them|co|nhieu|mot))\b",
}
_COMPILED = {lang: re.compile(p) for lang, p in _REQUEST_PATTERNS.items()}


def is_request(text: str) -> bool:
    """Whether `text` asks for something, in any of en/es/vi (Spanglish matches both)."""
    folded = fold(text or "").lower()
    folded = " ".join(re.sub(r"[^\w\s]", " ", folded).split())
    return any(p.search(folded) for p in _COMPILED.values())
