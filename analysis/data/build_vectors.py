"""Rebuild `example_vectors-<encoder>.npz`: the encoder's vectors of every project example text.

Why shipped: training the sentiment models and matching theme examples needs the vectors of
~2,500 example sentences; encoding them takes over a minute on one core, which every fresh
machine (and CI run) would pay on first use. With this file, first use reads them instead.
Run after editing a data file: `python -m analysis.data.build_vectors` (texts not in the file
are simply encoded at first use and cached on disk, so a stale file costs time, never errors).
"""

from __future__ import annotations

import numpy as np

from analysis.text.data import DATA_DIR, read_table
from analysis.text.default_codebook import DEFAULT_CODEBOOK
from analysis.text.encoder import _VectorCache, encode, encoder_name
from analysis.text.normalize import prepare


def example_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(DATA_DIR.glob("*sentiment_*.tsv")) + [DATA_DIR / "eval_themes.tsv"]:
        texts += [prepare(r["text"]) for r in read_table(path)]
    for theme in DEFAULT_CODEBOOK.values():
        for sentences in theme.get("examples", {}).values():
            texts += [prepare(s) for s in sentences]
    return sorted(set(texts))


def main() -> None:
    texts = example_texts()
    vectors = encode(texts, cache=False)
    keys = np.frombuffer(b"".join(_VectorCache._key(t) for t in texts),
                         dtype=np.uint8).reshape(-1, 16)
    out = DATA_DIR / f"example_vectors-{encoder_name()}.npz"
    np.savez_compressed(out, keys=keys, vectors=vectors.astype(np.float16))
    print(f"{len(texts)} vectors -> {out}")


if __name__ == "__main__":
    main()
