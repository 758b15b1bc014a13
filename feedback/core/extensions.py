"""Extension objects, created unbound so any module can import them without importing the app,
and the one way to give each of the database's new connections something (a function, a
setting).

This module imports nothing of the project (the lowest row of docs/architecture.md).
"""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

#: Named constraints, so Alembic migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def on_each_connection(app, dialect: str, listener) -> None:
    """Run ``listener(dbapi_connection, record)`` on every new connection of the app's
    ``dialect`` engines (SQLAlchemy's ``connect`` event; create_app calls this right after
    the engines exist, before any connection is opened)."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == dialect and not event.contains(
                    engine, "connect", listener):
                event.listen(engine, "connect", listener)
