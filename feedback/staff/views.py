"""Staff account pages: administrators manage accounts; everyone manages their own profile.

Views are thin: a form in, one call to :mod:`feedback.staff.operations`, a redirect out.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.core.roles import ADMIN, ALL_ROLES, add_staff_link, roles_required
from feedback.responses.models import StaffUser
from feedback.staff import operations as service
from feedback.staff.forms import (
    ROLE_LABELS,
    ActiveForm,
    LocaleForm,
    NewStaffForm,
    PasswordChangeForm,
    RoleForm,
)

bp = Blueprint("accounts", __name__, url_prefix="/staff")


def _org_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("None (backbone staff)"))] + [
        SelectChoice(str(org.id), org.name) for org in service.organisations()
    ]


def _user_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users", methods=["GET", "POST"])
@roles_required(*ADMIN)
def users():
    """List accounts and create one."""
    form = NewStaffForm()
    form.organization_id.choices = _org_choices()
    if form.validate_on_submit():
        try:
            user = service.create_staff_user(
                form.email.data,
                form.password.data,
                form.role.data,
                form.organization_id.data,
                actor=current_user,
            )
        except service.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_l("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    status = 400 if form.errors else 200
    return render_template(
        "feedback/users.html",
        form=form,
        users=service.list_staff(),
        role_labels=ROLE_LABELS,
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMIN)
def user_detail(user_id: int):
    """One account: change its role, deactivate or reactivate it."""
    user = _user_or_404(user_id)
    form = RoleForm(obj=user)
    form.organization_id.choices = _org_choices()
    if form.validate_on_submit():
        try:
            service.change_role(user, form.role.data, form.organization_id.data, current_user)
        except service.AccountError as exc:
            form.role.errors.append(str(exc))
        else:
            flash(_l("Role of %(email)s changed.", email=user.email), "success")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    status = 400 if form.errors else 200
    return render_template(
        "feedback/user_detail.html", user=user, form=form, active_form=ActiveForm()
    ), status


@bp.post("/users/<int:user_id>/<any(activate, deactivate):action>")
@roles_required(*ADMIN)
def set_active(user_id: int, action: str):
    """Deactivate (ends every session of that person at once) or reactivate."""
    user = _user_or_404(user_id)
    if ActiveForm().validate_on_submit():
        try:
            service.set_active(user, action == "activate", current_user)
        except service.AccountError as exc:
            flash(str(exc), "error")
        else:
            if action == "activate":
                flash(_l("%(email)s can sign in again.", email=user.email), "success")
            else:
                flash(_l("%(email)s is deactivated.", email=user.email), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


def _locale_form() -> LocaleForm:
    form = LocaleForm(locale=current_user.locale or "")
    form.locale.choices = [SelectChoice("", _l("Follow my browser"))] + [
        SelectChoice(code, LANGUAGE_NAMES.get(code, code))
        for code in current_app.config["ENABLED_LOCALES"]
    ]
    return form


@bp.get("/profile")
@roles_required(*ALL_ROLES)
def profile():
    """My interface language and password."""
    return render_template(
        "feedback/profile.html", locale_form=_locale_form(), password_form=PasswordChangeForm()
    )


@bp.post("/profile/language")
@roles_required(*ALL_ROLES)
def profile_language():
    """Store my interface language (it replaces any choice made with the switcher)."""
    form = _locale_form()
    if form.validate_on_submit():
        try:
            service.set_locale(
                current_user, form.locale.data, current_app.config["ENABLED_LOCALES"]
            )
        except service.AccountError as exc:
            flash(str(exc), "error")
        else:
            session.pop("locale", None)
            flash(_l("Your language is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "feedback/profile.html", locale_form=form, password_form=PasswordChangeForm()
    ), 400


@bp.post("/profile/password")
@roles_required(*ALL_ROLES)
def profile_password():
    """Change my password; my other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep_session=current_user.session_token,
            )
        except service.AccountError as exc:
            form.current_password.errors.append(str(exc))
        else:
            flash(_l("Your password is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "feedback/profile.html", locale_form=_locale_form(), password_form=form
    ), 400


def init_app(app) -> None:
    """Register the account pages and their staff links."""
    try:  # role changes go to the audit log; make sure its table is in the metadata
        import feedback.core.audit  # noqa: F401
    except ImportError:  # pragma: no cover - the audit log ships with the review issue
        pass
    app.register_blueprint(bp)
    add_staff_link(app, "accounts.users", _l("Staff accounts"), ADMIN)
    add_staff_link(app, "accounts.profile", _l("My profile"), ALL_ROLES)
