"""Segment counting: what a text costs in GSM-7 or UCS-2 (pure function, no app)."""

from __future__ import annotations

import pytest

from messaging.outbound.segments import count_segments, is_gsm7


@pytest.mark.parametrize("text", [
    "Hello! Reply 1 for yes, 2 for no.",
    "¿Como esta usted? ¡Gracias, señora!",
    "é ñ ü ¿ ¡ à è ì ò ù Ä Ö Ñ Ü § ß Æ Ø Å Ç É £ ¥ @ $ _",
    "Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ",
    "line one\nline two\r",
])
def test_gsm7_texts(text):
    assert is_gsm7(text)
    info = count_segments(text)
    assert info.encoding == "GSM-7"
    assert info.characters == len(text)
    assert info.segments == 1


@pytest.mark.parametrize("text", [
    "¿Cómo está?",  # ó and á are not in GSM 03.38
    "Sí",  # í
    "Bạn có cảm thấy an toàn không?",  # Vietnamese
    "“Quoted”",  # curly quotes
    "Thanks 😊",  # emoji
    "ú",
    "Ç ç",  # lower-case ç is not GSM-7 (only the capital is)
])
def test_ucs2_texts(text):
    assert not is_gsm7(text)
    assert count_segments(text).encoding == "UCS-2"


def test_gsm7_single_segment_limit_is_160():
    assert count_segments("a" * 160).segments == 1
    assert count_segments("a" * 161).segments == 2


def test_gsm7_multipart_is_153_per_segment():
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307).segments == 3


def test_gsm7_extension_characters_count_two():
    info = count_segments("€" * 80)
    assert info.encoding == "GSM-7" and info.characters == 160 and info.segments == 1
    info = count_segments("{" * 81)
    assert info.characters == 162 and info.segments == 2
    assert count_segments("[]~^|\\").characters == 12


def test_extension_character_is_never_split_across_segments():
    # 152 plain + one € (2 septets) = 154 > 153 -> the € moves to the next segment.
    info = count_segments("a" * 152 + "€" + "a" * 152)
    assert info.characters == 306
    assert info.segments == 3


def test_ucs2_limits_are_70_and_67():
    assert count_segments("á" * 70).segments == 1
    assert count_segments("á" * 71).segments == 2
    assert count_segments("á" * 134).segments == 2
    assert count_segments("á" * 135).segments == 3


def test_one_accent_turns_the_whole_message_into_ucs2():
    text = "a" * 100
    assert count_segments(text).segments == 1
    assert count_segments(text + "í").segments == 2


def test_emoji_counts_two_code_units_and_is_not_split():
    info = count_segments("😊" * 35)
    assert info.characters == 70 and info.segments == 1
    # 66 units then an emoji (2 units) does not fit in 67: it opens a new segment.
    info = count_segments("á" * 66 + "😊" + "á" * 10)
    assert info.characters == 78 and info.segments == 2
    assert count_segments("á" * 66 + "😊" + "á" * 66).segments == 3


def test_empty_text_costs_nothing():
    assert count_segments("").segments == 0
