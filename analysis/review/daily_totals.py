"""Daily totals: the review's figures pre-counted per day, survey, site, channel and language.

Why: the dashboard must stay fast when a coalition has millions of answers. Counting a quarter's
answers on every page view grows with the answers; summing a quarter of daily totals grows only
with days × sites × channels × languages (× sentiments and sets of themes, × answer values).

Three tables, each one SQL ``INSERT ... SELECT ... GROUP BY`` over the stored answers:

* ``review_daily_responses``: completed responses;
* ``review_daily_comments``: tagged comments with at least one theme, per sentiment and set of
  themes (``answer_tag.theme_key``), with the id of the strongest one (highest |sentiment
  score|, then newest) so quotes need not rank every comment;
* ``review_daily_values``: closed answers per question and value (indicator arithmetic).

Keeping them exact: every flush that writes a completed response or answer, a tag or a theme
adds a *stale mark* for the day(s) it touched (an insert, so concurrent writers never wait on
each other). :func:`refresh` recomputes the marked days and deletes exactly the marks it read, so
a mark committed while it runs is kept for the next refresh. The dashboard calls it before
reading; a periodic job keeps the marks few. Data loaded behind the ORM's back (a bulk COPY)
needs ``flask --app wsgi rebuild-review-totals``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import chain

import click
import sqlalchemy as sa
from huey import crontab
from sqlalchemy.orm import Mapped, mapped_column

from analysis.breakdowns import FREE_TEXT_TYPES
from analysis.models import AnswerTag, AnswerTheme
from analysis.review import memo_store
from analysis.review.scope import RESPONDENT_COLUMNS
from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.responses.models import Answer, Respondent, RespondentRace, Response
from surveys.models import Question


class _DayScope:
    """Columns every daily table shares: the day and the response's scope."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    survey_id: Mapped[int | None]
    site_id: Mapped[int | None]
    channel: Mapped[str | None] = mapped_column(sa.String(10))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    n: Mapped[int]


class DailyResponses(_DayScope, db.Model):
    __tablename__ = "review_daily_responses"


class DailyComments(_DayScope, db.Model):
    __tablename__ = "review_daily_comments"

    sentiment: Mapped[str | None] = mapped_column(sa.String(10))
    theme_key: Mapped[str] = mapped_column(sa.String(200))
    #: The strongest comment with text in this cell, for quotes: |score| and answer id.
    best_score: Mapped[float | None]
    best_answer_id: Mapped[int | None]


class DailyValues(_DayScope, db.Model):
    __tablename__ = "review_daily_values"

    question_key: Mapped[str] = mapped_column(sa.String(64))
    #: The answer's JSON value as text ('"4"', '"yes"'), compared like the indicators do.
    value_text: Mapped[str | None] = mapped_column(sa.Text)
    value_number: Mapped[float | None]


class StaleDay(db.Model):
    """A day whose totals must be recomputed (one row per flush that touched it)."""

    __tablename__ = "review_stale_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    #: Only a respondent of that day moved between demographic groups: the totals (kept
    #: per day, site, channel and language, never per group) stand, and only the remembered
    #: counts that group people are forgotten (analysis.review.memo).
    groups_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


TABLES = (DailyResponses, DailyComments, DailyValues)


# --- marking stale days -----------------------------------------------------------------------


