"""The review's people counts, kept once counted until a write could change them.

Why: the disclosure gate rests on distinct respondents, and a count of distinct people cannot
be summed from daily totals; counted from the answers it grows with them (seconds per view at
millions of answers; docs/analysis.md, "Speed with years of data"). A period's figures change
only when one of its answers, tags, themes or respondents is written, and every such write
already marks its days stale for the daily totals (analysis.review.daily_totals). So each
counting function below is remembered per scope and arguments, with the span of days it read;
the refresh that recomputes stale days forgets the memos whose span meets them, in the same
transaction. A memo can therefore never outlive a change it depends on:

* the refresh runs (at most once per request) before any memo is read;
* a memo is stored under the refresh's lock, and refused if a refresh forgot any of its days
  after the count began (the count may have read the old data);
* what is not a day's data is part of the key: goal and indicator definitions, site, partner
  and survey names, the settings that change figures (nothing remembered is translated: the
  pages translate it).

PostgreSQL only: the memo is stored on a connection of its own while the request's transaction
stays open, which SQLite's single writer would wait on; SQLite deployments count each time.
A memo is pickled and signed with the app's secret key, so only the app's own writes are read.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import pickle
from contextvars import ContextVar
from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError

from analysis.review import daily_totals
from analysis.review.memo_store import REFRESH_LOCK, ForgottenSpan, ReviewMemo
from feedback.core.extensions import db
from feedback.core.redaction import phone_regions
from feedback.responses.models import utcnow

log = logging.getLogger(__name__)

#: Settings that change what a count returns.
SETTINGS = ("FIGURES_EXCLUDE_ORIGINS", "MIN_CELL_SIZE")


# --- remembering -------------------------------------------------------------------------


def enabled() -> bool:
    return (db.engine.dialect.name == "postgresql"
            and bool(current_app.config.get("REVIEW_MEMO", True)))


def own_period_span(*args, **kwargs) -> tuple[date, date]:
    """The days a count over a scope (its first argument with a period) reads: the period's.
    A figure compared with the period before counts that one apart, so once a period is over
    its counts are read back while the current one is counted again."""
    scope = _scope_of(args, kwargs)
    return scope.period.start, scope.period.end


def _scope_of(args: tuple, kwargs: dict):
    return next(a for a in (*args, *kwargs.values()) if hasattr(a, "period"))


#: The remembered count being made now: (name, args, kwargs), for :func:`remembered_among`.
_counting: ContextVar[tuple | None] = ContextVar("review_memo_counting", default=None)


def remembered_among(periods: list):
    """The first of ``periods`` over which the count being made now (by a function under
    :func:`remembered`, the same arguments but its scope's period) is remembered, or None:
    a count can then start from that result instead of from nothing
    (analysis.review.newest_day)."""
    making = _counting.get()
    if making is None or not periods or not enabled():
        return None
    name, args, kwargs = making
    scope = _scope_of(args, kwargs)

    def over(period):
        moved = replace(scope, period=period)
        return ([moved if a is scope else a for a in args],
                {k: moved if v is scope else v for k, v in kwargs.items()})

    keys = {}
    for period in periods:
        other_args, other_kwargs = over(period)
        keys.setdefault(key_for(name, *other_args, **other_kwargs), period)
    found = set(db.session.scalars(sa.select(ReviewMemo.key).where(ReviewMemo.key.in_(keys))))
    return next((period for key, period in keys.items() if key in found), None)


def remembered(by_group: bool = False):
    """Remember the decorated counting function's results over its scope's period (see the
    module's docstring). ``by_group``: it groups people by demographics (a breakdown), so a
    respondent moving to another group forgets it; a count over a group filter is forgotten
    then too, whatever the function."""
    def decorate(count):
        name = f"{count.__module__}.{count.__qualname__}"

        @functools.wraps(count)
        def counted_once(*args, **kwargs):
            if not enabled():
                return count(*args, **kwargs)
            key = key_for(name, *args, **kwargs)
            found = recall(key)
            if found is not MISSING:
                return found
            seen = forgotten_so_far()
            making = _counting.set((name, args, kwargs))
            try:
                value = count(*args, **kwargs)
            finally:
                _counting.reset(making)
            keep(key, own_period_span(*args, **kwargs), seen, value,
                 by_group=by_group or _scope_of(args, kwargs).group_dim is not None)
            return value

        return counted_once
    return decorate


#: What :func:`recall` returns for a count not remembered.
MISSING = object()


def key_for(name: str, *args, **kwargs) -> str:
    """The memo key of the count ``name`` with these arguments (after the transaction's
    refresh, so the definitions it digests are current)."""
    refresh_once()
    return _key(name, args, kwargs)


def recall(key: str):
    """The remembered value, or :data:`MISSING`."""
    refresh_once()
    return _read(key)


def forgotten_so_far() -> int:
    """Where the log of forgotten spans stands: take it before counting, give it to
    :func:`keep` after."""
    return db.session.scalar(sa.select(sa.func.max(ForgottenSpan.id))) or 0


def once_per_transaction(name, make):
    """``make()``, computed once per database transaction of the session (a request's, a
    job's): a later transaction may see other data. ``name``: any hashable key."""
    session = db.session()
    transaction = session.get_transaction()
    held = session.info.get(name)
    if transaction is not None and held is not None and held[0] is transaction:
        return held[1]
    value = make()
    session.info[name] = (session.get_transaction(), value)
    return value


def refresh_once() -> None:
    """Recompute stale days (forgetting their memos) once per transaction, before the first
    memo of it is read. The refresh commits; the flag is kept for the transaction begun after
    it, so a caller's settings for its queries (dashboard.tune_for_aggregates) come after."""
    def refresh():
        daily_totals.refresh()
        db.session.connection()  # begins the transaction the flag is kept for
        return True

    once_per_transaction("review_refreshed", refresh)


def _signature(blob: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), blob, hashlib.sha256).digest()


def _read(key: str):
    stored = db.session.scalar(sa.select(ReviewMemo.value).where(ReviewMemo.key == key))
    if stored is None:
        return MISSING
    signature, blob = stored[:32], stored[32:]
    if not hmac.compare_digest(signature, _signature(blob)):
        return MISSING  # written under another secret key: counted again
    return pickle.loads(blob)  # noqa: S301 - signed by this app (above)


def keep(key: str, span: tuple[date, date], seen: int, value, *, by_group: bool) -> None:
    """Remember ``value``, counted over the days ``span`` after :func:`forgotten_so_far`
    gave ``seen``: stored on a connection of its own (the request's transaction stays as it
    is), unless a refresh forgot any of those days since (for counts that group people
    (``by_group``), or for every count). A failure only costs the next view a count."""
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    start, end = span
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(REFRESH_LOCK)))
            forgotten = connection.scalar(sa.select(sa.exists().where(
                ForgottenSpan.id > seen, ForgottenSpan.span_start < end,
                ForgottenSpan.span_end > start,
                sa.true() if by_group else ForgottenSpan.groups_only.is_(False))))
            if forgotten:
                return
            connection.execute(pg_insert(ReviewMemo).values(
                key=key, span_start=start, span_end=end, value=_signature(blob) + blob,
                created_at=utcnow(), by_group=by_group).on_conflict_do_nothing())
    except SQLAlchemyError as exc:
        log.warning("review memo not stored (%s)", type(exc).__name__)


