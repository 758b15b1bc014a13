"""Wires the inbound side of SMS: the webhook, the simulator, the jobs and the demo seeder.

Called from :func:`messaging.setup.init_app` (kept apart so the outbound side's wiring and
this one do not edit the same lines).
"""

from __future__ import annotations

import os

from flask_babel import lazy_gettext as _l

#: Order of the SMS demo seeder (DESIGN: 30 = SMS survey, contacts, conversations).
DEMO_ORDER = 30


def init_app(app) -> None:
    """Register the inbound webhook, its jobs, the simulator (console backend only) and the
    SMS demo seeder."""
    app.config.setdefault(
        "SMS_CONVERSATION_TTL_HOURS",
        float(os.environ.get("SMS_CONVERSATION_TTL_HOURS", "48")),
    )
    import messaging.inbound_jobs  # noqa: F401  (registers the jobs)
    from messaging import webhook

    app.register_blueprint(webhook.bp)
    if os.environ.get("BENCHMARK_ENDPOINTS") == "1" or app.config.get("BENCHMARK_ENDPOINTS"):
        webhook.register_benchmark_endpoints(app)
    if app.config.get("SMS_BACKEND") == "console":
        from feedback.roles import STAFF_ROLES, add_staff_link
        from messaging import simulator

        app.register_blueprint(simulator.bp)
        add_staff_link(app, "sms_simulator.page", _l("SMS simulator"), STAFF_ROLES)

    from feedback.health import register_check
    from messaging.inbound_jobs import health

    register_check(app, "sms_inbound", health)
    from messaging.demo_sms import seed_demo_sms

    app.extensions.setdefault("demo_seeders", []).append((DEMO_ORDER, seed_demo_sms))
