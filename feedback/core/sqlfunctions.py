"""SQL functions a database lacks: ``casefold``, lower case in every alphabet, SQLite included.

SQLite's lower() and LIKE fold the ASCII letters only, so a search for "martínez" did not find
"MARTÍNEZ" there, while PostgreSQL's lower() folds every letter of the database's locale.
:class:`casefold` is that lower() on PostgreSQL and, on SQLite, Python's ``str.casefold``,
which :func:`init_app` adds to every connection the app's SQLite engine opens (SQLAlchemy's
``connect`` event, the documented way to give pysqlite a function).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from feedback.core.extensions import on_each_connection


class casefold(FunctionElement):  # noqa: N801 - an SQL function, named as SQL names them
    """``casefold(text)``: the text in lower case, in every alphabet (NULL stays NULL)."""

    type = sa.Text()
    inherit_cache = True


@compiles(casefold)
def _as_lower(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _as_python_casefold(element, compiler, **kw) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"


def _fold(value):
    return value.casefold() if isinstance(value, str) else value


def _add_functions(dbapi_connection, _connection_record) -> None:
    """A new SQLite connection: add ``casefold`` (deterministic: same text, same result)."""
    dbapi_connection.create_function("casefold", 1, _fold, deterministic=True)


def init_app(app) -> None:
    """Add the functions to every connection of the app's SQLite engines."""
    on_each_connection(app, "sqlite", _add_functions)
