"""The agenda review as a PDF handout (fpdf2), in the staff member's language.

Uses DejaVu Sans from matplotlib's bundled fonts: a Unicode TTF that covers Vietnamese
(ấ, ự, ở ...) and Spanish, so no font needs installing on the server.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from analysis.review.dashboard import Review
from analysis.review.presenting import sentiment_names
from feedback.i18n import LANGUAGE_NAMES

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _indicator_text(indicator, value, min_cell: int) -> str:
    if value.suppressed:
        return _("fewer than %(n)s answers", n=min_cell)
    if value.value is None:
        return _("no answers")
    shown = _pct(value.value) if indicator.rule == "share_of_values" else f"{value.value:.2f}"
    return _("%(value)s (n = %(n)s)", value=shown, n=value.n)


def new_document(compress: bool = True) -> FPDF:
    """An A4 handout with DejaVu Sans (regular, bold) and its first page."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def build(review: Review, locale: str, compress: bool = True) -> FPDF:
    """The report as an FPDF document (``compress=False`` keeps text searchable in tests)."""
    pdf = new_document(compress)
    width = pdf.epw
    with force_locale(locale):
        names = sentiment_names()
        pdf.set_font("DejaVu", "B", 16)
        pdf.multi_cell(width, 9, _("Agenda review: %(period)s", period=review.scope.period.label))
        pdf.set_font("DejaVu", "", 10)
        if getattr(review, "too_few", False):  # the disclosure gate released nothing
            pdf.multi_cell(width, 6, _("Too few responses to show."))
            return pdf
        pdf.multi_cell(width, 6, _(
            "%(n)s responses this period (%(prev)s the period before). Groups smaller than "
            "%(min)s are not shown.", n=review.responses, prev=review.previous_responses,
            min=review.min_cell))
        for s in review.goals:
            pdf.ln(4)
            pdf.set_font("DejaVu", "B", 13)
            pdf.start_section(s.goal.name(locale))  # a bookmark per goal
            pdf.multi_cell(width, 8, s.goal.name(locale))
            pdf.set_font("DejaVu", "", 10)
            if s.goal.description(locale):
                pdf.multi_cell(width, 5, s.goal.description(locale))
            pdf.multi_cell(width, 6, _(
                "Comments: %(n)s (previous period: %(prev)s)", n=s.comments,
                prev=s.previous_comments))
            mix = ", ".join(
                f"{names[k]} {_pct(s.share(k))}" for k in ("positive", "neutral", "negative")
            )
            pdf.multi_cell(width, 6, _("Sentiment: %(mix)s", mix=mix))
            for indicator, now, before in s.indicators:
                current = _indicator_text(indicator, now, review.min_cell)
                earlier = _indicator_text(indicator, before, review.min_cell)
                pdf.multi_cell(width, 6, f"• {indicator.label(locale)}: {current} — "
                               + _("previous: %(v)s", v=earlier))
            if s.themes:
                pdf.multi_cell(width, 6, _("Top themes: %(themes)s", themes=", ".join(
                    f"{t.label(locale)} ({n})" for t, n in s.themes)))
            for quote in s.quotes:
                lang = LANGUAGE_NAMES.get(quote.language or "", quote.language or "?")
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(width, 5, f"“{quote.text}” ({lang}, {names[quote.sentiment]})")
                pdf.set_font("DejaVu", "", 10)
    return pdf


def render(review: Review, locale: str, compress: bool = True) -> bytes:
    """The PDF bytes."""
    return bytes(build(review, locale, compress).output())
