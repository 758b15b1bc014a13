"""Public pages that belong to no stage: home, language switch, health check, staff home."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from sqlalchemy import text

from feedback.extensions import csrf, db
from feedback.i18n import safe_next
from feedback.roles import ALL_ROLES, roles_required, staff_links

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


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """Liveness and database check for load balancers and the run script."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    from analysis.text.encoder import encoder_name

    return jsonify(status="ok", database="ok", text_encoder=encoder_name())


@staff_home.get("/")
@roles_required(*ALL_ROLES)
def index():
    """The staff start page: links to every staff area the role may use."""
    return render_template("feedback/staff_home.html", links=staff_links())


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(staff_home)

    @app.context_processor
    def staff_nav():
        return {"staff_links": staff_links}
