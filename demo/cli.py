"""The ``seed-demo`` command: a believable demo coalition, seeded stage by stage.

The stages are listed here, in order, so one file says what the demo holds and what builds on
what; every seeder is idempotent, so the command is safe to run twice.
"""

from __future__ import annotations

import click
from flask import current_app

from analysis.review import daily_totals
from demo.analysis import seed_demo_analysis
from demo.foundation import assign_demo_site_surveys, seed_foundation
from demo.goals import seed_demo_goals
from demo.sms import seed_demo_sms
from demo.web_answers import seed_web_answers
from demo.youth_survey import seed_youth_survey
from feedback.core.extensions import db
from feedback.responses.models import Organization, StaffUser
from feedback.staff.auth import hash_password

#: Printed by seed-demo; development only (the demo refuses to run in production).
DEMO_ADMIN_EMAIL = "admin@demo.coalition.example"
DEMO_ADMIN_PASSWORD = "demo-password-2026"

#: After the foundation: survey definitions first, since answers, SMS and analysis build on
#: them; the daily totals last, so the first dashboard view has nothing to catch up.
STAGES = (
    seed_youth_survey,
    assign_demo_site_surveys,
    seed_web_answers,
    seed_demo_sms,
    seed_demo_analysis,
    seed_demo_goals,
    daily_totals.refresh,
)


def ensure_demo_foundation() -> StaffUser:
    """The backbone, three partners with sites in different neighbourhoods, and an admin."""
    return seed_foundation(DEMO_ADMIN_EMAIL, hash_password(DEMO_ADMIN_PASSWORD))


def _print_demo_login() -> None:
    if db.session.scalar(db.select(StaffUser.id).filter_by(email=DEMO_ADMIN_EMAIL)):
        click.echo(f"  Staff login:    {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when no organisation exists yet.")
@click.option("--print-login", is_flag=True, help="Only print the demo login, if it exists.")
def seed_demo(if_empty: bool, print_login: bool) -> None:
    """Create a believable demo coalition (safe to run twice)."""
    if print_login:
        _print_demo_login()
        return
    if current_app.config.get("PRODUCTION"):
        raise click.ClickException("seed-demo is for development and demos, not production.")
    if if_empty and db.session.scalar(db.select(Organization.id).limit(1)) is not None:
        click.echo("The database already has data; demo not seeded.")
        return
    ensure_demo_foundation()
    for seeder in STAGES:
        seeder()
    db.session.commit()
    orgs = db.session.scalar(db.select(db.func.count(Organization.id)))
    click.echo(f"Demo coalition ready ({orgs} organisations).")
    click.echo(f"Staff login: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}")


def init_app(app) -> None:
    """Register ``seed-demo`` (called only by feedback.app.create_app)."""
    app.cli.add_command(seed_demo)
