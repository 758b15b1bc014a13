"""Once-only submissions of the forms that plan sends (a campaign, a pulse).

The web survey form's rule (feedback.webform.operations): the form carries a random token,
sent back with every submission of it, and the same token twice returns the first result. A
double click on "Start campaign" or "Plan the pulse" then plans one campaign or pulse, not two
that text every family twice (docs/reliability.md, "One click, one campaign").
"""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback.core.extensions import db
from messaging.models import FormSubmission

#: A form's submission token: 32 hex digits, as the web form's.
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new_token() -> str:
    """A fresh token for a form that plans sends."""
    return uuid.uuid4().hex


def _valid(token: str | None) -> str | None:
    return token if token and _TOKEN.match(token) else None


def created_before(action: str, token: str | None) -> int | None:
    """The id of what an earlier submission of the same form created, or None; then the token
    is claimed in the caller's transaction, before anything is created, and :func:`created`
    records what this submission made.

    The token is the table's key, so of the two requests of a double click, which arrive
    together, the second one's INSERT waits for the first one's transaction (PostgreSQL on
    the uncommitted key, SQLite on its one write lock), then fails, and the second finds what
    the first created. A submission that is refused rolls back, its token with it: the form,
    corrected, can be sent again."""
    token = _valid(token)
    if token is None:
        return None
    db.session.add(FormSubmission(token=token, action=action))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(sa.select(FormSubmission.target_id).where(
            FormSubmission.token == token, FormSubmission.action == action))
    return None


def created(token: str | None, target_id: int) -> None:
    """Record what the submission that claimed ``token`` created, before its commit."""
    token = _valid(token)
    if token is not None:
        db.session.execute(sa.update(FormSubmission).where(FormSubmission.token == token)
                           .values(target_id=target_id))