def mark_stale_days(session, flush_context) -> None:
    """Mark the days of completed responses and answers this flush wrote (the completion time
    before and after the change), and of answers whose tag or themes it wrote. Unfinished SMS
    conversations (no completion time yet) mark nothing: the webhook's hot path pays nothing."""
    stamps: list[datetime | None] = []
    response_ids: set[int] = set()
    answer_ids: set[int] = set()
    respondent_ids: dict[int, bool] = {}  # respondent: whether only their groups changed
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Response, Answer)):
            if obj in session.new:
                stamps.append(obj.completed_at)
                continue
            history = sa.inspect(obj).attrs.completed_at.history
            if history.added or history.deleted or history.unchanged:
                stamps += [*history.added, *history.deleted, *history.unchanged]
            else:  # not loaded: read it back
                (response_ids if isinstance(obj, Response) else answer_ids).add(obj.id)
        elif isinstance(obj, (AnswerTag, AnswerTheme)) and obj.answer_id is not None:
            answer_ids.add(obj.answer_id)
        elif _regrouped(session, obj):
            respondent_id = obj.id if isinstance(obj, Respondent) else obj.respondent_id
            only = respondent_ids.get(respondent_id, True)
            respondent_ids[respondent_id] = only and not (
                isinstance(obj, Respondent) and obj in session.deleted)
    days = {stamp.date() for stamp in stamps if stamp is not None}
    for model, ids in ((Response, response_ids), (Answer, answer_ids)):
        if ids:
            days.update(_as_date(day) for day in session.connection().scalars(
                sa.select(sa.func.date(model.completed_at)).distinct().where(
                    model.id.in_(ids), model.completed_at.is_not(None))))
    if days:
        session.connection().execute(sa.insert(StaleDay),
                                     [{"day": day} for day in sorted(days)])
    for respondent_id, groups_only in respondent_ids.items():
        mark_respondent_days(None, session.connection(), respondent_id, groups_only=groups_only)


def _regrouped(session, obj) -> bool:
    """Whether ``obj`` moves an existing respondent between demographic groups: a changed
    group column, or a race group added or removed."""
    if isinstance(obj, RespondentRace):
        return obj.respondent_id is not None
    if not isinstance(obj, Respondent) or obj in session.new:
        return False
    if obj in session.deleted:
        return True
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in RESPONDENT_COLUMNS)


def mark_respondent_days(sender, connection, respondent_id: int, groups_only: bool = True,
                         **_) -> None:
    """A respondent's demographics changed: the days of their completed responses become stale
    for every group figure (``groups_only``; a deleted respondent's days for every figure),
    since those figures and the memos counted from them may change. Sent by Core writes as
    ``respondent_changing`` (feedback.responses.intake), called by the flush hook above for
    the ORM's."""
    connection.execute(sa.insert(StaleDay).from_select(["day", "groups_only"], sa.select(
        sa.func.date(Response.completed_at), sa.literal(groups_only)).distinct().where(
            Response.respondent_id == respondent_id, Response.completed_at.is_not(None))))


def mark_completed_day(sender, connection, completed_at: datetime, **_) -> None:
    """A response completed with Core statements (feedback.responses.intake.finish_response): mark
    its
    day in the same transaction, as :func:`mark_stale_days` does for the ORM's."""
    connection.execute(sa.insert(StaleDay), {"day": completed_at.date()})



