"""Staff pages for partner sites: list, create/edit, printable poster and QR code download.

Backbone staff create and edit sites; partner viewers see (and print posters for) only their
own organisation's sites, checked per object (feedback.staff.auth.require_site_access).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from feedback.core.downloads import attachment
from feedback.core.extensions import db
from feedback.core.roles import ALL_ROLES, STAFF_ROLES, roles_required
from feedback.responses.models import PartnerSite
from feedback.sites import operations as service
from feedback.sites.forms import PosterForm, SiteForm
from feedback.staff.auth import require_site_access, visible_site_ids

bp = Blueprint("sites", __name__, url_prefix="/staff/sites")


def _site_or_404(site_id: int) -> PartnerSite:
    site = db.session.get(PartnerSite, site_id)
    require_site_access(current_user, site)
    return site


@bp.get("/")
@roles_required(*ALL_ROLES)
def index():
    """Every site the user may see, with links to edit and to print posters."""
    sites = service.list_sites(visible_site_ids(current_user))
    can_edit = current_user.role in STAFF_ROLES
    locale = str(get_locale())
    titles = {s.id: service.survey_title(s, locale) for s in service.all_surveys(True)}
    return render_template(
        "feedback/sites.html", sites=sites, can_edit=can_edit, survey_titles=titles
    )


def _edit(site: PartnerSite | None):
    form = SiteForm(obj=site)
    form.organization_id.choices = [SelectChoice(o.id, o.name) for o in service.organizations()]
    locale = str(get_locale())
    form.survey_id.choices = [SelectChoice(0, _l("None yet (choose on each poster)"))] + [
        SelectChoice(s.id, service.survey_title(s, locale)) for s in service.all_surveys()
    ]
    form.survey_id.data = form.survey_id.data or 0  # the site's None is the "none yet" choice
    if form.validate_on_submit():
        try:
            site = service.save_site(site, **{k: v for k, v in form.data.items()})
        except service.SiteCodeTaken:
            form.code.errors.append(_l("Another site already uses this code."))
        else:
            flash(_l("Site %(name)s saved.", name=site.name), "info")
            return redirect(url_for("sites.index"))
    return render_template("feedback/sites_form.html", form=form, site=site)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def create():
    """Add a partner site."""
    return _edit(None)


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(site_id: int):
    """Change a site's name, organisation, neighbourhood or kiosk settings."""
    return _edit(_site_or_404(site_id))


def _chosen_survey(form: PosterForm, site: PartnerSite):
    """The survey asked for, else the site's own (feedback.sites.operations.site_survey)."""
    surveys = service.open_surveys()
    locale = str(get_locale())
    default = service.site_survey(site, surveys)
    choices = [(s.slug, service.survey_title(s, locale)) for s in surveys]
    if default is None:
        choices.insert(0, ("", _l("Choose a survey")))
    form.set_choices(choices, current_app.config["ENABLED_LOCALES"])
    slug = form.survey.data or (default.slug if default else None)
    survey = next((s for s in surveys if s.slug == slug), None)
    lang = form.lang.data if form.lang.data in current_app.config["ENABLED_LOCALES"] else None
    return surveys, survey, lang or locale


@bp.get("/<int:site_id>/poster")
@roles_required(*ALL_ROLES)
def poster(site_id: int):
    """A printable poster for one site and one open survey, in the chosen language.

    Without ``PUBLIC_BASE_URL`` the link is built from this request's host (often 127.0.0.1),
    so the page warns staff on screen before they print.
    """
    site = _site_or_404(site_id)
    form = PosterForm(request.args)
    surveys, survey, lang = _chosen_survey(form, site)
    form.survey.data, form.lang.data = (survey.slug if survey else ""), lang
    context = {
        "site": site, "form": form, "survey": survey, "surveys": surveys, "lang": lang,
        "can_edit": current_user.role in STAFF_ROLES,
        "host_link_only": not current_app.config.get("PUBLIC_BASE_URL"),
    }
    if survey is not None:
        context["link"] = service.survey_link(survey, site)
        context["texts"] = service.poster_texts(survey, site, lang)
    return render_template("feedback/sites_poster.html", **context)


@bp.get("/<int:site_id>/qr.svg")
@roles_required(*ALL_ROLES)
def qr(site_id: int):
    """The QR code (SVG) of a site's survey link, as an image or a download."""
    site = _site_or_404(site_id)
    survey = next((s for s in service.open_surveys() if s.slug == request.args.get("survey")), None)
    if survey is None:
        abort(404)
    svg = service.qr_svg(service.survey_link(survey, site))
    response = Response(svg, mimetype="image/svg+xml")
    if request.args.get("download"):
        response.headers.update(attachment(f"qr-{survey.slug}-{site.code}.svg"))
    return response
