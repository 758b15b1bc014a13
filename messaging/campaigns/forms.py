"""Forms of recurring pulses and of editing a scheduled send: texts per enabled language.

The text fields are made per language at request time (``invitation_<code>``,
``reminder_<code>``), so a language added as data (feedback.core.languages) gets its own fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from feedback.core.languages import language_name
from messaging.campaigns.pulses import quiet_hours_problem
from messaging.forms import within_plan_ahead

CADENCE_CHOICES = [
    SelectChoice("weekly", _l("Every week")),
    SelectChoice("monthly", _l("Every month")),
    SelectChoice("quarterly", _l("Every three months")),
]


class _TextsMixin:
    """Reads and writes ``{"invitation": {locale: text}, "reminder": {...}}``."""

    locales: list[str] = []

    def texts(self) -> dict:
        return {kind: {code: getattr(self, f"{kind}_{code}").data or "" for code in self.locales}
                for kind in ("invitation", "reminder")}

    def text_fields(self):
        """(language name, invitation field, reminder field) per language."""
        return [(language_name(code), getattr(self, f"invitation_{code}"),
                 getattr(self, f"reminder_{code}")) for code in self.locales]


def _with_texts(base, locales: list[str]):
    attrs = {"locales": list(locales)}
    for code in locales:
        name = language_name(code)
        attrs[f"invitation_{code}"] = TextAreaField(
            _l("Invitation in %(language)s (blank: the standard text)", language=name),
            validators=[Optional(), Length(max=1000)])
        attrs[f"reminder_{code}"] = TextAreaField(
            _l("Reminder in %(language)s (blank: the standard text)", language=name),
            validators=[Optional(), Length(max=1000)])
    return type(base.__name__, (base,), attrs)


class _PulseBase(_TextsMixin, FlaskForm):
    name = StringField(_l("Pulse name"),
                       validators=[DataRequired(_l("Enter a name.")), Length(max=150)])
    survey_id = SelectField(_l("Survey (open, with an SMS keyword)"), coerce=int,
                            validators=[DataRequired(_l("Choose a survey."))])
    group = SelectField(_l("Contact group"), validators=[DataRequired(_l("Choose a group."))])
    cadence = SelectField(_l("How often"), choices=CADENCE_CHOICES,
                          validators=[DataRequired(_l("Choose how often."))])
    first_local = DateTimeLocalField(
        _l("First send (local time)"), format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter a start date and time.")), within_plan_ahead])
    ends_on = DateField(_l("Last day a send may start"),
                        validators=[DataRequired(_l("Enter an end date.")), within_plan_ahead])
    quiet_start = IntegerField(_l("Quiet hours start (hour, 0-23)"), default=21, validators=[
        Optional(), NumberRange(0, 23, _l("Enter an hour from 0 to 23."))])
    quiet_end = IntegerField(_l("Quiet hours end (hour, 0-23)"), default=8, validators=[
        Optional(), NumberRange(0, 23, _l("Enter an hour from 0 to 23."))])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Plan the pulse"))
    #: Sent back with every submission of this form: a double click plans one pulse.
    submission_token = HiddenField()

    def quiet_hours(self) -> tuple[int, int]:
        """The pulse's quiet hours as asked; a blank hour is its field's default (21, 8)."""
        return tuple(self[name].data if self[name].data is not None else self[name].default
                     for name in ("quiet_start", "quiet_end"))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the quiet hours as a pair: with the coalition's, they must leave
        an hour in which a send may start (else every send would start inside them)."""
        valid = super().validate(extra_validators)
        if self.quiet_start.errors or self.quiet_end.errors:
            return False
        problem = quiet_hours_problem(*self.quiet_hours())
        if problem:
            self.quiet_end.errors.append(problem)
            return False
        return valid


class _RunBase(_TextsMixin, FlaskForm):
    starts_at = DateTimeLocalField(
        _l("Start (local time)"), format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter a start date and time.")), within_plan_ahead])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save changes"))


def pulse_form(locales: list[str], **kwargs):
    """The pulse form with a text pair per language in ``locales``."""
    return _with_texts(_PulseBase, locales)(**kwargs)


def run_form(locales: list[str], **kwargs):
    """Edit one scheduled send: its start and its texts per language."""
    return _with_texts(_RunBase, locales)(**kwargs)


class CancelForm(FlaskForm):
    """A button (CSRF-protected) that cancels a scheduled send or stops a pulse."""

    submit = SubmitField(_l("Cancel this send"))
