"""Forms for partner-site management (staff) and the poster options."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from feedback.core.i18n import LANGUAGE_NAMES


class SiteForm(FlaskForm):
    code = StringField(
        _l("Code (used in the survey link)"),
        validators=[
            DataRequired(_l("Enter a code.")),
            Length(min=2, max=40, message=_l("Use 2 to 40 characters.")),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                message=_l("Use letters, digits and dashes only."),
            ),
        ],
    )
    name = StringField(
        _l("Site name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)]
    )
    organization_id = SelectField(_l("Organisation"), coerce=int)
    neighbourhood = StringField(_l("Neighbourhood"), validators=[Length(max=120)])
    survey_id = SelectField(_l("Survey this site runs (its posters advertise it)"), coerce=int,
                            default=0)
    kiosk_mode = BooleanField(_l("Kiosk mode (a shared tablet: restart after each survey)"))
    kiosk_reset_seconds = IntegerField(
        _l("Seconds before the kiosk restarts"),
        default=20,
        validators=[NumberRange(min=5, max=600, message=_l("Use 5 to 600 seconds."))],
    )
    submit = SubmitField(_l("Save site"))


class PosterForm(FlaskForm):
    """Read-only choices (GET): which survey and which language the poster shows."""

    class Meta:
        csrf = False

    survey = SelectField(_l("Survey"))
    lang = SelectField(_l("Poster language"))

    def set_choices(self, surveys: list[tuple[str, str]], locales) -> None:
        """``surveys`` as (slug, title) pairs."""
        self.survey.choices = [SelectChoice(slug, title) for slug, title in surveys]
        self.lang.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in locales]
