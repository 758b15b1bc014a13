"""The application factory: the one place that wires packages, blueprints, CLI commands and jobs."""

from __future__ import annotations

import os

from flask import Flask

from feedback.config import PROJECT_ROOT, check_production, load_config


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
    check_production(app.config)

    from feedback import logging_setup

    logging_setup.init_app(app)

    from feedback.extensions import csrf, db, migrate
    from feedback.queue import queue

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    queue.configure(app)

    # Models of every package, so metadata (and Alembic) sees all tables.
    import feedback.models  # noqa: F401
    import surveys.models  # noqa: F401
    from feedback import accounts, audit, auth, cli, errors, i18n, security, site, web

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

    return app
