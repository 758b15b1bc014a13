"""Wires the public web survey and partner-site pages into the app.

``create_app`` calls :func:`init_app` once (like each package's ``setup.init_app``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from feedback.core.roles import ALL_ROLES, add_staff_link


def init_app(app) -> None:
    """Register the survey and sites blueprints and the staff link."""
    from feedback.sites import views as sites
    from feedback.webform import views as webform

    app.register_blueprint(webform.bp)
    app.register_blueprint(sites.bp)
    add_staff_link(app, "sites.index", _l("Partner sites"), ALL_ROLES)
