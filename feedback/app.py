"""The application factory: the one place that wires packages, blueprints, CLI commands, jobs,
and every side effect of a write (docs/architecture.md)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from feedback.core.config import PROJECT_ROOT, check_production, engine_options, load_config


def create_app(config: dict | None = None) -> Flask:
    """Create the app: defaults, then environment variables, then ``config`` (tests)."""
    app = Flask(
        "feedback",
        root_path=str(PROJECT_ROOT / "feedback"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    check_production(app.config)

    from feedback.core import hygiene
    from feedback.core.redaction import redact

    # Before any route exists: form values without control characters, ids an id column holds.
    hygiene.init_app(app)
    # Free text on every staff page (messaging's and the review's) passes the rule quotes and
    # exports pass (docs/privacy.md).
    app.add_template_filter(redact, "redact")

    from feedback.core import logging_setup

    logging_setup.init_app(app)

    from feedback.core import server_settings, sqlfunctions
    from feedback.core.extensions import csrf, db, migrate
    from feedback.core.queue import queue

    db.init_app(app)
    sqlfunctions.init_app(app)  # SQLite: casefold() for every alphabet, as PostgreSQL's lower()
    server_settings.init_app(app)  # PostgreSQL: no JIT compilation of the review's counts
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    queue.configure(app)

    # Models of every package, so metadata (and Alembic) sees all tables.
    import feedback.responses.models  # noqa: F401
    import surveys.models  # noqa: F401
    from feedback import cli
    from feedback import pages as site
    from feedback import setup as web
    from feedback.core import audit, errors, i18n, security
    from feedback.staff import auth
    from feedback.staff import views as accounts

    i18n.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    site.init_app(app)
    cli.init_app(app)
    accounts.init_app(app)
    audit.init_app(app)
    web.init_app(app)

    import analysis.setup
    import messaging.setup
    import surveys.setup

    surveys.setup.init_app(app)
    messaging.setup.init_app(app)
    analysis.setup.init_app(app)

    # development only, outside the runtime packages (docs/architecture.md)
    import demo.cli

    demo.cli.init_app(app)
    if app.config.get("BENCHMARK_ENDPOINTS"):
        from devtools.benchmark_endpoints import register_benchmark_endpoints

        register_benchmark_endpoints(app)

    connect_side_effects()
    # Settle the ORM's mappers now, not on the first query: gunicorn's master builds the app
    # before forking, so each worker (a replacement for a dead one too) starts with them
    # settled instead of spending about 0.1 s of CPU on its first request
    # (docs/reliability.md, "A dead web worker is replaced at once").
    sa.orm.configure_mappers()
    return app


def connect_side_effects() -> None:
    """Register every side effect of a write: the SQLAlchemy flush listeners and the signal
    receivers, here and nowhere else, never at import (listed in docs/architecture.md).

    Safe to call again (every test builds an app): a listener or receiver is added once."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from analysis.review.daily_totals import (
        mark_completed_day,
        mark_respondent_days,
        mark_stale_days,
    )
    from analysis.tagging.jobs import on_response_recorded, on_tags_outdated
    from analysis.tagging.theme_keys import rewrite_theme_keys
    from feedback.core import signals
    from feedback.responses.models import sync_answer_copies
    from messaging.contacts.retention import erase_old_contact_data
    from messaging.inbound.jobs import on_inbound_failed
    from messaging.setup import on_loop_update_previewing, on_loop_update_published

    flush_listeners = [
        # an answer keeps copies of its response's columns (site, survey, completion, ...)
        ("before_flush", sync_answer_copies),
        # the review's daily totals: the days a flush wrote become stale
        ("after_flush", mark_stale_days),
        # answer_tag.theme_key: each comment's set of themes as one comparable value
        ("after_flush", rewrite_theme_keys),
    ]
    for event, listener in flush_listeners:
        if not sa.event.contains(Session, event, listener):
            sa.event.listen(Session, event, listener)

    receivers = [
        # a response completed by Core statements (the SMS hot path): its day becomes stale
        (signals.response_completing, mark_completed_day),
        # a respondent's demographics written by Core statements: their days become stale
        (signals.respondent_changing, mark_respondent_days),
        # answers stored ("response completed" news included): queue the tagging job
        (signals.response_recorded, on_response_recorded),
        # codebook edited or a better model activated: re-tag stale comments
        (signals.tags_outdated, on_tags_outdated),
        # a webhook text failed its handling: queue the retry job
        (signals.inbound_failed, on_inbound_failed),
        # the review published an update with the SMS option: an update campaign
        (signals.loop_update_published, on_loop_update_published),
        # the review's update page asks what texting an update would send: the preview
        (signals.loop_update_previewing, on_loop_update_previewing),
        # the retention job's cutoff: erase old message bodies and silent contacts
        (signals.retention_due, erase_old_contact_data),
    ]
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)
