"""Contacts: import families' phone numbers from a CSV, and summarise them without numbers.

Partner sites collect numbers on paper consent forms or at program enrollment and hand the
backbone a spreadsheet. :func:`import_contacts` is the one write path for such a file:

* columns ``phone`` (required), ``name``, ``language``, ``site`` (a partner site code) and
  ``groups`` (separated by ``;`` or ``|``); headers are case-insensitive;
* numbers are normalised to E.164 by ``phonenumbers`` (national numbers read in
  ``default_region``, then in the ``phone_region`` of the row's language when its data file
  names one), so "(504) 555-0123" and "+1 504 555 0123" are the same contact;
* a bad row is reported (row number as in a spreadsheet, header = row 1, and a translated
  reason) and skipped; good rows are kept;
* the same number twice (in the file or already stored) merges: groups are united and the
  later language wins; the consent source is recorded;
* an opted-out contact stays opted out: importing a list never re-subscribes anyone, not even
  a number whose contact was deleted since (by retention or erasure on request): its opt-out
  outlived the contact (messaging.contacts.suppression), so it is added again, opted out, and
  counted apart on the result page, where staff see why it will not be texted.

Phone numbers are only ever shown to admins (see messaging.contacts.views).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

import phonenumbers
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.languages import fold, registry
from feedback.core.sqlfunctions import casefold
from feedback.responses.models import PartnerSite
from messaging.contacts import suppression
from messaging.models import Contact

GROUP_SPLIT = re.compile(r"[;|]")


@dataclass
class ImportReport:
    """What an import did: counts and the rows it skipped, with reasons."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: Of the created, numbers that had opted out before: added opted out, never texted.
    opted_out: int = 0


