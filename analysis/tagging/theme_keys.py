"""``answer_tag.theme_key``: each comment's set of themes, as one comparable value.

A goal links several themes, and a comment with two of them must count once for the goal. The
review's daily totals (analysis.review.daily_totals) therefore count comments per *set* of
themes, which SQL can group by only if the set is one column. Whatever code writes
``answer_theme`` rows (tagging, corrections, seeders), this flush hook rewrites the key of the
answers it touched, from the rows as they are in the database after the flush.
"""

from __future__ import annotations

from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from analysis.models import AnswerTag, AnswerTheme


def theme_key(theme_ids) -> str | None:
    """",3,7," for themes {7, 3}; None for no theme. Commas at both ends make "contains
    theme 3" the plain substring ",3,"."""
    ids = sorted(set(int(t) for t in theme_ids))
    return "," + ",".join(map(str, ids)) + "," if ids else None


def parse_theme_key(key: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (key or "").split(",") if part)


def rewrite_theme_keys(session, flush_context) -> None:
    """Recompute the key of every answer whose tag or theme rows this flush wrote."""
    answer_ids = {
        obj.answer_id
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, (AnswerTheme, AnswerTag)) and obj.answer_id is not None
    }
    if not answer_ids:
        return
    connection = session.connection()
    themes: dict[int, list[int]] = {answer_id: [] for answer_id in answer_ids}
    for answer_id, theme_id in connection.execute(
        sa.select(AnswerTheme.answer_id, AnswerTheme.theme_id).where(
            AnswerTheme.answer_id.in_(answer_ids), AnswerTheme.source != "removed")
    ):
        themes[answer_id].append(theme_id)
    keys = {answer_id: theme_key(ids) for answer_id, ids in themes.items()}
    table = AnswerTag.__table__
    connection.execute(
        table.update().where(table.c.answer_id == sa.bindparam("b_answer_id"))
        .values(theme_key=sa.bindparam("b_key")),
        [{"b_answer_id": answer_id, "b_key": key} for answer_id, key in keys.items()],
    )
    # Tags loaded in this session see the new key without another query.
    for obj in chain(session.identity_map.values(), session.new):
        if isinstance(obj, AnswerTag) and obj.answer_id in keys:
            set_committed_value(obj, "theme_key", keys[obj.answer_id])
