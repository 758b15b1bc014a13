"""SMS texts before a language is chosen: the menu speaks each language in that language, and
Vietnamese texts spell their keywords with accents."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po
from flask_babel import force_locale

from feedback.core.config import PROJECT_ROOT
from messaging.inbound.conversation import language_menu, render_text
from messaging.outbound.segments import count_segments


def test_language_menu_offers_each_language_in_its_own_words(app):
    with app.app_context():
        menu = language_menu()
    lines = menu.splitlines()
    assert lines[0] == f"{app.config['COALITION_NAME']}:"
    assert lines[1:] == [
        "Reply 1 for English", "Responda 2 para Español", "Trả lời 3 để dùng Tiếng Việt",
    ]
    # Vietnamese makes it UCS-2 (70 characters a segment): two segments at most, even with a
    # longer coalition name.
    assert count_segments(menu).segments <= 2
    long_name = "Greater Riverside Youth Partnership:"
    assert count_segments("\n".join([long_name, *lines[1:]])).segments <= 2


def test_language_menu_follows_the_enabled_languages(app):
    app.config["ENABLED_LOCALES"] = ["en", "vi"]
    with app.app_context():
        assert language_menu().splitlines()[1:] == [
            "Reply 1 for English", "Trả lời 2 để dùng Tiếng Việt",
        ]


def test_vietnamese_invitation_says_dung_with_its_accents(app):
    with app.test_request_context(), force_locale("vi"):
        text = render_text("invitation", "vi", coalition="Liên minh", title="Nhịp Cầu Gia Đình")
    assert "DỪNG" in text and "DUNG" not in text


#: Keywords people may type without accents (messaging.inbound.conversation folds them), but our own
#: texts
#: write them properly.
UNACCENTED_KEYWORDS = re.compile(r"\b(?:DUNG|NGUNG|HUY|GIUP|TRO GIUP)\b")


def test_vietnamese_catalog_never_writes_a_keyword_without_accents():
    path = PROJECT_ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = [
        string for message in catalog
        for string in (message.string if isinstance(message.string, tuple) else (message.string,))
        if string and UNACCENTED_KEYWORDS.search(string)
    ]
    assert found == []
