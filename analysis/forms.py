"""Forms of the analysis staff pages: codebook themes, answer corrections, filters, retraining."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

KEY_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


def _sentiments() -> list[SelectChoice]:
    return [SelectChoice("positive", _l("Positive")), SelectChoice("neutral", _l("Neutral")),
            SelectChoice("negative", _l("Negative"))]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice (one per theme)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ThemeForm(FlaskForm):
    """A theme: its key, and per locale a label and keywords (one per line).

    The per-locale fields are added by :func:`theme_form` for the enabled locales, so adding a
    language needs no code.
    """

    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(max=64),
                    Regexp(KEY_PATTERN, message=_l("Use lower-case letters, digits, - and _."))],
    )
    active = BooleanField(_l("Active"), default=True)


def theme_form(locales, **kwargs) -> ThemeForm:
    """A ThemeForm with ``label_<locale>`` and ``keywords_<locale>`` fields for each locale."""

    class _Form(ThemeForm):
        pass

    for loc in locales:
        setattr(_Form, f"label_{loc}", StringField(
            _l("Label (%(locale)s)", locale=loc), validators=[Optional(), Length(max=120)]))
        setattr(_Form, f"keywords_{loc}", TextAreaField(
            _l("Keywords (%(locale)s), one per line", locale=loc),
            validators=[Optional(), Length(max=5000)]))
    return _Form(**kwargs)


class ActionForm(FlaskForm):
    """A button that posts (CSRF only): deactivate, reactivate, re-tag."""


class CorrectionForm(FlaskForm):
    """A person's reading of one answer: its sentiment and its themes."""

    sentiment = RadioField(
        _l("Sentiment"),
        choices=lambda: _sentiments(),
        validators=[DataRequired()],
    )
    themes = MultiCheckboxField(_l("Themes"), coerce=int, validate_choice=True)


class AnswerFilterForm(FlaskForm):
    """Filters of the answer list (a GET form: no CSRF, nothing changes)."""

    class Meta:
        csrf = False

    survey = SelectField(_l("Survey"), coerce=str, validate_choice=False)
    language = SelectField(_l("Language"), coerce=str, validate_choice=False)
    theme = SelectField(_l("Theme"), coerce=str, validate_choice=False)
    sentiment = SelectField(
        _l("Sentiment"), coerce=str, validate_choice=False,
        choices=lambda: [SelectChoice("", _l("Any"))] + _sentiments(),
    )


class RetrainForm(FlaskForm):
    """Train a candidate model for one language."""

    language = SelectField(_l("Language"), validators=[DataRequired()])


class EmergingThemeForm(FlaskForm):
    """Create a theme from an emerging candidate in one step."""

    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=64),
                                             Regexp(KEY_PATTERN)])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=120)])
    locale = HiddenField(validators=[DataRequired(), Length(max=10)])
    terms = HiddenField(validators=[DataRequired(), Length(max=2000)])
