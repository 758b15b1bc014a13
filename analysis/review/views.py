"""Staff pages of the agenda review: dashboard, report, exports, goals, loop updates.

Thin views: a form in, one service call, a page or redirect out. Every figure page builds its
scope with ``context.build_scope``, which applies the partner viewer's site restriction.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from analysis.disclosure import gate
from analysis.models import Theme
from analysis.review import counting, exports, loop, opened, report_pdf
from analysis.review.context import build_scope, filter_form
from analysis.review.dashboard import build_review
from analysis.review.forms import (
    DIMENSION_LABELS,
    AcceptHeldForm,
    DeleteForm,
    GoalForm,
    IndicatorForm,
    LoopUpdateForm,
    PublishForm,
    UnpublishForm,
    choices,
    for_languages,
)
from analysis.review.goals import (
    AgendaGoal,
    GoalError,
    Indicator,
    LoopUpdate,
    delete_indicator,
    list_goals,
    save_goal,
    save_indicator,
)
from analysis.review.periods import parse_period, quarter_of, year_of
from analysis.review.presenting import (
    chart_context,
    emerging_for,
    question_keys,
    recent_quarters,
)
from analysis.review.scope import latest_day_with_data
from feedback.core.audit import record_audit
from feedback.core.downloads import attachment
from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.core.numbers import small_int
from feedback.core.roles import ADMIN, ALL_ROLES, STAFF_ROLES, roles_required
from feedback.responses.models import utcnow
from feedback.webform import padding

bp = Blueprint("review", __name__, url_prefix="/staff")


@bp.context_processor
def _language_names():
    return {"language_names": LANGUAGE_NAMES}


@bp.errorhandler(counting.OnTheWorker)
def _counting_on_the_worker(_error):
    """The page's figures are being counted on the worker: say so, and poll for them."""
    return render_template("review/counting.html"), 202, {"Retry-After": "3"}


def _review(*, published: bool = False):
    """The scope, dimension and the review as the disclosure gate releases it to this viewer
    (``published``: a report, PDF or CSV leaving the page, always rounded)."""
    scope, by = build_scope(request.args, current_user)
    policy = gate.policy_for(current_user, published=published)
    view = opened.Opened("review", scope, by)
    review = counting.here_or_on_worker(
        view, lambda: gate.release_review(build_review(scope, by), policy))
    opened.note(view)
    return scope, by, review


def _year_report(*, published: bool):
    """The yearly report the request asks for (``year``, filters, ``by``), released by the
    gate for this viewer (``published``: the PDF leaving the page, always rounded)."""
    from analysis.review.yearly import build_year_report

    scope, by = build_scope(request.args, current_user)
    year = small_int(request.args.get("year", ""), digits=4)
    this_year = utcnow().year
    if not (year and 2000 <= year <= this_year):
        # a report is about a year that ended: the latest with responses, else this year so
        # far (a coalition's first year)
        latest = latest_day_with_data(scope, before=year_of(this_year).start_dt)
        year = latest.year if latest else this_year
    policy = gate.policy_for(current_user, published=published)
    view = opened.Opened("year", scope.with_period(year_of(year)), by, year=year)
    report = counting.here_or_on_worker(
        view, lambda: build_year_report(year, scope, policy, by))
    opened.note(view)
    return report


@bp.get("/review/year")
@roles_required(*ALL_ROLES)
def year_report():
    """The yearly community report for a year, printable, in the viewer's language."""
    report = _year_report(published=False)
    page = render_template("review/year_report.html", report=report, public=False,
                           locale=str(get_locale()), dimensions=DIMENSION_LABELS,
                           charts=chart_context(report.review), args=request.args.to_dict())
    _audit_export("export.year_report", report.review.scope, year=report.year)
    return page


@bp.get("/review/year.pdf")
@roles_required(*ALL_ROLES)
def year_report_pdf():
    """The yearly report as a PDF in the viewer's language."""
    from analysis.review import year_pdf

    report = _year_report(published=True)
    data = year_pdf.render(report, str(get_locale()))
    _audit_export("export.year_report_pdf", report.review.scope, year=report.year)
    return Response(data, mimetype="application/pdf",
                    headers=attachment(f"community-report-{report.year}.pdf"))


@bp.get("/review/trends")
@roles_required(*ALL_ROLES)
def trends():
    """Every indicator and each goal's volume and positive share over quarters across years,
    the latest quarter beside the previous one and the same quarter last year; the filters
    (a demographic group among them) disaggregate every series through the disclosure gate."""
    from analysis.review.trends import MAX_YEARS, build_trends, chart

    scope, by = build_scope(request.args, current_user)
    years = request.args.get("years", "3")
    years = small_int(years, digits=2)
    years = years if years and 1 <= years <= MAX_YEARS else 3
    policy = gate.policy_for(current_user)
    view = opened.Opened("trends", scope, years=years)
    result = counting.here_or_on_worker(view, lambda: build_trends(scope, policy, years))
    opened.note(view)
    form = filter_form(request.args, scope, by)
    return render_template("review/trends.html", trends=result, form=form, years=years,
                           max_years=MAX_YEARS, chart=chart, exact=policy.exact,
                           locale=str(get_locale()), scope=scope, min_cell=policy.min_cell)


