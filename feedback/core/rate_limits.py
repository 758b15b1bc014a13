"""A rate-limit store in the application's own database (``RATELIMIT_STORAGE_URI=database://``,
the default): login failures are counted where every gunicorn worker and every machine of the
deployment sees them, with no extra server. Redis (``redis://...``) remains the choice for a
busy deployment; ``memory://`` counts per process and is for tests only (docs/reliability.md).

A counter is one row (``rate_limit_counter``) updated by one atomic INSERT ... ON CONFLICT DO
UPDATE on its own connection and transaction, so it never mixes with the request's session.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.orm import Mapped, mapped_column

from feedback.core.extensions import db


class RateLimitCounter(db.Model):
    """A rate-limit window's counter: in the database, so every process
    of a deployment counts the same login failures (a per-process memory store would multiply
    the limits by the number of gunicorn workers)."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    #: Unix time at which the window ends and the count starts again.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counter`` table (the limits library's
    storage interface: incr, get, get_expiry, clear, reset, check)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            insert = _insert(connection.dialect.name)(table).values(
                key=key, count=amount, expires_at=now + expiry)
            expired = table.c.expires_at <= now
            statement = insert.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": sa.case((expired, amount), else_=table.c.count + amount),
                    "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
                },
            ).returning(table.c.count)
            return connection.execute(statement).scalar_one()

    def _row(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(
                sa.select(RateLimitCounter.count, RateLimitCounter.expires_at)
                .where(RateLimitCounter.key == key)
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.select(1))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(sa.delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(RateLimitCounter).where(RateLimitCounter.key == key))

    def purge_expired(self) -> int:
        """Delete windows that ended (the retention job's housekeeping)."""
        with db.engine.begin() as connection:
            return connection.execute(
                sa.delete(RateLimitCounter).where(RateLimitCounter.expires_at <= time.time())
            ).rowcount


def purge_expired_counters() -> int:
    """Delete every counter whose window ended; returns how many."""
    return DatabaseStorage().purge_expired()
