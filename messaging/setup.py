"""Wires the messaging package into the app (called only by feedback.app.create_app)."""


def init_app(app) -> None:
    """Register models, blueprints, CLI commands, jobs, staff links and demo seeders."""
    import messaging.models  # noqa: F401

    _init_outbound(app)

    import messaging.inbound.setup

    messaging.inbound.setup.init_app(app)


def _init_outbound(app) -> None:
    """Outbound side: settings, send jobs, status callback, contacts and campaigns."""
    from flask_babel import lazy_gettext as _l

    import messaging.campaigns.operations  # noqa: F401  (registers the launch jobs)
    import messaging.outbound.reminders  # noqa: F401  (registers the reminder job)
    import messaging.outbound.sending  # noqa: F401  (registers the send jobs)
    from feedback.core.roles import STAFF_ROLES, add_staff_link
    from messaging.campaigns import views as campaign_views
    from messaging.contacts import views as contacts_views
    from messaging.outbound import status

    app.register_blueprint(status.bp)
    app.register_blueprint(contacts_views.bp)
    add_staff_link(app, "contacts.index", _l("SMS contacts"), STAFF_ROLES)
    app.register_blueprint(campaign_views.bp)
    add_staff_link(app, "campaigns.index", _l("SMS campaigns"), STAFF_ROLES)
    from messaging.outbound import attention

    attention.init_app(app)

    from messaging.outbound.cli import sms_out_cli

    app.cli.add_command(sms_out_cli)


def on_loop_update_published(sender, update_id, name, messages_by_locale, respondent_ids,
                             created_by_id=None, **_):
    """Signal receiver: the review published a "you said, we did" update with the SMS option;
    text it (analysis never imports messaging: docs/architecture.md)."""
    from messaging.campaigns.operations import create_update_campaign

    create_update_campaign(name, messages_by_locale, respondent_ids, created_by_id=created_by_id)


def on_loop_update_previewing(sender, messages_by_locale, respondent_ids, **_):
    """Signal receiver: the review's "you said, we did" page asks what texting an update
    would send; the answer is the update campaign's own preview, so the page counts the
    recipients and segments as the send will."""
    from messaging.campaigns.operations import preview_update

    return preview_update(messages_by_locale, respondent_ids)