# --- the key -----------------------------------------------------------------------------


def _key(name: str, args: tuple, kwargs: dict) -> str:
    settings = [(name, repr(current_app.config.get(name))) for name in SETTINGS]
    parts = (name, _definitions(), settings, phone_regions(current_app), _plain(args),
             _plain(kwargs))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _plain(value):
    """A stable, comparable form of an argument (dataclasses such as the scope are already)."""
    from analysis.review.goals import Indicator

    if isinstance(value, Indicator):
        return ("indicator", value.id, value.question_key, value.rule,
                tuple(str(v) for v in value.values or ()))
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _plain(v)) for k, v in value.items()))
    if value is None or isinstance(value, (str, int, float, bool, date)) \
            or hasattr(value, "__dataclass_fields__"):
        return value
    raise TypeError(f"cannot remember a count by a {type(value).__name__}")


def _definitions() -> str:
    """A digest of the definitions counts depend on (the settings and the phone regions
    quotes are redacted by join them in the key)."""
    return once_per_transaction("review_definitions", _digest_definitions)


def _digest_definitions() -> str:
    from analysis.review.goals import AgendaGoal, Indicator, goal_theme
    from feedback.responses.models import Organization, PartnerSite
    from surveys.models import Question, Survey

    rows = [
        db.session.execute(sa.select(goal_theme).order_by(*goal_theme.c)).all(),
        db.session.execute(sa.select(AgendaGoal.id, AgendaGoal.active)
                           .order_by(AgendaGoal.id)).all(),
        db.session.execute(sa.select(Indicator.id, Indicator.goal_id, Indicator.question_key,
                                     Indicator.rule, sa.cast(Indicator.values, sa.Text))
                           .order_by(Indicator.id)).all(),
        db.session.execute(sa.select(PartnerSite.id, PartnerSite.name,
                                     PartnerSite.organization_id)
                           .order_by(PartnerSite.id)).all(),
        db.session.execute(sa.select(Organization.id, Organization.name)
                           .order_by(Organization.id)).all(),
        db.session.execute(sa.select(Survey.id, Survey.slug).order_by(Survey.id)).all(),
        db.session.execute(sa.select(sa.func.count(Question.id),
                                     sa.func.max(Question.id))).all(),
    ]
    return hashlib.sha256(
        repr([[tuple(r) for r in part] for part in rows]).encode()).hexdigest()
