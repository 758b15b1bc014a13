"""Several independent writes in one round trip, where the database allows it.

The webhook ends each text with a few writes that do not depend on each other (the
conversation's new state, the message marked handled, the replies recorded). On PostgreSQL
they go as one statement, the others as data-modifying CTEs of the last; SQLite has no
INSERT/UPDATE inside WITH, so there they run one by one, in the caller's transaction either way.

Each write is a prebuilt statement whose bind parameters all have names of their own, and
its values; the last may return rows (RETURNING), which the caller gets back. SQLAlchemy does
not cache the compiled form of a statement with DML in its WITH clause (it would compile it
again for every text), so the combination is compiled once per set of statements here and
run with ``exec_driver_sql``, the values passed through their types' bind processors (JSON).
Every column needs its value, since no Python-side column default applies. The statements
must touch different rows: PostgreSQL runs the parts of one statement on the same snapshot,
so none sees another's changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import UpdateBase

Write = tuple[UpdateBase, dict]


def execute_together(connection: Connection, writes: Sequence[Write]) -> CursorResult:
    """Run ``writes`` (statement, values), in one round trip on PostgreSQL; returns the last
    one's result."""
    if connection.dialect.name != "postgresql" or len(writes) == 1:
        for statement, values in writes:
            result = connection.execute(statement, values)
        return result
    sql, processors = _combined(tuple(statement for statement, _ in writes), connection.dialect)
    values = {}
    for _, more in writes:
        values.update(more)
    for name, process in processors.items():
        values[name] = process(values[name])
    return connection.exec_driver_sql(sql, values)


@cache
def _combined(statements: tuple[UpdateBase, ...], dialect: Dialect) -> tuple[str, dict]:
    """The combined statement's SQL and, by bind name, the bind processors it needs."""
    *first, last = statements
    ctes = (statement.cte(f"write_{n}") for n, statement in enumerate(first))
    compiled = last.add_cte(*ctes).compile(dialect=dialect)
    processors = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return compiled.string, processors
