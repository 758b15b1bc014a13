"""The README's run command, end to end: in a temporary copy of the project it migrates, seeds,
starts the web server and the worker, serves /healthz, and stops everything it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from feedback.core.config import PROJECT_ROOT

COPY_IGNORE = shutil.ignore_patterns(
    ".venv", "instance", "node_modules", ".git", "__pycache__", ".pytest_cache", ".ruff_cache",
    "*.mo", "*.sqlite3",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _has_migrations() -> bool:
    return any((PROJECT_ROOT / "migrations" / "versions").glob("*.py"))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _has_migrations(), reason="migrations/versions is empty (not generated)")
def test_run_command_starts_serves_healthz_and_stops(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT, project, ignore=COPY_IGNORE)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "QUEUE_URL")}
    env.update(
        PORT=str(port),
        INSTANCE_PATH=str(tmp_path / "instance"),
        # Reuse this interpreter's environment instead of installing a new one (speed only:
        # the copy's code is what runs, as Flask and gunicorn import from the working dir).
        VENV_DIR=str(Path(sys.executable).parent.parent),
        SKIP_INSTALL="1",  # never re-point the shared environment at the temporary copy
        WEB_CONCURRENCY="1",
    )
    log_path = tmp_path / "run.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            ["bash", str(project / "scripts" / "run.sh")],
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        deadline = time.monotonic() + 180
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    body = (response.status, response.read())
                    break
            except OSError:
                time.sleep(1)
        output = log_path.read_text(errors="replace")
        assert body is not None, output[-3000:]
        assert body[0] == 200 and b'"ok"' in body[1]
        # The URL and the demo login are printed once the server answers.
        deadline = time.monotonic() + 30
        while "Press Ctrl-C" not in output and time.monotonic() < deadline:
            time.sleep(0.5)
            output = log_path.read_text(errors="replace")
        banner = output[output.index("is running at") :]
        assert f"http://127.0.0.1:{port}/" in banner and "Staff login" in banner
        assert f"http://127.0.0.1:{port}/dev/sms" in banner  # the SMS simulator
        logs = tmp_path / "instance" / "logs"
        assert str(logs / "web.log") in banner and str(logs / "worker.log") in banner
        assert (tmp_path / "instance" / "queue.sqlite3").exists()
        # A short human banner: the login once, no JSON log lines in the terminal; the
        # server's and the worker's logs are in their files instead.
        time.sleep(3)  # let the worker and the web server log their start
        output = log_path.read_text(errors="replace")
        assert output.count("Staff login") == 1, output
        assert '{"time"' not in output and len(output.splitlines()) < 40, output
        assert "Booting worker" in (logs / "web.log").read_text()
        assert (logs / "worker.log").read_text().strip(), "the worker logs its start"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # the script's trap stops the server and worker
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    deadline = time.monotonic() + 15
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    still_running = _group_alive(proc.pid)
    if still_running:
        os.killpg(proc.pid, signal.SIGKILL)
    assert not still_running, "the run script left the server or the worker running"
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)
