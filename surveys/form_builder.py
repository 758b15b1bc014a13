"""Web forms generated from question definitions (the public survey and the builder preview).

Each question becomes one WTForms field named ``q_<key>``; validation is delegated to
:func:`surveys.types.parse_answer`, so a web respondent sees the same translated messages an
SMS respondent would. Answers are optional unless the question is required; optional ones say
so in their label. Render the fields with ``templates/surveys/_questions.html``.

Row 1 of docs/architecture.md: imports only Flask-WTF/WTForms and the surveys package.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from surveys.texts import localized
from surveys.types import get_type, parse_answer

FIELD_PREFIX = "q_"
#: Question types shown as one radio button per option.
RADIO_TYPES = ("single_choice", "yes_no", "scale")
NUMERIC_TYPES = ("number",)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (multiple choice); values are the chosen choice codes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ParsesAs:
    """Validator: the raw answer must parse with the question's type in ``locale``."""

    def __init__(self, question, locale: str) -> None:
        self.question = question
        self.locale = locale

    def __call__(self, form, field) -> None:
        result = parse_answer(self.question, raw_value(field), self.locale)
        if result.error:
            field.errors[:] = []
            raise ValidationError(result.error)


def field_name(question) -> str:
    return FIELD_PREFIX + question.key


def raw_value(field):
    """What the respondent sent for a field: a string, a list of codes, or None."""
    data = field.data
    if isinstance(data, list):
        return [str(x) for x in data if str(x).strip()] or None
    if data is None:
        return None
    return str(data).strip() or None


def _make_field(question, locale: str):
    qtype = get_type(question)
    label = localized(question.text, locale)
    validators = [ParsesAs(question, locale)]
    choices = [SelectChoice(code, text) for code, text in qtype.options(question, locale)]
    if question.type in RADIO_TYPES:
        return RadioField(
            label, choices=choices, validators=validators,
            validate_choice=False,
        )
    if question.type == "multiple_choice":
        return MultiCheckboxField(
            label, choices=choices, validators=validators,
            validate_choice=False,
        )
    render_kw = {}
    max_length = getattr(qtype, "max_length", None)
    if max_length is not None and (question.settings or {}).get("demographic") != "zip_code":
        render_kw["maxlength"] = max_length(question)
    if question.type in NUMERIC_TYPES:
        decimals = (question.settings or {}).get("decimals")
        render_kw["inputmode"] = "decimal" if decimals else "numeric"
    if (question.settings or {}).get("demographic") == "zip_code":
        render_kw.update(inputmode="numeric", autocomplete="postal-code")
    if question.type == "long_text":
        return TextAreaField(label, validators=validators, render_kw=render_kw)
    return StringField(label, validators=validators, render_kw=render_kw)


class QuestionForm(FlaskForm):
    """Base of generated forms: a hidden per-sitting submission token, and the questions."""

    token = HiddenField()

    def question_fields(self) -> list:
        """The question fields in order; each carries ``question`` and display hints."""
        return [self[field_name(q)] for q in self._questions]


def page_form_class(questions, locale: str) -> type[QuestionForm]:
    """A form class with one field per question (in order), labels and options in ``locale``."""
    attrs = {field_name(q): _make_field(q, locale) for q in questions}
    attrs["_questions"] = list(questions)
    return type("PageForm", (QuestionForm,), attrs)


def build_page_form(questions, locale: str, formdata=None, data=None, **kwargs) -> QuestionForm:
    """A form instance for ``questions``: ``formdata`` (a POST) or ``data`` (answers so far,
    by question key) fill it. Each field gets attributes the macro reads: ``question``,
    ``kind`` (radio, checkbox, text, textarea), ``help_text``, ``required``, ``scale_labels``."""
    initial = {field_name(q): (data or {}).get(q.key) for q in questions}
    form_class = page_form_class(questions, locale)
    if formdata is not None:
        kwargs["formdata"] = formdata
    form = form_class(data=initial, **kwargs)
    for question in questions:
        field = form[field_name(question)]
        field.question = question
        field.required = bool(question.required)
        field.help_text = localized(question.help, locale)
        field.kind = (
            "radio" if question.type in RADIO_TYPES
            else "checkbox" if question.type == "multiple_choice"
            else "textarea" if question.type == "long_text"
            else "text"
        )
        field.scale_labels = None
        if question.type == "scale":
            low, high = get_type(question).end_labels(question, locale)
            if low or high:
                field.scale_labels = (low, high)
    return form


def answers_from(form: QuestionForm) -> dict[str, object]:
    """The raw answers of a submitted form by question key (empty ones as None)."""
    return {f.question.key: raw_value(f) for f in form.question_fields()}


__all__ = ["MultiCheckboxField", "build_page_form", "answers_from", "field_name",
           "page_form_class"]
