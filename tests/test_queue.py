"""The task queue: jobs run inside an app context, retry with growing delays, and a real
worker process picks them up from the embedded SQLite queue (and from Redis when it answers)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from flask import current_app

from feedback.app import create_app
from feedback.core.config import PROJECT_ROOT
from feedback.core.queue import queue
from feedback.core.queue_diag import long_ping, ping, wait_for_ping

ATTEMPTS: list[str] = []


@queue.task(retries=3, retry_delay=4, retry_backoff=2)
def flaky_job(label: str) -> None:
    """Fails every time, so the test can watch the retry delays grow."""
    ATTEMPTS.append(current_app.name)
    raise RuntimeError("temporary failure " + label)


def test_jobs_run_inside_an_app_context_in_immediate_mode(app):
    assert app.config["QUEUE_IMMEDIATE"] is True
    token = uuid.uuid4().hex
    ping(token)  # immediate mode: runs now, in this process
    assert wait_for_ping(token, timeout=1) == str(os.getpid())


def test_failed_jobs_are_retried_with_exponential_backoff(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    create_app({"QUEUE_URL": "memory://", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    huey = queue.huey
    ATTEMPTS.clear()
    flaky_job("x")
    delays = []

    def now():
        return datetime.now(UTC).replace(tzinfo=None) if huey.utc else datetime.now()

    start = now()
    for _ in range(4):
        task = huey.dequeue()
        if task is None:  # waiting in the schedule: move it along as the clock would
            (task,) = huey.scheduled()
            delays.append(round((task.eta - start).total_seconds()))
            huey.storage.flush_schedule()
        start = now()
        huey.execute(task, timestamp=task.eta or start)
    assert ATTEMPTS == ["feedback"] * 4  # the first run and three retries, each in the app
    assert delays == [4, 8, 16]
    assert huey.scheduled() == [] and huey.dequeue() is None  # no fifth attempt


def _free_worker_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "QUEUE_URL")}
    env.update(
        INSTANCE_PATH=str(tmp_path),
        DATABASE_URL="sqlite:///" + str(tmp_path / "worker.sqlite3"),
        SMS_BACKEND="console",
        **extra,
    )
    return env


@contextlib.contextmanager
def _real_worker(tmp_path, monkeypatch, env, *options):
    """``flask worker`` in a process of its own, on the settings in ``env``; yields the app
    (the same settings, so the same queue), the process and its log; stopped with SIGTERM."""
    for name in ("INSTANCE_PATH", "DATABASE_URL", "QUEUE_URL", "QUEUE_NAME"):
        if name in env:
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    app = create_app()
    with app.app_context():
        from feedback.core.extensions import db

        db.create_all()
        db.engine.dispose()
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *options],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield app, worker, log_path
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def _run_ping_through_a_real_worker(tmp_path, monkeypatch, env) -> None:
    with _real_worker(tmp_path, monkeypatch, env, "--workers", "1") as (app, worker, log_path):
        with app.app_context():
            token = uuid.uuid4().hex
            ping(token)
            pid = wait_for_ping(token, timeout=60)
        assert pid == str(worker.pid), log_path.read_text(errors="replace")[-2000:]


@pytest.mark.slow
def test_a_long_job_does_not_hold_up_the_ordinary_jobs(tmp_path, monkeypatch):
    """Counting the review ahead can take minutes; an SMS job must not wait behind it. The
    long jobs have a queue and threads of their own, so with one thread for the ordinary
    jobs, a ping still runs while a long job holds a thread; and stopping the worker does
    not wait for the long job."""
    env = _free_worker_env(tmp_path)
    with _real_worker(tmp_path, monkeypatch, env, "--workers", "1") as (app, worker, log_path):
        with app.app_context():
            held, token = uuid.uuid4().hex, uuid.uuid4().hex
            long_ping(held, hold=600)
            assert wait_for_ping(held, timeout=60) == str(worker.pid), \
                log_path.read_text(errors="replace")[-2000:]
            ping(token)  # while the long job holds its thread
            assert wait_for_ping(token, timeout=60) == str(worker.pid)
            # The second long thread: a warming run that gives way to the round in progress
            # is not stuck behind it (nor its heartbeat).
            other = uuid.uuid4().hex
            long_ping(other)
            assert wait_for_ping(other, timeout=60) == str(worker.pid)
        os.killpg(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=15) == 0  # not the 600 s the long job holds


@pytest.mark.slow
def test_a_real_worker_runs_a_job_from_the_embedded_sqlite_queue(tmp_path, monkeypatch):
    env = _free_worker_env(tmp_path)
    _run_ping_through_a_real_worker(tmp_path, monkeypatch, env)
    assert (tmp_path / "queue.sqlite3").exists()


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _redis_answers(), reason="no Redis answers on 127.0.0.1:6379")
def test_a_real_worker_runs_a_job_from_redis(tmp_path, monkeypatch):
    name = "cf-test-" + uuid.uuid4().hex[:12]
    env = _free_worker_env(tmp_path, QUEUE_URL="redis://127.0.0.1:6379/0", QUEUE_NAME=name)
    _run_ping_through_a_real_worker(tmp_path, monkeypatch, env)
    assert type(queue.huey).__name__ == "RedisHuey"
    queue.huey.storage.flush_all()


def test_worker_and_ping_commands_are_documented(runner):
    help_text = runner.invoke(args=["--help"]).output
    assert "worker" in help_text and "queue-ping" in help_text
    assert "--long-workers" in runner.invoke(args=["worker", "--help"]).output
    assert "--long" in runner.invoke(args=["queue-ping", "--help"]).output


def test_only_counting_the_review_ahead_runs_on_the_long_jobs_queue(app):
    """The review's warming rounds take minutes at ten million answers: they are the long
    jobs. The SMS, tagging and sweeping jobs stay on the ordinary queue."""
    def periodic(huey):
        return {task.name.rsplit(".", 1)[-1] for task in huey._registry.periodic_tasks}

    assert periodic(queue.long_huey) == {"warm_job", "warm_after_older_writes_job"}
    assert {"sweep_untagged_job", "refresh_job"} <= periodic(queue.huey)
    assert not periodic(queue.long_huey) & periodic(queue.huey)
