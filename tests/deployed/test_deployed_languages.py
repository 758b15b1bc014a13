"""No interface string left in English where a person chose Spanish or Vietnamese: on every
page the crawl opens, in the PDF handout and in the SMS texts of a conversation.

The rule (what counts as "English left"): every message of translations/messages.pot whose
Spanish (or Vietnamese) translation differs from the English msgid gives English *fragments* —
the msgid split at its placeholders (``%(name)s``) and markup. A fragment is checked only when
it is unambiguous: at least three words and 15 characters (short words such as "SMS", "Email"
or "OK" are the same in every language or are parts of names), no markup, and it does not occur
in any translation of that language's catalog itself (a brand or proper name kept as it is).
Such a fragment must not appear in the page's visible text (text nodes, ``alt``, ``title``,
``placeholder``, ``aria-label``; scripts, styles and elements marked with another ``lang``,
such as the language switcher, left out). Respondent data (free-text answers shown to staff)
is left out by skipping the pages that show answers verbatim; proper names come from the data,
not the catalog, and so never match. See docs/testing.md.
"""

from __future__ import annotations

import html
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from crawl import ROUTES, build_path, expected_status
from deployment import wait_until
from pdf_check import read_pdf

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("es", "vi")
#: Pages whose main content is respondents' own words (in whatever language they wrote).
RESPONDENT_DATA_PAGES = ("/staff/answers", "/staff/answers/<int:answer_id>",
                         "/staff/codebook/emerging", "/dev/sms", "/staff/audit/")
MIN_WORDS, MIN_CHARS = 3, 15
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}")


def english_fragments(locale: str) -> list[str]:
    """The catalog's unambiguous English fragments that ``locale`` translates differently."""
    from babel.messages.pofile import read_po

    with open(PROJECT_ROOT / "translations" / "messages.pot", "rb") as handle:
        template = read_po(handle)
    with open(PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=locale)
    translations = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translations.extend(s for s in strings if s)
    translated_text = "\n".join(translations)
    fragments = set()
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if translated is None or not translated.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (
            translated.string,)
        if set(ids) <= set(strings):
            continue  # the same in both languages
        for msgid in ids:
            for fragment in _PLACEHOLDER.split(msgid):
                fragment = " ".join(fragment.split()).strip(" .,:;!?()·–-\"'")
                if ("<" in fragment or len(fragment) < MIN_CHARS
                        or len(fragment.split()) < MIN_WORDS or fragment in translated_text):
                    continue
                fragments.add(fragment)
    return sorted(fragments)


