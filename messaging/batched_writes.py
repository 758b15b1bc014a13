"""Several independent writes in one round trip, where the database allows it.

The webhook ends each text with a few writes that do not depend on each other (the
conversation's new state, the message marked handled, the replies recorded). On PostgreSQL
they go as one statement, the others as data-modifying CTEs of the last; SQLite has no
INSERT/UPDATE inside WITH, so there they run one by one. Either way they are in the caller's
transaction. The statements must touch different rows (PostgreSQL runs the parts of one
statement on the same snapshot, so none sees another's changes) and give every column its
value: SQLAlchemy applies no Python-side column default to a statement built this way.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.sql.dml import UpdateBase


def execute_together(connection: Connection, statements: Sequence[UpdateBase]) -> None:
    """Run ``statements`` (values bound, no RETURNING) in one round trip on PostgreSQL."""
    if connection.dialect.name != "postgresql":
        for statement in statements:
            connection.execute(statement)
        return
    *first, last = statements
    if first:
        last = last.add_cte(*(statement.cte(f"write_{n}") for n, statement in enumerate(first)))
    connection.execute(last)
