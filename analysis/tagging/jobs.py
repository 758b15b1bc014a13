"""Jobs that tag stored free-text answers with language, sentiment and themes.

Why jobs: intake must stay fast and must never fail because analysis does; the intake signal
(``feedback.core.signals.response_recorded``) only queues :func:`tag_answers`, which a worker runs
within seconds (tests run it at once).

Human corrections always win: a corrected sentiment is not overwritten (only
``auto_sentiment_label`` follows the machine), a theme a person added stays, and a theme a
person removed stays removed. Tagging the same answers twice gives the same rows (idempotent).

A tag is *current* when its ``model_version`` equals :func:`current_version` (pure analyser
version, codebook edit counter and active coalition models); ``flask analyze`` and
:func:`retag_stale` re-tag only answers whose tag is missing or not current, in id order,
committing each batch, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from analysis.breakdowns import FREE_TEXT_TYPES
from analysis.codebook.operations import codebook_version, load_codebook
from analysis.models import AnswerEmbedding, AnswerTag, AnswerTheme, SentimentModel, Theme
from analysis.text import encoder as text_encoder
from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.responses.models import Answer, Response, utcnow
from surveys.models import Question, Survey

log = logging.getLogger(__name__)

#: Bump when this module changes how tags are derived.
TAGGER_VERSION = "2"
DEFAULT_BATCH = 500


def active_models() -> dict[str, SentimentModel]:
    """The coalition's active trained sentiment model per language."""
    rows = db.session.scalars(db.select(SentimentModel).filter_by(active=True))
    return {m.language: m for m in rows}


def current_version() -> str:
    """The ``model_version`` a tag made now would carry."""
    models = active_models()
    suffix = ",".join(f"{lang}{m.id}" for lang, m in sorted(models.items()))
    return f"t{TAGGER_VERSION}+cb{codebook_version()}+sm{suffix or '0'}"[:80]


def _loaded_models() -> dict:
    """Unpickled active models (cached per app and model id)."""
    from flask import current_app

    cache = current_app.extensions.setdefault("analysis_models", {})
    loaded = {}
    for lang, row in active_models().items():
        if row.blob is None:
            continue
        if row.id not in cache:
            import pickle

            cache[row.id] = pickle.loads(row.blob)  # noqa: S301 - written by this app only
        loaded[lang] = cache[row.id]
    return loaded


def _analyze(texts: list[str], languages: list[str | None], embeddings=None):
    """Call the pure batch API with the stored codebook and the coalition's active models."""
    import analysis

    return analysis.analyze_many(texts, load_codebook(), languages,
                                 sentiment_models=_loaded_models() or None,
                                 embeddings=embeddings)


def embeddings_for(rows: Sequence[tuple[int, str, str | None]]):
    """The encoder vectors of (answer id, text, locale) rows: stored ones are read back, the
    others are encoded once and stored (caller commits). Re-tagging after a codebook edit or a
    retrain therefore never encodes again (docs/analysis.md, "Encoder")."""
    import numpy as np

    from analysis.text.normalize import prepare

    name = text_encoder.encoder_name()
    ids = [r[0] for r in rows]
    stored = {}
    for i in range(0, len(ids), 1000):
        stored.update(db.session.execute(
            sa.select(AnswerEmbedding.answer_id, AnswerEmbedding.vector).where(
                AnswerEmbedding.answer_id.in_(ids[i : i + 1000]),
                AnswerEmbedding.encoder == name)).all())
    missing = [r for r in rows if r[0] not in stored]
    if missing:
        fresh = text_encoder.encode([prepare(r[1]) for r in missing])
        present = set(db.session.scalars(sa.select(AnswerEmbedding.answer_id).where(
            AnswerEmbedding.answer_id.in_([r[0] for r in missing]))))
        for (answer_id, _, _), vector in zip(missing, fresh, strict=True):
            blob = text_encoder.pack(vector)
            stored[answer_id] = blob
            if answer_id in present:  # another encoder's vector: replace it
                db.session.execute(sa.update(AnswerEmbedding).where(
                    AnswerEmbedding.answer_id == answer_id).values(encoder=name, vector=blob))
            else:
                db.session.add(AnswerEmbedding(answer_id=answer_id, encoder=name, vector=blob))
    return np.vstack([text_encoder.unpack(stored[i]) for i in ids])


def free_text_answers(ids: Iterable[int] | None = None):
    """SELECT of (answer id, text, response locale) for non-empty free-text answers."""
    stmt = (
        sa.select(Answer.id, Answer.raw_text, Response.locale)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.type.in_(FREE_TEXT_TYPES), Answer.raw_text.is_not(None),
               Answer.raw_text != "")
    )
    if ids is not None:
        stmt = stmt.where(Answer.id.in_(list(ids)))
    return stmt.order_by(Answer.id)


def _apply(answer_id: int, result, theme_ids: dict[str, int], version: str) -> None:
    now = utcnow()
    tag = db.session.get(AnswerTag, answer_id)
    label = result.sentiment.label
    if tag is None:
        tag = AnswerTag(answer_id=answer_id, sentiment_label=label)
        db.session.add(tag)
    tag.language = result.language
    tag.language_confidence = float(result.language_confidence or 0.0)
    tag.auto_sentiment_label = label
    tag.sentiment_score = float(result.sentiment.score)
    if tag.sentiment_corrected_at is None:
        tag.sentiment_label = label
    tag.analyzed_at = now
    tag.model_version = version
    tag.is_request = bool(getattr(result, "is_request", False))
    tag.sentiment_confidence = float(getattr(result.sentiment, "confidence", 0.0) or 0.0)

    matches = {}
    for match in result.themes:
        key = getattr(match, "key", None) or getattr(getattr(match, "theme", None), "key", None)
        if key in theme_ids:
            matches[theme_ids[key]] = list(getattr(match, "evidence", ()) or ())
    existing = {
        row.theme_id: row
        for row in db.session.scalars(db.select(AnswerTheme).filter_by(answer_id=answer_id))
    }
    for theme_id, row in existing.items():
        row.auto = theme_id in matches
        if theme_id in matches:
            row.evidence = matches[theme_id]
        elif row.source == "auto":
            db.session.delete(row)
    for theme_id, evidence in matches.items():
        if theme_id not in existing:
            db.session.add(AnswerTheme(answer_id=answer_id, theme_id=theme_id, source="auto",
                                       evidence=evidence, auto=True))


