"""The review views staff opened lately, so the worker counts those ahead as well.

Why: the worker's round counts ahead the views most opened (analysis.review.warming), but
each combination of filters is a scope of its own (two filters at once, a group with a
breakdown, a custom range, a partner viewer's filters), counted whole when nothing is
remembered for it: seconds at millions of answers. A coalition opens the same few
combinations week after week, so each view opened is noted (its filters, period and
breakdown; never who opened it) and the round counts it again after a write forgets its
counts, for as long as a memo is kept (docs/analysis.md, "Counting ahead"). PostgreSQL only,
like the memos.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from analysis.review import memo
from analysis.review.memo_store import MEMO_KEPT
from analysis.review.periods import Period, month_of, quarter_of
from analysis.review.scope import ReviewScope
from feedback.core.extensions import db
from feedback.responses.models import utcnow

log = logging.getLogger(__name__)

#: The views the round counts again: the latest opened first, at most this many, so what
#: staff open cannot make the round as long as they like.
OPENED_COUNTED = 100
#: The kinds of view noted, each counted again by its own builder (analysis.review.warming).
VIEWS = ("review", "year", "trends")
#: Periods named by when they fall: "this quarter" opened in May is this quarter in August.
_CURRENT = {"month": month_of, "quarter": quarter_of}


class OpenedView(db.Model):
    """A review view opened lately: what to count, and when it was last opened."""

    __tablename__ = "review_view_opened"

    #: sha256 of ``recipe``.
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: The view, its scope's filters and period, its breakdown: ids and names, no person.
    recipe: Mapped[dict] = mapped_column(sa.JSON)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@dataclass(frozen=True)
class Opened:
    """A view to count again: ``view`` one of :data:`VIEWS`, the arguments of its builder."""

    view: str
    scope: ReviewScope
    by: str | None = None
    year: int | None = None
    years: int | None = None


def note(opened: Opened) -> dict:
    """Remember that ``opened`` was opened now, on a connection of its own (the page's
    transaction stays as it is), and give its recipe. A failure only costs the view its
    counting ahead."""
    now = utcnow()
    recipe = recipe_of(opened, now.date())
    if not memo.enabled():
        return recipe
    key = key_of(recipe)
    try:
        with db.engine.begin() as connection:
            connection.execute(pg_insert(OpenedView).values(
                key=key, recipe=recipe, opened_at=now).on_conflict_do_update(
                index_elements=[OpenedView.key], set_={"opened_at": now}))
    except SQLAlchemyError as exc:
        log.warning("opened review view not noted (%s)", type(exc).__name__)
    return recipe


def recent(today: date) -> list[Opened]:
    """The views opened lately, the latest first: each as opened and, for a month or quarter
    that was current then, the current one as of ``today``. Older notes are dropped."""
    db.session.execute(sa.delete(OpenedView).where(OpenedView.opened_at < utcnow() - MEMO_KEPT))
    recipes = db.session.scalars(sa.select(OpenedView.recipe)
                                 .order_by(OpenedView.opened_at.desc()).limit(OPENED_COUNTED))
    views: list[Opened] = []
    for recipe in recipes:
        for opened in views_of(recipe, today):
            if opened not in views:
                views.append(opened)
    return views


def key_of(recipe: dict) -> str:
    """The sha256 naming a view's recipe (its note's key)."""
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


def recipe_of(opened: Opened, today: date) -> dict:
    """``opened`` as JSON, ids and names only: what a note keeps and a count on the worker
    is asked for (:func:`views_of` reads it back)."""
    scope = opened.scope
    filters = {f.name: getattr(scope, f.name) for f in dataclasses.fields(scope)
               if f.name != "period"}  # site_ids in the page's order: the memo keys keep it
    period = scope.period
    return {"view": opened.view, "filters": filters, "by": opened.by, "year": opened.year,
            "years": opened.years,
            "period": [period.start.isoformat(), period.end.isoformat(), period.kind],
            "current": period.kind in _CURRENT and period.start <= today < period.end}


def views_of(recipe: dict, today: date) -> list[Opened]:
    """The views a note stands for; none for a note this version cannot read."""
    try:
        start, end, kind = recipe["period"]
        filters = dict(recipe["filters"])
        if filters.get("site_ids") is not None:
            filters["site_ids"] = tuple(filters["site_ids"])
        scope = ReviewScope(period=Period(date.fromisoformat(start), date.fromisoformat(end),
                                          kind), **filters)
        if recipe["view"] not in VIEWS:
            return []
        opened = Opened(recipe["view"], scope, recipe["by"], recipe["year"], recipe["years"])
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("opened review view not read (%s)", type(exc).__name__)
        return []
    views = [opened]
    if recipe.get("current") and kind in _CURRENT:
        now = _CURRENT[kind](today)
        if now != scope.period:
            views.append(dataclasses.replace(opened, scope=scope.with_period(now)))
    return views
