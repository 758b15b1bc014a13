"""Wires the surveys package into the app (called only by feedback.app.create_app)."""

from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the builder blueprint, its staff link and CLI commands."""
    from feedback.core.roles import STAFF_ROLES, add_staff_link
    from surveys.cli import surveys_cli
    from surveys.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(surveys_cli)
    add_staff_link(app, "surveys.index", _l("Surveys"), STAFF_ROLES)
