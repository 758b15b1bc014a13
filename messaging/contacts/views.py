"""``/staff/contacts``: find contacts, open one, change its language, opt it out or in, erase it.

Phone numbers are personal data of families, often of minors' parents: only admins see them
(in the list, on the contact page, in import errors) and only admins may search by number or
erase a contact; staff see names, languages, groups and consent. Partner viewers see no
contact at all (every view checks the role; the contact page checks it for the one contact
asked for, and answers 404 for an id that does not exist).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from feedback.core.extensions import db
from feedback.core.languages import language_name
from feedback.core.numbers import small_int
from feedback.core.roles import ADMIN, STAFF_ROLES, roles_required
from feedback.responses.models import PartnerSite
from messaging.contacts import consent as operations
from messaging.contacts import late_replies as late
from messaging.contacts import operations as service
from messaging.contacts.forms import (
    ContactLanguageForm,
    ContactReasonForm,
    ContactSearchForm,
    LateReplySeenForm,
)
from messaging.forms import ContactImportForm
from messaging.models import Contact
from messaging.outbound import pacing

bp = Blueprint("contacts", __name__, url_prefix="/staff/contacts")


def _is_admin() -> bool:
    return current_user.role in ADMIN


def _locales() -> list[str]:
    return list(current_app.config.get("ENABLED_LOCALES", []))


def _search_form() -> ContactSearchForm:
    form = ContactSearchForm(request.args)
    form.group.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(g, g) for g in service.all_groups()]
    form.language.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(code, language_name(code)) for code in _locales()] + [
        SelectChoice("none", _("not set"))]
    sites = db.session.execute(db.select(PartnerSite.id, PartnerSite.name)
                               .order_by(PartnerSite.name)).all()
    form.site.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(str(i), name) for i, name in sites]
    return form


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    """Counts per group and language, and the contacts found with the search and filters."""
    is_admin = _is_admin()
    form = _search_form()
    site = form.site.data or ""
    filters = service.ContactFilters(
        q=(form.q.data or "")[:100], group=form.group.data or "",
        language=form.language.data or "",
        site_id=small_int(site),
        opted_out=form.opted_out.data or "")
    page = _page()
    contacts, found = service.find_contacts(filters, with_phone=is_admin, page=page)
    return render_template(
        "messaging/contacts.html",
        groups=service.group_counts(),
        totals=service.contact_totals(),
        search=form, contacts=contacts, found=found, page=page,
        pages=max(1, -(-found // service.PAGE_SIZE)),
        show_phone=is_admin,
        form=ContactImportForm() if is_admin else None,
    )


def _page() -> int:
    page = small_int(request.args.get("page", "1"), digits=6)
    return page if page else 1


@bp.get("/late-replies")
@roles_required(*STAFF_ROLES)
def late_replies():
    """Texts that arrived after their question had closed: never applied to another question,
    listed for staff to follow up (docs/reliability.md, "SMS")."""
    page = _page()
    replies, waiting = late.late_replies(str(get_locale()), page)
    return render_template(
        "messaging/late_replies.html", replies=replies, waiting=waiting, page=page,
        pages=max(1, -(-waiting // late.PAGE_SIZE)), form=LateReplySeenForm(),
        to_local=pacing.to_local)


@bp.post("/late-replies/<int:message_id>/seen")
@roles_required(*STAFF_ROLES)
def late_reply_seen(message_id: int):
    if LateReplySeenForm().validate_on_submit() and late.mark_seen(message_id, current_user):
        flash(_("Marked as dealt with."), "info")
    else:
        flash(_("That reply was already dealt with, or the form expired: try again."), "error")
    return redirect(url_for("contacts.late_replies"))


@bp.get("/<int:contact_id>")
@roles_required(*STAFF_ROLES)
def detail(contact_id: int):
    """One contact: language, groups, consent, SMS surveys and texts (bodies only within the
    retention period), and the staff actions."""
    contact = db.get_or_404(Contact, contact_id)
    language = ContactLanguageForm(language=contact.locale or "")
    language.language.choices = [SelectChoice("", _("not set"))] + [
        SelectChoice(code, language_name(code)) for code in _locales()]
    return render_template(
        "messaging/contact_detail.html", contact=contact, show_phone=_is_admin(),
        history=service.history(contact, current_app.config["RETENTION_DAYS"]),
        conversations=service.conversations_of(contact),
        language_form=language, reason_form=ContactReasonForm(),
        retention_days=current_app.config["RETENTION_DAYS"],
    )


@bp.post("/<int:contact_id>/language")
@roles_required(*STAFF_ROLES)
def set_language(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    form = ContactLanguageForm()
    form.language.choices = [SelectChoice("", "")] + [
        SelectChoice(code, code) for code in _locales()]
    if form.validate_on_submit():
        operations.set_language(contact, form.language.data or None, _locales())
        flash(_("Language saved."), "info")
    else:
        flash(_("Choose one of the coalition's languages."), "error")
    return redirect(url_for("contacts.detail", contact_id=contact.id))


def _with_reason(contact_id: int, action, done: str):
    contact = db.get_or_404(Contact, contact_id)
    form = ContactReasonForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("contacts.detail", contact_id=contact.id))
    action(contact, form.reason.data.strip())
    flash(done, "info")
    return None


@bp.post("/<int:contact_id>/opt-<direction>")
@roles_required(*STAFF_ROLES)
def opt(contact_id: int, direction: str):
    """Opt out on the contact's behalf (e.g. a parent phoned: nothing more is sent), or back
    in (the family asked to be texted again)."""
    if direction not in ("out", "in"):
        abort(404)
    action, done = ((operations.opt_out, _("Opted out: this contact will get no more texts."))
                    if direction == "out" else
                    (operations.opt_in, _("Opted in: this contact may be texted again.")))
    back = _with_reason(contact_id, action, done)
    return back or redirect(url_for("contacts.detail", contact_id=contact_id))


@bp.post("/<int:contact_id>/erase")
@roles_required(*ADMIN)
def erase(contact_id: int):
    """Erase on request (admins): number, name and texts removed, answers kept de-identified."""
    back = _with_reason(contact_id, operations.erase,
                        _("The contact was erased. Their answers are kept without any "
                          "contact details."))
    return back or redirect(url_for("contacts.index"))


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*ADMIN)
def import_view():
    """Upload a CSV; show what was created, merged and which rows were skipped and why."""
    form = ContactImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        report = service.import_contacts(text, form.consent_source.data)
        flash(_("%(created)s contacts added, %(updated)s updated, %(errors)s rows skipped.",
                created=report.created, updated=report.updated, errors=len(report.errors)),
              "info")
    return render_template("messaging/contacts_import.html", form=form, report=report)
