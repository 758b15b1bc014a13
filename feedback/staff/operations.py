"""Staff account operations: the one write path behind /staff/users and /staff/profile.

Plain functions (no request objects) so views stay thin and the CLI or tests can call them.
Every change an administrator makes to someone else's access is written to the audit log.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from feedback.core.extensions import db
from feedback.responses.models import ROLES, Organization, StaffSession, StaffUser
from feedback.staff.auth import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordPolicyError,
    hash_password,
)

log = logging.getLogger("feedback.staff.views")


class AccountError(ValueError):
    """A refused account change; ``str(error)`` is a translated message for the person."""


def _audit(action: str, user: StaffUser, details: dict, actor: StaffUser | None) -> None:
    """Record in the audit log (feedback.core.audit) when that module is installed."""
    try:
        from feedback.core.audit import record_audit
    except ImportError:  # pragma: no cover - the audit log ships with the review issue
        return
    record_audit(
        action, "staff_user", user.id, details, user_id=actor.id if actor is not None else None
    )


def _check_password(password: str) -> str:
    try:
        return hash_password(password)
    except PasswordPolicyError as exc:
        if len(password) > MAX_PASSWORD_LENGTH:
            raise AccountError(_l("That password is too long.")) from exc
        raise AccountError(
            _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        ) from exc


def _check_role(role: str, organization_id: int | None) -> Organization | None:
    if role not in ROLES:
        raise AccountError(_l("Choose a role."))
    org = db.session.get(Organization, organization_id) if organization_id else None
    if role == "partner_viewer" and org is None:
        raise AccountError(_l("A partner viewer must belong to an organisation."))
    return org


def _active_admins() -> int:
    return db.session.scalar(
        db.select(db.func.count(StaffUser.id)).where(
            StaffUser.role == "admin", StaffUser.active.is_(True)
        )
    )


def list_staff() -> list[StaffUser]:
    """Every staff account, active first, then by email."""
    return list(
        db.session.scalars(
            db.select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)
        )
    )


def organisations() -> list[Organization]:
    """Organisations a new account may belong to, backbone first."""
    return list(
        db.session.scalars(db.select(Organization).order_by(Organization.kind, Organization.name))
    )


def create_staff_user(
    email: str,
    password: str,
    role: str,
    organization_id: int | None = None,
    actor: StaffUser | None = None,
) -> StaffUser:
    """Create an account with an initial password (length is the only rule, never truncated)."""
    email = email.strip().lower()
    if db.session.scalar(db.select(StaffUser.id).filter_by(email=email)) is not None:
        raise AccountError(_l("An account with this email already exists."))
    org = _check_role(role, organization_id)
    user = StaffUser(
        email=email, password_hash=_check_password(password), role=role, organization=org
    )
    db.session.add(user)
    db.session.flush()
    _audit("account.create", user, {"role": role, "organization_id": organization_id}, actor)
    db.session.commit()
    log.info("staff account created", extra={"event": "account_create", "user_id": user.id})
    return user


def change_role(
    user: StaffUser, role: str, organization_id: int | None, actor: StaffUser | None
) -> StaffUser:
    """Change someone's role (and organisation); audited. The last admin cannot step down."""
    org = _check_role(role, organization_id)
    if user.role == "admin" and role != "admin" and user.active and _active_admins() <= 1:
        raise AccountError(_l("The coalition needs at least one active administrator."))
    old = {"role": user.role, "organization_id": user.organization_id}
    user.role, user.organization = role, org
    if old != {"role": role, "organization_id": org.id if org else None}:
        # A new role applies at once: end the person's sessions so none runs on the old one.
        db.session.execute(db.delete(StaffSession).where(StaffSession.user_id == user.id))
        _audit(
            "role.change",
            user,
            {"old": old, "new": {"role": role, "organization_id": organization_id}},
            actor,
        )
    db.session.commit()
    return user


def set_active(user: StaffUser, active: bool, actor: StaffUser | None) -> StaffUser:
    """Deactivate (ending every session at once) or reactivate an account; audited."""
    if not active:
        if actor is not None and actor.id == user.id:
            raise AccountError(_l("You cannot deactivate your own account."))
        if user.role == "admin" and user.active and _active_admins() <= 1:
            raise AccountError(_l("The coalition needs at least one active administrator."))
        db.session.execute(db.delete(StaffSession).where(StaffSession.user_id == user.id))
    if user.active != active:
        user.active = active
        _audit("account.activate" if active else "account.deactivate", user, {}, actor)
    db.session.commit()
    return user


def set_locale(user: StaffUser, locale: str | None, enabled: list[str]) -> None:
    """Store the interface language a staff member prefers (None: follow the browser)."""
    if locale and locale not in enabled:
        raise AccountError(_l("Choose one of the offered languages."))
    user.locale = locale or None
    db.session.commit()


def change_password(user: StaffUser, current: str, new: str, keep_session: str | None) -> None:
    """Change one's own password after proving the current one; other sessions are ended."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_l("Your current password is not correct."))
    user.password_hash = _check_password(new)
    query = db.delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep_session:
        query = query.where(StaffSession.id != keep_session)
    db.session.execute(query)
    db.session.commit()
    log.info("staff password changed", extra={"event": "password_change", "user_id": user.id})
