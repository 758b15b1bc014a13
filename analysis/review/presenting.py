"""Turning a Review into what templates show: charts (with alt text), suppressed volume
tables, and the menus the staff forms need."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from analysis.review import charts
from analysis.review.cells import Cell, suppress
from analysis.review.dashboard import Review
from analysis.review.periods import Period, quarter_of
from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.responses.models import utcnow
from surveys.models import Question


def sentiment_names() -> dict[str, str]:
    return {"positive": _("Positive"), "neutral": _("Neutral"), "negative": _("Negative"),
            "untagged": _("Not yet analysed")}


def volume_table(rows, min_cell: int) -> list[dict]:
    """Volume cells with small counts suppressed (language is a demographic dimension)."""
    cells = suppress([Cell(group=f"{b}|{k}", n=n) for b, k, n in rows], min_cell)
    return [{"bucket": b, "key": k, "n": c.shown_n, "suppressed": c.suppressed}
            for (b, k, _n), c in zip(rows, cells, strict=True)]


def _plotted(figure) -> int:
    """What a chart draws for a released figure (a withheld one draws nothing)."""
    if figure is None:
        return 0
    if isinstance(figure, int):
        return figure
    return figure.shown or 0


def _sentiment_shares(summary, previous: bool) -> tuple | None:
    """A period's sentiment bar: each part's share of its comments as the table beside it
    gives them (GoalSummary.share), None where the gate withheld a part; None for a period
    with no comments to draw."""
    mix = summary.previous_sentiment if previous else summary.sentiment
    if not any(_plotted(figure) or getattr(figure, "withheld", False)
               for figure in mix.values()):
        return None
    return tuple(summary.share(key, previous=previous) if key in mix else 0.0
                 for key in charts.SENTIMENT_PARTS[:-1])


def chart_context(review: Review, fmt: str = "svg") -> dict:
    """Data URIs of every chart (``fmt``: svg for pages, png for the PDF) and the tables beside
    them, drawn from what the disclosure gate released
    (analysis.disclosure.gate.release_review), never from raw counts."""
    names = {"web": _("Web"), "sms": _("SMS"), **LANGUAGE_NAMES}
    volume = {}
    released = review.volume_tables or {}
    for by, rows in (("channel", review.volume_channel), ("locale", review.volume_locale)):
        table = released[by] if by in released else volume_table(rows, review.min_cell)
        plotted = [(r["bucket"], r["key"], r["n"] or 0) for r in table]
        volume[by] = {
            "table": table,
            "chart": charts.volume_chart(plotted, names, _("Responses"), fmt) if rows else None,
        }
    sentiment = {}
    labels = sentiment_names()
    part_names = tuple({**labels, "withheld": _("Too few to show")}[k]
                       for k in charts.SENTIMENT_PARTS)
    for s in review.goals:
        rows = []
        for label, previous in ((review.scope.period.previous().label, True),
                                (review.scope.period.label, False)):
            parts = _sentiment_shares(s, previous)
            if parts is not None:
                rows.append((label, parts))
        sentiment[s.goal.id] = charts.sentiment_bars(tuple(rows), part_names, fmt) if rows else None
    return {"volume": volume, "sentiment": sentiment, "names": names,
            "sentiment_names": labels}


def question_keys() -> list[str]:
    """Every question key used by a closed question (for indicator definitions)."""
    return list(db.session.scalars(
        sa.select(Question.key).where(Question.type.not_in(("short_text", "long_text")))
        .distinct().order_by(Question.key)
    ))


def recent_quarters(count: int = 6) -> list[Period]:
    """This quarter and the ones before it."""
    quarters, day = [], utcnow().date()
    for _i in range(count):
        q = quarter_of(day)
        quarters.append(q)
        day = q.previous().start
    return quarters


def emerging_for(scope) -> list:
    """Candidate themes among the period's untagged comments (terms and counts, no quotes).

    Only for a coalition-wide view: analysis.codebook.emerging reads every site's comments, so a
    partner viewer or a site/partner filter gets nothing rather than other sites' words.
    """
    if scope.site_ids is not None or scope.site_id or scope.organization_id:
        return []
    from analysis.codebook.emerging import emerging_candidates

    return emerging_candidates(scope.period.start_dt, scope.period.end_dt, scope.locale,
                               top=5).candidates