def tag_rows(rows: Sequence[tuple[int, str, str | None]]) -> int:
    """Analyse (answer id, text, locale) rows and upsert their tags; caller commits."""
    if not rows:
        return 0
    theme_ids = {k: i for k, i in db.session.execute(
        sa.select(Theme.key, Theme.id).filter_by(active=True))}
    vectors = embeddings_for(rows)
    results = _analyze([r[1] for r in rows], [r[2] for r in rows], vectors)
    version = current_version()
    for (answer_id, _, _), result in zip(rows, results, strict=True):
        _apply(answer_id, result, theme_ids, version)
    return len(rows)


def tag_answer_ids(answer_ids: Iterable[int]) -> int:
    """Tag the given answers (non-text ones are ignored) and commit. Returns how many."""
    rows = db.session.execute(free_text_answers(answer_ids)).all()
    count = tag_rows([tuple(r) for r in rows])
    db.session.commit()
    return count


@queue.task()
def tag_answers(answer_ids: list[int]) -> int:
    """Job: tag answers just recorded (queued by the intake signal)."""
    return tag_answer_ids(answer_ids)


def stale_answers(survey_slug: str | None = None, everything: bool = False,
                  after_id: int = 0):
    """SELECT of free-text answers to (re)tag, in id order (see the module docstring)."""
    stmt = free_text_answers().where(Answer.id > after_id)
    if survey_slug:
        stmt = stmt.join(Survey, Survey.id == Response.survey_id).where(Survey.slug == survey_slug)
    if not everything:
        stmt = stmt.outerjoin(AnswerTag, AnswerTag.answer_id == Answer.id).where(
            sa.or_(AnswerTag.answer_id.is_(None), AnswerTag.model_version != current_version())
        )
    return stmt


def retag_batches(survey_slug: str | None = None, everything: bool = False,
                  batch_size: int = DEFAULT_BATCH):
    """Re-tag in batches, committing each; yields the number done per batch (for progress)."""
    last_id = 0
    while True:
        rows = db.session.execute(
            stale_answers(survey_slug, everything, last_id).limit(batch_size)
        ).all()
        if not rows:
            return
        tag_rows([tuple(r) for r in rows])
        db.session.commit()
        last_id = rows[-1][0]
        yield len(rows)


def count_stale(survey_slug: str | None = None, everything: bool = False) -> int:
    sub = stale_answers(survey_slug, everything).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0


@queue.task()
def retag_stale_job() -> int:
    """Job: re-tag every comment whose tag is missing or made by an older codebook/model."""
    return sum(retag_batches())


def untagged_answers(older_than_seconds: int, after_id: int = 0, limit: int = DEFAULT_BATCH):
    """Free-text answers with no tag at all, stored more than ``older_than_seconds`` ago (a
    queue worker killed mid-run, an enqueue that failed), oldest first, after ``after_id``."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    return (
        free_text_answers()
        .outerjoin(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(AnswerTag.answer_id.is_(None), Answer.created_at < cutoff, Answer.id > after_id)
        .limit(limit)
    )


def sweep_untagged(older_than_seconds: int | None = None) -> int:
    """Tag every answer whose tagging job was lost, a batch at a time; returns how many. An
    answer counts as lost ``TAGGING_SWEEP_AFTER_SECONDS`` after it was stored, unless told
    otherwise. Idempotent: tagging an answer twice gives the same rows."""
    if older_than_seconds is None:
        older_than_seconds = current_app.config["TAGGING_SWEEP_AFTER_SECONDS"]
    done = last_id = 0
    while True:
        rows = db.session.execute(untagged_answers(older_than_seconds, last_id)).all()
        if not rows:
            return done
        tag_rows([tuple(r) for r in rows])
        db.session.commit()
        done += len(rows)
        last_id = rows[-1][0]


@queue.periodic_task(crontab(minute="*"))
def sweep_untagged_job() -> int:
    """Periodic job, every minute: the tagging sweeper (docs/reliability.md)."""
    return sweep_untagged()


def health() -> dict:
    """The tagging backlog for ``flask health``: comments left untagged for five minutes."""
    stuck = db.session.scalar(sa.select(sa.func.count()).select_from(
        untagged_answers(5 * 60, limit=None).order_by(None).subquery())) or 0
    return {"ok": stuck == 0, "untagged_after_5_minutes": stuck}


def retag_stale() -> None:
    """Queue :func:`retag_stale_job` (after a codebook edit or a model activation)."""
    retag_stale_job()


def on_tags_outdated(sender, **_) -> None:
    """Signal receiver: the codebook or the sentiment model changed; re-tag stale comments."""
    retag_stale()


def on_response_recorded(sender, response_id=None, answer_ids=(), completed=False, **_):
    """Signal receiver: queue the tagging of the free-text answers just stored."""
    if not answer_ids:
        return
    try:
        tag_answers(list(answer_ids))
    except Exception:  # analysis must never break intake; the CLI catches up later
        log.exception("could not queue tagging of response %s", response_id)
