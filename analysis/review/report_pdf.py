"""The agenda review as a PDF handout (fpdf2), in the staff member's language.

Laid out with fpdf2's own flow: margins, multi_cell paragraphs that wrap and return to the left
margin, ``table()`` for figures, automatic page breaks and a footer with page numbers. Charts
are the review's own (analysis.review.charts) drawn as PNG. Every figure is what the disclosure
gate released (docs/privacy.md), shown the way the printable report shows it.

Uses DejaVu Sans from matplotlib's bundled fonts: a Unicode TTF that covers Vietnamese
(ấ, ự, ở ...) and Spanish, so no font needs installing on the server.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from analysis.review import charts
from analysis.review.dashboard import Review
from analysis.review.presenting import chart_context
from feedback.core.i18n import LANGUAGE_NAMES

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
#: Page margins in millimetres (A4 is 210 × 297).
MARGIN = 18
HEADING = FontFace(emphasis="BOLD", fill_color=(230, 236, 242))


class Handout(FPDF):
    """A4 pages with a running title and "Page n of N" in the footer."""

    running_title = ""
    page_label = "%(page)s / %(pages)s"

    def header(self) -> None:
        if self.page_no() == 1 or not self.running_title:
            return
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.running_title, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.page_label % {"page": self.page_no(), "pages": "{nb}"},
                  align="C")
        self.set_text_color(0)


def new_document(compress: bool = True) -> Handout:
    """An A4 handout with DejaVu Sans (regular, bold), margins and its first page."""
    pdf = Handout(format="A4")
    pdf.set_compression(compress)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.page_label = _("Page %(page)s of %(pages)s")
    pdf.add_page()
    return pdf


def titled_document(title: str, locale: str, compress: bool = True) -> Handout:
    """A new handout titled ``title``: in its metadata (title, language, for screen readers),
    as the running title of every page after the first, and at the top of the first page."""
    pdf = new_document(compress)
    pdf.running_title = f"{current_app.config['COALITION_NAME']} · {title}"
    pdf.set_title(title)
    pdf.set_lang(locale)
    paragraph(pdf, title, size=17, style="B", height=9)
    return pdf


def paragraph(pdf: FPDF, text: str, size: float = 10, style: str = "", height: float = 5.2,
              space_after: float = 1.5) -> None:
    """A wrapped paragraph from the left margin across the page."""
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(space_after)


def quoted(pdf: FPDF, text: str, meta: str) -> None:
    """Someone's words in italics, with what they are (language, label) beneath."""
    paragraph(pdf, f"“{text}”", size=9.5, style="I", space_after=0.5)
    paragraph(pdf, meta, size=8, space_after=2)


def _language(quote) -> str:
    return LANGUAGE_NAMES.get(quote.language or "", quote.language or "?")


def heading(pdf: FPDF, text: str, size: float = 13, bookmark: bool = False) -> None:
    """A bold heading that never sits alone at the foot of a page."""
    if pdf.will_page_break(30):
        pdf.add_page()
    if bookmark:
        pdf.start_section(text)  # a bookmark in the PDF outline
    pdf.ln(2)
    paragraph(pdf, text, size=size, style="B", height=size * 0.55, space_after=1)


def table(pdf: FPDF, header: list[str], rows: list[list[str]],
          widths: tuple[int, ...] | None = None) -> None:
    """A figure table with a shaded header row, repeated on a new page."""
    pdf.set_font(FONT, "", 9)
    with pdf.table(col_widths=widths, headings_style=HEADING, line_height=5.5,
                   text_align="LEFT", first_row_as_headings=True) as grid:
        for values in [header, *rows]:
            row = grid.row()
            for value in values:
                row.cell(str(value))
    pdf.ln(3)


def chart(pdf: FPDF, uri: str | None, description: str) -> None:
    """A chart across the text width, with its description as alternative text."""
    if not uri:
        return
    image = io.BytesIO(charts.data_uri_bytes(uri))
    if pdf.will_page_break(60):
        pdf.add_page()
    pdf.image(image, w=pdf.epw, alt_text=description)
    pdf.ln(2)


def _count(figure, min_cell: int) -> str:
    if figure is None:
        return "0"
    if getattr(figure, "withheld", False):
        if getattr(figure, "reason", "primary") == "primary":
            return _("fewer than %(n)s", n=min_cell)
        return _("hidden")
    return str(getattr(figure, "value", figure))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _indicator_text(indicator, value, min_cell: int) -> str:
    if value.suppressed:
        return _("fewer than %(n)s answers", n=min_cell)
    if value.value is None:
        return _("no answers")
    shown = _pct(value.value) if indicator.rule == "share_of_values" else f"{value.value:.2f}"
    return _("%(value)s (n = %(n)s)", value=shown, n=value.n)


def _period_words(period) -> str:
    return _("%(start)s to %(end)s", start=format_date(period.start, "long"),
             end=format_date(period.last_day, "long"))


