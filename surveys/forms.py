"""Builder forms. Per-language fields are generated for the enabled locales (``title_en``,
``title_es``...), so adding a language to ENABLED_LOCALES adds its column with no code change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from feedback.core.languages import LANGUAGE_NAMES
from surveys.definitions import DEMOGRAPHICS
from surveys.types import QUESTION_TYPES

SLUG_HELP = _l("Lower-case letters, digits and dashes; it becomes the link /s/<name>.")
DEMOGRAPHIC_LABELS = {
    "age_group": _l("Age group"), "race_ethnicity": _l("Race / ethnicity"),
    "gender": _l("Gender"), "neighbourhood": _l("Neighbourhood"), "zip_code": _l("ZIP code"),
    "role": _l("Role"),
}


class ActionForm(FlaskForm):
    """A button that posts (publish, close, remove...): only the CSRF token."""


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired(), Regexp("^(up|down)$")])


class NewSurveyForm(FlaskForm):
    slug = StringField(_l("Link name"), validators=[DataRequired(), Length(max=80)],
                       description=SLUG_HELP)
    title = StringField(_l("Title (default language)"), validators=[DataRequired(),
                                                                    Length(max=200)])
    sms_keyword = StringField(_l("SMS keyword (optional)"),
                              validators=[Optional(), Length(max=30)])


class DuplicateForm(FlaskForm):
    slug = StringField(_l("Link name of the copy"), validators=[DataRequired(), Length(max=80)],
                       description=SLUG_HELP)


class KeywordForm(FlaskForm):
    sms_keyword = StringField(_l("SMS keyword"), validators=[Optional(), Length(max=30)],
                              description=_l("Leave empty if the survey does not run by SMS."))


class ImportForm(FlaskForm):
    file = FileField(_l("Survey file (JSON)"), validators=[
        FileRequired(_l("Choose a file.")), FileAllowed(["json"], _l("Choose a .json file."))])
    slug = StringField(_l("Link name (optional, to import a copy)"),
                       validators=[Optional(), Length(max=80)])


def _per_locale(attrs: dict, prefix: str, label, locales, field=StringField, max_len=2000):
    for locale in locales:
        attrs[f"{prefix}_{locale}"] = field(
            label, validators=[Optional(), Length(max=max_len)],
            render_kw={"lang": locale},
        )


def texts_form(locales, **kwargs) -> FlaskForm:
    """Title, introduction and thank-you text, one field per enabled locale."""
    attrs: dict = {}
    _per_locale(attrs, "title", _l("Title"), locales, max_len=200)
    _per_locale(attrs, "intro", _l("Introduction"), locales, TextAreaField)
    _per_locale(attrs, "thanks", _l("Thank-you message"), locales, TextAreaField)
    return type("TextsForm", (FlaskForm,), attrs)(**kwargs)


def question_form(locales, earlier_keys: list[str], new: bool, **kwargs) -> FlaskForm:
    """Add or edit a question; ``earlier_keys`` are the questions it may depend on."""
    attrs: dict = {
        "type": SelectField(_l("Type"), choices=[SelectChoice(k, t.label)
                                                 for k, t in QUESTION_TYPES.items()]),
        "required": BooleanField(_l("An answer is required")),
        "demographic": SelectField(
            _l("Demographic"), choices=[SelectChoice("", _l("Not a demographic question"))]
            + [SelectChoice(d, DEMOGRAPHIC_LABELS[d]) for d in DEMOGRAPHICS],
            description=_l("Age group, race or ethnicity, gender and role are the shared "
                           "questions every survey asks: their choices come from the shared "
                           "bank and cannot be changed.")),
        "min": DecimalField(_l("Minimum (scale, number)"), places=None, validators=[Optional()]),
        "max": DecimalField(_l("Maximum (scale, number)"), places=None, validators=[Optional()]),
        "max_length": IntegerField(_l("Longest answer in characters (text)"),
                                   validators=[Optional()]),
        "max_choices": IntegerField(_l("Most choices allowed (multiple choice)"),
                                    validators=[Optional()]),
        "decimals": BooleanField(_l("Allow decimals (number)")),
        "ask_if_key": SelectField(_l("Ask only if this question…"),
                                  choices=[SelectChoice("", _l("Always ask"))]
                                  + [SelectChoice(k, k) for k in earlier_keys]),
        "ask_if_values": StringField(
            _l("…was answered with (codes or numbers, separated by commas)"),
            validators=[Optional(), Length(max=500)]),
    }
    if new:
        attrs["key"] = StringField(
            _l("Key"), validators=[DataRequired(), Length(max=64)],
            description=_l("Lower-case letters, digits and _; reports follow a question by its "
                           "key across versions, so it cannot change later."))
    _per_locale(attrs, "text", _l("Question"), locales, TextAreaField, 1000)
    _per_locale(attrs, "help", _l("Help text"), locales, max_len=500)
    _per_locale(attrs, "low", _l("Low end label (scale)"), locales, max_len=80)
    _per_locale(attrs, "high", _l("High end label (scale)"), locales, max_len=80)
    return type("QuestionForm", (FlaskForm,), attrs)(**kwargs)


def choice_form(locales, new: bool, **kwargs) -> FlaskForm:
    attrs: dict = {"exclusive": BooleanField(_l("Excludes other choices (“prefer not to say”)"))}
    if new:
        attrs["code"] = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)],
                                    description=_l("What answers store, e.g. “yes” or “parks”."))
    _per_locale(attrs, "label", _l("Label"), locales, max_len=200)
    return type("ChoiceForm", (FlaskForm,), attrs)(**kwargs)


def locale_texts(form, prefix: str, locales) -> dict:
    """{"en": ..., "es": ...} from the per-locale fields ``<prefix>_<locale>``."""
    return {loc: (form[f"{prefix}_{loc}"].data or "").strip() for loc in locales}


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale, locale)
