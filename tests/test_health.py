"""How an operator watches the spool and the sweepers: ``flask health`` and /healthz."""

from __future__ import annotations

import json
from datetime import datetime

from messaging.inbound import spool
from messaging.inbound.jobs import sweep_inbound


def test_health_command_reports_spool_and_sweepers(app, db, runner, tmp_path):
    app.instance_path = str(tmp_path)  # heartbeats of this test only
    app.config["SMS_SPOOL_DIR"] = str(tmp_path / "spool")
    result = runner.invoke(args=["health"])
    report = json.loads(result.output)
    assert report["database"] == "ok" and report["sms_inbound"]["spooled"] == 0
    # No periodic job has run yet: nobody runs the schedule, the report says so.
    assert result.exit_code == 1 and report["sweepers"]["ok"] is False

    sweep_inbound.call_local()
    spool.write("SMwaiting", "+15045550123", "hello", 0, datetime(2026, 1, 1))
    result = runner.invoke(args=["health"])
    report = json.loads(result.output)
    assert report["sweepers"]["seconds_since_last_run"]["sweep_inbound"] < 60
    assert report["sms_inbound"]["spooled"] == 1
    assert "+15045550123" not in result.output and "hello" not in result.output


def test_healthz_shows_the_detail_to_staff_only(app, db, client, make_staff, login):
    assert "detail" not in client.get("/healthz").get_json()
    make_staff()
    login()
    detail = client.get("/healthz").get_json()["detail"]
    assert {"sweepers", "sms_inbound", "tagging"} <= set(detail)
