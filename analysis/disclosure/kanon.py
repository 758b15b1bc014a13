"""k-anonymity over the answers CSV's demographic fields (docs/privacy.md, "Answers CSV").

The answers CSV is row level. Its quasi-identifiers (age group, race/ethnicity, gender,
neighbourhood, site) together can single a respondent out even when each value alone is
common, so they are generalised until every combination present is held by at least ``k``
distinct respondents:

1. a value held by fewer than ``k`` respondents in the export is blanked (per field);
2. while some combination is held by fewer than ``k`` respondents, the field with the most
   distinct values among those failing combinations is blanked for the respondents in them
   (local suppression: the other rows keep the field);
3. last resort: every field is blanked for the respondents still failing, and if fewer than
   ``k`` are all blank, respondents of classes larger than ``k`` are blanked too (and if that
   cannot make ``k``, every row is blanked).

Blank therefore means "not stated, or too few to show". Pure functions over plain tuples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence


def _counts(records: Mapping[Hashable, tuple]) -> Counter:
    return Counter(records.values())


def anonymise(records: Mapping[Hashable, tuple], k: int) -> dict[Hashable, tuple]:
    """``records``: respondent id -> tuple of quasi-identifier values (None = not stated).

    Returns respondent id -> the generalised tuple (blanked values are None), such that every
    tuple is shared by at least ``k`` respondents, or by none but all-blank ones (the caller
    refuses an export whose whole population is under ``k``)."""
    if not records:
        return {}
    width = len(next(iter(records.values())))
    out = {rid: tuple(values) for rid, values in records.items()}
    # 1. rare values blanked per field
    for i in range(width):
        seen = Counter(values[i] for values in out.values() if values[i] is not None)
        rare = {v for v, n in seen.items() if n < k}
        if rare:
            out = {rid: tuple(None if (j == i and v in rare) else v for j, v in enumerate(vals))
                   for rid, vals in out.items()}
    # 2. local suppression of the most varied field among failing combinations
    for _round in range(width + 1):
        counts = _counts(out)
        failing = {combo for combo, n in counts.items() if n < k}
        if not failing or all(all(v is None for v in combo) for combo in failing):
            break
        variety = [len({combo[i] for combo in failing if combo[i] is not None})
                   for i in range(width)]
        field = max(range(width), key=lambda i: variety[i])
        out = {rid: (tuple(None if j == field else v for j, v in enumerate(vals))
                     if vals in failing else vals)
               for rid, vals in out.items()}
    # 3. everything blank for whoever still fails
    counts = _counts(out)
    blank = (None,) * width
    out = {rid: (vals if counts[vals] >= k else blank) for rid, vals in out.items()}
    # the all-blank class itself holds at least k: borrow from classes that can spare people
    short = k - sum(1 for vals in out.values() if vals == blank)
    if 0 < short < k:
        counts = _counts(out)
        for rid in sorted(out, key=lambda r: -counts[out[r]]):
            if short <= 0:
                break
            vals = out[rid]
            if vals != blank and counts[vals] - 1 >= k:
                counts[vals] -= 1
                out[rid] = blank
                short -= 1
        if short > 0:  # nobody can be spared: the export is blank throughout
            return {rid: blank for rid in out}
    return out


def smallest_class(records: Mapping[Hashable, tuple], fields: Sequence[int] | None = None) -> int:
    """The size of the smallest combination (for tests and the export's audit entry)."""
    counts = _counts(records)
    return min(counts.values()) if counts else 0
