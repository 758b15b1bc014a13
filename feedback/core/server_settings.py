"""Settings every PostgreSQL connection of the app begins with: no JIT compilation.

PostgreSQL compiles a query to machine code once its estimated cost passes
``jit_above_cost``. No request of the app's own costs that much; the review's counts over a
quarter or years of answers all do, and on them compiling cost more than it saved (every
process of a parallel plan compiles its own copy: the trends' scan of three years took 1.33 s
with it and 0.90 s without, at a million answers; docs/analysis.md, "Speed with years of
data"). The setting is kept for the connection's life, not for a transaction: the review
commits between its counts (the stale days' refresh, the count budget, a view noted as
opened), and each commit used to end a ``SET LOCAL`` made before it.
"""

from __future__ import annotations

from feedback.core.extensions import on_each_connection


def _without_jit(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET jit = off")
    finally:
        cursor.close()
    # A SET inside a transaction that is rolled back is undone: the pool's reset on check-in
    # would otherwise take it back
    dbapi_connection.commit()


def init_app(app) -> None:
    """Give every connection of the app's PostgreSQL engines the settings."""
    on_each_connection(app, "postgresql", _without_jit)
