"""Data retention: erase contact details and raw message bodies after ``RETENTION_DAYS``.

What is deleted, and by whom:
- messaging owns phone numbers, contact names and message bodies; analysis may not import it
  (docs/architecture.md), so this job sends ``feedback.core.signals.retention_due`` with the cutoff
  and
  messaging's receiver erases inbound/outbound bodies older than the cutoff and deletes contacts
  not active since (their pseudonymous respondent stays);
- the answers themselves (Answer.value and raw_text) are kept: they are the de-identified
  feedback the reviews and trends rely on, and carry no contact data (phone numbers typed into
  comments are removed from quotes and exports).
Runs daily from the queue's scheduler and on demand with ``flask --app wsgi retention``.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from huey import crontab

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.core.signals import retention_due
from feedback.responses.models import utcnow


def run_retention(days: int | None = None) -> dict:
    """Apply the retention period now; returns what receivers reported (counts only)."""
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    cutoff = utcnow() - timedelta(days=days)
    report: dict = {}
    for _receiver, result in retention_due.send(current_app._get_current_object(), cutoff=cutoff):
        if isinstance(result, dict):
            report.update(result)
    record_audit("retention.run", "retention", None,
                 {"days": days, "cutoff": cutoff.isoformat(timespec="seconds"), **report})
    db.session.commit()
    return report


@queue.periodic_task(crontab(hour="3", minute="15"))
def retention_job() -> None:
    """Daily at 03:15 (worker's clock): apply the retention period."""
    run_retention()


@click.command("retention")
@click.option("--days", type=int, default=None,
              help="Override RETENTION_DAYS for this run.")
def retention_command(days: int | None) -> None:
    """Erase contact details and message bodies older than the retention period."""
    report = run_retention(days)
    click.echo("Retention applied: " + (", ".join(f"{k}={v}" for k, v in report.items())
                                          or "no receiver reported"))
