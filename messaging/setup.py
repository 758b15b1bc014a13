"""Wires the messaging package into the app (called only by feedback.app.create_app)."""


def init_app(app) -> None:
    """Register models, blueprints, CLI commands, jobs, staff links and demo seeders."""
    import messaging.models  # noqa: F401

    _init_outbound(app)

    import messaging.inbound_setup

    messaging.inbound_setup.init_app(app)
    _connect_review_signals()


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

    import messaging.campaigns  # noqa: F401  (registers the launch jobs)
    import messaging.outbound  # noqa: F401  (registers the send jobs)
    import messaging.reminders  # noqa: F401  (registers the reminder job)
    from feedback.roles import STAFF_ROLES, add_staff_link
    from messaging import campaign_views, contacts_views, status

    for name, (cast, default) in OUTBOUND_SETTINGS.items():
        app.config.setdefault(name, cast(os.environ.get(name, default)))

    app.register_blueprint(status.bp)
    app.register_blueprint(contacts_views.bp)
    add_staff_link(app, "contacts.index", _l("SMS contacts"), STAFF_ROLES)
    app.register_blueprint(campaign_views.bp)
    add_staff_link(app, "campaigns.index", _l("SMS campaigns"), STAFF_ROLES)
    from messaging import attention

    attention.init_app(app)

    from messaging.outbound_cli import sms_out_cli

    app.cli.add_command(sms_out_cli)


def _on_loop_update_published(sender, update_id, name, messages_by_locale, respondent_ids,
                              created_by_id=None, **_):
    """The review published a "you said, we did" update with the SMS option: text it."""
    from messaging.campaigns import create_update_campaign

    create_update_campaign(name, messages_by_locale, respondent_ids, created_by_id=created_by_id)


def _on_retention_due(sender, cutoff, **_):
    """Erase message bodies older than ``cutoff`` and contacts not active since (their
    pseudonymous respondent and de-identified answers stay). Returns counts for the audit."""
    import sqlalchemy as sa

    from feedback.extensions import db
    from messaging.models import Contact, Conversation, InboundMessage, OutboundMessage

    inbound = db.session.execute(
        sa.update(InboundMessage).where(InboundMessage.received_at < cutoff,
                                        InboundMessage.body.is_not(None))
        .values(body=None, reply_body=None)).rowcount
    outbound = db.session.execute(
        sa.update(OutboundMessage).where(OutboundMessage.created_at < cutoff,
                                         OutboundMessage.body.is_not(None))
        .values(body=None)).rowcount
    recent = sa.union(
        sa.select(InboundMessage.contact_id).where(InboundMessage.received_at >= cutoff),
        sa.select(OutboundMessage.contact_id).where(OutboundMessage.created_at >= cutoff),
        sa.select(Conversation.contact_id).where(Conversation.last_activity_at >= cutoff),
    )
    stale = sa.select(Contact.id).where(Contact.created_at < cutoff, Contact.id.not_in(recent))
    stale_ids = list(db.session.scalars(stale))
    if stale_ids:
        db.session.execute(sa.update(InboundMessage).where(
            InboundMessage.contact_id.in_(stale_ids)).values(contact_id=None))
        db.session.execute(sa.delete(OutboundMessage).where(
            OutboundMessage.contact_id.in_(stale_ids)))
        db.session.execute(sa.delete(Conversation).where(Conversation.contact_id.in_(stale_ids)))
        db.session.execute(sa.delete(Contact).where(Contact.id.in_(stale_ids)))
    db.session.commit()
    return {"inbound_bodies_erased": inbound, "outbound_bodies_erased": outbound,
            "contacts_deleted": len(stale_ids)}


def _connect_review_signals() -> None:
    """Subscribe to the review's signals (analysis never imports messaging; DESIGN.md)."""
    from feedback.signals import loop_update_published, retention_due

    loop_update_published.connect(_on_loop_update_published, weak=False)
    retention_due.connect(_on_retention_due, weak=False)
