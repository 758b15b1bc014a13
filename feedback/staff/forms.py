"""Forms of the feedback package (staff sign-in and accounts); labels are lazily translated."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length


def _optional_int(value):
    """Select values arrive as strings; '' means no organisation."""
    if value in (None, "", "None"):
        return None
    return int(value)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1024)]
    )
    submit = SubmitField(_l("Sign in"))


#: Role names as people read them (the stored values are in feedback.responses.models.ROLES).
ROLE_LABELS = {
    "staff": _l("Staff (backbone)"),
    "admin": _l("Administrator"),
    "partner_viewer": _l("Partner viewer (one organisation)"),
}


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]


class NewStaffForm(FlaskForm):
    """An administrator creates an account with an initial password."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter an email.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=8, max=1024, message=_l("Use at least 8 characters.")),
        ],
    )
    role = SelectField(_l("Role"), choices=role_choices(), default="staff")
    organization_id = SelectField(_l("Organisation"), coerce=_optional_int, choices=[])
    submit = SubmitField(_l("Create account"))


class RoleForm(FlaskForm):
    """Change an account's role and organisation."""

    role = SelectField(_l("Role"), choices=role_choices())
    organization_id = SelectField(_l("Organisation"), coerce=_optional_int, choices=[])
    submit = SubmitField(_l("Change role"))


class ActiveForm(FlaskForm):
    """Deactivate or reactivate an account (one button; the action is in the URL)."""

    submit = SubmitField(_l("Apply"))


class LocaleForm(FlaskForm):
    """A staff member's interface language."""

    locale = SelectField(_l("Interface language"), choices=[])
    submit = SubmitField(_l("Save language"))


class PasswordChangeForm(FlaskForm):
    """Change one's own password (the current one is required)."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(min=8, max=1024, message=_l("Use at least 8 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))
