"""Staff sign-in: server-side sessions, timeouts, rate limits, roles and object-level checks."""

from __future__ import annotations

import hashlib
import logging
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from feedback.core.extensions import db, limiter, login_manager
from feedback.core.roles import roles_required  # noqa: F401 - re-exported for feedback views
from feedback.responses.models import PartnerSite, StaffSession, StaffUser, utcnow
from feedback.staff.forms import LoginForm

log = logging.getLogger("feedback.staff.auth")
bp = Blueprint("auth", __name__, url_prefix="/staff")

MIN_PASSWORD_LENGTH = 8
#: Bounded only to stop absurd request bodies; passwords are never truncated.
MAX_PASSWORD_LENGTH = 1024
#: last_seen_at is refreshed at most this often, so reading a page does not always write.
LAST_SEEN_RESOLUTION_SECONDS = 60


class PasswordPolicyError(ValueError):
    """The password breaks the (length-only) policy."""


def hash_password(password: str) -> str:
    """scrypt via werkzeug; length is the only rule (ASVS: no composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError("Password is too long.")
    return generate_password_hash(password, method="scrypt")


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active user with this email and password, else None (same work either way)."""
    user = db.session.scalar(db.select(StaffUser).filter_by(email=email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # equal timing for unknown emails
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def start_session(user: StaffUser) -> None:
    """A fresh session at sign-in (no fixation), backed by a server-side row."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(id=token, user_id=user.id))
    user.last_login_at = utcnow()
    db.session.commit()
    user.session_token = token
    login_user(user)
    session.permanent = True


def end_session() -> None:
    """Delete the server-side row, so a copy of the cookie is worthless after logout."""
    token = getattr(current_user, "session_token", None)
    if token:
        db.session.execute(db.delete(StaffSession).where(StaffSession.id == token))
        db.session.commit()
    logout_user()
    session.clear()


@login_manager.user_loader
def load_user(token: str) -> StaffUser | None:
    """Resolve the cookie's token to a live session, enforcing idle and absolute timeouts."""
    row = db.session.get(StaffSession, token)
    if row is None or not row.user.active:
        return None
    now = utcnow()
    cfg = current_app.config
    if (
        now - row.created_at > cfg["SESSION_ABSOLUTE_TIMEOUT"]
        or now - row.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
    ):
        db.session.delete(row)
        db.session.commit()
        return None
    if (now - row.last_seen_at).total_seconds() > LAST_SEEN_RESOLUTION_SECONDS:
        row.last_seen_at = now
        db.session.commit()
    user = row.user
    user.session_token = token
    g.preferred_locale = user.locale
    return user


def visible_site_ids(user: StaffUser) -> list[int] | None:
    """Site ids this user may see: None means all; partner viewers only their organisation's."""
    if user.role != "partner_viewer":
        return None
    return partner_site_ids(user.organization_id)


def partner_site_ids(organization_id: int | None) -> list[int]:
    """The sites a partner viewer of ``organization_id`` sees, in one order: the review
    remembers counts per scope, and counts them ahead per partner (analysis.review.warming)."""
    return list(db.session.scalars(
        db.select(PartnerSite.id).where(PartnerSite.organization_id == organization_id)
        .order_by(PartnerSite.id)))


def require_site_access(user: StaffUser, site: PartnerSite | None) -> None:
    """Object-level check: 404 (not 403) so ids of other organisations are not confirmed."""
    if site is None:
        abort(404)
    allowed = visible_site_ids(user)
    if allowed is not None and site.id not in allowed:
        abort(404)


def _login_email_key() -> str:
    """The account's key for the login limit: a digest of the e-mail as typed (trimmed, lower
    case), so any length fits the limit's stored key (an e-mail may have 254 characters, and
    the form's own check comes after the limit)."""
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


def _failed_login(response) -> bool:
    """Only failed attempts use up the rate limit."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"], deduct_when=_failed_login
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    key_func=_login_email_key,
    methods=["POST"],
    deduct_when=_failed_login,
)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("staff_home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            log.info("staff login succeeded", extra={"event": "login", "user_id": user.id})
            return redirect(url_for("staff_home.index"))
        log.warning("staff login failed", extra={"event": "login_failed"})
        form.password.errors.append(_l("That email and password do not match."))
        return render_template("feedback/login.html", form=form), 401
    return render_template("feedback/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out everywhere this cookie was copied."""
    if current_user.is_authenticated:
        log.info("staff logout", extra={"event": "logout", "user_id": current_user.id})
        end_session()
    flash(_l("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
