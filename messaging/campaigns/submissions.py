"""Once-only submissions of the forms that plan sends (a campaign, a pulse).

The web survey form's rule (feedback.webform.operations): the form carries a random token,
sent back with every submission of it, and the same token twice returns the first result. A
double click on "Start campaign" or "Plan the pulse" then plans one campaign or pulse, not two
that text every family twice (docs/reliability.md, "One click, one campaign").

The token is kept in the creation's audit entry, under ``submission``; a planned send has no
column of its own for it.
"""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from feedback.core.audit import AuditEvent
from feedback.core.extensions import db
from feedback.responses.models import StaffUser

#: A form's submission token: 32 hex digits, as the web form's.
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new_token() -> str:
    """A fresh token for a form that plans sends."""
    return uuid.uuid4().hex


def _valid(token: str | None) -> str | None:
    return token if token and _TOKEN.match(token) else None


def created_by(action: str, token: str | None, user_id: int | None) -> int | None:
    """The id of what an earlier submission of the same form created (the target of its
    ``action`` audit entry), or None.

    The staff member's row is locked first, until the caller commits, so the two requests of
    a double click, which arrive together, look the token up one after the other (on SQLite a
    write that changes nothing takes the database's one write lock, as
    messaging.inbound.conversation locks a contact). Call it before creating anything; when it
    finds the earlier creation it ends the transaction (nothing is to be written), and a
    caller that then refuses the submission rolls back, so the lock is held no longer."""
    token = _valid(token)
    if token is None or not user_id:
        return None
    staff = StaffUser.__table__
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.update(staff).where(staff.c.id == user_id).values(id=staff.c.id))
    else:
        db.session.execute(sa.select(staff.c.id).where(staff.c.id == user_id).with_for_update())
    target = db.session.scalar(sa.select(AuditEvent.target_id).where(
        AuditEvent.action == action, AuditEvent.details["submission"].as_string() == token)
        .limit(1))
    if target is None:
        return None
    db.session.rollback()
    return int(target)


def audit_detail(token: str | None) -> dict:
    """What the creation's audit entry keeps of the token: a random value, no personal
    data."""
    token = _valid(token)
    return {"submission": token} if token else {}