class _VisibleText(HTMLParser):
    SKIP = {"script", "style", "noscript", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, locale: str):
        super().__init__(convert_charrefs=True)
        self.locale = locale
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.parts: list[str] = []

    def _skipped(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skip = tag in self.SKIP or (lang is not None and not lang.startswith(self.locale))
        if not (skip or self._skipped()):
            for name in ("alt", "title", "placeholder", "aria-label"):
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipped():
            self.parts.append(data)


def visible_text(page_html: str, locale: str) -> str:
    parser = _VisibleText(locale)
    parser.feed(page_html)
    return " ".join(" ".join(html.unescape(p).split()) for p in parser.parts if p.strip())


def english_left(text: str, fragments: list[str]) -> list[str]:
    flat = " ".join(text.split())
    return [fragment for fragment in fragments if fragment in flat]


def own_words(text: str, locale: str) -> set[str]:
    """Words of ``text`` found in ``locale``'s translations but in no English msgid nor
    language name: evidence that the text speaks that language (not just names it)."""
    from babel.messages.pofile import read_po

    from feedback.core.i18n import LANGUAGE_NAMES

    def words(strings) -> set[str]:
        return {w.lower() for s in strings for w in re.findall(r"[^\W\d_]{2,}", s)}

    with open(PROJECT_ROOT / "translations" / "messages.pot", "rb") as handle:
        english = words(str(m.id) for m in read_po(handle) if m.id)
    with open(PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        translated = words(
            s for m in read_po(f, locale=locale)
            for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if s)
    names = words(LANGUAGE_NAMES.values())
    return (words([text]) & translated) - english - names


@pytest.fixture(scope="module")
def fragments():
    return {locale: english_fragments(locale) for locale in LOCALES}


def test_the_rule_has_fragments_to_look_for(fragments):
    """The catalog gives enough unambiguous English to look for (the rule is not vacuous)."""
    for locale in LOCALES:
        assert len(fragments[locale]) > 100, locale


@pytest.mark.parametrize("locale", LOCALES)
def test_no_english_interface_text_on_es_vi_pages(deployed, sessions, demo, fragments, locale):
    """Every page an admin (staff pages) or a visitor (public pages) opens."""
    found = {}
    for role in ("admin", None):
        session = sessions(role, locale)
        for rule, _endpoint in demo["rules"]:
            route = ROUTES.get(rule)
            if (route is None or rule in RESPONDENT_DATA_PAGES or rule.startswith("/static")
                    or (role is None and route.access != "public")
                    or (role is not None and route.access == "public")
                    or expected_status(route, role) != 200):
                continue
            path = build_path(rule, route, demo, locale)
            answer = session.get(deployed.url + path, timeout=120)
            if not answer.headers.get("Content-Type", "").startswith("text/html"):
                continue
            left = english_left(visible_text(answer.text, locale), fragments[locale])
            if left:
                found[path] = left
    assert found == {}, f"English interface text on {locale} pages: {found}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_english_interface_text_in_the_pdf(deployed, sessions, fragments, locale):
    answer = sessions("staff", locale).get(deployed.url + "/staff/review/report.pdf",
                                           timeout=120)
    assert answer.status_code == 200
    text = "\n".join(page.text for page in read_pdf(answer.content))
    assert english_left(text, fragments[locale]) == []


def _outbound_bodies(deployed, phone: str) -> list[str]:
    import sqlalchemy as sa

    from feedback.core.extensions import db
    from messaging.models import Contact, OutboundMessage

    with deployed.app_context():
        contact = db.session.scalar(sa.select(Contact).filter_by(phone=phone))
        if contact is None:
            return []
        return list(db.session.scalars(
            sa.select(OutboundMessage.body).filter_by(contact_id=contact.id)
            .order_by(OutboundMessage.id)))


def _text_and_wait(deployed, session, phone: str, body: str, timeout: float = 30) -> list[str]:
    """Send ``body`` through the SMS simulator; the replies it got (waits for at least one)."""
    before = len(_outbound_bodies(deployed, phone))
    token = deployed.csrf(session, "/dev/sms")
    answer = session.post(deployed.url + "/dev/sms",
                          data={"csrf_token": token, "phone": phone, "body": body},
                          allow_redirects=False, timeout=60)
    assert answer.status_code == 302, f"the simulator answered {answer.status_code}"
    if not wait_until(lambda: len(_outbound_bodies(deployed, phone)) > before, timeout, 0.3):
        raise AssertionError(
            f"no reply to {body!r} within {timeout}s:\n{deployed.logs()[-3000:]}")
    time.sleep(0.5)  # a reply may come in several texts
    return _outbound_bodies(deployed, phone)[before:]


@pytest.mark.parametrize("locale", LOCALES)
def test_no_english_interface_text_in_sms_texts(deployed, sessions, fragments, locale):
    """A conversation by text: the survey keyword, the language chosen from the menu, an
    answer that is not valid, a valid one, HELP and STOP; every reply after the language
    choice is free of English interface text. The menu, sent before any language is known,
    speaks every language (words of that language, not only its name)."""
    import sqlalchemy as sa

    from feedback.core.extensions import db
    from surveys.models import Survey

    with deployed.app_context():
        keyword = db.session.scalar(
            sa.select(Survey.sms_keyword).where(Survey.sms_keyword.is_not(None))
            .order_by(Survey.id))
    assert keyword, "the demo has no SMS survey"
    session = sessions("staff", "en")
    phone = "+1504555" + ("0171" if locale == "es" else "0172")
    menu = "\n".join(_text_and_wait(deployed, session, phone, keyword))
    assert own_words(menu, locale), f"the language menu has no {locale} words: {menu!r}"
    choice = str(["en", "es", "vi"].index(locale) + 1)
    replies = _text_and_wait(deployed, session, phone, choice)
    replies += _text_and_wait(deployed, session, phone, "not a valid answer at all 99")
    replies += _text_and_wait(deployed, session, phone, "1")
    replies += _text_and_wait(deployed, session, phone, "HELP")
    replies += _text_and_wait(deployed, session, phone, "STOP")
    assert replies
    left = {body: english_left(body, fragments[locale]) for body in replies}
    assert {body: found for body, found in left.items() if found} == {}
