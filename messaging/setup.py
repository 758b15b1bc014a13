"""Wires the messaging package into the app (called only by feedback.app.create_app)."""


def init_app(app) -> None:
    """Register models, blueprints, CLI commands, jobs, staff links and demo seeders."""
    import messaging.models  # noqa: F401

    _init_outbound(app)

    import messaging.inbound_setup

    messaging.inbound_setup.init_app(app)


#: Outbound settings (environment variable -> default), read once at start.
OUTBOUND_SETTINGS = {
    "SMS_RATE_PER_SECOND": (float, "1"),
    "QUIET_HOURS_START": (int, "21"),
    "QUIET_HOURS_END": (int, "8"),
    "REMINDER_DELAY_HOURS": (float, "24"),
    "SMS_MAX_ATTEMPTS": (int, "6"),
    "SMS_VALIDITY_PERIOD": (int, "14400"),
}


def _init_outbound(app) -> None:
    """Outbound side: settings, send jobs, status callback, contacts and campaigns."""
    import os

    from flask_babel import lazy_gettext as _l

    import messaging.outbound  # noqa: F401  (registers the send jobs)
    from feedback.roles import STAFF_ROLES, add_staff_link
    from messaging import contacts_views, status

    for name, (cast, default) in OUTBOUND_SETTINGS.items():
        app.config.setdefault(name, cast(os.environ.get(name, default)))

    app.register_blueprint(status.bp)
    app.register_blueprint(contacts_views.bp)
    add_staff_link(app, "contacts.index", _l("SMS contacts"), STAFF_ROLES)
