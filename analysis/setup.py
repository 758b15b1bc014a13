"""Wires the analysis package into the app (called only by feedback.app.create_app)."""


def init_app(app) -> None:
    """Register models, blueprints, CLI commands, jobs, staff links and demo seeders."""
    import analysis.models  # noqa: F401
    import analysis.review.setup

    analysis.review.setup.init_app(app)