@bp.get("/review")
@roles_required(*ALL_ROLES)
def dashboard():
    """The agenda review dashboard for a period, filtered and disaggregated."""
    scope, by, review = _review()
    form = filter_form(request.args, scope, by)
    emerging = [] if review.too_few else gate.release_counts(review.policy, emerging_for(scope))
    return render_template("review/dashboard.html", review=review, form=form,
                           charts=chart_context(review), dimensions=DIMENSION_LABELS,
                           args=request.args.to_dict(), emerging=emerging)


@bp.get("/review/report")
@roles_required(*ALL_ROLES)
def report():
    """A printable report of the period (print stylesheet), for the review meeting."""
    scope, by, review = _review(published=True)
    page = render_template("review/report.html", review=review, charts=chart_context(review),
                           dimensions=DIMENSION_LABELS)
    _audit_export("export.report_html", scope)
    return page


@bp.get("/review/report.pdf")
@roles_required(*ALL_ROLES)
def report_pdf_view():
    """The same report as a PDF handout, in the staff member's language."""
    scope, by, review = _review(published=True)
    data = report_pdf.render(review, str(get_locale()))
    _audit_export("export.report_pdf", scope)
    return Response(data, mimetype="application/pdf",
                    headers=attachment(f"agenda-review-{scope.period.label}.pdf"))


@bp.get("/review/export/answers.csv")
@roles_required(*ADMIN)
def export_answers():
    """Answers in scope with pseudonymous ids (streamed; admin only, row level): refused when
    the scope holds fewer than the threshold, demographic fields k-anonymous."""
    scope, _by = build_scope(request.args, current_user)
    try:
        demographics = exports.generalised_demographics(scope, gate.min_cell_size())
    except exports.ExportRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("review.dashboard", **request.args.to_dict()))
    lines = _audited_stream(exports.answers_export(scope, demographics),
                            "export.answers_csv", scope)
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers=attachment(f"answers-{scope.period.label}.csv"))


@bp.get("/review/export/summary.csv")
@roles_required(*ALL_ROLES)
def export_summary():
    """Every summary table of the dashboard, suppressed cells marked."""
    scope, by, review = _review(published=True)
    body = "".join(exports.summary_csv(review))
    _audit_export("export.summary_csv", scope)
    return Response(body, mimetype="text/csv",
                    headers=attachment(f"summary-{scope.period.label}.csv"))


def _audit_export(action: str, scope, **details) -> None:
    """Record an export once its file is built: a download that failed is not in the log."""
    record_audit(action, "review", None, {**details, **scope.as_dict()})
    db.session.commit()


def _audited_stream(lines, action: str, scope):
    """Yield a streamed export's lines, then record it: only a stream that reached its end
    (the whole file was sent) is audited."""
    yield from lines
    _audit_export(action, scope)


