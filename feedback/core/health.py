"""What an operator watches: the database, the sweepers' last runs, and each package's backlog.

Packages above this one register a check with :func:`register_check` in their ``init_app``
(messaging: spooled texts, unhandled texts, late replies, unknown sends; analysis: untagged
comments); periodic jobs record a heartbeat after each successful run (feedback.core.queue).
``flask --app wsgi health`` prints the report and exits 1 when something needs a person;
``/healthz`` adds it for a signed-in staff member (docs/reliability.md).
"""

from __future__ import annotations

import os
import time

from flask import current_app
from sqlalchemy import text

from feedback.core.extensions import db
from feedback.core.queue import HEARTBEAT_DIR

#: A periodic job that has not run for this long means no worker runs the schedule.
STALE_HEARTBEAT_SECONDS = 15 * 60


def register_check(app, name: str, check) -> None:
    """Add ``check()`` -> dict (with a boolean ``ok``) to the health report, under ``name``."""
    app.extensions.setdefault("health_checks", []).append((name, check))


def heartbeats() -> dict[str, int]:
    """Seconds since each periodic job last finished, by job name."""
    folder = os.path.join(current_app.instance_path, HEARTBEAT_DIR)
    if not os.path.isdir(folder):
        return {}
    now = time.time()
    return {name: int(now - os.path.getmtime(os.path.join(folder, name)))
            for name in sorted(os.listdir(folder))}


def report() -> dict:
    """The whole report; ``ok`` is False when anything in it needs a person."""
    out: dict = {"ok": True}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        out["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unreachable
        db.session.rollback()
        out["database"], out["ok"] = "unreachable", False
    beats = heartbeats()
    out["sweepers"] = {"seconds_since_last_run": beats,
                       "ok": bool(beats) and max(beats.values()) < STALE_HEARTBEAT_SECONDS}
    out["ok"] &= out["sweepers"]["ok"]
    for name, check in current_app.extensions.get("health_checks", []):
        try:
            result = check()
        except Exception as exc:  # noqa: BLE001 - a broken check is reported, not raised
            db.session.rollback()
            result = {"ok": False, "error": type(exc).__name__}
        out[name] = result
        out["ok"] &= bool(result.get("ok", True))
    return out
