"""``/staff/campaigns``: plan an SMS survey campaign, preview its texts, start it, follow it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from feedback.extensions import db
from feedback.roles import STAFF_ROLES, roles_required
from messaging import campaigns as service
from messaging import pacing
from messaging.contacts import group_counts
from messaging.forms import CampaignForm
from messaging.models import Campaign
from surveys.models import Survey

bp = Blueprint("campaigns", __name__, url_prefix="/staff/campaigns")

#: Campaign statuses as staff read them.
STATUS_LABELS = {
    "draft": _l("Draft"), "scheduled": _l("Scheduled"), "sending": _l("Starting"),
    "done": _l("Started"),
}


@bp.app_template_filter("campaign_status")
def campaign_status(status: str) -> str:
    """A campaign's status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    """Every campaign with its progress counts."""
    rows = [(c, service.campaign_progress(c)) for c in service.list_campaigns()]
    return render_template("messaging/campaigns.html", rows=rows)


def _form() -> CampaignForm:
    form = CampaignForm()
    form.survey_id.choices = [SelectChoice(s.id, f"{s.slug} ({s.sms_keyword})")
                              for s in service.sms_surveys()]
    form.group.choices = [SelectChoice(name, _("%(group)s (%(n)s contacts)", group=name, n=n))
                          for name, n, _out in group_counts()]
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def create():
    """Fill in the campaign; "Preview" shows the texts and cost, "Start campaign" starts it."""
    form = _form()
    preview = None
    if form.validate_on_submit():
        starts_at = pacing.local_to_utc(form.starts_at.data)
        if form.submit.data:
            try:
                campaign = service.start_campaign(form.name.data, form.survey_id.data,
                                                  form.group.data, starts_at, current_user.id)
            except service.CampaignError:
                flash(_("This survey is not open for SMS."), "error")
            else:
                flash(_("Campaign %(name)s scheduled.", name=campaign.name), "info")
                return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
        survey = db.session.get(Survey, form.survey_id.data)
        preview = service.preview_campaign(survey, form.group.data, starts_at)
    return render_template("messaging/campaign_form.html", form=form, preview=preview,
                           to_local=pacing.to_local)


@bp.get("/<int:campaign_id>")
@roles_required(*STAFF_ROLES)
def detail(campaign_id: int):
    """A campaign's progress: queued, sent, delivered, failed, suppressed, completed."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return render_template("messaging/campaign_detail.html", campaign=campaign,
                           progress=service.campaign_progress(campaign),
                           starts_local=pacing.to_local(campaign.starts_at))
