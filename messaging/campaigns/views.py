"""``/staff/campaigns``: plan an SMS survey campaign or a recurring pulse, preview its texts
with their segment counts, follow each send's response rate, and move, rewrite or cancel a send
until it starts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from feedback.core.extensions import db
from feedback.core.roles import STAFF_ROLES, roles_required
from messaging.campaigns import operations as service
from messaging.campaigns import pulses, submissions
from messaging.campaigns.forms import CancelForm, pulse_form, run_form
from messaging.contacts.operations import group_counts
from messaging.forms import CampaignForm
from messaging.models import Campaign, Pulse
from messaging.outbound import pacing
from surveys.models import Survey

bp = Blueprint("campaigns", __name__, url_prefix="/staff/campaigns")

#: Campaign statuses as staff read them.
STATUS_LABELS = {
    "draft": _l("Draft"), "scheduled": _l("Scheduled"), "sending": _l("Starting"),
    "done": _l("Started"), "cancelled": _l("Cancelled"),
    "skipped": _l("Not sent: the survey was not open for SMS"),
}


@bp.app_template_filter("campaign_status")
def campaign_status(status: str) -> str:
    """A campaign's status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


CADENCE_LABELS = {"weekly": _l("every week"), "monthly": _l("every month"),
                  "quarterly": _l("every three months")}


@bp.app_template_filter("pulse_cadence")
def pulse_cadence(cadence: str) -> str:
    """A pulse's cadence in the reader's language."""
    return str(CADENCE_LABELS.get(cadence, cadence))


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    """Every campaign with its progress counts."""
    rows = [(c, service.campaign_progress(c)) for c in service.list_campaigns()
            if c.pulse_id is None]
    return render_template("messaging/campaigns.html", rows=rows, pulses=pulses.list_pulses(),
                           to_local=pacing.to_local)


def _form() -> CampaignForm:
    form = CampaignForm()
    form.survey_id.choices = [SelectChoice(s.id, f"{s.slug} ({s.sms_keyword})")
                              for s in service.sms_surveys()]
    form.group.choices = [SelectChoice(name, _("%(group)s (%(n)s contacts)", group=name, n=n))
                          for name, n, _out in group_counts()]
    _give_token(form)
    return form


def _give_token(form) -> None:
    """A new form gets its submission token; a submitted one keeps the one it was sent with,
    so a double click, or a resubmit after "Preview", creates once (as the web form does)."""
    if not form.submission_token.data:
        form.submission_token.data = submissions.new_token()


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
                campaign = service.start_campaign(
                    form.name.data, form.survey_id.data, form.group.data, starts_at,
                    current_user.id, submission_token=form.submission_token.data)
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
                           starts_local=pacing.to_local(campaign.starts_at),
                           cancel_form=CancelForm())


# --- recurring pulses, and changing a send before it starts ------------------------------------


def _locales() -> list[str]:
    return list(current_app.config.get("ENABLED_LOCALES", []))


def _fill_choices(form) -> None:
    form.survey_id.choices = [SelectChoice(s.id, f"{s.slug} ({s.sms_keyword})")
                              for s in service.sms_surveys()]
    form.group.choices = [SelectChoice(name, _("%(group)s (%(n)s contacts)", group=name, n=n))
                          for name, n, _out in group_counts()]


def _text_preview(texts: dict) -> list:
    """Each staff-written text with its segment count and encoding, for the preview."""
    from feedback.core.languages import language_name
    from messaging.outbound.segments import count_segments

    return [(kind, language_name(code), text, count_segments(text))
            for kind, by_locale in pulses.clean_texts(texts).items()
            for code, text in by_locale.items()]


