"""The yearly community report as a PDF (fpdf2, DejaVu Sans as the review's PDF), in one
language, from the report the disclosure gate released (analysis.review.yearly)."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from analysis.review.presenting import sentiment_names
from analysis.review.report_pdf import _indicator_text, _pct, new_document
from analysis.review.yearly import YearReport
from feedback.languages import language_name

ARROWS = {"up": "↑", "down": "↓", "steady": "→"}


def _direction(direction: str | None) -> str:
    labels = {"up": _("up"), "down": _("down"), "steady": _("steady")}
    if direction is None:
        return _("not comparable")
    return f"{ARROWS[direction]} {labels[direction]}"


def _count(figure, min_cell: int) -> str:
    if figure is None:
        return "0"
    if getattr(figure, "withheld", False):
        return _("fewer than %(n)s", n=min_cell)
    return str(getattr(figure, "value", figure))


def build(report: YearReport, locale: str, compress: bool = True) -> FPDF:
    pdf = new_document(compress)
    width = pdf.epw
    review = report.review
    with force_locale(locale):
        names = sentiment_names()
        pdf.set_font("DejaVu", "B", 16)
        pdf.multi_cell(width, 9, _("Community report %(year)s", year=report.year))
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width, 6, _(
            "What families and youth told %(coalition)s in %(year)s, how the shared "
            "indicators moved over the years, and what the coalition did about it.",
            coalition=current_app.config["COALITION_NAME"], year=report.year))
        if review.too_few:
            pdf.multi_cell(width, 6, _("Too few responses to show."))
        for goal_year in report.goals:
            s = goal_year.summary
            pdf.ln(4)
            pdf.set_font("DejaVu", "B", 13)
            pdf.start_section(s.goal.name(locale))
            pdf.multi_cell(width, 8, s.goal.name(locale))
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width, 6, _("Comments: %(n)s (previous period: %(prev)s)",
                                       n=_count(s.comments, review.min_cell),
                                       prev=_count(s.previous_comments, review.min_cell)))
            mix = ", ".join(f"{names[k]} {_pct(s.share(k))}"
                            for k in ("positive", "neutral", "negative"))
            pdf.multi_cell(width, 6, _("Sentiment: %(mix)s", mix=mix))
            for history in goal_year.history:
                values = "; ".join(
                    f"{year}: {_indicator_text(history.indicator, value, review.min_cell)}"
                    for year, value in history.values)
                pdf.multi_cell(width, 6, f"• {history.indicator.label(locale)}: {values} — "
                               + _direction(history.direction))
            if s.themes:
                pdf.multi_cell(width, 6, _("Top themes: %(themes)s", themes=", ".join(
                    f"{t.label(locale)} ({n})" for t, n in s.themes)))
            for quote in s.quotes:
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(width, 5, f"“{quote.text}” ({language_name(quote.language)}, "
                                         f"{names[quote.sentiment]})")
                pdf.set_font("DejaVu", "", 10)
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(width, 6, _("What the coalition did"))
            pdf.set_font("DejaVu", "", 10)
            for update in goal_year.updates:
                pdf.multi_cell(width, 6, f"{_('You said')}: {update.heard_text(locale)}")
                pdf.multi_cell(width, 6, f"{_('We will')}: {update.action_text(locale)}")
            if not goal_year.updates:
                pdf.multi_cell(width, 6, _("No update was published for this goal this year."))
    return pdf


def render(report: YearReport, locale: str, compress: bool = True) -> bytes:
    return bytes(build(report, locale, compress).output())
