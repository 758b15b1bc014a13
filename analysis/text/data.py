"""Reading the labeled data files the package carries in `analysis/data/`.

Why plain TSV: staff and translators can read and correct a line of text in any editor, diffs
stay reviewable, and the same reader serves training, evaluation and corrections. A file has a
header line naming its columns; `#` lines are comments. The text is always the last column, so
it may contain anything but a tab.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["DATA_DIR", "LabeledText", "data_fingerprint", "read_labeled", "read_table"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class LabeledText(NamedTuple):
    """One example: the text and its label (a sentiment, a language or comma-joined themes)."""

    text: str
    label: str


def read_table(path: Path | str) -> list[dict[str, str]]:
    """Rows of a TSV file as dicts keyed by the header; the last column keeps any extra tabs."""
    path = Path(path)
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            if header is None:
                header = line.split("\t")
                continue
            cells = line.split("\t", len(header) - 1)
            if len(cells) != len(header):
                raise ValueError(f"{path.name}: expected {len(header)} columns in {line!r}")
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


@lru_cache(maxsize=32)
def _read_labeled_cached(path: Path, label_column: str) -> tuple[LabeledText, ...]:
    return tuple(LabeledText(row["text"], row[label_column]) for row in read_table(path))


def read_labeled(name: str, label_column: str = "label") -> list[LabeledText]:
    """Examples from `analysis/data/<name>` (for example "sentiment_es.tsv")."""
    return list(_read_labeled_cached(DATA_DIR / name, label_column))


def data_fingerprint(names: Iterable[str], *extra: str) -> str:
    """SHA-256 over data files and extra strings (versions): the key that invalidates caches."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode())
        digest.update((DATA_DIR / name).read_bytes())
    for item in extra:
        digest.update(b"\0" + item.encode())
    return digest.hexdigest()
