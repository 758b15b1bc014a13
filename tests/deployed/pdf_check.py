"""Reading a PDF as a person would see it: text per page with each character's box, and the
images (charts), through pdfminer.six."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTFigure, LTImage, LTPage, LTTextContainer

#: The least margin (points) a character may keep from any page edge: 8 mm. A handout's
#: margins are 10 mm or more; the 2 mm slack allows for glyph boxes wider than their advance.
MIN_MARGIN = 8 * 72 / 25.4


@dataclass
class PdfPage:
    number: int
    width: float
    height: float
    text: str = ""
    #: (x0, y0, x1, y1, char) of every character drawn.
    chars: list = field(default_factory=list)
    images: int = 0

    def outside_margins(self, margin: float = MIN_MARGIN) -> list[str]:
        """The characters (with their position) drawn closer to an edge than ``margin``."""
        bad = []
        for x0, y0, x1, y1, char in self.chars:
            if not char.strip():
                continue
            if x0 < margin or y0 < margin or x1 > self.width - margin or y1 > self.height - margin:
                bad.append(f"{char!r}@({x0:.0f},{y0:.0f}-{x1:.0f},{y1:.0f})")
        return bad


def _walk(node, page: PdfPage) -> None:
    for child in node:
        if isinstance(child, LTChar):
            page.chars.append((child.x0, child.y0, child.x1, child.y1, child.get_text()))
        elif isinstance(child, LTImage):
            page.images += 1
        elif isinstance(child, LTFigure):
            _walk(child, page)
        elif isinstance(child, LTTextContainer) or hasattr(child, "__iter__"):
            _walk(child, page)


def read_pdf(data: bytes) -> list[PdfPage]:
    """The pages of the PDF ``data``, with text, character boxes and image counts."""
    pages = []
    for number, layout in enumerate(extract_pages(io.BytesIO(data)), start=1):
        assert isinstance(layout, LTPage)
        x0, y0, x1, y1 = layout.bbox
        page = PdfPage(number, x1 - x0, y1 - y0)
        texts = [el.get_text() for el in layout if isinstance(el, LTTextContainer)]
        page.text = "\n".join(texts)
        _walk(layout, page)
        pages.append(page)
    return pages


def squash(text: str) -> str:
    """Text without any whitespace: wrapped lines compare equal to the unwrapped original."""
    return re.sub(r"\s+", "", text)
