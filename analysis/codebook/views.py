"""Codebook staff pages: list, create and edit themes; emerging theme candidates.

Thin views: a form in, one call to analysis.codebook.operations / analysis.codebook.emerging, a page
out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from analysis.codebook import emerging
from analysis.codebook import operations as codebook_store
from analysis.forms import ActionForm, EmergingThemeForm, theme_form
from analysis.models import Theme
from feedback.core.extensions import db
from feedback.core.roles import STAFF_ROLES, roles_required

bp = Blueprint("analysis", __name__, url_prefix="/staff")


def _locales() -> list[str]:
    return list(current_app.config.get("ENABLED_LOCALES") or ["en"])


@bp.get("/codebook")
@roles_required(*STAFF_ROLES)
def codebook():
    """Every theme, active first, with how many comments carry it."""
    rows = emerging.themes_with_counts()
    return render_template("analysis/codebook.html", rows=rows, action=ActionForm(),
                           stale=_stale_count())


def _stale_count() -> int:
    from analysis.tagging.jobs import count_stale

    return count_stale()


def _theme_or_404(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    return theme


def _form_for(theme: Theme | None):
    locales = _locales()
    data = {}
    if theme is not None and request.method == "GET":
        data = {"key": theme.key, "active": theme.active}
        for loc in locales:
            data[f"label_{loc}"] = (theme.labels or {}).get(loc, "")
            data[f"keywords_{loc}"] = "\n".join((theme.keywords or {}).get(loc, []))
    return theme_form(locales, data=data or None), locales


@bp.route("/codebook/new", methods=["GET", "POST"])
@bp.route("/codebook/<int:theme_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def theme_edit(theme_id: int | None = None):
    """Create or edit a theme; saving re-tags the comments (queued)."""
    theme = _theme_or_404(theme_id) if theme_id else None
    form, locales = _form_for(theme)
    if form.validate_on_submit():
        labels = {loc: form[f"label_{loc}"].data or "" for loc in locales}
        keywords = {loc: form[f"keywords_{loc}"].data or "" for loc in locales}
        try:
            codebook_store.save_theme(form.key.data, labels, keywords, theme=theme,
                                      active=form.active.data)
        except ValueError:
            form.key.errors.append(_("Another theme already uses this key."))
        else:
            flash(_("Theme saved. Comments are being tagged again."), "success")
            return redirect(url_for("analysis.codebook"))
    return render_template("analysis/theme_form.html", form=form, theme=theme, locales=locales)


@bp.post("/codebook/<int:theme_id>/active")
@roles_required(*STAFF_ROLES)
def theme_toggle(theme_id: int):
    """Deactivate or reactivate a theme (its past tags stay)."""
    theme = _theme_or_404(theme_id)
    if ActionForm().validate_on_submit():
        codebook_store.set_theme_active(theme, not theme.active)
        flash(_("Theme updated. Comments are being tagged again."), "success")
    return redirect(url_for("analysis.codebook"))


@bp.post("/codebook/retag")
@roles_required(*STAFF_ROLES)
def retag():
    """Queue a re-tag of every comment whose tag is missing or out of date."""
    if ActionForm().validate_on_submit():
        codebook_store.queue_retag()
        flash(_("Comments are being tagged again."), "success")
    return redirect(url_for("analysis.codebook"))


PERIODS = {"30d": 30, "90d": 90, "365d": 365, "all": None}


def _period_start(period: str) -> datetime | None:
    days = PERIODS.get(period, 90)
    if days is None:
        return None
    from feedback.responses.models import utcnow

    return utcnow() - timedelta(days=days)


@bp.get("/codebook/emerging")
@roles_required(*STAFF_ROLES)
def emerging_view():
    """Candidate themes found in comments that no theme covers, with example quotes."""
    period = request.args.get("period", "90d")
    if period not in PERIODS:
        period = "90d"
    locale = request.args.get("language") or None
    if locale not in _locales():
        locale = None
    result = emerging.emerging_candidates(start=_period_start(period), locale=locale)
    forms = [
        EmergingThemeForm(formdata=None, prefix=f"c{i}", data={
            "key": c.suggested_key, "label": c.label, "terms": "\n".join(c.terms),
            "locale": c.locale,
        })
        for i, c in enumerate(result.candidates)
    ]
    return render_template("analysis/emerging.html", result=result, forms=forms,
                           period=period, periods=list(PERIODS), language=locale,
                           locales=_locales())


@bp.post("/codebook/emerging/create")
@roles_required(*STAFF_ROLES)
def emerging_create():
    """Create a theme from a candidate's terms in one step."""
    form = EmergingThemeForm(prefix=f"c{request.args.get('n', 0, type=int)}")
    if form.validate_on_submit():
        try:
            theme = emerging.create_theme_from_candidate(
                form.key.data, form.label.data, form.locale.data, form.terms.data)
        except ValueError:
            flash(_("Another theme already uses this key."), "error")
            return redirect(url_for("analysis.emerging_view"))
        flash(_("Theme created. You can refine its keywords here."), "success")
        return redirect(url_for("analysis.theme_edit", theme_id=theme.id))
    flash(_("The theme could not be created."), "error")
    return redirect(url_for("analysis.emerging_view"))
