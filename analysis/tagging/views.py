"""People in the loop: the comment list, one comment's correction form, the agreement page and
the sentiment model page. Routes join the ``analysis`` blueprint of analysis.codebook.views.

Comments are shown to backbone staff only (never partner viewers), with the pseudonymous
answer id and no contact data: analysis never reads the messaging tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from analysis.codebook.views import bp
from analysis.forms import AnswerFilterForm, CorrectionForm, RetrainForm
from analysis.models import AnswerTag, AnswerTheme, Theme
from analysis.tagging import operations as corrections
from analysis.tagging import retrain
from analysis.tagging.jobs import free_text_answers
from feedback.core.extensions import db
from feedback.core.roles import ADMIN, STAFF_ROLES, roles_required
from feedback.responses.models import Answer, Response
from surveys.models import Survey

PER_PAGE = 50


def _filter_form() -> AnswerFilterForm:
    form = AnswerFilterForm(request.args)
    any_ = [SelectChoice("", _("Any"))]
    surveys = db.session.scalars(db.select(Survey).order_by(Survey.slug))
    form.survey.choices = any_ + [SelectChoice(str(s.id), s.slug) for s in surveys]
    languages = db.session.scalars(
        sa.select(AnswerTag.language).distinct().where(AnswerTag.language.is_not(None))
    )
    form.language.choices = any_ + [SelectChoice(lang, lang) for lang in sorted(languages)]
    themes = db.session.scalars(db.select(Theme).order_by(Theme.key))
    form.theme.choices = any_ + [SelectChoice(str(t.id), t.label(None)) for t in themes]
    return form


def comment_query(survey_id=None, language=None, theme_id=None, sentiment=None):
    """Free-text answers (newest first) with their tag, filtered; ids only for paging."""
    stmt = free_text_answers().with_only_columns(Answer.id).outerjoin(
        AnswerTag, AnswerTag.answer_id == Answer.id
    )
    if survey_id:
        stmt = stmt.where(Response.survey_id == int(survey_id))
    if language:
        stmt = stmt.where(AnswerTag.language == language)
    if sentiment:
        stmt = stmt.where(AnswerTag.sentiment_label == sentiment)
    if theme_id:
        stmt = stmt.where(sa.exists().where(
            AnswerTheme.answer_id == Answer.id, AnswerTheme.theme_id == int(theme_id),
            AnswerTheme.source != "removed"))
    return stmt.order_by(None).order_by(Answer.id.desc())


def _rows(answer_ids: list[int]) -> list[dict]:
    """What the list shows per comment: text, survey, language, sentiment, themes."""
    if not answer_ids:
        return []
    answers = {a.id: a for a in db.session.scalars(
        db.select(Answer).where(Answer.id.in_(answer_ids)))}
    tags = {t.answer_id: t for t in db.session.scalars(
        db.select(AnswerTag).where(AnswerTag.answer_id.in_(answer_ids)))}
    themes: dict[int, list] = {}
    for row in db.session.scalars(db.select(AnswerTheme).where(
            AnswerTheme.answer_id.in_(answer_ids), AnswerTheme.source != "removed")):
        themes.setdefault(row.answer_id, []).append(row)
    return [{"answer": answers[i], "tag": tags.get(i), "themes": themes.get(i, [])}
            for i in answer_ids if i in answers]


@bp.get("/answers")
@roles_required(*STAFF_ROLES)
def answers():
    """Comments with their tags, filterable by survey, language, theme and sentiment."""
    form = _filter_form()
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = comment_query(form.survey.data, form.language.data, form.theme.data,
                         form.sentiment.data)
    ids = list(db.session.scalars(stmt.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)))
    has_next = len(ids) > PER_PAGE
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("analysis/answers.html", form=form, rows=_rows(ids[:PER_PAGE]),
                           page=page, has_next=has_next, args=args)


@bp.route("/answers/<int:answer_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def answer(answer_id: int):
    """One comment: its tags, the correction form and the correction history."""
    row = _rows([answer_id])
    if not row:
        abort(404)
    row = row[0]
    tag = row["tag"]
    form = CorrectionForm(data=None if request.method == "POST" else {
        "sentiment": tag.sentiment_label if tag else None,
        "themes": [t.theme_id for t in row["themes"]],
    })
    themes = list(db.session.scalars(db.select(Theme).order_by(Theme.active.desc(), Theme.key)))
    form.themes.choices = [SelectChoice(t.id, t.label(None)) for t in themes]
    if tag is None:
        if request.method == "POST":
            flash(_("This comment has not been analysed yet."), "error")
    elif form.validate_on_submit():
        corrections.correct_answer(answer_id, form.sentiment.data, form.themes.data or [],
                                   current_user)
        flash(_("Thank you: the correction is saved and will survive re-analysis."), "success")
        return redirect(url_for("analysis.answer", answer_id=answer_id))
    return render_template("analysis/answer.html", row=row, form=form,
                           history=corrections.history(answer_id))


@bp.get("/analysis/agreement")
@roles_required(*STAFF_ROLES)
def agreement():
    """How often the machine agrees with people, per language, with the number of checks."""
    return render_template("analysis/agreement.html", stats=corrections.agreement())


@bp.route("/analysis/model", methods=["GET", "POST"])
@roles_required(*ADMIN)
def model():
    """Train a candidate sentiment model; it is activated only if it scores at least as well."""
    form = RetrainForm()
    form.language.choices = [SelectChoice(lang, lang) for lang in retrain.retrain_languages()]
    outcome = None
    if form.validate_on_submit():
        outcome = retrain.retrain(form.language.data, current_user)
        if outcome.activated:
            flash(_("The new model scored at least as well and is now used."), "success")
        else:
            flash(_("The new model scored worse than the current one and was not activated."),
                  "error")
    from analysis.tagging.evaluate import cached_figures
    from analysis.text.encoder import E5_NAME, encoder_name

    return render_template("analysis/model.html", form=form, outcome=outcome,
                           figures=cached_figures(),
                           encoder=encoder_name(), encoder_is_default=encoder_name() == E5_NAME,
                           models=retrain.model_history(),
                           corrections=retrain.correction_counts())
