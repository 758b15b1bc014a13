"""Role checks for staff views.

Imports nothing of the project but the extensions (lowest row: docs/architecture.md), so the
survey builder (row 1) can protect its views without importing the response store.
"""

from __future__ import annotations

import functools

from flask import abort, current_app
from flask_login import current_user

from feedback.extensions import login_manager

ADMIN = ("admin",)
STAFF_ROLES = ("admin", "staff")
ALL_ROLES = ("admin", "staff", "partner_viewer")


def roles_required(*roles: str):
    """Sign-in required (redirect to login), and one of ``roles`` (403 otherwise)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def add_staff_link(app, endpoint: str, label, roles: tuple[str, ...]) -> None:
    """Register a staff navigation entry (called from a package's ``init_app``)."""
    app.extensions.setdefault("staff_nav", []).append((endpoint, label, roles))


def staff_links() -> list[tuple[str, object]]:
    """The navigation entries the signed-in user's role may open."""
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label, roles in current_app.extensions.get("staff_nav", [])
        if current_user.role in roles and endpoint in current_app.view_functions
    ]
