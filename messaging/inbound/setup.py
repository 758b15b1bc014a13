"""Wires the inbound side of SMS: the webhook, the simulator and the jobs.

Called from :func:`messaging.setup.init_app`; settings come from feedback.core.config.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the inbound webhook, its jobs and the simulator (console backend only)."""
    import messaging.inbound.jobs  # noqa: F401  (registers the jobs)
    from messaging.inbound import webhook

    app.register_blueprint(webhook.bp)
    if app.config.get("SMS_BACKEND") == "console":
        from feedback.core.roles import STAFF_ROLES, add_staff_link
        from messaging.inbound import simulator

        app.register_blueprint(simulator.bp)
        add_staff_link(app, "sms_simulator.page", _l("SMS simulator"), STAFF_ROLES)

    from feedback.core.health import register_check
    from messaging.inbound.jobs import health

    register_check(app, "sms_inbound", health)
