"""Several independent writes in one round trip, where the database allows it.

The webhook ends each text with a few writes that do not depend on each other (the
conversation's new state, the message marked handled, the replies recorded). On PostgreSQL
they go as one statement, the others as data-modifying CTEs of the last; SQLite has no
INSERT/UPDATE inside WITH, so there they run one by one, in the caller's transaction either way.

Each write is a prebuilt statement whose bind parameters have names of their own, and its
values. SQLAlchemy does not cache the compiled form of a statement with DML in its WITH
clause (it would compile it again for every text), so the combination is compiled once per
set of statements here and run with ``exec_driver_sql``; values therefore reach psycopg
as they are (numbers, text, times: no JSON), and every column needs its value, since no
Python-side column default applies. The statements must touch different rows: PostgreSQL
runs the parts of one statement on the same snapshot, so none sees another's changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.sql.dml import UpdateBase

Write = tuple[UpdateBase, dict]


def execute_together(connection: Connection, writes: Sequence[Write]) -> None:
    """Run ``writes`` (statement, values), in one round trip on PostgreSQL."""
    if connection.dialect.name != "postgresql" or len(writes) == 1:
        for statement, values in writes:
            connection.execute(statement, values)
        return
    compiled = _combined(tuple(statement for statement, _ in writes), connection.dialect)
    values = {}
    for _, more in writes:
        values.update(more)
    connection.exec_driver_sql(compiled.string, compiled.construct_params(values))


@cache
def _combined(statements: tuple[UpdateBase, ...], dialect: Dialect) -> Compiled:
    *first, last = statements
    ctes = (statement.cte(f"write_{n}") for n, statement in enumerate(first))
    return last.add_cte(*ctes).compile(dialect=dialect)
