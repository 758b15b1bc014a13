"""Wires the analysis package into the app (called only by feedback.app.create_app)."""


def init_app(app) -> None:
    """Register models, blueprints, CLI commands, jobs and staff links."""
    import analysis.models  # noqa: F401
    import analysis.review.setup

    analysis.review.setup.init_app(app)
    _init_tagging(app)


def _init_tagging(app) -> None:
    """Tagging jobs, the analyze command, codebook/answers pages."""
    from flask_babel import lazy_gettext as _l

    import analysis.tagging.views  # noqa: F401 - adds its routes to the blueprint
    from analysis.codebook.views import bp
    from analysis.tagging.cli import analysis_group, analyze_command
    from feedback.core.roles import ADMIN, STAFF_ROLES, add_staff_link

    app.register_blueprint(bp)
    app.cli.add_command(analyze_command)
    app.cli.add_command(analysis_group)
    from analysis.text.encoder import encoder_name

    app.extensions.setdefault("health_fields", {})["text_encoder"] = encoder_name
    add_staff_link(app, "analysis.answers", _l("Comments"), STAFF_ROLES)
    add_staff_link(app, "analysis.codebook", _l("Codebook"), STAFF_ROLES)
    add_staff_link(app, "analysis.model", _l("Sentiment model"), ADMIN)
    from analysis.tagging.jobs import health
    from feedback.core.health import register_check

    register_check(app, "tagging", health)
