"""The dashboard's figures read from the daily totals (analysis.review.daily_totals).

Each function returns exactly what its counterpart in analysis.review.dashboard returns when
that counts the stored answers (the tests compare the two on the same data); here each is one
SQL aggregate over a period's daily rows, so its cost does not grow with the answers.
Comments are counted per set of themes; which sets belong to a goal is decided in Python over
those few aggregated rows, so a comment with two of a goal's themes counts once.
"""

from __future__ import annotations

import sqlalchemy as sa

from analysis.review.daily_totals import DailyComments, DailyResponses
from analysis.review.goals import goal_theme
from analysis.review.periods import bucket_expression, bucket_unit, volume_series
from analysis.review.quotes import quotes_per_goal, texts_of
from analysis.review.scope import ReviewScope, totals_conditions
from analysis.tagging.theme_keys import parse_theme_key
from feedback.core.extensions import db


def _two_periods(table, scope: ReviewScope):
    """Conditions covering the previous and the current period, and the "now"/"before"
    expression that tells them apart (one scan answers both)."""
    conds = [table.day >= scope.period.previous().start, table.day < scope.period.end,
             *totals_conditions(table, scope, with_period=False)]
    return conds, sa.case((table.day >= scope.period.start, "now"), else_="before")


def total_responses(scope: ReviewScope) -> tuple[int, int]:
    """(responses in the period, in the previous period)."""
    conds, which = _two_periods(DailyResponses, scope)
    rows = dict(db.session.execute(
        sa.select(which, sa.func.sum(DailyResponses.n)).where(*conds).group_by(which)
    ).all())
    return int(rows.get("now") or 0), int(rows.get("before") or 0)


def volume(scope: ReviewScope) -> tuple[str, list, list]:
    """Completed responses per week or month, by channel and by language."""
    unit = bucket_unit(scope.period)
    table = DailyResponses
    bucket = bucket_expression(table.day, unit)
    query = (
        sa.select(bucket, table.channel, table.locale, sa.func.sum(table.n))
        .where(*totals_conditions(table, scope))
        .group_by(bucket, table.channel, table.locale)
    )
    return (unit, *volume_series(db.session.execute(query)))


def goal_themes() -> dict[int, frozenset[int]]:
    """{goal id: the ids of its linked themes}."""
    links: dict[int, set[int]] = {}
    for goal_id, theme_id in db.session.execute(sa.select(goal_theme)):
        links.setdefault(goal_id, set()).add(theme_id)
    return {goal_id: frozenset(ids) for goal_id, ids in links.items()}


def goal_comments(scope: ReviewScope, links: dict[int, frozenset[int]]):
    """Per goal: comments by sentiment in both periods, and comments per theme now.

    Returns ({"now"|"before": {goal: {sentiment: n}}}, {goal: [(theme, n)] most first})."""
    conds, which = _two_periods(DailyComments, scope)
    query = (
        sa.select(which, DailyComments.sentiment, DailyComments.theme_key,
                  sa.func.sum(DailyComments.n))
        .where(*conds)
        .group_by(which, DailyComments.sentiment, DailyComments.theme_key)
    )
    mix: dict[str, dict[int, dict[str, int]]] = {"now": {}, "before": {}}
    themes: dict[int, dict[int, int]] = {}
    for period, sentiment, key, n in db.session.execute(query):
        in_set = parse_theme_key(key)
        for goal_id, linked in links.items():
            shared = in_set & linked
            if not shared:
                continue
            label = sentiment or "untagged"
            goal_mix = mix[period].setdefault(goal_id, {})
            goal_mix[label] = goal_mix.get(label, 0) + int(n)
            if period == "now":
                counts = themes.setdefault(goal_id, {})
                for theme_id in shared:
                    counts[theme_id] = counts.get(theme_id, 0) + int(n)
    ranked = {goal_id: sorted(counts.items(), key=lambda r: -r[1])
              for goal_id, counts in themes.items()}
    return mix, ranked


def quotes_by_goal(scope: ReviewScope, links: dict[int, frozenset[int]]) -> dict[int, list]:
    """Per goal, the strongest comment of each sentiment in the period (highest |score|, then
    newest), in its original language: the strongest per set of themes comes from SQL, the
    goal's pick among its sets from Python, and the texts of the winners from one query."""
    table = DailyComments
    rank = sa.func.row_number().over(
        partition_by=(table.sentiment, table.theme_key),
        order_by=(table.best_score.desc(), table.best_answer_id.desc()),
    )
    ranked = (
        sa.select(table.sentiment, table.theme_key, table.best_score, table.best_answer_id,
                  rank.label("rnk"))
        .where(*totals_conditions(table, scope), table.best_answer_id.is_not(None),
               table.sentiment.is_not(None))
        .subquery()
    )
    best: dict[tuple[int, str], tuple[float, int]] = {}
    for sentiment, key, score, answer_id in db.session.execute(
        sa.select(ranked.c.sentiment, ranked.c.theme_key, ranked.c.best_score,
                  ranked.c.best_answer_id).where(ranked.c.rnk == 1)
    ):
        in_set = parse_theme_key(key)
        for goal_id, linked in links.items():
            if in_set & linked:
                candidate = (float(score), int(answer_id))
                if candidate > best.get((goal_id, sentiment), (-1.0, -1)):
                    best[(goal_id, sentiment)] = candidate
    texts = texts_of(answer_id for _score, answer_id in best.values())
    return quotes_per_goal(
        (goal_id, sentiment, *texts.get(answer_id, (None, None, False)))
        for (goal_id, sentiment), (_score, answer_id) in sorted(best.items()))
