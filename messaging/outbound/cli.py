"""``flask sms-out ...``: run the outbound periodic work by hand (cron, debugging, no worker).

The queue worker runs these on its own schedule; the commands exist for a deployment without
a worker process and for operators checking a stuck campaign.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

sms_out_cli = AppGroup("sms-out", help="Outbound SMS: send due texts, launch campaigns, remind.")


@sms_out_cli.command("send-due")
def send_due_command() -> None:
    """Launch due campaigns and send every text whose time has come, in this process."""
    from messaging.campaigns.operations import launch_due_campaigns
    from messaging.outbound.sending import send_due_messages

    launched = launch_due_campaigns()
    sent = send_due_messages()
    click.echo(f"{launched} campaign texts queued, {sent} texts processed.")


@sms_out_cli.command("remind")
def remind_command() -> None:
    """Queue the one reminder owed to each silent, unfinished conversation."""
    from messaging.outbound.reminders import send_reminders

    click.echo(f"{send_reminders()} reminders queued.")


@sms_out_cli.command("import-contacts")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--consent", "consent_source", required=True,
              help='How the families agreed to texts, e.g. "paper-form".')
@click.option("--region", default=None, help="Region for numbers without +country code.")
def import_contacts_command(csv_file, consent_source: str, region: str | None) -> None:
    """Import contacts from a CSV file (same rules as the staff page); prints skipped rows."""
    from messaging.contacts.operations import import_contacts

    report = import_contacts(csv_file.read(), consent_source, region)
    click.echo(f"{report.created} created, {report.updated} updated, "
               f"{len(report.errors)} rows skipped.")
    if report.opted_out:
        click.echo(f"{report.opted_out} created opted out: they had opted out before their "
                   "contact was deleted.")
    for row, message in report.errors:
        click.echo(f"row {row}: {message}")