@bp.route("/pulses/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def pulse_new():
    """Plan a recurring pulse; "Preview" shows every run's date and each text's segments."""
    form = pulse_form(_locales())
    _fill_choices(form)
    _give_token(form)
    preview, times, problems = None, [], []
    if form.validate_on_submit():
        quiet = form.quiet_hours()
        if form.submit.data:
            try:
                pulse = pulses.create_pulse(
                    form.name.data, form.survey_id.data, form.group.data, form.cadence.data,
                    form.first_local.data, form.ends_on.data, *quiet, texts=form.texts(),
                    created_by_id=current_user.id, submission_token=form.submission_token.data)
            except pulses.PulseError as exc:
                db.session.rollback()  # nothing planned: the submission's lock is let go
                problems = exc.problems
            else:
                flash(_("Pulse %(name)s planned: %(n)s sends.", name=pulse.name,
                        n=len(pulses.runs_of(pulse))), "info")
                return redirect(url_for("campaigns.pulse_detail", pulse_id=pulse.id))
        survey = db.session.get(Survey, form.survey_id.data)
        texts = pulses.clean_texts(form.texts())
        problems = problems or pulses.text_problems(texts)
        preview = service.preview_campaign(survey, form.group.data,
                                           pacing.local_to_utc(form.first_local.data), texts)
        times = pulses.run_times(form.cadence.data, form.first_local.data, form.ends_on.data,
                                 *quiet)
    return render_template("messaging/pulse_form.html", form=form, preview=preview,
                           times=times, problems=problems, written=_text_preview(form.texts()))


@bp.get("/pulses/<int:pulse_id>")
@roles_required(*STAFF_ROLES)
def pulse_detail(pulse_id: int):
    """The pulse's sends: when, status, response rate; edit or cancel those not started."""
    pulse = db.get_or_404(Pulse, pulse_id)
    return render_template("messaging/pulse_detail.html", pulse=pulse,
                           rates=pulses.run_rates(pulses.runs_of(pulse)),
                           to_local=pacing.to_local, cancel_form=CancelForm())


@bp.post("/pulses/<int:pulse_id>/stop")
@roles_required(*STAFF_ROLES)
def pulse_stop(pulse_id: int):
    pulse = db.get_or_404(Pulse, pulse_id)
    if CancelForm().validate_on_submit():
        n = pulses.stop_pulse(pulse)
        flash(_("Pulse stopped: %(n)s sends cancelled.", n=n), "info")
    return redirect(url_for("campaigns.pulse_detail", pulse_id=pulse.id))


def _back(campaign: Campaign):
    if campaign.pulse_id:
        return redirect(url_for("campaigns.pulse_detail", pulse_id=campaign.pulse_id))
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(campaign_id: int):
    """Move a scheduled send or change its texts (per language, with segment counts)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if campaign.status != "scheduled" or campaign.kind != "survey":
        if request.method == "POST":
            flash(_("This send has already started or was cancelled: it can no longer be "
                    "changed."), "error")
            return _back(campaign)
        return render_template("messaging/campaign_edit.html", campaign=campaign, form=None,
                               problems=[], preview=None, written=[])
    texts = campaign.texts or {}
    data = {"starts_at": pacing.to_local(campaign.starts_at).replace(tzinfo=None)}
    for kind in pulses.TEXT_KINDS:
        for code, text in (texts.get(kind) or {}).items():
            data[f"{kind}_{code}"] = text
    form = run_form(_locales(), data=data if request.method == "GET" else None)
    problems, preview = [], None
    if form.validate_on_submit():
        if form.submit.data:
            try:
                changed = pulses.edit_run(campaign, form.starts_at.data, form.texts())
            except pulses.PulseError as exc:
                problems = exc.problems
            else:
                if changed:
                    flash(_("Send %(name)s saved.", name=campaign.name), "info")
                else:
                    flash(_("This send has already started or was cancelled: it can no longer "
                            "be changed."), "error")
                return _back(campaign)
        survey = db.session.get(Survey, campaign.survey_id)
        problems = problems or pulses.text_problems(pulses.clean_texts(form.texts()))
        preview = service.preview_campaign(survey, campaign.group or "",
                                           pacing.local_to_utc(form.starts_at.data),
                                           pulses.clean_texts(form.texts()))
    return render_template("messaging/campaign_edit.html", form=form, campaign=campaign,
                           problems=problems, preview=preview,
                           written=_text_preview(form.texts()))


@bp.post("/<int:campaign_id>/cancel")
@roles_required(*STAFF_ROLES)
def cancel(campaign_id: int):
    """Cancel a send that has not started (a one-off campaign or one run of a pulse)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if CancelForm().validate_on_submit():
        if pulses.cancel_run(campaign):
            flash(_("Send %(name)s cancelled.", name=campaign.name), "info")
        else:
            flash(_("This send has already started or was cancelled: it can no longer be "
                    "changed."), "error")
    return _back(campaign)