def normalise_phone(raw: str, default_region: str) -> str | None:
    """The E.164 form of ``raw``, or None if it is not a valid number."""
    try:
        number = phonenumbers.parse(raw.strip(), default_region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _language(raw: str, enabled: list[str]) -> str | None | bool:
    """A locale code, None when blank, False when unknown. Staff may write the code, the
    language's own name or one of its menu words ("Spanish", "español") from its data file."""
    value = (raw or "").strip().lower()
    if not value:
        return None
    languages = registry()
    named = {fold(lang.name): code for code, lang in languages.languages.items()}
    value = named.get(fold(value)) or languages.menu_words.get(fold(value)) or value
    value = value.split("-")[0].split("_")[0]
    return value if value in enabled else False


def _groups(raw: str) -> list[str]:
    return [g.strip() for g in GROUP_SPLIT.split(raw or "") if g.strip()]


def _read_rows(file_text: str) -> tuple[list[dict], str | None]:
    text = file_text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        return [], _("The file is empty.")
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    if "phone" not in reader.fieldnames:
        return [], _("The file has no “phone” column.")
    return list(reader), None


def import_contacts(file_text: str, consent_source: str,
                    default_region: str | None = None) -> ImportReport:
    """Create or merge contacts from CSV text; commits once at the end.

    ``consent_source`` says how the families agreed to be texted (e.g. "paper form at site").
    Returns an :class:`ImportReport`; rows with errors are skipped, the rest are kept.
    """
    region = default_region or current_app.config.get("DEFAULT_PHONE_REGION", "US")
    enabled = current_app.config.get("ENABLED_LOCALES", ["en", "es", "vi"])
    report = ImportReport()
    rows, problem = _read_rows(file_text)
    if problem:
        report.errors.append((1, problem))
        return report
    sites = {s.code.lower(): s.id for s in db.session.scalars(sa.select(PartnerSite))}
    seen: dict[str, Contact] = {}
    created_phones: set[str] = set()
    for number, row in enumerate(rows, start=2):
        raw_phone = (row.get("phone") or "").strip()
        if not raw_phone:
            report.errors.append((number, _("The phone number is missing.")))
            continue
        locale = _language(row.get("language") or "", enabled)
        if locale is False:
            report.errors.append((number, _("Unknown language “%(value)s”.",
                                            value=row.get("language", "").strip())))
            continue
        phone = normalise_phone(raw_phone, region)
        language = registry().get(locale)
        if phone is None and language and language.phone_region:
            # A national number in the region of the contact's language (its data file).
            phone = normalise_phone(raw_phone, language.phone_region)
        if phone is None:
            report.errors.append((number, _("“%(value)s” is not a valid phone number.",
                                            value=raw_phone)))
            continue
        site_code = (row.get("site") or "").strip().lower()
        if site_code and site_code not in sites:
            report.errors.append((number, _("Unknown site code “%(value)s”.",
                                            value=row.get("site", "").strip())))
            continue
        contact = seen.get(phone) or db.session.scalar(
            sa.select(Contact).where(Contact.phone == phone)
        )
        if contact is None:
            contact = Contact(phone=phone, groups=[], opted_out=False)
            db.session.add(contact)
            created_phones.add(phone)
        seen[phone] = contact
        name = (row.get("name") or "").strip()
        if name:
            contact.name = name[:200]
        if locale:
            contact.locale = locale
        if site_code:
            contact.site_id = sites[site_code]
        merged = list(contact.groups or [])
        merged += [g for g in _groups(row.get("groups") or "") if g not in merged]
        contact.groups = merged
        contact.consent_source = consent_source[:40]
    report.created = len(created_phones)
    report.updated = len(set(seen) - created_phones)
    report.opted_out = _keep_opt_outs(seen, created_phones)
    # counts only: an audit entry never holds a phone number
    record_audit("contacts.import", "contacts", None,
                 {"created": report.created, "updated": report.updated,
                  "errors": len(report.errors), "opted_out": report.opted_out})
    db.session.commit()
    return report


def _keep_opt_outs(seen: dict[str, Contact], created_phones: set[str]) -> int:
    """Opt out the created contacts whose number opted out before its contact was deleted;
    returns how many. Only new ones are looked up: a stored contact keeps its own flag."""
    listed = suppression.opted_out_by(created_phones)
    for phone, by in listed.items():
        suppression.start_opted_out(seen[phone], by)
    return len(listed)


def group_counts() -> list[tuple[str, int, int]]:
    """Each group with its number of contacts and of opted-out contacts, by name.

    Groups live in a JSON list per contact, so this counts in Python; fine for the few
    thousand contacts a coalition holds.
    """
    counts: dict[str, list[int]] = {}
    rows = db.session.execute(sa.select(Contact.groups, Contact.opted_out))
    for groups, opted_out in rows:
        for group in groups or []:
            entry = counts.setdefault(group, [0, 0])
            entry[0] += 1
            entry[1] += int(bool(opted_out))
    return [(name, total, out) for name, (total, out) in sorted(counts.items())]


def contacts_in_group(group: str) -> list[Contact]:
    """Contacts whose groups include ``group`` (opted-out ones too; callers filter)."""
    contacts = db.session.scalars(sa.select(Contact).order_by(Contact.id))
    return [c for c in contacts if group in (c.groups or [])]


def contact_totals() -> dict:
    """Counts for the contacts page: all, opted out, by language."""
    total = db.session.scalar(sa.select(sa.func.count(Contact.id))) or 0
    opted_out = db.session.scalar(
        sa.select(sa.func.count(Contact.id)).where(Contact.opted_out.is_(True))
    ) or 0
    by_locale = dict(db.session.execute(
        sa.select(Contact.locale, sa.func.count(Contact.id)).group_by(Contact.locale)
    ).all())
    return {"total": total, "opted_out": opted_out,
            "by_locale": sorted(by_locale.items(), key=lambda kv: kv[0] or "")}


# --- finding contacts and reading one (the contact list and page) ------------------------------


@dataclass(frozen=True)
class ContactFilters:
    """What the contact list is narrowed to; empty strings mean "any"."""

    q: str = ""
    group: str = ""
    language: str = ""
    site_id: int | None = None
    #: "yes" (opted out only), "no" (subscribed only) or "" (both).
    opted_out: str = ""


#: Contacts per page of the list.
PAGE_SIZE = 50


def _group_clause(group: str):
    """Contacts whose JSON list of groups holds ``group``, found in the list's text (works on
    SQLite and PostgreSQL alike; the quotes stop "fam" from matching "families").

    The name is looked for as the JSON text spells it: SQLAlchemy writes the list with
    ``json.dumps``, which escapes every letter outside ASCII ("ni\\u00f1os"); a list written
    by another tool may hold the letter itself, so that spelling is looked for too.
    """
    text = sa.cast(Contact.groups, sa.Text)
    spellings = sorted({json.dumps(group), json.dumps(group, ensure_ascii=False)})
    return sa.or_(*(text.contains(spelling, autoescape=True) for spelling in spellings))


def find_contacts(filters: ContactFilters, *, with_phone: bool,
                  page: int = 1) -> tuple[list[Contact], int]:
    """One page of contacts matching ``filters`` (newest first) and how many match in all.

    ``q`` matches the name; it matches the phone number too only ``with_phone`` (admins), so
    nobody else can find out whether a number is on the list.
    """
    query = sa.select(Contact)
    text = filters.q.strip()
    if text:
        like = "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
        # "martínez" finds "MARTÍNEZ" on SQLite too, whose own lower() folds ASCII only
        clause = casefold(Contact.name).like(casefold(sa.literal(like)), escape="!")
        digits = re.sub(r"\D", "", text)
        if with_phone and digits:
            clause = sa.or_(clause, Contact.phone.like(f"%{digits}%"))
        query = query.where(clause)
    if filters.group:
        query = query.where(_group_clause(filters.group))
    if filters.language == "none":
        query = query.where(Contact.locale.is_(None))
    elif filters.language:
        query = query.where(Contact.locale == filters.language)
    if filters.site_id:
        query = query.where(Contact.site_id == filters.site_id)
    if filters.opted_out in ("yes", "no"):
        query = query.where(Contact.opted_out.is_(filters.opted_out == "yes"))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Contact.id.desc()).offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), total


