"""The deployment fixture itself: separate processes that survive a killed web worker, a
queue worker that can be killed and restarted, and nothing left running afterwards."""

from __future__ import annotations

import os

from deployment import start_deployment, wait_until


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:  # a zombie is not running
        return handle.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_processes_are_separate_replaceable_and_stopped_at_the_end(tmp_path):
    with start_deployment(tmp_path, web_workers=2, seed_demo=False,
                          env={"COALITION_NAME": "Lifecycle Coalition"}) as app:
        workers = app.web_worker_pids()
        assert len(workers) == 2 and app.master_pid not in workers
        assert app.env["COALITION_NAME"] == "Lifecycle Coalition"
        assert "Lifecycle Coalition" in app.get("/").text

        killed = app.kill_web_worker()
        wait_until(lambda: killed not in app.web_worker_pids()
                   and len(app.web_worker_pids()) == 2, 30, 0.2)
        assert killed not in app.web_worker_pids() and len(app.web_worker_pids()) == 2
        assert app.get("/healthz").status_code == 200

        first = app.worker_pid
        app.kill_queue_worker()
        assert not _alive(first)
        assert app.start_queue_worker() != first and _alive(app.worker_pid)

        admin = app.session("admin", "vi")
        assert admin.get(app.url + "/staff/", timeout=30).status_code == 200
        pids = [app.master_pid, app.worker_pid, *app.web_worker_pids()]
    assert [pid for pid in pids if _alive(pid)] == []
