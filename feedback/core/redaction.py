"""Contact details out of free text: the one rule every page, export and record uses.

Respondents sometimes type a phone number or an e-mail address into a comment or a text, and
staff into a reason they give. :func:`redact` removes them (docs/privacy.md): every quote and
export of the review (analysis.disclosure), the texts on messaging's staff pages and the
reasons kept in the audit log. It sits in the lowest row (docs/architecture.md) so both
channels use the same rule.

- phone numbers are found with ``phonenumbers``' PhoneNumberMatcher for every region of the
  enabled languages (and the default phone region), after any separator between digits
  (``504/555/0147``, ``504_555_0148``, ``504·555·0152``) is read as a hyphen; a run of seven or
  more digits with separators is removed as well, whatever the matcher thinks of it;
- e-mail addresses, including spelled-out ones ("me at example dot org", "yo arroba correo
  punto com").
"""

from __future__ import annotations

import re

import phonenumbers

REMOVED = "[removed]"

#: Phone regions read for each language, beside the default phone region.
LOCALE_REGIONS = {"en": ("US", "GB", "CA"), "es": ("MX", "ES", "US"), "vi": ("VN", "US")}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = r"(?:\bat\b|\barroba\b|\ba\s*còng\b|@)"
_DOT = r"(?:\bdot\b|\bpunto\b|\bchấm\b|[\(\[]\.[\)\]]|\.)"
#: Endings of spelled-out addresses (a spelled-out form needs one, so "look at this dot" stays).
_TLD = r"(?:com|org|net|edu|gov|info|io|co|us|mx|es|vn|me|uk|ca)"
_SPELLED_EMAIL = re.compile(
    rf"[\w.+-]+\s*[\(\[{{<]?\s*{_AT}\s*[\)\]}}>]?\s*[\w-]+"
    rf"(?:\s*[\(\[{{<]?\s*{_DOT}\s*[\)\]}}>]?\s*[\w-]+)*"
    rf"\s*[\(\[{{<]?\s*{_DOT}\s*[\)\]}}>]?\s*{_TLD}\b",
    re.IGNORECASE,
)
#: Seven or more digits with at most two non-letter characters between them, a line break
#: among them (a number typed across two lines reads as one on a page, where it wraps).
_DIGIT_RUN = re.compile(r"\+?\d(?:\W{0,2}\d|_{1,2}\d){6,}")


def phone_regions(app=None) -> tuple[str, ...]:
    """Regions to look for phone numbers in: the default phone region and every region of the
    enabled languages (from the app config when given)."""
    regions: list[str] = []
    locales: tuple = tuple(LOCALE_REGIONS)
    if app is not None:
        if app.config.get("DEFAULT_PHONE_REGION"):
            regions.append(app.config["DEFAULT_PHONE_REGION"])
        locales = tuple(app.config.get("ENABLED_LOCALES") or locales)
    for locale in locales:
        for region in LOCALE_REGIONS.get(locale, ()):
            if region not in regions:
                regions.append(region)
    return tuple(regions) or ("US",)


def _separators_as_hyphens(text: str) -> str:
    """The same text, same length, with every separator between digits made a hyphen."""
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch.isalnum() or ch.isspace() or ch in "+()":
            continue
        before = text[:i].rstrip()[-1:]
        after = text[i + 1:].lstrip()[:1]
        if before.isdigit() or before == ")" or after.isdigit():
            chars[i] = "-"
    return "".join(chars)


def _phone_spans(text: str, regions) -> list[tuple[int, int]]:
    normalised = _separators_as_hyphens(text)
    spans = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            normalised, region, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            if sum(ch.isdigit() for ch in match.raw_string) >= 7:  # not a year or a score
                spans.append((match.start, match.end))
    for match in _DIGIT_RUN.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 7:
            spans.append(match.span())
    return spans


def _replace_spans(text: str, spans) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + REMOVED + text[end:]
    return text


def redact(text: str | None, regions=None) -> str:
    """``text`` with phone numbers and e-mail addresses replaced by [removed]."""
    if not text:
        return ""
    if regions is None:
        from flask import current_app, has_app_context

        regions = phone_regions(current_app if has_app_context() else None)
    text = _EMAIL.sub(REMOVED, text)
    text = _SPELLED_EMAIL.sub(REMOVED, text)
    return _replace_spans(text, _phone_spans(text, regions))