def _as_date(value) -> date:
    """SQLite's date() gives text, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- recomputing ------------------------------------------------------------------------------


def _day_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as [start, end) ranges, so a recompute reads index ranges."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1][1] = day + timedelta(days=1)
        else:
            ranges.append([day, day + timedelta(days=1)])
    return [(start, end) for start, end in ranges]


def _in_days(column, ranges):
    return sa.or_(*[
        sa.and_(column >= datetime.combine(start, datetime.min.time()),
                column < datetime.combine(end, datetime.min.time()))
        for start, end in ranges
    ])


def _scope_columns(model):
    return (sa.func.date(model.completed_at).label("day"), model.survey_id, model.site_id,
            model.channel, model.locale)


def _responses_select(where):
    columns = _scope_columns(Response)
    return (sa.select(*columns, sa.func.count().label("n"))
            .where(Response.completed_at.is_not(None), *where(Response.completed_at))
            .group_by(*columns))


def _values_select(where):
    columns = (*_scope_columns(Answer), Answer.question_key,
               sa.cast(Answer.value, sa.Text).label("value_text"), Answer.value_number)
    return (sa.select(*columns, sa.func.count().label("n"))
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.completed_at.is_not(None), Question.type.not_in(FREE_TEXT_TYPES),
                   *where(Answer.completed_at))
            .group_by(*columns))


def _comments_select(where):
    """Per cell: how many comments, and the strongest one with text (ranked by a window over
    the cell's comments, in the same statement)."""
    scope = _scope_columns(Answer)
    from analysis.review.quotes import confident_label

    # quotable: has text and a confident label (the review quotes only those)
    has_text = sa.case((sa.and_(Answer.raw_text.is_not(None), confident_label()), 1), else_=0)
    strength = sa.func.abs(AnswerTag.sentiment_score)
    partition = (*scope, AnswerTag.sentiment_label, AnswerTag.theme_key)
    rank = sa.func.row_number().over(partition_by=partition,
                                     order_by=(has_text.desc(), strength.desc(), Answer.id.desc()))
    ranked = (
        sa.select(*scope, AnswerTag.sentiment_label.label("sentiment"), AnswerTag.theme_key,
                  Answer.id.label("answer_id"), strength.label("strength"),
                  has_text.label("has_text"), rank.label("rnk"))
        .join(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(Answer.completed_at.is_not(None), AnswerTag.theme_key.is_not(None),
               *where(Answer.completed_at))
        .subquery()
    )
    best = sa.and_(ranked.c.rnk == 1, ranked.c.has_text == 1)
    keys = (ranked.c.day, ranked.c.survey_id, ranked.c.site_id, ranked.c.channel,
            ranked.c.locale, ranked.c.sentiment, ranked.c.theme_key)
    return (sa.select(*keys, sa.func.count().label("n"),
                      sa.func.max(sa.case((best, ranked.c.strength))).label("best_score"),
                      sa.func.max(sa.case((best, ranked.c.answer_id))).label("best_answer_id"))
            .group_by(*keys))


def _recompute(ranges: list[tuple[date, date]] | None) -> None:
    """Replace the totals of ``ranges`` (None: every day) with fresh aggregates."""
    def where(column):
        return [_in_days(column, ranges)] if ranges is not None else []

    for model, select in ((DailyResponses, _responses_select),
                          (DailyComments, _comments_select),
                          (DailyValues, _values_select)):
        delete = sa.delete(model)
        if ranges is not None:
            delete = delete.where(sa.or_(*[sa.and_(model.day >= start, model.day < end)
                                           for start, end in ranges]))
        db.session.execute(delete)
        query = select(where)
        db.session.execute(sa.insert(model).from_select(
            [c.name for c in query.selected_columns], query))


def _lock() -> None:
    """One refresh at a time (PostgreSQL; SQLite writers are serialised anyway), so two
    requests never insert the same day's totals twice."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(memo_store.REFRESH_LOCK)))


def refresh() -> int:
    """Recompute the stale days and commit; returns how many days were recomputed (days
    marked for their groups only forget the memos that group people, and recompute nothing)."""
    _lock()
    marks = db.session.execute(sa.select(StaleDay.id, StaleDay.day, StaleDay.groups_only)).all()
    if not marks:
        db.session.commit()
        return 0
    days = sorted({_as_date(day) for _id, day, groups_only in marks if not groups_only})
    regrouped = sorted({_as_date(day) for _id, day, groups_only in marks if groups_only}
                       - set(days))
    ranges = _day_ranges(days)
    if ranges:
        _recompute(ranges)
    memo_store.forget(ranges)
    memo_store.forget(_day_ranges(regrouped), groups_only=True)
    ids = [mark_id for mark_id, _day, _groups_only in marks]
    for start in range(0, len(ids), 1000):
        db.session.execute(sa.delete(StaleDay).where(StaleDay.id.in_(ids[start:start + 1000])))
    db.session.commit()
    return len(days)


def rebuild() -> None:
    """Recompute every day from the stored answers and commit (after a bulk load)."""
    _lock()
    _recompute(None)
    memo_store.forget_all()
    db.session.execute(sa.delete(StaleDay))
    db.session.commit()


@queue.periodic_task(crontab(minute="*/10"))
def refresh_job() -> None:
    """Every ten minutes: keep the marks few, so opening the dashboard finds little to do."""
    refresh()


@click.command("rebuild-review-totals")
def rebuild_command() -> None:
    """Recompute the review's daily totals from every stored answer."""
    rebuild()
    counts = {model.__tablename__: db.session.scalar(sa.select(sa.func.count(model.id)))
              for model in TABLES}
    click.echo("Daily totals rebuilt: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
