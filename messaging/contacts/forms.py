"""Forms of the contact list and the contact page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ContactSearchForm(FlaskForm):
    """Search and filters of the contact list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by name (administrators: or phone number)"),
                    validators=[Length(max=100)])
    group = SelectField(_l("Group"), validate_choice=False)
    language = SelectField(_l("Language"), validate_choice=False)
    site = SelectField(_l("Site"), validate_choice=False)
    opted_out = SelectField(_l("Texts"), choices=[
        SelectChoice("", _l("Any")), SelectChoice("no", _l("Subscribed")),
        SelectChoice("yes", _l("Opted out"))],
        validate_choice=False)
    submit = SubmitField(_l("Search"))


class ContactLanguageForm(FlaskForm):
    """The language a contact is texted in."""

    language = SelectField(_l("Language for texts"))
    submit = SubmitField(_l("Save language"))


class ContactReasonForm(FlaskForm):
    """Opt out, opt in or erase on the contact's behalf: staff say why (kept in the audit)."""

    reason = StringField(_l("Reason (kept in the audit log)"), validators=[
        DataRequired(_l("Say why, for the audit log.")), Length(max=200)])
    submit = SubmitField(_l("Confirm"))


class LateReplySeenForm(FlaskForm):
    """Marks one unmatched late reply as dealt with (the form carries only its CSRF token)."""
