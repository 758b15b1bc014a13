"""Partner sites: the write path for staff edits, survey links and QR posters.

Posters and QR codes point at the stable public link ``/s/<slug>?site=<code>`` (a stable URL), so
a printed poster keeps working across survey versions. The link is built from
``PUBLIC_BASE_URL`` when set (behind a proxy the request host is the internal one).
"""

from __future__ import annotations

import io

import segno
from babel.lists import format_list
from flask import current_app, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.responses.models import Organization, PartnerSite
from surveys.models import Survey
from surveys.operations import current_version
from surveys.texts import localized
from surveys.timing import estimated_minutes

#: A poster names the required questions when there are at most this many (else it counts them).
NAMED_REQUIRED_MAX = 3


class SiteCodeTaken(ValueError):
    """Another site already uses this code (codes are printed on posters, so they are unique)."""


def list_sites(site_ids: list[int] | None) -> list[PartnerSite]:
    """Sites ordered by organisation and name; ``site_ids`` None means every site."""
    query = (
        db.select(PartnerSite)
        .join(PartnerSite.organization)
        .order_by(Organization.name, PartnerSite.name)
    )
    if site_ids is not None:
        query = query.where(PartnerSite.id.in_(site_ids or [-1]))
    return list(db.session.scalars(query))


def organizations() -> list[Organization]:
    return list(db.session.scalars(db.select(Organization).order_by(Organization.name)))


def save_site(site: PartnerSite | None, **fields) -> PartnerSite:
    """Create (``site`` None) or update a partner site and commit; raises SiteCodeTaken."""
    code = fields["code"].strip().lower()
    clash = db.session.scalar(db.select(PartnerSite).filter_by(code=code))
    if clash is not None and clash is not site:
        raise SiteCodeTaken(code)
    created, before = site is None, site.organization_id if site is not None else None
    if site is None:
        site = PartnerSite()
        db.session.add(site)
    site.code = code
    site.name = fields["name"].strip()
    site.organization_id = fields["organization_id"]
    site.neighbourhood = (fields.get("neighbourhood") or "").strip()
    site.kiosk_mode = bool(fields.get("kiosk_mode"))
    site.kiosk_reset_seconds = int(fields.get("kiosk_reset_seconds") or 20)
    site.survey_id = fields.get("survey_id") or None
    db.session.flush()
    # a site's organisation decides which partner viewers read its responses
    details = {"code": site.code, "organization_id": site.organization_id}
    if not created and before != site.organization_id:
        details["organization_id_before"] = before
    record_audit("site.create" if created else "site.edit", "site", site.id, details)
    db.session.commit()
    return site


def open_surveys() -> list[Survey]:
    """Surveys a poster may advertise: open ones only (a closed link would disappoint)."""
    query = db.select(Survey).filter_by(status="open").order_by(Survey.slug)
    return list(db.session.scalars(query))


def all_surveys(include_closed: bool = False) -> list[Survey]:
    """Surveys a site may run (the site form's choice: closed ones aside unless asked)."""
    query = db.select(Survey).order_by(Survey.slug)
    if not include_closed:
        query = query.where(Survey.status != "closed")
    return list(db.session.scalars(query))


def site_survey(site: PartnerSite, surveys: list[Survey]) -> Survey | None:
    """The survey a site's poster advertises by default, among the open ``surveys``: the one
    chosen in the site's settings, else the only open survey; None when staff must choose
    (several open surveys and none set for the site: a guess could be the wrong audience)."""
    if site.survey_id is not None:
        chosen = next((s for s in surveys if s.id == site.survey_id), None)
        if chosen is not None:
            return chosen
    return surveys[0] if len(surveys) == 1 else None


def survey_title(survey: Survey, locale: str) -> str:
    version = current_version(survey)
    return (localized(version.title, locale) if version else "") or survey.slug


def survey_link(survey: Survey, site: PartnerSite | None) -> str:
    """The absolute public link of a survey, attributed to ``site``."""
    path = url_for("webform.survey", slug=survey.slug, site=site.code if site else None)
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
    return base + path


def qr_svg(link: str, scale: int = 8) -> str:
    """An SVG QR code for ``link``; the link is also written in the SVG's title for checking."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(
        buffer, kind="svg", scale=scale, border=2, title=link, xmldecl=True, svgns=True
    )
    return buffer.getvalue().decode("utf-8")


def _required_text(questions: list, locale: str) -> str:
    """Which questions need an answer, said from the survey (call under ``force_locale``)."""
    required = [q for q in questions if q.required]
    if not required:
        return _("Every question is optional.")
    if len(required) == len(questions):
        return _("Every question needs an answer.")
    if len(required) > NAMED_REQUIRED_MAX:
        return _(
            "%(required)s of the %(total)s questions need an answer; the others are optional.",
            required=len(required), total=len(questions),
        )
    names = format_list([f"“{localized(q.text, locale)}”" for q in required], locale=locale)
    sentence = ngettext(
        "Only one question needs an answer: %(questions)s",
        "Only these questions need an answer: %(questions)s",
        len(required), questions=names,
    )
    # A question ends with its own "?" inside the quotes; anything else gets a full stop.
    if not sentence.rstrip("”\"»").endswith(("?", ".", "!")):
        sentence += "."
    return " ".join((sentence, _("The others are optional.")))


def poster_texts(survey: Survey, site: PartnerSite, locale: str) -> dict[str, str]:
    """Every poster line in ``locale`` (the staff page itself stays in the staff language).

    The time and the required questions come from the survey's current version
    (surveys.timing), so the poster never promises what the survey does not keep.
    """
    version = current_version(survey)
    questions = list(version.questions) if version else []
    with force_locale(locale):
        title = survey_title(survey, locale)
        minutes = estimated_minutes(questions)
        body = [
            _("Answer a short survey on your phone."),
            ngettext("It takes about %(num)d minute.", "It takes about %(num)d minutes.", minutes),
            _("You do not need to give your name."),
            _required_text(questions, locale),
        ]
        return {
            "headline": _("Tell us what you think!"),
            "title": title,
            "body": " ".join(body),
            "scan": _("Scan the code with your phone camera, or type this link:"),
            "site": _("Survey for %(site)s", site=site.name),
            "after": _("Staff read every answer, and we post what we changed because of them."),
            "qr_alt": _("QR code that opens the survey"),
        }
