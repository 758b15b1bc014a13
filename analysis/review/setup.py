"""Wires the agenda review into the app (called from analysis.setup.init_app)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Models, blueprints, staff links, the retention, daily totals and warming commands and
    jobs."""
    from analysis.review import (
        daily_totals,
        goals,  # noqa: F401  (models)
        public,
        retention,
        views,
        warming,
    )
    from analysis.tagging import theme_keys  # noqa: F401  (its flush hook)
    from feedback.core import audit  # noqa: F401  (the AuditEvent model exports write to)
    from feedback.core.roles import ALL_ROLES, STAFF_ROLES, add_staff_link

    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    app.cli.add_command(retention.retention_command)
    app.cli.add_command(daily_totals.rebuild_command)
    app.cli.add_command(warming.warm_command)
    add_staff_link(app, "review.dashboard", _l("Agenda review"), ALL_ROLES)
    add_staff_link(app, "review.trends", _l("Trends over years"), ALL_ROLES)
    add_staff_link(app, "review.year_report", _l("Community report"), ALL_ROLES)
    add_staff_link(app, "review.goals", _l("Agenda goals"), STAFF_ROLES)
    add_staff_link(app, "review.loop_list", _l("You said, we did"), STAFF_ROLES)
    add_staff_link(app, "review.held", _l("Held responses"), STAFF_ROLES)
    from analysis.review import attention

    attention.init_app(app)
