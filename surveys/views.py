"""The staff survey builder (/staff/surveys): plain forms, no JavaScript needed.

Each view takes a form, makes one call to surveys.operations, and redirects or renders. A
refused change (SurveyError/DefinitionError) is shown as a list of what to fix.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.core.downloads import attachment
from feedback.core.roles import STAFF_ROLES, roles_required
from surveys import forms as F
from surveys import operations as ops
from surveys.definitions import DefinitionError
from surveys.texts import default_locale, enabled_locales, localized
from surveys.translations import missing_translations
from surveys.types import QUESTION_TYPES

bp = Blueprint("surveys", __name__, url_prefix="/staff/surveys")


@bp.before_request
@roles_required(*STAFF_ROLES)
def _staff_only():
    """Every builder page: signed-in backbone staff or administrators only."""


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _survey(slug: str):
    survey = ops.get_survey(slug)
    if survey is None:
        abort(404)
    return survey


def _refused(error: DefinitionError) -> None:
    for problem in error.problems:
        flash(problem, "error")


def _back(survey, key: str | None = None):
    if key:
        return redirect(url_for("surveys.question", slug=survey.slug, key=key))
    return redirect(url_for("surveys.edit", slug=survey.slug))


@bp.get("/")
def index():
    surveys = ops.all_surveys()
    return render_template("surveys/index.html", surveys=surveys, ops=ops, localized=localized)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = F.NewSurveyForm()
    if form.validate_on_submit():
        try:
            survey = ops.create_survey(form.slug.data.strip(),
                                       {default_locale(): form.title.data},
                                       sms_keyword=form.sms_keyword.data or None)
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("Survey created. Add its questions, then publish it."), "ok")
            return _back(survey)
    return render_template("surveys/new.html", form=form)


@bp.get("/<slug>")
def edit(slug):
    survey = _survey(slug)
    locales = enabled_locales()
    version = ops.latest_version(survey)
    form = F.texts_form(locales, data={
        f"{field}_{loc}": (getattr(version, field) or {}).get(loc, "")
        for field in ("title", "intro", "thanks") for loc in locales})
    return render_template(
        "surveys/edit.html", survey=survey, version=version, form=form, locales=locales,
        missing=missing_translations(version, locales), current=ops.current_version(survey),
        keyword_form=F.KeywordForm(data={"sms_keyword": survey.sms_keyword or ""}),
        duplicate_form=F.DuplicateForm(), language_name=F.language_name, localized=localized,
        types=QUESTION_TYPES,
    )


@bp.post("/<slug>/texts")
def texts(slug):
    survey = _survey(slug)
    locales = enabled_locales()
    form = F.texts_form(locales)
    if form.validate_on_submit():
        ops.set_texts(survey, title=F.locale_texts(form, "title", locales),
                      intro=F.locale_texts(form, "intro", locales),
                      thanks=F.locale_texts(form, "thanks", locales))
        flash(_("Texts saved."), "ok")
    return _back(survey)


@bp.post("/<slug>/keyword")
def keyword(slug):
    survey = _survey(slug)
    form = F.KeywordForm()
    if form.validate_on_submit():
        try:
            ops.update_survey(survey, slug=survey.slug, sms_keyword=form.sms_keyword.data or None)
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("SMS keyword saved."), "ok")
    return _back(survey)


def _question_data(form, locales, key: str | None = None) -> dict:
    """The question dict (surveys.definitions shape) described by a submitted question form."""
    settings = {name: float(form[name].data) if name in ("min", "max") else form[name].data
                for name in ("min", "max", "max_length", "max_choices")
                if form[name].data is not None}
    for name in ("min", "max"):
        if name in settings and float(settings[name]).is_integer():
            settings[name] = int(settings[name])
    if form.decimals.data:
        settings["decimals"] = True
    if form.demographic.data:
        settings["demographic"] = form.demographic.data
    for end in ("low", "high"):
        texts = {k: v for k, v in F.locale_texts(form, end, locales).items() if v}
        if texts:
            settings[end] = texts
    values = [v.strip() for v in (form.ask_if_values.data or "").split(",") if v.strip()]
    return {
        "key": key or form.key.data.strip(), "type": form.type.data,
        "required": bool(form.required.data), "settings": settings,
        "text": F.locale_texts(form, "text", locales),
        "help": F.locale_texts(form, "help", locales),
        "ask_if_key": form.ask_if_key.data or None, "ask_if_values": values or None,
    }


@bp.route("/<slug>/questions/new", methods=["GET", "POST"])
def new_question(slug):
    survey = _survey(slug)
    locales = enabled_locales()
    version = ops.latest_version(survey)
    form = F.question_form(locales, [q.key for q in version.questions], new=True)
    if form.validate_on_submit():
        try:
            question = ops.add_question(survey, _question_data(form, locales))
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("Question added."), "ok")
            return _back(survey, question.key)
    return render_template("surveys/question.html", survey=survey, form=form, question=None,
                           locales=locales, language_name=F.language_name)


@bp.route("/<slug>/questions/<key>", methods=["GET", "POST"])
def question(slug, key):
    survey = _survey(slug)
    locales = enabled_locales()
    version = ops.latest_version(survey)
    question = ops.find_question(version, key) or abort(404)
    earlier = [q.key for q in version.questions[: version.questions.index(question)]]
    form = F.question_form(locales, earlier, new=False, data=_form_data(question, locales))
    if form.validate_on_submit():
        data = _question_data(form, locales, key)
        try:
            ops.update_question(survey, key, **{k: v for k, v in data.items() if k != "key"})
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("Question saved."), "ok")
        return _back(survey, key)
    choice_forms = [(c, F.choice_form(locales, new=False, prefix=f"c-{c.code}", data={
        "exclusive": c.exclusive, **{f"label_{loc}": (c.label or {}).get(loc, "")
                                     for loc in locales}})) for c in question.choices]
    return render_template(
        "surveys/question.html", survey=survey, form=form, question=question, locales=locales,
        choice_forms=choice_forms, new_choice=F.choice_form(locales, new=True, prefix="new"),
        language_name=F.language_name,
        has_choices=QUESTION_TYPES[question.type].has_choices,
    )


def _form_data(question, locales) -> dict:
    settings = question.settings or {}
    data = {
        "type": question.type, "required": question.required,
        "demographic": settings.get("demographic", ""), "min": settings.get("min"),
        "max": settings.get("max"), "max_length": settings.get("max_length"),
        "max_choices": settings.get("max_choices"), "decimals": settings.get("decimals", False),
        "ask_if_key": question.ask_if_key or "",
        "ask_if_values": ", ".join(map(str, question.ask_if_values or [])),
    }
    for loc in locales:
        data[f"text_{loc}"] = (question.text or {}).get(loc, "")
        data[f"help_{loc}"] = (question.help or {}).get(loc, "")
        data[f"low_{loc}"] = (settings.get("low") or {}).get(loc, "")
        data[f"high_{loc}"] = (settings.get("high") or {}).get(loc, "")
    return data


@bp.post("/<slug>/questions/<key>/move")
def move_question(slug, key):
    survey = _survey(slug)
    form = F.MoveForm()
    if form.validate_on_submit():
        try:
            ops.move_question(survey, key, form.direction.data)
        except DefinitionError as error:
            _refused(error)
    return _back(survey)


@bp.post("/<slug>/questions/<key>/remove")
def remove_question(slug, key):
    survey = _survey(slug)
    if F.ActionForm().validate_on_submit():
        try:
            ops.remove_question(survey, key)
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("Question removed."), "ok")
    return _back(survey)


@bp.post("/<slug>/questions/<key>/choices")
def add_choice(slug, key):
    survey = _survey(slug)
    locales = enabled_locales()
    form = F.choice_form(locales, new=True, prefix="new")
    if form.validate_on_submit():
        try:
            ops.add_choice(survey, key, form.code.data.strip(),
                           F.locale_texts(form, "label", locales), bool(form.exclusive.data))
        except DefinitionError as error:
            _refused(error)
    else:
        flash(_("A choice needs a code."), "error")
    return _back(survey, key)


@bp.post("/<slug>/questions/<key>/choices/<code>")
def update_choice(slug, key, code):
    survey = _survey(slug)
    locales = enabled_locales()
    form = F.choice_form(locales, new=False, prefix=f"c-{code}")
    if form.validate_on_submit():
        try:
            ops.update_choice(survey, key, code, label=F.locale_texts(form, "label", locales),
                              exclusive=bool(form.exclusive.data))
        except DefinitionError as error:
            _refused(error)
    return _back(survey, key)


@bp.post("/<slug>/questions/<key>/choices/<code>/move")
def move_choice(slug, key, code):
    survey = _survey(slug)
    form = F.MoveForm()
    if form.validate_on_submit():
        try:
            ops.move_choice(survey, key, code, form.direction.data)
        except DefinitionError as error:
            _refused(error)
    return _back(survey, key)


@bp.post("/<slug>/questions/<key>/choices/<code>/remove")
def remove_choice(slug, key, code):
    survey = _survey(slug)
    if F.ActionForm().validate_on_submit():
        try:
            ops.remove_choice(survey, key, code)
        except DefinitionError as error:
            _refused(error)
    return _back(survey, key)


@bp.post("/<slug>/<any(publish, close, reopen):action>")
def lifecycle(slug, action):
    """Publish (refused with the list of missing texts), close or reopen."""
    survey = _survey(slug)
    if F.ActionForm().validate_on_submit():
        try:
            getattr(ops, action)(survey)
        except DefinitionError as error:
            flash(_("The survey was not published. Still to do:"), "error")
            _refused(error)
        else:
            flash({"publish": _("Published: the survey is open."),
                   "close": _("Closed: no new answers are taken."),
                   "reopen": _("Reopened.")}[action], "ok")
    return _back(survey)


@bp.post("/<slug>/duplicate")
def duplicate(slug):
    survey = _survey(slug)
    form = F.DuplicateForm()
    if form.validate_on_submit():
        try:
            copy = ops.duplicate(survey, form.slug.data.strip())
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("Copy created as a draft."), "ok")
            return _back(copy)
    return _back(survey)


@bp.get("/<slug>/export")
def export(slug):
    survey = _survey(slug)
    body = json.dumps(ops.export_definition(survey), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers=attachment(f"{survey.slug}.json"))


@bp.route("/import", methods=["GET", "POST"])
def import_():
    form = F.ImportForm()
    if form.validate_on_submit():
        try:
            data = json.loads(form.file.data.read().decode("utf-8"))
            survey = ops.import_definition(data, slug=(form.slug.data or "").strip() or None)
        except (UnicodeDecodeError, json.JSONDecodeError):
            flash(_("This file is not valid JSON."), "error")
        except DefinitionError as error:
            _refused(error)
        else:
            flash(_("Survey imported as a draft."), "ok")
            return _back(survey)
    return render_template("surveys/import.html", form=form)


@bp.get("/<slug>/preview/<lang>")
def preview(slug, lang):
    """The latest version exactly as a respondent sees it in ``lang`` (nothing is saved)."""
    from surveys.form_builder import build_page_form

    survey = _survey(slug)
    if lang not in enabled_locales():
        abort(404)
    version = ops.latest_version(survey)
    with force_locale(lang):
        form = build_page_form(version.questions, lang, formdata=None, meta={"csrf": False})
        return render_template("surveys/preview.html", survey=survey, version=version,
                               form=form, lang=lang, locales=enabled_locales(),
                               language_name=F.language_name, localized=localized)
