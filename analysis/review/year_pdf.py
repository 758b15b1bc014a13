"""The yearly community report as a PDF (fpdf2, DejaVu Sans as the review's PDF), in one
language, from the report the disclosure gate released (analysis.review.yearly)."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from analysis.disclosure.redaction import redact
from analysis.review.presenting import sentiment_names
from analysis.review.report_pdf import (
    _indicator_text,
    _pct,
    goal_opening,
    heading,
    paragraph,
    quoted,
    table,
    titled_document,
)
from analysis.review.yearly import YearReport
from feedback.core.languages import language_name

ARROWS = {"up": "↑", "down": "↓", "steady": "→"}


def _direction(direction: str | None) -> str:
    labels = {"up": _("up"), "down": _("down"), "steady": _("steady")}
    if direction is None:
        return _("not comparable")
    return f"{ARROWS[direction]} {labels[direction]}"


def build(report: YearReport, locale: str, compress: bool = True) -> FPDF:
    """The yearly report laid out like the review's handout (analysis.review.report_pdf)."""
    review = report.review
    with force_locale(locale):
        names = sentiment_names()
        title = _("Community report %(year)s", year=report.year)
        pdf = titled_document(title, locale, compress)
        paragraph(pdf, _(
            "What families and youth told %(coalition)s in %(year)s, how the shared "
            "indicators moved over the years, and what the coalition did about it.",
            coalition=current_app.config["COALITION_NAME"], year=report.year))
        if review.too_few:
            paragraph(pdf, _("Too few responses to show."))
        for goal_year in report.goals:
            s = goal_year.summary
            goal_opening(pdf, s, review.min_cell, locale)
            mix = ", ".join(f"{names[k]} {_pct(s.share(k))}"
                            for k in ("positive", "neutral", "negative"))
            paragraph(pdf, _("Sentiment: %(mix)s", mix=mix))
            if goal_year.history:
                years = [year for year, _value in goal_year.history[0].values]
                table(pdf, [_("Indicator"), *map(str, years), _("Direction")], [
                    [history.indicator.label(locale),
                     *(_indicator_text(history.indicator, value, review.min_cell)
                       for _year, value in history.values),
                     _direction(history.direction)]
                    for history in goal_year.history])
            if s.themes:
                paragraph(pdf, _("Top themes: %(themes)s", themes=", ".join(
                    f"{t.label(locale)} ({n})" for t, n in s.themes)))
            for quote in s.quotes:
                quoted(pdf, quote.text,
                       f"{language_name(quote.language)} · {names[quote.sentiment]}")
            heading(pdf, _("What the coalition did"), size=10)
            for update in goal_year.updates:
                # as on every page and in every text: contact details are never printed
                paragraph(pdf, f"{_('You said')}: {redact(update.heard_text(locale))}")
                paragraph(pdf, f"{_('We will')}: {redact(update.action_text(locale))}")
            if not goal_year.updates:
                paragraph(pdf, _("No update was published for this goal this year."))
    return pdf


def render(report: YearReport, locale: str, compress: bool = True) -> bytes:
    return bytes(build(report, locale, compress).output())
