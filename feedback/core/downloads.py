"""File-download headers that every server accepts.

HTTP headers are Latin-1 at most and gunicorn refuses anything else, yet download names carry
period labels such as "2026-10-01 – 2026-12-31". RFC 6266 answers with two names: a plain
ASCII ``filename`` for old clients and a UTF-8 ``filename*`` for the rest.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def ascii_filename(name: str) -> str:
    """``name`` reduced to letters, digits, dot, dash and underscore (accents dropped)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain)
    plain = re.sub(r"-{2,}", "-", plain).strip("-.")
    return plain or "download"


def attachment(name: str) -> dict[str, str]:
    """The Content-Disposition header that saves the response as ``name``."""
    return {
        "Content-Disposition": (
            f'attachment; filename="{ascii_filename(name)}"; '
            f"filename*=UTF-8''{quote(name, safe='')}"
        )
    }
