"""Demo coalition for development and demos: idempotent, so it is safe to run twice."""

from __future__ import annotations

from demo.youth_survey import YOUTH_SLUG
from feedback.core.extensions import db
from feedback.responses.models import Organization, PartnerSite, StaffUser
from surveys.models import Survey

BACKBONE = "City Youth Partnership (backbone)"
#: (organisation, [(site code, site name, neighbourhood, kiosk)])
PARTNERS = [
    ("Eastside Boys & Girls Club", [("eastside-club", "Eastside Clubhouse", "Eastside", True)]),
    (
        "Familias Unidas Community Center",
        [
            ("familias-centro", "Familias Unidas Centro", "Riverside", False),
            ("familias-library", "Riverside Library Branch", "Riverside", True),
        ],
    ),
    (
        "Vietnamese American Youth Alliance",
        [("vaya-village", "Village de l'Est Youth Center", "New Orleans East", True)],
    ),
]


def _get_or_create_org(name: str, kind: str) -> Organization:
    org = db.session.scalar(db.select(Organization).filter_by(name=name))
    if org is None:
        org = Organization(name=name, kind=kind)
        db.session.add(org)
        db.session.flush()
    return org


def seed_foundation(admin_email: str, admin_password_hash: str) -> StaffUser:
    """Organisations, partner sites and the demo administrator."""
    backbone = _get_or_create_org(BACKBONE, "backbone")
    for org_name, sites in PARTNERS:
        org = _get_or_create_org(org_name, "partner")
        for code, name, neighbourhood, kiosk in sites:
            if db.session.scalar(db.select(PartnerSite).filter_by(code=code)) is None:
                db.session.add(
                    PartnerSite(
                        code=code,
                        name=name,
                        organization=org,
                        neighbourhood=neighbourhood,
                        kiosk_mode=kiosk,
                    )
                )
    admin = db.session.scalar(db.select(StaffUser).filter_by(email=admin_email))
    if admin is None:
        admin = StaffUser(
            email=admin_email,
            password_hash=admin_password_hash,
            role="admin",
            organization=backbone,
        )
        db.session.add(admin)
    db.session.commit()
    return admin


def assign_demo_site_surveys() -> None:
    """Seeder (after the survey definitions): every demo site runs the youth survey
    on the web (the family survey runs by SMS), so its posters advertise that one. A site
    whose survey staff already chose keeps it."""
    youth = db.session.scalar(db.select(Survey).filter_by(slug=YOUTH_SLUG))
    if youth is None:
        return
    codes = [code for _org, sites in PARTNERS for code, *_rest in sites]
    for site in db.session.scalars(db.select(PartnerSite).where(PartnerSite.code.in_(codes))):
        if site.survey_id is None:
            site.survey_id = youth.id
    db.session.commit()
