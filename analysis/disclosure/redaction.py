"""Contact details out of free text, and CSV cells that cannot run as formulas.

Respondents sometimes type a phone number or an e-mail address into a comment. Every quote and
every export passes its free text through :func:`redact` (docs/privacy.md): the rule lives in
:mod:`feedback.core.redaction`, the lowest row, so messaging's pages and the audit log use it
too (messaging may not import analysis); it is named here for the review's outputs.

:func:`csv_cell` neutralises spreadsheet formulas: a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with an apostrophe (OWASP's advice).
"""

from __future__ import annotations

from feedback.core.redaction import REMOVED, phone_regions, redact

__all__ = ["REMOVED", "csv_cell", "csv_row", "phone_regions", "redact"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A value safe to write into a CSV cell: text that a spreadsheet would run as a formula
    gets a leading apostrophe; numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(values) -> list:
    """:func:`csv_cell` applied to every cell of a row."""
    return [csv_cell(v) for v in values]