@bp.route("/review/held", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def held():
    """Public-form responses held by the anti-padding check: kept, left out of every figure
    until staff accept them (feedback.webform.padding)."""
    form = AcceptHeldForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        ids = [i for i in map(small_int, request.form.getlist("response")) if i is not None]
        n = padding.accept(ids, user_id=current_user.id)
        flash(_("%(n)s responses accepted: they now count in the figures.", n=n), "success")
        return redirect(url_for("review.held"))
    return render_template("review/held.html", responses=padding.held_responses(), form=form,
                           min_cell=gate.min_cell_size())


# --- goals and indicators -------------------------------------------------------------------


@bp.get("/goals")
@roles_required(*STAFF_ROLES)
def goals():
    return render_template("review/goals.html", goals=list_goals())


def _goal_form(goal: AgendaGoal | None) -> GoalForm:
    form = for_languages(GoalForm)(obj=None)
    locale = str(get_locale())
    form.themes.choices = choices([
        (t.id, t.label(locale)) for t in db.session.scalars(db.select(Theme).order_by(Theme.key))
    ])
    if goal is not None and request.method == "GET":
        form.fill("name", goal.names)
        form.fill("description", goal.descriptions)
        form.themes.data = [t.id for t in goal.themes]
        form.position.data, form.active.data = goal.position, goal.active
    return form


@bp.route("/goals/new", methods=["GET", "POST"], endpoint="goal_new")
@bp.route("/goals/<int:goal_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def goal_edit(goal_id: int | None = None):
    """Create or edit a goal: names and descriptions per language, linked themes."""
    goal = db.get_or_404(AgendaGoal, goal_id) if goal_id else None
    form = _goal_form(goal)
    if form.validate_on_submit():
        try:
            goal = save_goal(
                goal,
                names=form.texts_of("name"), descriptions=form.texts_of("description"),
                theme_ids=form.themes.data or [], position=form.position.data or 0,
                active=form.active.data,
            )
        except GoalError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Goal saved."), "success")
            return redirect(url_for("review.goal_edit", goal_id=goal.id))
    return render_template("review/goal_form.html", form=form, goal=goal,
                           delete_form=DeleteForm())


@bp.route("/goals/<int:goal_id>/indicators/new", methods=["GET", "POST"],
          endpoint="indicator_new")
@bp.route("/goals/<int:goal_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def indicator_edit(goal_id: int, indicator_id: int | None = None):
    """Create or edit an indicator: question, rule and the values that count."""
    goal = db.get_or_404(AgendaGoal, goal_id)
    indicator = db.get_or_404(Indicator, indicator_id) if indicator_id else None
    if indicator is not None and indicator.goal_id != goal.id:
        abort(404)
    form = for_languages(IndicatorForm)()
    form.question_key.choices = choices([(k, k) for k in question_keys()])
    if indicator is not None and request.method == "GET":
        form.fill("label", indicator.labels)
        form.question_key.data, form.rule.data = indicator.question_key, indicator.rule
        form.values.data = ", ".join(indicator.values or [])
        form.position.data = indicator.position
    if form.validate_on_submit():
        try:
            save_indicator(
                goal, indicator,
                labels=form.texts_of("label"),
                question_key=form.question_key.data, rule=form.rule.data,
                values=(form.values.data or "").split(","), position=form.position.data or 0,
            )
        except GoalError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Indicator saved."), "success")
            return redirect(url_for("review.goal_edit", goal_id=goal.id))
    return render_template("review/indicator_form.html", form=form, goal=goal,
                           indicator=indicator)


@bp.post("/goals/<int:goal_id>/indicators/<int:indicator_id>/delete")
@roles_required(*STAFF_ROLES)
def indicator_delete(goal_id: int, indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.goal_id != goal_id or not DeleteForm().validate_on_submit():
        abort(400)
    delete_indicator(indicator)
    flash(_("Indicator deleted."), "success")
    return redirect(url_for("review.goal_edit", goal_id=goal_id))


# --- closing the loop ------------------------------------------------------------------------


@bp.get("/loop")
@roles_required(*STAFF_ROLES)
def loop_list():
    updates = db.session.scalars(
        db.select(LoopUpdate).order_by(LoopUpdate.period_start.desc(), LoopUpdate.id.desc())
    ).all()
    return render_template("review/loop_list.html", updates=updates)


@bp.route("/loop/new", methods=["GET", "POST"], endpoint="loop_new")
@bp.route("/loop/<int:update_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def loop_edit(update_id: int | None = None):
    """Write what the coalition heard and will do, per language."""
    update = db.get_or_404(LoopUpdate, update_id) if update_id else None
    form = for_languages(LoopUpdateForm)()
    locale = str(get_locale())
    form.goal_id.choices = choices([(g.id, g.name(locale)) for g in list_goals()])
    form.period.choices = choices([(q.label, q.label) for q in recent_quarters()])
    if request.method == "GET":
        if update is not None:
            form.goal_id.data = update.goal_id
            form.period.data = quarter_of(update.period_start).label
            form.fill("heard", update.heard)
            form.fill("action", update.action)
        elif request.args.get("goal", type=int):
            form.goal_id.data = request.args.get("goal", type=int)
    if form.validate_on_submit():
        goal = db.get_or_404(AgendaGoal, form.goal_id.data)
        period = parse_period("quarter", form.period.data, None, None, utcnow().date())
        update = loop.save_update(
            update, goal=goal, period=period,
            heard=form.texts_of("heard"), action=form.texts_of("action"),
            user_id=current_user.id,
        )
        flash(_("Update saved."), "success")
        return redirect(url_for("review.loop_edit", update_id=update.id))
    return render_template("review/loop_form.html", form=form, update=update,
                           publish_form=PublishForm(), unpublish_form=UnpublishForm(),
                           sms_preview=loop.sms_preview(update) if update else None)


@bp.post("/loop/<int:update_id>/publish")
@roles_required(*STAFF_ROLES)
def loop_publish(update_id: int):
    """Publish on /results and, if asked, text the respondents who took part."""
    update = db.get_or_404(LoopUpdate, update_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    n = loop.publish(update, user_id=current_user.id, send_sms=form.send_sms.data)
    if form.send_sms.data:
        flash(_("Published; the text goes to %(n)s respondents who took part (minus any who "
                "opted out).", n=n), "success")
    else:
        flash(_("Published on the public results page."), "success")
    return redirect(url_for("review.loop_edit", update_id=update.id))


@bp.post("/loop/<int:update_id>/unpublish")
@roles_required(*STAFF_ROLES)
def loop_unpublish(update_id: int):
    """Take an update off /results (a mistake, words that should not be public)."""
    update = db.get_or_404(LoopUpdate, update_id)
    if not UnpublishForm().validate_on_submit():
        abort(400)
    loop.unpublish(update, user_id=current_user.id)
    flash(_("Taken off the public results page. Texts already sent cannot be recalled."),
          "success")
    return redirect(url_for("review.loop_edit", update_id=update.id))
