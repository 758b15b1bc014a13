"""Comments on each agenda goal and the people behind them, from one scan of the answers.

The dashboard shows comments per goal, sentiment and theme; the disclosure gate needs the
distinct respondents behind each of those figures. Both read the same rows (a goal's comments
are the answers carrying one of its themes), so one query counts both: with years of answers
the scan, not the counting, is what a page waits for (docs/analysis.md, "Speed with years of
data").
"""

from __future__ import annotations

import copy

import sqlalchemy as sa

from analysis.models import AnswerTag, AnswerTheme
from analysis.review import newest_day
from analysis.review.goals import goal_theme
from analysis.review.memo import once_per_transaction, remembered
from analysis.review.scope import answer_conditions, response_period
from feedback.core.extensions import db
from feedback.responses.models import Answer, Response


def in_period(scope) -> dict:
    """{"goals": {goal_id: {sentiment|None: (comments, people)}}, "themes": {goal_id:
    {theme_id: (comments, people)}}} over the scope's period; sentiment None is the goal's
    whole count (an answer with two of its themes counts once). Read once per request: the
    dashboard shows the comments and the disclosure gate releases them on the people."""
    return once_per_transaction(("goal_counts", scope), lambda: _in_period(scope))


@remembered()
def _in_period(scope) -> dict:
    return newest_day.counted(scope, _counted, in_two_parts)


def _counted(scope) -> dict:
    result: dict = {"goals": {}, "themes": {}}
    for _key, goal_id, sentiment, theme_id, counts in _count(_within(scope), (), True):
        if theme_id is not None:
            result["themes"].setdefault(goal_id, {})[theme_id] = counts
        else:
            result["goals"].setdefault(goal_id, {})[sentiment] = counts
    return result


def in_two_parts(head, tail) -> dict:
    """:func:`in_period` over ``head`` and ``tail``, two adjacent periods, as the remembered
    count of ``head`` plus what ``tail`` adds (analysis.review.newest_day)."""
    result = copy.deepcopy(_in_period(head))
    fresh = newest_day.new_people(_rows, head, tail, _figures)
    for kind, by_goal in _counted(tail).items():
        for goal_id, by_key in by_goal.items():
            counted = result[kind].setdefault(goal_id, {})
            for key, (comments, _people) in by_key.items():
                figure = (goal_id, key, None) if kind == "goals" else (goal_id, None, key)
                before_comments, before_people = counted.get(key, (0, 0))
                counted[key] = (before_comments + comments,
                                before_people + fresh.get(figure, 0))
    return result


def _within(scope) -> list:
    return [*answer_conditions(scope), *response_period(scope.period)]


def _rows(scope, conditions: list):
    """(goal, sentiment, theme, respondent) of the scope's goal comments. The period bounds
    the responses only (analysis.review.newest_day.new_people)."""
    return _comments([*answer_conditions(scope, with_period=False),
                      *response_period(scope.period), *conditions]).with_only_columns(
        goal_theme.c.goal_id, _LABEL, AnswerTheme.theme_id, Response.respondent_id)


def _figures(row: tuple):
    """A comment's figures, in the keys :func:`_count` gives: the goal's whole count
    (sentiment and theme None), its sentiment, its theme."""
    goal_id, sentiment, theme_id = row
    return (goal_id, None, None), (goal_id, sentiment, None), (goal_id, None, theme_id)


def per_bucket(scope, bucket, conditions: list) -> dict:
    """{bucket: {goal_id: {sentiment|None: (comments, people)}}} over the comments of
    ``scope`` (its period ignored) meeting ``conditions`` (on the answer or its response):
    one scan for a series of periods (analysis.review.trends)."""
    result: dict = {}
    within = [*answer_conditions(scope, with_period=False), *conditions]
    for (key,), goal_id, sentiment, _theme, counts in _count(within, (bucket,), False):
        result.setdefault(key, {}).setdefault(goal_id, {})[sentiment] = counts
    return result


def comments_of(counted: dict) -> dict:
    """{goal_id: {sentiment: comments}} from {goal_id: {sentiment|None: (comments, people)}}
    (the whole count, None, left out: it is their sum)."""
    return {goal_id: {key: n for key, (n, _people) in by_key.items() if key is not None}
            for goal_id, by_key in counted.items()}


def people_of(counted: dict) -> dict:
    """{goal_id: {key: people}} from {goal_id: {key: (comments, people)}}."""
    return {goal_id: {key: people for key, (_n, people) in by_key.items()}
            for goal_id, by_key in counted.items()}


#: A comment's sentiment, as counted.
_LABEL = sa.func.coalesce(AnswerTag.sentiment_label, "untagged")


def _comments(conditions: list):
    """The goals' comments meeting ``conditions``: a row per comment and goal theme."""
    return (
        sa.select().select_from(Answer)
        .join(AnswerTheme, AnswerTheme.answer_id == Answer.id)
        .join(goal_theme, goal_theme.c.theme_id == AnswerTheme.theme_id)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(AnswerTheme.source != "removed", *conditions)
    )


def _count(conditions: list, keys: tuple, with_themes: bool):
    """(values of ``keys``, goal_id, sentiment, theme_id, (comments, people)) over the goals'
    comments meeting ``conditions``: per goal (sentiment and theme None), per goal and
    sentiment, and with ``with_themes`` per goal and theme (sentiment None). GROUPING SETS on
    PostgreSQL, one query per shape on SQLite, which has none."""
    base = _comments(conditions)
    label = _LABEL
    counts = (sa.func.count(sa.distinct(Answer.id)),
              sa.func.count(sa.distinct(Response.respondent_id)))
    goal, theme = goal_theme.c.goal_id, AnswerTheme.theme_id
    shapes = {"goal": (), "sentiment": (label,)} | ({"theme": (theme,)} if with_themes else {})
    n_keys = len(keys)
    if db.engine.dialect.name == "postgresql":
        extra = (theme, sa.func.grouping(theme)) if with_themes else ()
        sets = sa.func.grouping_sets(*(sa.tuple_(*keys, goal, *by) for by in shapes.values()))
        for row in db.session.execute(base.with_only_columns(
                *keys, goal, label, sa.func.grouping(label), *extra, *counts).group_by(sets)):
            goal_id, sentiment, no_label = row[n_keys:n_keys + 3]
            theme_id = row[n_keys + 3] if with_themes and not row[n_keys + 4] else None
            yield (tuple(row[:n_keys]), goal_id, None if no_label else sentiment, theme_id,
                   (int(row[-2]), int(row[-1])))
        return
    for shape, by in shapes.items():
        for row in db.session.execute(base.with_only_columns(*keys, goal, *by, *counts)
                                      .group_by(*keys, goal, *by)):
            value = row[n_keys + 1] if by else None
            yield (tuple(row[:n_keys]), row[n_keys], value if shape == "sentiment" else None,
                   value if shape == "theme" else None, (int(row[-2]), int(row[-1])))