@dataclass(frozen=True)
class HistoryItem:
    """One text of a contact's thread, for the contact page."""

    at: object
    direction: str  # "in" | "out"
    kind: str
    status: str
    #: None when erased by retention (or older than the retention period).
    body: str | None


def history(contact: Contact, retention_days: int, limit: int = 200) -> list[HistoryItem]:
    """The contact's texts, newest first; bodies older than the retention period are never
    shown, even if the daily retention job has not erased them yet."""
    from datetime import timedelta

    from feedback.responses.models import utcnow
    from messaging.models import InboundMessage, OutboundMessage

    cutoff = utcnow() - timedelta(days=retention_days)
    items = [
        HistoryItem(m.received_at, "in", "reply", m.status,
                    m.body if m.received_at >= cutoff else None)
        for m in db.session.scalars(sa.select(InboundMessage).where(
            InboundMessage.contact_id == contact.id)
            .order_by(InboundMessage.id.desc()).limit(limit))
    ] + [
        HistoryItem(m.created_at, "out", m.kind, m.status,
                    m.body if m.created_at >= cutoff else None)
        for m in db.session.scalars(sa.select(OutboundMessage).where(
            OutboundMessage.contact_id == contact.id)
            .order_by(OutboundMessage.id.desc()).limit(limit))
    ]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]


def conversations_of(contact: Contact) -> list:
    """The contact's SMS surveys (newest first): survey, state, dates."""
    from messaging.models import Conversation

    return list(db.session.scalars(
        sa.select(Conversation).where(Conversation.contact_id == contact.id)
        .order_by(Conversation.id.desc())))


def all_groups() -> list[str]:
    """Every group name in use, for the filter."""
    return [name for name, _total, _out in group_counts()]
