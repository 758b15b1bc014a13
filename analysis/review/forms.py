"""Forms of the agenda review: the dashboard's GET filters, goals, indicators, loop updates."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
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
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.core.languages import language_name

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


class EveryLanguage:
    """Texts staff write per language, one field per enabled language (languages are data:
    an added language gets its fields with no code change; feedback.core.languages), and the
    survey builder's completeness rule for them: a text written in one enabled language must
    be written in every enabled language, or readers of another language silently get the
    default one. ``texts`` names them: {name: (label, field class, max length, required)};
    the default language's text is required when ``required``. Build with :func:`for_languages`."""

    texts: dict = {}
    locales: tuple[str, ...] = ()

    def language_fields(self, text: str) -> list:
        return [self[f"{text}_{code}"] for code in self.locales]

    def texts_of(self, text: str) -> dict[str, str]:
        """{language: what staff wrote} for one text."""
        return {code: (self[f"{text}_{code}"].data or "").strip() for code in self.locales}

    def fill(self, text: str, values: dict | None) -> None:
        for code in self.locales:
            self[f"{text}_{code}"].data = (values or {}).get(code, "")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for text in self.texts:
            fields = self.language_fields(text)
            if not any((f.data or "").strip() for f in fields):
                continue
            for field in fields:
                if not (field.data or "").strip():
                    field.errors = [*field.errors, _l(
                        "Write this text in every language: readers of this language would "
                        "otherwise see it in another.")]
                    valid = False
        return valid


def for_languages(form_class: type) -> type:
    """``form_class`` with a field per enabled language for each of its ``texts``."""
    config = current_app.config
    locales = tuple(config["ENABLED_LOCALES"])
    return _with_fields(form_class, locales, config.get("BABEL_DEFAULT_LOCALE") or locales[0])


@lru_cache(maxsize=32)
def _with_fields(form_class: type, locales: tuple[str, ...], default: str) -> type:
    fields: dict = {"locales": locales}
    for text, (label, field_class, max_length, required) in form_class.texts.items():
        for code in locales:
            checks = [Length(max=max_length)]
            if required and code == default:
                checks.insert(0, DataRequired())
            fields[f"{text}_{code}"] = field_class(
                _l("%(text)s (%(language)s)", text=label, language=language_name(code)),
                validators=checks)
    return type(form_class.__name__, (form_class,), fields)


class GoalForm(EveryLanguage, FlaskForm):
    texts = {"name": (_l("Name"), StringField, 200, True),
             "description": (_l("Description"), TextAreaField, 2000, False)}

    themes = MultiCheckboxField(_l("Linked themes"), coerce=int, choices=[])
    position = IntegerField(_l("Position in the agenda"), default=0, validators=[
        Optional(), NumberRange(0, 999, _l("Enter a position from 0 to 999."))])
    active = BooleanField(_l("Active (shown in the review)"), default=True)
    submit = SubmitField(_l("Save goal"))


class IndicatorForm(EveryLanguage, FlaskForm):
    texts = {"label": (_l("Label"), StringField, 200, True)}

    question_key = SelectField(_l("Question"), choices=[], validators=[DataRequired()])
    rule = SelectField(_l("Rule"), choices=RULE_CHOICES)
    values = StringField(
        _l("Values that count (comma-separated choice codes, e.g. 4, 5 or yes)"),
        validators=[Length(max=200)],
    )
    position = IntegerField(_l("Position"), default=0, validators=[
        Optional(), NumberRange(0, 999, _l("Enter a position from 0 to 999."))])
    submit = SubmitField(_l("Save indicator"))


class LoopUpdateForm(EveryLanguage, FlaskForm):
    texts = {"heard": (_l("What we heard"), TextAreaField, 1000, True),
             "action": (_l("What we will do"), TextAreaField, 1000, True)}

    goal_id = SelectField(_l("Goal"), coerce=int, choices=[])
    period = SelectField(_l("Period it reports on"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save draft"))


class PublishForm(FlaskForm):
    send_sms = BooleanField(
        _l("Also text it to SMS respondents who took part (opted-out numbers are skipped)")
    )
    submit = SubmitField(_l("Publish"))


class UnpublishForm(FlaskForm):
    submit = SubmitField(_l("Take it off the public page"))


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Delete"))


class AcceptHeldForm(FlaskForm):
    """Accept held public-form responses (the checked ``response`` boxes)."""

    submit = SubmitField(_l("Accept the selected responses"))
