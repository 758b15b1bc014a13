"""Partner sites: the write path for staff edits, survey links and QR posters.

Posters and QR codes point at the stable public link ``/s/<slug>?site=<code>`` (a stable URL), so
a printed poster keeps working across survey versions. The link is built from
``PUBLIC_BASE_URL`` when set (behind a proxy the request host is the internal one).
"""

from __future__ import annotations

import io

import segno
from flask import current_app, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.extensions import db
from feedback.models import Organization, PartnerSite
from surveys.models import Survey
from surveys.operations import current_version
from surveys.texts import localized


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
    if site is None:
        site = PartnerSite()
        db.session.add(site)
    site.code = code
    site.name = fields["name"].strip()
    site.organization_id = fields["organization_id"]
    site.neighbourhood = (fields.get("neighbourhood") or "").strip()
    site.kiosk_mode = bool(fields.get("kiosk_mode"))
    site.kiosk_reset_seconds = int(fields.get("kiosk_reset_seconds") or 20)
    db.session.commit()
    return site


def open_surveys() -> list[Survey]:
    """Surveys a poster may advertise: open ones only (a closed link would disappoint)."""
    query = db.select(Survey).filter_by(status="open").order_by(Survey.slug)
    return list(db.session.scalars(query))


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


def poster_texts(survey: Survey, site: PartnerSite, locale: str) -> dict[str, str]:
    """Every poster line in ``locale`` (the staff page itself stays in the staff language)."""
    with force_locale(locale):
        title = survey_title(survey, locale)
        return {
            "headline": _("Tell us what you think!"),
            "title": title,
            "body": _(
                "Answer a short survey on your phone. It takes about five minutes. "
                "You do not need to give your name, and every question is optional."
            ),
            "scan": _("Scan the code with your phone camera, or type this link:"),
            "site": _("Survey for %(site)s", site=site.name),
            "after": _("Staff read every answer, and we post what we changed because of them."),
            "qr_alt": _("QR code that opens the survey"),
        }
