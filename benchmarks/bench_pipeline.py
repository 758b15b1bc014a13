"""Benchmark: tagging end to end against encoding alone, on one core.

    python benchmarks/bench_pipeline.py [--n 10000]

Why: the sentence encoder is the dominant cost of tagging (~36 short texts/s per core); the
budget is that tagging 10,000 mixed answers end to end (encode, store as float16 bytes,
language, sentiment, themes, requests) takes at most 1.2x encoding them alone, and that
re-tagging the same answers after a codebook edit, from their stored vectors, takes under 5 s.
Peak memory is reported, and the old (TF-IDF) and new (encoder) sentiment models' macro-F1 on
the evaluation files side by side. The answers are built from the project's data (English,
Spanish, Vietnamese with and without accents, texting style, a few long and empty answers).
Models are trained or loaded before timing; that one-off cost is printed separately. One run
each (encoding 10,000 texts takes minutes).
"""

from __future__ import annotations

import os

# One core: BLAS thread pools must be limited before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MAX_RATIO = 1.2
MAX_RETAG_S = 5.0


def strip_accents(text: str) -> str:
    """Text as typed without diacritics."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def build_texts(n: int, seed: int = 7) -> list[str]:
    """`n` mixed answers: mostly single sentences, some accentless, long, empty or emoji-only."""
    from analysis.text.data import DATA_DIR, read_table

    pool: list[str] = []
    for path in sorted(DATA_DIR.glob("*sentiment_*.tsv")):
        pool += [row["text"] for row in read_table(path)]
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.01:
            texts.append(rng.choice(["", " ", "👍", "😡😡", "2", "ok"]))
        elif roll < 0.03:  # a long answer, up to 1,600 characters
            long = " ".join(rng.choice(pool) for _ in range(40))
            texts.append(long[:1600])
        elif roll < 0.15:
            texts.append(strip_accents(rng.choice(pool)))
        elif roll < 0.30:
            texts.append(f"{rng.choice(pool)}. {rng.choice(pool)}")
        else:
            texts.append(rng.choice(pool))
    return texts


def pin_to_one_core() -> str:
    """Pin this process to one CPU where the OS allows it."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity); BLAS limited to one thread"


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss is KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> int:
    """Run the benchmark, print the figures, exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description="tagging vs encoding alone benchmark")
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    print(f"one core: {pin_to_one_core()}")

    import numpy as np

    from analysis import analyze_many
    from analysis.tagging.evaluate import sentiment_figures
    from analysis.text.encoder import encode, encoder_name, pack, unpack
    from analysis.text.pipeline import default_codebook

    texts = build_texts(args.n)
    chars = sum(map(len, texts))
    print(f"{len(texts)} answers, {chars / len(texts):.0f} characters on average; "
          f"encoder {encoder_name()}")

    start = time.perf_counter()
    analyze_many(texts[:50])  # trains or loads the models, loads py3langid and TextBlob
    print(f"warm-up (models trained or loaded once per process): "
          f"{time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    encode(texts, cache=False)
    t_encode = time.perf_counter() - start

    start = time.perf_counter()
    vectors = encode(texts, cache=False)
    stored = [pack(v) for v in vectors]  # what the tagging job writes per answer
    analyze_many(texts, embeddings=vectors)
    t_tag = time.perf_counter() - start

    book = default_codebook()
    edited = book.replace(type(book.themes[0])("streetlights", {"en": "Streetlights"},
                                                {"en": ("streetlight*", "dark street")}))
    start = time.perf_counter()
    analyze_many(texts, edited, embeddings=np.vstack([unpack(b) for b in stored]))
    t_retag = time.perf_counter() - start
    peak = peak_mb()

    ratio = t_tag / t_encode
    print(f"encoding alone           : {t_encode:7.2f} s  {len(texts) / t_encode:8.1f} texts/s")
    print(f"tagging end to end       : {t_tag:7.2f} s  (encode, store, language, sentiment, "
          "themes, requests)")
    print(f"ratio tagging/encoding   : {ratio:7.2f}   target <= {MAX_RATIO:.1f}: "
          f"{'met' if ratio <= MAX_RATIO else 'MISSED'}")
    print(f"re-tag, codebook edited  : {t_retag:7.2f} s  target < {MAX_RETAG_S:.0f} s: "
          f"{'met' if t_retag < MAX_RETAG_S else 'MISSED'}")
    print(f"peak memory (ru_maxrss)  : {peak:7.0f} MB")
    print("sentiment macro-F1 on the evaluation files, TF-IDF model (old) vs on the encoder (new)")
    for language, f in sentiment_figures(["en", "es", "vi"]).items():
        print(f"  {language}: old {f['old_macro_f1']:.3f}  new {f['macro_f1']:.3f}")
    return 0 if ratio <= MAX_RATIO and t_retag < MAX_RETAG_S else 1


if __name__ == "__main__":
    sys.exit(main())
