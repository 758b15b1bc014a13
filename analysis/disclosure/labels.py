"""Labels, not codes: demographic values shown by their translated label in every output.

The labels come from the shared demographic question bank (surveys.demographics: fixed codes
every survey reuses, translated once) and, for values a survey adds (its neighbourhoods), from
the survey's own demographic questions. A code nobody labelled is shown as stored.
"""

from __future__ import annotations

import sqlalchemy as sa

from surveys import demographics

#: Review dimension names -> the bank's demographic names.
BANK_NAMES = {"race": "race_ethnicity"}


def _pick(label: dict, locale: str, code: str) -> str:
    return (label or {}).get(locale) or (label or {}).get("en") or code


def value_labels(locale: str) -> dict[str, dict[str, str]]:
    """{demographic name: {code: label in ``locale``}} (bank first, then the surveys')."""
    from feedback.core.extensions import db
    from surveys.models import Choice, Question

    out: dict[str, dict[str, str]] = {}
    for question in demographics.bank():
        dim = question["settings"]["demographic"]
        out[dim] = {c["code"]: _pick(c["label"], locale, c["code"]) for c in question["choices"]}
    rows = db.session.execute(
        sa.select(Question.settings, Choice.code, Choice.label)
        .join(Choice, Choice.question_id == Question.id)
    )
    for settings, code, label in rows:
        dim = (settings or {}).get("demographic")
        if dim:
            out.setdefault(dim, {}).setdefault(code, _pick(label, locale, code))
    return out


def label(dim: str, code, locale: str, labels: dict | None = None):
    """The label of ``code`` in dimension ``dim`` (review or bank naming); None stays None."""
    if code is None or code == "":
        return code
    if dim == "locale":
        from feedback.core.i18n import LANGUAGE_NAMES

        return LANGUAGE_NAMES.get(str(code), code)
    if dim == "channel":
        return {"web": "Web", "sms": "SMS"}.get(str(code), code)
    labels = labels if labels is not None else value_labels(locale)
    return labels.get(BANK_NAMES.get(dim, dim), {}).get(str(code), code)


def label_list(dim: str, codes: str | None, locale: str, labels: dict) -> str:
    """A ";"-joined list of codes (race/ethnicity is multiple choice) as labels."""
    return "; ".join(label(dim, c, locale, labels) for c in (codes or "").split(";") if c)
