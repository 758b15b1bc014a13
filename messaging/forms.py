"""Staff forms of the outbound SMS side: contact import and campaigns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from feedback.core.clock import utcnow

#: How far ahead a send may be planned (a date beyond is a slip of the keyboard; far enough
#: in the year 9999, the time-zone arithmetic would overflow).
PLAN_AHEAD_YEARS = 5


def within_plan_ahead(form, field) -> None:
    """A date or time no more than PLAN_AHEAD_YEARS ahead (and not before 2000)."""
    value = field.data
    if value is None:
        return
    if not 2000 <= value.year <= utcnow().year + PLAN_AHEAD_YEARS:
        raise ValidationError(_l("Enter a date within the next %(n)s years.",
                                 n=PLAN_AHEAD_YEARS))

#: How families agreed to be texted (stored code, label shown to staff).
CONSENT_SOURCES = [
    SelectChoice("paper-form", _l("Paper form at a partner site")),
    SelectChoice("enrollment", _l("Program enrollment")),
    SelectChoice("online-form", _l("Online sign-up form")),
    SelectChoice("verbal", _l("Verbal consent recorded by staff")),
]


class ContactImportForm(FlaskForm):
    """Upload a CSV of contacts and say how consent was obtained."""

    file = FileField(
        _l("CSV file (columns: phone, name, language, site, groups)"),
        validators=[FileRequired(_l("Choose a CSV file.")),
                    FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
    )
    consent_source = SelectField(_l("How did these families agree to receive texts?"),
                                 choices=CONSENT_SOURCES,
                                 validators=[DataRequired(_l("Choose a consent source."))])
    submit = SubmitField(_l("Import contacts"))


class CampaignForm(FlaskForm):
    """Invite a contact group to an open SMS survey at a chosen local time."""

    name = StringField(_l("Campaign name"),
                       validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    survey_id = SelectField(_l("Survey (open, with an SMS keyword)"), coerce=int,
                            validators=[DataRequired(_l("Choose a survey."))])
    group = SelectField(_l("Contact group"),
                        validators=[DataRequired(_l("Choose a group."))])
    starts_at = DateTimeLocalField(
        _l("Start (local time)"), format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter a start date and time.")), within_plan_ahead],
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Start campaign"))
    #: Sent back with every submission of this form: a double click starts one campaign.
    submission_token = HiddenField()
