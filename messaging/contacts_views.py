"""``/staff/contacts``: import contacts (admins), group counts without numbers (staff).

Phone numbers are personal data of families, often of minors' parents: only admins see them
(and the import errors, which can echo a number); staff see counts per group and language.
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from feedback.roles import ADMIN, STAFF_ROLES, roles_required
from messaging import contacts as service
from messaging.forms import ContactImportForm

bp = Blueprint("contacts", __name__, url_prefix="/staff/contacts")


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    """Group and language counts for everyone; the contact list with numbers for admins."""
    is_admin = current_user.role in ADMIN
    return render_template(
        "messaging/contacts.html",
        groups=service.group_counts(),
        totals=service.contact_totals(),
        contacts=service.list_contacts() if is_admin else None,
        form=ContactImportForm() if is_admin else None,
    )


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
