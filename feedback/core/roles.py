"""Role checks for staff views.

Imports nothing of the project but the extensions (lowest row: docs/architecture.md), so the
survey builder (row 1) can protect its views without importing the response store.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from feedback.core.extensions import db, login_manager

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


log = logging.getLogger(__name__)

#: The staff navigation's groups, in order: what staff do, not which package does it.
NAV_GROUPS = (
    ("collect", _l("Collect")),
    ("listen", _l("Listen")),
    ("review", _l("Review")),
    ("admin", _l("Admin")),
)
#: A link registered without a group goes by its blueprint; these endpoints are exceptions.
_GROUP_OF_BLUEPRINT = {
    "surveys": "collect", "sites": "collect", "contacts": "collect", "campaigns": "collect",
    "sms_simulator": "collect", "analysis": "listen", "review": "review",
}
_GROUP_OF_ENDPOINT = {"analysis.model": "admin", "accounts.profile": "account"}


def _default_group(endpoint: str) -> str:
    return _GROUP_OF_ENDPOINT.get(endpoint) or _GROUP_OF_BLUEPRINT.get(
        endpoint.split(".")[0], "admin")


def add_staff_link(app, endpoint: str, label, roles: tuple[str, ...],
                   group: str | None = None) -> None:
    """Register a staff navigation entry (called from a package's ``init_app``).

    ``group`` is one of :data:`NAV_GROUPS`' keys, or "account" (beside "Sign out"); without
    it the link's blueprint decides (surveys, sites, contacts, campaigns: Collect; analysis:
    Listen; review: Review; anything else: Admin).
    """
    app.extensions.setdefault("staff_nav", []).append(
        (endpoint, label, roles, group or _default_group(endpoint)))


def staff_links() -> list[tuple[str, object]]:
    """The navigation entries the signed-in user's role may open."""
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label, roles, _group in current_app.extensions.get("staff_nav", [])
        if current_user.role in roles and endpoint in current_app.view_functions
    ]


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object
    url: str
    #: This link's page (or a page below it) is the one shown.
    current: bool


def staff_nav() -> list[tuple[str, object, list[NavLink]]]:
    """The signed-in user's navigation: ``(group key, group label, links)`` for each group
    that has a link they may open, in :data:`NAV_GROUPS` order, then "account"."""
    if not current_user.is_authenticated:
        return []
    links: dict[str, list[NavLink]] = {}
    here = request.path if request else ""
    for endpoint, label, roles, group in current_app.extensions.get("staff_nav", []):
        if current_user.role not in roles or endpoint not in current_app.view_functions:
            continue
        url = url_for(endpoint)
        current = request.endpoint == endpoint or (
            url.rstrip("/") != "/staff" and here.startswith(url.rstrip("/") + "/"))
        links.setdefault(group, []).append(NavLink(endpoint, label, url, current))
    ordered = [(key, label, links[key]) for key, label in NAV_GROUPS if key in links]
    if "account" in links:
        ordered.append(("account", _l("Account"), links["account"]))
    return ordered


# --- what needs attention (the staff home) -------------------------------------------------


@dataclass(frozen=True)
class AttentionItem:
    """Something staff should look at: how many, what, and where to act on it."""

    kind: str
    count: int
    label: str
    url: str | None = None
    #: "warning" (act on it) or "info" (state worth knowing, such as the queue).
    level: str = "warning"


def add_attention(app, provider: Callable[[], list[AttentionItem]],
                  roles: tuple[str, ...] = STAFF_ROLES) -> None:
    """Register a check for the staff home (called from a package's ``init_app``). The
    provider runs in the request and returns the items it finds (none when all is well)."""
    app.extensions.setdefault("staff_attention", []).append((provider, roles))


def attention_items() -> list[AttentionItem]:
    """Every registered check's items for the signed-in user's role. A check that fails is
    logged and shown as one item saying so, never a broken home page."""
    items: list[AttentionItem] = []
    for provider, roles in current_app.extensions.get("staff_attention", []):
        if current_user.role not in roles:
            continue
        try:
            items.extend(provider())
        except Exception:  # noqa: BLE001 - one broken check must not hide the others
            log.exception("attention check %s failed", getattr(provider, "__name__", provider))
            db.session.rollback()
            from flask_babel import gettext

            items.append(AttentionItem("check_failed", 1, gettext(
                "One of the checks could not run; see the server log.")))
    return items
