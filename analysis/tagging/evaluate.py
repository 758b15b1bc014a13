"""How well the text layer does on the labeled evaluation data the project carries.

    python -m analysis.tagging.evaluate

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


def sentiment_figures(languages: Sequence[str]) -> dict[str, dict]:
    """Per language: n, macro-F1 and accuracy of the model on the encoder ("new") and of the
    TF-IDF model alone ("old"), and the new model's confusion matrix (rows: truth, in LABELS
    order). Shown by `flask analysis evaluate` and on the model page."""
    import dataclasses

    from sklearn.metrics import confusion_matrix

    figures: dict[str, dict] = {}
    for language in languages:
        model = default_sentiment_model(language)
        if model is None:
            continue
        examples = read_labeled(f"eval_sentiment_{language}.tsv")
        truth = [e.label for e in examples]
        new = [s.label for s in model.predict([e.text for e in examples])]
        old = [s.label for s in dataclasses.replace(model, encoder_head=None).predict(
            [e.text for e in examples])]
        new_acc, new_f1 = _scores(truth, new)
        old_acc, old_f1 = _scores(truth, old)
        figures[language] = {
            "n": len(examples), "macro_f1": new_f1, "accuracy": new_acc,
            "old_macro_f1": old_f1, "old_accuracy": old_acc,
            "confusion": confusion_matrix(truth, new, labels=list(LABELS)).tolist(),
        }
    return figures


def evaluate_sentiment(languages: Sequence[str]) -> None:
    """Macro-F1 per language, the TF-IDF-only model beside it, and confusion matrices;
    TextBlob alone as the English baseline."""
    from analysis.text.encoder import encoder_name

    print(f"Sentiment (eval_sentiment_<lang>.tsv; encoder: {encoder_name()})")
    print(f"  {'language':<10}{'n':>5}{'macro-F1':>10}{'accuracy':>10}"
          f"{'TF-IDF F1':>11}{'TF-IDF acc':>12}")
    figures = sentiment_figures(languages)
    for language, f in figures.items():
        print(f"  {language:<10}{f['n']:>5}{f['macro_f1']:>10.3f}{f['accuracy']:>10.3f}"
              f"{f['old_macro_f1']:>11.3f}{f['old_accuracy']:>12.3f}")
    for language, f in figures.items():
        print(f"  confusion {language} (rows truth, columns predicted: {'/'.join(LABELS)})")
        for label, row in zip(LABELS, f["confusion"], strict=True):
            print(f"    {label:<10}" + "".join(f"{v:>6}" for v in row))
        examples = read_labeled(f"eval_sentiment_{language}.tsv")
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


def langid_figures(languages: Sequence[str]) -> dict[str, float]:
    """Language-ID accuracy per evaluation set, and on 4-word texts per language (the first
    four words of each evaluation sentence, accent-free copies included)."""
    figures: dict[str, float] = {}
    sets = langid_sets(languages)
    for name, rows in list(sets.items()):
        if name == "hard cases":
            continue
        short = [(" ".join(t.split()[:4]), code) for t, code in rows if len(t.split()) >= 4]
        sets[f"{name} (4 words)"] = short
    for name, rows in sets.items():
        predicted = [g.code or NONE for g in
                     identify_languages([t for t, _ in rows], languages=languages)]
        figures[name] = _scores([c for _, c in rows], predicted)[0] if rows else 0.0
    return figures


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
    for name, acc in langid_figures(languages).items():
        if name.endswith("(4 words)"):
            print(f"  {name:<26}{acc:>10.3f}")
    acc, macro = _scores(truth_all, predicted_all)
    print(f"  {'all':<16}{len(truth_all):>5}{acc:>10.3f}   macro-F1 {macro:.3f}")
    for label in sorted(set(truth_all)):
        f1 = f1_score(truth_all, predicted_all, labels=[label], average="macro", zero_division=0)
        print(f"    F1 {label:<6}{f1:.3f}")


def evaluate_themes() -> None:
    """Precision, recall and F1 per theme of DEFAULT_CODEBOOK, and micro-averaged."""
    from analysis.text.pipeline import analyze_many

    rows = read_table(analysis_data("eval_themes.tsv"))
    codebook = default_codebook()
    keywords_only = match_themes_many([r["text"] for r in rows], codebook)
    found = [a.themes for a in analyze_many([r["text"] for r in rows], codebook)]
    _, _, kw_f1 = _theme_prf(rows, keywords_only)
    print(f"\nThemes: micro-F1 with keywords only {kw_f1:.3f}; with keywords and meaning below")
    _print_themes(rows, found, codebook)


def _theme_prf(rows, found) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for row, matches in zip(rows, found, strict=True):
        gold = {k for k in row["themes"].split(",") if k}
        got = {m.key for m in matches}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def theme_figures() -> dict[str, float]:
    """Micro precision/recall/F1 of themes, keywords and meaning (the model page shows them)."""
    from analysis.text.pipeline import analyze_many

    rows = read_table(analysis_data("eval_themes.tsv"))
    found = [a.themes for a in analyze_many([r["text"] for r in rows], default_codebook())]
    p, r, f = _theme_prf(rows, found)
    return {"precision": p, "recall": r, "f1": f, "n": len(rows)}


def _print_themes(rows, found, codebook) -> None:
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


def all_figures(languages: Sequence[str] = DEFAULT_LANGUAGES) -> dict:
    """Everything the model page shows."""
    return {"sentiment": sentiment_figures(languages), "themes": theme_figures(),
            "langid": langid_figures(languages)}


_FIGURES: dict = {}


def cached_figures() -> dict:
    """`all_figures`, computed once per process and encoder (the model page shows them)."""
    from analysis.text.encoder import encoder_name

    name = encoder_name()
    if name not in _FIGURES:
        _FIGURES[name] = all_figures()
    return _FIGURES[name]


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