def _volume(pdf: FPDF, review: Review, figures: dict, by: str, title: str) -> None:
    volume = figures["volume"][by]
    heading(pdf, title, size=11)
    chart(pdf, volume["chart"], _("Bar chart: %(title)s. The same figures are in the table "
                                  "that follows.", title=title))
    rows = [[row["bucket"], figures["names"].get(row["key"], row["key"]),
             _("fewer than %(n)s", n=review.min_cell) if row["suppressed"] else row["n"]]
            for row in volume["table"]]
    if rows:
        table(pdf, [_("Starting"), _("Group"), _("Responses")], rows, (2, 3, 2))
    else:
        paragraph(pdf, _("No responses in this period."))


def goal_opening(pdf: FPDF, s, min_cell: int, locale: str) -> None:
    """A goal's bookmarked heading, description and comment counts, as both handouts open it."""
    heading(pdf, s.goal.name(locale), bookmark=True)
    if s.goal.description(locale):
        paragraph(pdf, s.goal.description(locale), style="I")
    paragraph(pdf, _("Comments: %(n)s (previous period: %(prev)s)",
                     n=_count(s.comments, min_cell), prev=_count(s.previous_comments, min_cell)))


def _goal(pdf: FPDF, review: Review, s, figures: dict, locale: str) -> None:
    names = figures["sentiment_names"]
    period, previous = review.scope.period, review.scope.period.previous()
    goal_opening(pdf, s, review.min_cell, locale)
    chart(pdf, figures["sentiment"].get(s.goal.id),
          _("Sentiment of comments about %(goal)s, this period and the previous one; figures "
            "in the table that follows.", goal=s.goal.name(locale)))
    rows = []
    for key in ("positive", "neutral", "negative"):
        now = _count(s.sentiment.get(key), review.min_cell)
        before = _count(s.previous_sentiment.get(key), review.min_cell)
        if s.share(key) is not None:
            now += f" ({_pct(s.share(key))})"
        if s.share(key, previous=True) is not None:
            before += f" ({_pct(s.share(key, previous=True))})"
        rows.append([names[key], now, before])
    table(pdf, [_("Sentiment"), period.label, previous.label], rows, (2, 2, 2))
    if s.indicators:
        table(pdf, [_("Indicator"), period.label, previous.label],
              [[indicator.label(locale), _indicator_text(indicator, now, review.min_cell),
                _indicator_text(indicator, before, review.min_cell)]
               for indicator, now, before in s.indicators], (3, 2, 2))
    if s.themes:
        paragraph(pdf, _("Top themes: %(themes)s", themes=", ".join(
            f"{theme.label(locale)} ({n})" for theme, n in s.themes)))
    if s.quotes:
        heading(pdf, _("What people said"), size=10)
        for quote in s.quotes:
            quoted(pdf, quote.text, f"{_language(quote)} · {names[quote.sentiment]}")
    if s.request_quotes:
        heading(pdf, _("What people asked for"), size=10)
        paragraph(pdf, ngettext("%(num)s comment asked for something; the newest:",
                                "%(num)s comments asked for something; the newest:",
                                s.requests.value), size=9)
        for quote in s.request_quotes:
            quoted(pdf, quote.text, _language(quote))


def build(review: Review, locale: str, compress: bool = True) -> FPDF:
    """The report as an FPDF document (``compress=False`` keeps text searchable in tests)."""
    with force_locale(locale):
        title = _("Agenda review: %(period)s", period=review.scope.period.label)
        pdf = titled_document(title, locale, compress)
        paragraph(pdf, f"{current_app.config['COALITION_NAME']} · "
                       f"{_period_words(review.scope.period)}", size=10)
        if review.too_few:  # the disclosure gate released nothing
            paragraph(pdf, _("Too few responses to show."))
            return pdf
        paragraph(pdf, _("%(n)s responses in this period; %(prev)s in the previous period "
                         "(%(label)s).", n=_count(review.responses, review.min_cell),
                         prev=_count(review.previous_responses, review.min_cell),
                         label=review.scope.period.previous().label))
        paragraph(pdf, _("“Fewer than %(n)s” marks a group too small to report: its figures "
                         "are hidden to protect respondents, and sometimes a second group is "
                         "hidden too so the first cannot be worked out from the total.",
                         n=review.min_cell), size=8.5)
        figures = chart_context(review, fmt="png")
        _volume(pdf, review, figures, "channel", _("Responses by channel"))
        _volume(pdf, review, figures, "locale", _("Responses by language"))
        for summary in review.goals:
            _goal(pdf, review, summary, figures, locale)
    return pdf


def render(review: Review, locale: str, compress: bool = True) -> bytes:
    """The PDF bytes, of the review as the disclosure gate releases it (a review not
    released yet is released as published)."""
    if getattr(review, "policy", None) is None:
        from analysis.disclosure import gate

        gate.release_review(review, gate.published_policy())
    return bytes(build(review, locale, compress).output())
