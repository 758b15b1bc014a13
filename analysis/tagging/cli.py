"""``flask analyze``: (re)tag stored comments in batches, safe to interrupt and resume."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from analysis.tagging.jobs import DEFAULT_BATCH, count_stale, retag_batches


@click.command("analyze")
@click.option("--survey", "survey_slug", default=None, help="Only this survey (slug).")
@click.option("--all", "everything", is_flag=True,
              help="Re-tag every comment, not only those missing or out of date.")
@click.option("--batch-size", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1))
@with_appcontext
def analyze_command(survey_slug, everything, batch_size):
    """Tag comments whose tag is missing or made by an older codebook or model.

    Works in answer-id order and commits each batch: after an interruption, run it again and it
    continues with the comments still missing or out of date. With --all every comment is
    re-tagged; an interrupted --all run resumes with a plain run only for comments not yet
    current (those already re-tagged by it are current).
    """
    total = count_stale(survey_slug, everything)
    if not total:
        click.echo("Nothing to analyse: every comment is up to date.")
        return
    done = 0
    with click.progressbar(length=total, label="Analysing comments") as bar:
        for n in retag_batches(survey_slug, everything, batch_size):
            done += n
            bar.update(n)
    click.echo(f"Analysed {done} comments.")


@click.group("analysis")
def analysis_group():
    """Analysis models: evaluation."""


@analysis_group.command("evaluate")
@click.option("--languages", default="en,es,vi", show_default=True)
def evaluate_command(languages):
    """Print per-language macro-F1 (old TF-IDF model beside the encoder model), confusion
    matrices, theme precision/recall and language-ID accuracy on `analysis/data/eval_*`."""
    from analysis.tagging import evaluate

    evaluate.main(["--languages", languages])
