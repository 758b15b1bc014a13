"""Whole numbers people type (a link's parameters, a text, a form field).

``str.isdigit()`` is true for "፩" and "²", which ``int()`` refuses, and for thousands of
digits, which ``int()`` refuses too or the database cannot store: each was an error page, or a
text whose handling failed every time it was tried. Only decimal digits count here, and few.
"""

from __future__ import annotations


def small_int(text: object, digits: int = 9) -> int | None:
    """The whole number ``text`` is (decimal digits of any script, at most ``digits`` of
    them, so it fits a database integer), else None."""
    text = str(text or "").strip()
    if not text.isdecimal() or len(text) > digits:
        return None
    return int(text)
