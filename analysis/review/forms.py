"""Forms of the agenda review: the dashboard's GET filters, goals, indicators, loop updates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

PERIOD_KINDS = [
    SelectChoice("quarter", _l("Quarter")),
    SelectChoice("month", _l("Month")),
    SelectChoice("custom", _l("Custom")),
]
DIMENSION_LABELS = {
    "age_group": _l("Age group"),
    "gender": _l("Gender"),
    "race": _l("Race or ethnicity"),
    "neighbourhood": _l("Neighbourhood"),
    "role": _l("Role (youth, parent...)"),
    "locale": _l("Language"),
    "channel": _l("Channel"),
    "site": _l("Site"),
}
RULE_CHOICES = [
    SelectChoice("share_of_values", _l("Share of answers with these values")),
    SelectChoice("mean", _l("Average of the numeric answer")),
]


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class ReviewFilterForm(FlaskForm):
    """The dashboard's filters: a GET form, so a filtered view can be bookmarked and shared."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Period"), choices=PERIOD_KINDS, default="quarter")
    quarter = SelectField(_l("Quarter"), choices=[], validate_choice=False)
    month = SelectField(_l("Month"), choices=[], validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To (inclusive)"), validators=[Optional()])
    survey = SelectField(_l("Survey"), choices=[], validate_choice=False)
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)
    locale = SelectField(_l("Language"), choices=[], validate_choice=False)
    site = SelectField(_l("Site"), choices=[], validate_choice=False)
    partner = SelectField(_l("Partner"), choices=[], validate_choice=False)
    group = SelectField(_l("Demographic group"), choices=[], validate_choice=False)
    by = SelectField(_l("Break figures down by"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Show"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GoalForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_es = StringField(_l("Name (Spanish)"), validators=[Length(max=200)])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[Length(max=200)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=2000)])
    description_es = TextAreaField(_l("Description (Spanish)"), validators=[Length(max=2000)])
    description_vi = TextAreaField(_l("Description (Vietnamese)"), validators=[Length(max=2000)])
    themes = MultiCheckboxField(_l("Linked themes"), coerce=int, choices=[])
    position = IntegerField(_l("Position in the agenda"), default=0, validators=[Optional()])
    active = BooleanField(_l("Active (shown in the review)"), default=True)
    submit = SubmitField(_l("Save goal"))


class IndicatorForm(FlaskForm):
    label_en = StringField(_l("Label (English)"), validators=[DataRequired(), Length(max=200)])
    label_es = StringField(_l("Label (Spanish)"), validators=[Length(max=200)])
    label_vi = StringField(_l("Label (Vietnamese)"), validators=[Length(max=200)])
    question_key = SelectField(_l("Question"), choices=[], validators=[DataRequired()])
    rule = SelectField(_l("Rule"), choices=RULE_CHOICES)
    values = StringField(
        _l("Values that count (comma-separated choice codes, e.g. 4, 5 or yes)"),
        validators=[Length(max=200)],
    )
    position = IntegerField(_l("Position"), default=0, validators=[Optional()])
    submit = SubmitField(_l("Save indicator"))


class LoopUpdateForm(FlaskForm):
    goal_id = SelectField(_l("Goal"), coerce=int, choices=[])
    period = SelectField(_l("Period it reports on"), choices=[], validate_choice=False)
    heard_en = TextAreaField(_l("What we heard (English)"),
                             validators=[DataRequired(), Length(max=1000)])
    heard_es = TextAreaField(_l("What we heard (Spanish)"), validators=[Length(max=1000)])
    heard_vi = TextAreaField(_l("What we heard (Vietnamese)"), validators=[Length(max=1000)])
    action_en = TextAreaField(_l("What we will do (English)"),
                              validators=[DataRequired(), Length(max=1000)])
    action_es = TextAreaField(_l("What we will do (Spanish)"), validators=[Length(max=1000)])
    action_vi = TextAreaField(_l("What we will do (Vietnamese)"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Save draft"))


class PublishForm(FlaskForm):
    send_sms = BooleanField(
        _l("Also text it to SMS respondents who took part (opted-out numbers are skipped)")
    )
    submit = SubmitField(_l("Publish"))


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Delete"))


class AcceptHeldForm(FlaskForm):
    """Accept held public-form responses (the checked ``response`` boxes)."""

    submit = SubmitField(_l("Accept the selected responses"))
