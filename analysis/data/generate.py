"""Build the training files from the hand-written seeds and the fragments in `templates.py`.

Run from the repository root after editing a seed or a template:

    python analysis/data/generate.py

Output (deterministic, seeded): `sentiment_{en,es,vi}.tsv` and `langid_train.tsv`. The
evaluation files (`eval_*.tsv`) are written by hand and never generated; this script refuses to
write training data that contains an evaluation sentence (compared after folding).
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

from analysis.text.data import read_table  # noqa: E402
from analysis.text.normalize import fold  # noqa: E402
from templates import BLOCKS, CLOSERS, FRAMES, OPENERS, TEXTING  # noqa: E402

LANGUAGES = ("en", "es", "vi")
LABELS = ("positive", "negative", "neutral")
COMPOSED_PER_LABEL = {"en": 70, "es": 75, "vi": 75}
FRAMED_PER_LABEL = 15
TEXTING_SHARE = {"en": 0.3, "es": 0.35, "vi": 0.35}
ACCENTLESS_SHARE = {"en": 0.0, "es": 0.3, "vi": 0.45}
#: Short answers that only tell the language, for the language model (not sentiment).
LANGUAGE_ONLY = {
    "en": ["thank you", "the park", "my school", "safety", "jobs for teens", "not really",
           "at home", "after school", "good morning", "the clinic"],
    "es": ["gracias", "el parque", "mi escuela", "seguridad", "trabajo para jóvenes",
           "la verdad no", "en la casa", "después de clases", "buenos días", "la clínica"],
    "vi": ["cảm ơn", "công viên", "trường của em", "an toàn", "việc làm cho thanh niên",
           "cũng không hẳn", "ở nhà", "sau giờ học", "chào buổi sáng", "phòng khám",
           "cam on", "cong vien", "an toan", "viec lam", "o nha", "sau gio hoc"],
}


def strip_accents(text: str) -> str:
    """Remove diacritics (đ→d) keeping case: how many people type Vietnamese and Spanish."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def texting(text: str, language: str, rng: random.Random) -> str:
    """Lower-case, swap words for SMS shorthand, sometimes drop accents and punctuation."""
    out = text.lower().replace("¿", "").replace("¡", "")
    for word, short in TEXTING[language].items():
        if rng.random() < 0.8:
            out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", short, out)
    if language == "es" and rng.random() < 0.7:
        out = strip_accents(out)
    if language == "vi" and rng.random() < 0.5:
        out = strip_accents(out)
    if rng.random() < 0.5:
        out = out.rstrip(".!")
    return out


def compose(language: str, label: str, rng: random.Random) -> str:
    """One sentence from a topic block: opener + subject + predicate + closer."""
    subjects, positive, negative, neutral = rng.choice(BLOCKS[language])
    predicate = rng.choice({"positive": positive, "negative": negative, "neutral": neutral}[label])
    opener = rng.choice(OPENERS[language])
    sentence = f"{rng.choice(subjects)} {predicate}"
    if not opener:
        sentence = sentence[0].upper() + sentence[1:]
    return opener + sentence + rng.choice(CLOSERS[label])


def framed(language: str, label: str, rng: random.Random) -> str:
    """One topic-free sentence: a frame around a block subject."""
    subjects = rng.choice(BLOCKS[language])[0]
    text = rng.choice(FRAMES[language][label]).format(s=rng.choice(subjects))
    text = text[0].upper() + text[1:]
    return text.replace(" de el ", " del ").replace(" a el ", " al ")


def build_sentiment(language: str, rng: random.Random) -> list[tuple[str, str]]:
    """Seeds, composed and framed sentences, plus texting and accentless copies."""
    seeds = read_table(HERE / "seeds" / f"sentiment_{language}.tsv")
    rows = [(r["label"], r["text"]) for r in seeds]
    for label in LABELS:
        composed = COMPOSED_PER_LABEL[language]
        rows += [(label, compose(language, label, rng)) for _ in range(composed)]
        rows += [(label, framed(language, label, rng)) for _ in range(FRAMED_PER_LABEL)]
    variants = []
    for label, text in rows:
        if rng.random() < TEXTING_SHARE[language]:
            variants.append((label, texting(text, language, rng)))
        elif rng.random() < ACCENTLESS_SHARE[language]:
            variants.append((label, strip_accents(text)))
    return _dedupe(rows + variants)


def _dedupe(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen, out = set(), []
    for label, text in rows:
        if text not in seen:
            seen.add(text)
            out.append((label, text))
    return out


#: Words in the short fragments cut from each training sentence (see build_langid).
FRAGMENT_WORDS = (3, 4, 5)


def fragments(text: str, rng: random.Random) -> list[str]:
    """Short windows of a sentence: many answers are a few words long ("xe buyt tre qua"),
    and a model that saw only whole sentences is unsure of them."""
    words = text.split()
    out = []
    for size in FRAGMENT_WORDS:
        if len(words) > size:
            start = rng.randrange(len(words) - size + 1)
            out.append(" ".join(words[start:start + size]))
    return out


def build_langid(sentiment: dict[str, list[tuple[str, str]]],
                 rng: random.Random) -> list[tuple[str, str]]:
    """Every sentiment sentence with its language, accentless copies of all es/vi ones, short
    fragments of each (accentless too), and language-only short answers. Numbers and one-word
    fillers are left out: they have none."""
    rows = []
    for language, examples in sentiment.items():
        for _, text in examples:
            if sum(c.isalpha() for c in text) < 3:
                continue
            rows.append((language, text))
            if language in ("es", "vi"):
                rows.append((language, strip_accents(text)))
            for piece in fragments(text, rng):
                if sum(c.isalpha() for c in piece) >= 3:
                    rows.append((language, piece))
                    if language in ("es", "vi"):
                        rows.append((language, strip_accents(piece)))
        rows += [(language, text) for text in LANGUAGE_ONLY[language]]
    return _dedupe([(lang, text) for lang, text in rows])


def write(name: str, header: str, rows: list[tuple[str, str]], comment: str) -> None:
    with (HERE / name).open("w", encoding="utf-8") as handle:
        handle.write(f"# {comment}\n{header}\n")
        for label, text in rows:
            handle.write(f"{label}\t{text}\n")
    print(f"{name}: {len(rows)} rows")


def check_no_eval_overlap(training: list[str]) -> None:
    """Stop if a sentiment or language evaluation sentence leaked into training data. (Theme
    evaluation is not checked: theme matching is keyword-based and learns nothing from these.)"""
    folded = {fold(t).strip(" .!?") for t in training}
    for path in sorted(HERE.glob("eval_sentiment_*.tsv")) + [HERE / "eval_langid.tsv"]:
        for row in read_table(path):
            if fold(row["text"]).strip(" .!?") in folded and len(row["text"]) > 3:
                raise SystemExit(f"{path.name}: evaluation text in training data: {row['text']!r}")


def main() -> None:
    rng = random.Random(20240611)
    sentiment = {language: build_sentiment(language, rng) for language in LANGUAGES}
    langid = build_langid(sentiment, random.Random(20261205))
    training = [t for rows in sentiment.values() for _, t in rows] + [t for _, t in langid]
    check_no_eval_overlap(training)
    note = "Generated by analysis/data/generate.py from seeds/ and templates.py (CC0)"
    for language, rows in sentiment.items():
        write(f"sentiment_{language}.tsv", "label\ttext", rows, note)
    write("langid_train.tsv", "lang\ttext", langid, note)


if __name__ == "__main__":
    main()
