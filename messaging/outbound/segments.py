"""How many SMS segments a text costs, and in which encoding (pure, no Flask).

Carriers bill and pace per segment, and one character outside the GSM 03.38 alphabet turns a
whole message into UCS-2, cutting its capacity from 160 to 70 characters. Staff see this in the
campaign preview so a Spanish "¿Cómo está?" (ó is not GSM-7) or a Vietnamese question is not a
surprise on the bill.

* GSM-7: 160 characters in one segment, 153 per segment when split (the user data header
  takes 7). Characters of the extension table (``^ { } \\ [ ~ ] | €`` and form feed) are sent
  as ESC + char and count 2; a split never separates the two septets.
* UCS-2: 70 UTF-16 code units in one segment, 67 per segment when split. Characters outside
  the Basic Multilingual Plane (most emoji) are two code units; a split never separates a
  surrogate pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: GSM 03.38 basic character set (without the escape character itself).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table: each costs two septets (ESC + character).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentInfo:
    """``characters`` is in the encoding's units: septets for GSM-7, UTF-16 units for UCS-2."""

    encoding: str
    characters: int
    segments: int


def is_gsm7(text: str) -> bool:
    """True if every character of ``text`` is in the GSM 03.38 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _pack(units: list[int], single: int, multi: int) -> int:
    """Segments needed for characters of the given unit widths, never splitting one."""
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    segments, used = 1, 0
    for width in units:
        if used + width > multi:
            segments += 1
            used = 0
        used += width
    return segments


@lru_cache(maxsize=4096)
def count_segments(text: str) -> SegmentInfo:
    """Encoding, length in encoding units, and segment count of ``text``.

    An empty text is 0 segments (nothing is sent). Cached: every reply is counted, and
    replies repeat the same questions in each language.
    """
    if is_gsm7(text):
        units = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
        return SegmentInfo(GSM7, sum(units), _pack(units, 160, 153))
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentInfo(UCS2, sum(units), _pack(units, 70, 67))
