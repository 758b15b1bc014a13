"""Wires the public web survey, partner-site pages and the demo web answers into the app.

``create_app`` calls :func:`init_app` once (like each package's ``setup.init_app``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from feedback.core.roles import ALL_ROLES, add_staff_link

#: Demo stage: 20 = web answers (after survey definitions at 10).
DEMO_ORDER = 20
#: Demo stage: 15 = each demo site's survey (once the definitions exist).
SITE_SURVEYS_ORDER = 15


def init_app(app) -> None:
    """Register the survey and sites blueprints, the staff link and the demo seeder."""
    from feedback.demo.foundation import assign_demo_site_surveys
    from feedback.demo.web_answers import seed_web_answers
    from feedback.sites import views as sites
    from feedback.webform import views as webform

    app.register_blueprint(webform.bp)
    app.register_blueprint(sites.bp)
    add_staff_link(app, "sites.index", _l("Partner sites"), ALL_ROLES)
    app.extensions.setdefault("demo_seeders", []).append((DEMO_ORDER, seed_web_answers))
    app.extensions["demo_seeders"].append((SITE_SURVEYS_ORDER, assign_demo_site_surveys))
