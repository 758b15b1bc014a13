"""`flask surveys ...`: move survey definitions between deployments without the web builder."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from surveys import operations as ops
from surveys.definitions import DefinitionError

surveys_cli = AppGroup("surveys", help="Export, import and publish survey definitions.")


def _survey(slug: str):
    survey = ops.get_survey(slug)
    if survey is None:
        raise click.ClickException(f"No survey with the link name {slug!r}.")
    return survey


@surveys_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
def export_command(slug: str, output) -> None:
    """Write a survey's latest definition as JSON."""
    json.dump(ops.export_definition(_survey(slug)), output, ensure_ascii=False, indent=2)
    output.write("\n")


@surveys_cli.command("import")
@click.argument("path", type=click.File("r", encoding="utf-8"))
@click.option("--slug", default=None, help="Link name for the new survey (default: the file's).")
def import_command(path, slug: str | None) -> None:
    """Create a draft survey from an exported JSON file."""
    try:
        survey = ops.import_definition(json.load(path), slug=slug)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"Not valid JSON: {error}") from error
    except DefinitionError as error:
        raise click.ClickException("\n".join(["The file was not imported:", *error.problems])) \
            from error
    click.echo(f"Imported {survey.slug!r} as a draft.")


@surveys_cli.command("publish")
@click.argument("slug")
def publish_command(slug: str) -> None:
    """Publish a survey's draft (refused, with the list, while texts are missing)."""
    try:
        version = ops.publish(_survey(slug))
    except DefinitionError as error:
        raise click.ClickException("\n".join(["Not published. Still to do:", *error.problems])) \
            from error
    click.echo(f"Published version {version.number} of {slug!r}; the survey is open.")
