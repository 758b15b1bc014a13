"""Public pages that belong to no stage: home, language switch, health check, staff home."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from sqlalchemy import text

from feedback.core.extensions import csrf, db
from feedback.core.i18n import safe_next
from feedback.core.roles import (
    ALL_ROLES,
    STAFF_ROLES,
    attention_items,
    roles_required,
    staff_links,
    staff_nav,
)

bp = Blueprint("site", __name__)
staff_home = Blueprint("staff_home", __name__, url_prefix="/staff")


@bp.get("/")
def home():
    """A plain landing page; people usually arrive by a survey link or QR code instead."""
    return render_template("feedback/home.html")


@bp.get("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in the session and go back where the person was."""
    if code in current_app.config["ENABLED_LOCALES"]:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next")))


def public_fields() -> dict:
    """What packages above this one add to every health answer (no personal data), e.g. which
    text encoder analysis runs; registered in their ``init_app``."""
    return {name: value() for name, value in current_app.extensions.get("health_fields", {})
            .items()}


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """Liveness and database check for load balancers and the run script."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False) and \
            getattr(current_user, "role", None) in STAFF_ROLES:
        from feedback.core.health import report

        # Signed-in staff see the detail (spool, sweepers, backlogs); no phone, no body.
        return jsonify(status="ok", database="ok", **public_fields(), detail=report())
    return jsonify(status="ok", database="ok", **public_fields())


@staff_home.get("/")
@roles_required(*ALL_ROLES)
def index():
    """The staff start page: what needs attention (with links to act on it), then the areas
    the role may use, grouped as in the navigation."""
    items = attention_items()
    return render_template(
        "feedback/staff_home.html",
        warnings=[i for i in items if i.level == "warning"],
        notes=[i for i in items if i.level != "warning"])


def init_app(app) -> None:
    from feedback.staff import attention

    app.register_blueprint(bp)
    app.register_blueprint(staff_home)

    attention.init_app(app)

    @app.context_processor
    def staff_nav_context():
        return {"staff_links": staff_links, "staff_nav": staff_nav}
