"""A diagnostic job that proves a worker is running: ``flask --app wsgi queue-ping`` (and
``--long`` for the long jobs' queue).

The job writes a marker file in the instance folder (shared by the web process and the workers
on one machine; on several machines the returned result, stored by Huey, is the proof).
"""

from __future__ import annotations

import os
import re
import time

from flask import current_app

from feedback.core.queue import queue

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def ping_marker(token: str) -> str:
    """Where the ping job leaves its marker for ``token``."""
    if not _TOKEN.match(token):
        raise ValueError("ping tokens are short letters, digits, '-' or '_'")
    return os.path.join(current_app.instance_path, "queue-pings", token)


@queue.task(retries=0)
def ping(token: str) -> str:
    """Record that a worker (inside an app context) ran this job; returns the worker's pid."""
    path = ping_marker(token)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(str(os.getpid()))
    return str(os.getpid())


@queue.task(retries=0, long=True)
def long_ping(token: str, hold: float = 0.0) -> str:
    """The ping on the long jobs' queue; then keeps its thread ``hold`` seconds, as a long
    job would (to show the ordinary jobs are not held up behind it)."""
    pid = ping.call_local(token)
    time.sleep(hold)
    return pid


def wait_for_ping(token: str, timeout: float) -> str | None:
    """The worker pid written by the ping job, or None if no worker ran it within ``timeout``."""
    path = ping_marker(token)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                return fh.read().strip() or None
        time.sleep(0.2)
    return None
