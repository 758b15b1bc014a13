"""Command-line tools: accounts, the queue worker and translation catalogs."""

from __future__ import annotations

import click
from flask import current_app

from feedback.core import catalogs
from feedback.core.extensions import db
from feedback.responses.models import StaffUser
from feedback.staff.auth import PasswordPolicyError, hash_password


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, password: str) -> None:
    """Create (or reset) an administrator account."""
    email = email.strip().lower()
    try:
        password_hash = hash_password(password)
    except PasswordPolicyError as exc:
        raise click.BadParameter(str(exc), param_hint="--password") from exc
    user = db.session.scalar(db.select(StaffUser).filter_by(email=email))
    if user is None:
        user = StaffUser(email=email, role="admin", password_hash=password_hash)
        db.session.add(user)
    else:
        user.password_hash, user.role, user.active = password_hash, "admin", True
    db.session.commit()
    click.echo(f"Administrator {email} is ready.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads in this process.")
@click.option(
    "--long-workers", default=2, show_default=True,
    help="Threads for the long jobs' queue (counting the review ahead, and views a page "
         "waits for): one counts, the other takes the runs that give way to it and the "
         "pages' views; 0 leaves those jobs to another worker.",
)
@click.option(
    "--no-periodic", is_flag=True, help="Do not run periodic jobs here (another worker does)."
)
def worker(workers: int, long_workers: int, no_periodic: bool) -> None:
    """Run the task queue worker (several may run, on several machines, with Redis).

    Stops cleanly on SIGTERM/SIGINT after finishing the jobs in progress; a long job in
    progress is dropped (each of its steps commits, so it starts over at its next run).
    """
    from feedback.core.queue import queue

    def consumer(huey, threads):
        return huey.create_consumer(
            workers=threads, worker_type="thread", periodic=not no_periodic,
            check_worker_health=True,
        )

    # Started first: the main consumer's run() then takes over the signal handlers.
    long_consumer = consumer(queue.long_huey, long_workers) if long_workers > 0 else None
    if long_consumer is not None:
        long_consumer.start()
    click.echo(f"Queue worker started ({workers} threads, queue {queue.huey.name!r}; "
               f"{long_workers} for {queue.long_huey.name!r}).")
    try:
        consumer(queue.huey, workers).run()
    finally:
        if long_consumer is not None:
            long_consumer.stop()  # its threads are daemons: they end with the process


@click.command("health")
def health_command() -> None:
    """Print the health report as JSON (database, sweepers' last runs, spool and backlogs);
    exit 1 when something needs a person."""
    import json

    from feedback.core.health import report

    result = report()
    click.echo(json.dumps(result, indent=2, sort_keys=True))
    if not result["ok"]:
        raise SystemExit(1)


@click.command("queue-ping")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for a worker.")
@click.option("--long", "long_queue", is_flag=True, help="Ping the long jobs' queue instead.")
def queue_ping(timeout: float, long_queue: bool) -> None:
    """Enqueue a diagnostic job and wait until a worker has run it (exit 1 if none did)."""
    import secrets

    from feedback.core.queue_diag import long_ping, ping, wait_for_ping

    token = secrets.token_hex(8)
    (long_ping if long_queue else ping)(token)
    pid = wait_for_ping(token, timeout)
    which = "long jobs' ping" if long_queue else "ping"
    if pid is None:
        raise click.ClickException(f"No worker ran the {which} job within {timeout:g} s.")
    click.echo(f"A worker (pid {pid}) ran the {which} job.")


@click.group("translate")
def translate() -> None:
    """Extract, update, compile and check the translation catalogs."""


@translate.command("update")
def translate_update() -> None:
    """Extract strings into messages.pot and merge them into every catalog."""
    catalogs.extract()
    catalogs.update()
    click.echo("Catalogs updated; translate the new entries, then run 'translate compile'.")


@translate.command("compile")
def translate_compile() -> None:
    """Compile .po catalogs into the .mo files Flask-Babel reads."""
    if not catalogs.compile_all():
        click.echo("No catalogs to compile yet (run 'translate update' first).", err=True)


@translate.command("check")
def translate_check() -> None:
    """Fail when a catalog is stale or has untranslated or fuzzy entries."""
    problems = catalogs.check(current_app.config["ENABLED_LOCALES"])
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Catalogs are complete and up to date.")


def init_app(app) -> None:
    import feedback.core.queue_diag  # noqa: F401 - registers the ping job with every worker

    for command in (create_admin, worker, queue_ping, translate, health_command):
        app.cli.add_command(command)
