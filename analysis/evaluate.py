"""How well the text layer does on the labeled evaluation data the project carries.

    python -m analysis.evaluate

Why: numbers staff and reviewers can check, computed on `analysis/data/eval_*.tsv`, sentences
that are never used for training. Prints, per language, accuracy and macro-F1 of sentiment (with
TextBlob alone as the English baseline) and of language identification (with py3langid alone as
the baseline, including accent-stripped copies of the Spanish and Vietnamese sentences), then
precision and recall per theme of DEFAULT_CODEBOOK. Pure: no Flask, no database.
"""

from __future__ import annotations

import argparse
import unicodedata
from collections import Counter
from collections.abc import Sequence

from sklearn.metrics import accuracy_score, f1_score

from analysis.text import default_codebook, default_sentiment_model, identify_languages
from analysis.text.data import read_labeled, read_table
from analysis.text.langid import DEFAULT_LANGUAGES, MIN_LETTERS, _identifier
from analysis.text.normalize import fold, letter_count
from analysis.text.sentiment import LABELS, NEUTRAL_BAND, _textblob_polarities
from analysis.text.themes import match_themes_many
from analysis.text.training import evaluate_sentiment_model

NONE = "none"


def strip_accents(text: str) -> str:
    """Remove diacritics (đ→d), as respondents typing on a phone often do."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def _scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    labels = sorted(set(truth))
    return (float(accuracy_score(truth, predicted)),
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)))


def evaluate_sentiment(languages: Sequence[str]) -> None:
    """Accuracy and macro-F1 per language; TextBlob alone as the English baseline."""
    print("Sentiment (eval_sentiment_<lang>.tsv)")
    print(f"  {'language':<10}{'n':>5}{'accuracy':>10}{'macro-F1':>10}   F1 neg/neu/pos")
    for language in languages:
        model = default_sentiment_model(language)
        if model is None:
            continue
        examples = read_labeled(f"eval_sentiment_{language}.tsv")
        s = evaluate_sentiment_model(model, examples)
        per = "/".join(f"{s.f1[label]:.2f}" for label in LABELS)
        print(f"  {language:<10}{s.n:>5}{s.accuracy:>10.3f}{s.macro_f1:>10.3f}   {per}")
        if language == "en":
            polarity = _textblob_polarities([e.text for e in examples], "en")
            labels = ["positive" if p > NEUTRAL_BAND else "negative" if p < -NEUTRAL_BAND
                      else "neutral" for p in polarity]
            acc, macro = _scores([e.label for e in examples], labels)
            print(f"  {'(TextBlob alone)':<15}{acc:>10.3f}{macro:>10.3f}")


def langid_sets(languages: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """Named evaluation sets of (text, expected code or "none")."""
    by_language = {lang: [e.text for e in read_labeled(f"eval_sentiment_{lang}.tsv")]
                   for lang in languages}
    seen = Counter(fold(t) for texts in by_language.values() for t in set(texts))
    sets: dict[str, list[tuple[str, str]]] = {}
    for lang, texts in by_language.items():
        # Drop answers without a language ("4") and those in several languages' files ("bus 15").
        usable = [t for t in texts if letter_count(fold(t)) >= MIN_LETTERS and seen[fold(t)] == 1]
        sets[lang] = [(t, lang) for t in usable]
        if lang != "en":
            sets[f"{lang} accentless"] = [(strip_accents(t), lang) for t in usable]
    sets["hard cases"] = [(e.text, e.label) for e in read_labeled("eval_langid.tsv", "lang")]
    return sets


def _py3langid_alone(texts: Sequence[str], languages: Sequence[str]) -> list[str]:
    identifier = _identifier(tuple(languages))
    return [identifier.rank(t)[0][0] if letter_count(fold(t)) >= MIN_LETTERS else NONE
            for t in texts]


def evaluate_langid(languages: Sequence[str]) -> None:
    """Accuracy per set, and macro-F1 over all sets; py3langid alone as the baseline."""
    print("\nLanguage identification (eval_sentiment_* sentences, accentless copies, "
          "eval_langid.tsv)")
    print(f"  {'set':<16}{'n':>5}{'accuracy':>10}{'py3langid':>11}")
    truth_all: list[str] = []
    predicted_all: list[str] = []
    for name, rows in langid_sets(languages).items():
        texts = [t for t, _ in rows]
        truth = [code for _, code in rows]
        predicted = [g.code or NONE for g in identify_languages(texts, languages=languages)]
        baseline = _py3langid_alone(texts, languages)
        acc, _ = _scores(truth, predicted)
        base_acc, _ = _scores(truth, baseline)
        print(f"  {name:<16}{len(rows):>5}{acc:>10.3f}{base_acc:>11.3f}")
        truth_all += truth
        predicted_all += predicted
    acc, macro = _scores(truth_all, predicted_all)
    print(f"  {'all':<16}{len(truth_all):>5}{acc:>10.3f}   macro-F1 {macro:.3f}")
    for label in sorted(set(truth_all)):
        f1 = f1_score(truth_all, predicted_all, labels=[label], average="macro", zero_division=0)
        print(f"    F1 {label:<6}{f1:.3f}")


def evaluate_themes() -> None:
    """Precision, recall and F1 per theme of DEFAULT_CODEBOOK, and micro-averaged."""
    rows = read_table(analysis_data("eval_themes.tsv"))
    codebook = default_codebook()
    found = match_themes_many([r["text"] for r in rows], codebook)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for row, matches in zip(rows, found, strict=True):
        gold = {k for k in row["themes"].split(",") if k}
        got = {m.key for m in matches}
        tp.update(gold & got)
        fp.update(got - gold)
        fn.update(gold - got)
    print(f"\nThemes of DEFAULT_CODEBOOK (eval_themes.tsv, {len(rows)} answers)")
    print(f"  {'theme':<18}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}")
    for key in [*codebook.keys, "(micro)"]:
        t, p, n = ((sum(tp.values()), sum(fp.values()), sum(fn.values())) if key == "(micro)"
                   else (tp[key], fp[key], fn[key]))
        precision = t / (t + p) if t + p else 0.0
        recall = t / (t + n) if t + n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {key:<18}{t + n:>8}{precision:>11.3f}{recall:>8.3f}{f1:>7.3f}")


def analysis_data(name: str):
    """Path of a file in `analysis/data/`."""
    from analysis.text.data import DATA_DIR

    return DATA_DIR / name


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", default=",".join(DEFAULT_LANGUAGES),
                        help="comma-separated language codes (default: en,es,vi)")
    args = parser.parse_args(argv)
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    evaluate_sentiment(languages)
    evaluate_langid(languages)
    evaluate_themes()


if __name__ == "__main__":
    main()
