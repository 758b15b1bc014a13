"""The audit log: who exported, corrected, published or changed a role, and when.

It sits in the lowest row (docs/architecture.md) so every package can record into it: surveys
(publish, close), the staff pages (role changes), messaging (campaigns, contact imports) and
analysis (exports, tag corrections, retraining, codebook and goal edits). Details
never hold phone numbers or message bodies: only ids, names of things and filter settings.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.clock import utcnow
from feedback.core.extensions import db
from feedback.core.numbers import small_int
from feedback.core.roles import ADMIN, add_staff_link, roles_required

#: Events shown per page of /staff/audit.
PAGE_SIZE = 50


class AuditEvent(db.Model):
    """One recorded action by a staff member (or the system, when ``user_id`` is NULL)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_action_created", "action", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    #: Dotted verb, e.g. "export.answers_csv", "tag.correct", "loop.publish", "role.change".
    action: Mapped[str] = mapped_column(sa.String(60))
    #: What was acted on: "goal", "answer", "staff_user", "report" ...
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: Small JSON of context (filters, old and new role); never personal data.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    #: By the model's name, not an import: the store's models sit in a higher row.
    user: Mapped["StaffUser | None"] = relationship("StaffUser")  # noqa: F821, UP037


def record_audit(
    action: str,
    target_type: str | None = None,
    target_id: object | None = None,
    details: dict | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add an audit event (the caller commits, so it lands with the change it describes).

    ``user_id`` defaults to the signed-in staff member, if any.
    """
    if user_id is None and current_user and getattr(current_user, "is_authenticated", False):
        user_id = current_user.id
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
        user_id=user_id,
    )
    db.session.add(event)
    return event


def recent_events(action: str | None = None, page: int = 1) -> tuple[list[AuditEvent], bool]:
    """One page of events, newest first, optionally of one action; and whether more exist."""
    query = db.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    rows = list(
        db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def known_actions() -> list[str]:
    """The distinct actions recorded so far (for the filter menu)."""
    return list(
        db.session.scalars(db.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


bp = Blueprint("audit", __name__, url_prefix="/staff/audit")


@bp.get("/")
@roles_required(*ADMIN)
def index():
    """The audit log, for administrators only."""
    action = request.args.get("action") or None
    # a page typed into the link is read with small_int, never a 500 (docs/reliability.md)
    page = small_int(request.args.get("page", "1"), digits=6) or 1
    events, more = recent_events(action, page)
    return render_template(
        "audit/index.html", events=events, more=more, page=page, action=action,
        actions=known_actions(),
    )


def init_app(app) -> None:
    """Register the audit page and its staff link (called by create_app)."""
    app.register_blueprint(bp)
    add_staff_link(app, "audit.index", _l("Audit log"), ADMIN)
