"""k-anonymity over the answers CSV's demographic fields (docs/privacy.md, "Answers CSV").

The answers CSV is row level. Its quasi-identifiers (age group, race/ethnicity, gender,
neighbourhood, site) together can single a respondent out even when each value alone is
common, so they are generalised until every combination present is held by at least ``k``
distinct respondents (a respondent with several records, one per site, channel or language they
answered in, counts once):

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
from collections.abc import Callable, Hashable, Mapping


def _people(records: Mapping[Hashable, tuple], person: Callable) -> Counter:
    """Combination -> how many distinct people hold it."""
    holders: dict[tuple, set] = {}
    for key, values in records.items():
        holders.setdefault(values, set()).add(person(key))
    return Counter({values: len(people) for values, people in holders.items()})


def anonymise(records: Mapping[Hashable, tuple], k: int,
              person: Callable = lambda key: key) -> dict[Hashable, tuple]:
    """``records``: record key -> tuple of quasi-identifier values (None = not stated);
    ``person`` gives the respondent a key belongs to (one person may hold several records,
    say one per site where they answered: they count once).

    Returns key -> the generalised tuple (blanked values are None), such that every tuple is
    held by at least ``k`` people, or by none but all-blank ones (the caller refuses an export
    whose whole population is under ``k``)."""
    if not records:
        return {}
    width = len(next(iter(records.values())))
    out = {key: tuple(values) for key, values in records.items()}
    # 1. rare values blanked per field
    for i in range(width):
        holders: dict = {}
        for key, values in out.items():
            if values[i] is not None:
                holders.setdefault(values[i], set()).add(person(key))
        rare = {v for v, people in holders.items() if len(people) < k}
        if rare:
            out = {key: tuple(None if (j == i and v in rare) else v for j, v in enumerate(vals))
                   for key, vals in out.items()}
    # 2. local suppression of the most varied field among failing combinations
    for _round in range(width + 1):
        counts = _people(out, person)
        failing = {combo for combo, n in counts.items() if n < k}
        if not failing or all(all(v is None for v in combo) for combo in failing):
            break
        variety = [len({combo[i] for combo in failing if combo[i] is not None})
                   for i in range(width)]
        field = max(range(width), key=lambda i: variety[i])
        out = {key: (tuple(None if j == field else v for j, v in enumerate(vals))
                     if vals in failing else vals)
               for key, vals in out.items()}
    # 3. everything blank for whoever still fails
    counts = _people(out, person)
    blank = (None,) * width
    out = {key: (vals if counts[vals] >= k else blank) for key, vals in out.items()}
    # the all-blank class itself holds at least k people: borrow whole people from classes
    # that can spare them
    blanked = {person(key) for key, vals in out.items() if vals == blank}
    short = k - len(blanked)
    if 0 < short < k:
        counts = _people(out, person)
        keys_of: dict = {}
        for key in out:
            keys_of.setdefault(person(key), []).append(key)
        for who in sorted(keys_of, key=lambda p: -min(counts[out[key]] for key in keys_of[p])):
            if short <= 0:
                break
            if who in blanked:
                continue
            classes = {out[key] for key in keys_of[who]}
            if all(counts[vals] - 1 >= k for vals in classes):
                for vals in classes:
                    counts[vals] -= 1
                for key in keys_of[who]:
                    out[key] = blank
                short -= 1
        if short > 0:  # nobody can be spared: the export is blank throughout
            return {key: blank for key in out}
    return out
