"""The task queue: Huey, embedded (SQLite file) by default, Redis-backed when QUEUE_URL says so.

Jobs are declared with ``@queue.task()`` anywhere below the app factory; the factory calls
:func:`init_app` so every job runs inside an application context. In tests the queue runs in
immediate mode (``QUEUE_IMMEDIATE``), executing each job as soon as it is enqueued.

Jobs that may run for minutes (counting the review ahead) are declared ``long=True`` and go
to a queue of their own, which each worker serves with threads of their own
(``flask worker --long-workers``): a long job never holds a thread an SMS job waits for
(docs/reliability.md, "The queue worker").

This module imports nothing of the project (the lowest row of docs/architecture.md).
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from urllib.parse import urlparse

from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

#: Default retry policy: jobs are idempotent, so retrying is always safe. The delay doubles
#: after each failure (10 s, 20 s, 40 s, ...) so a struggling provider is not hammered.
DEFAULT_RETRIES = 5
DEFAULT_RETRY_DELAY = 10
DEFAULT_RETRY_BACKOFF = 2
DEFAULT_QUEUE_NAME = "coalition-feedback"
#: Added to the queue's name for the long jobs' queue.
LONG_QUEUE_SUFFIX = "-long"


class _QueueProxy:
    """Stands in for the Huey instance until :func:`init_app` configures the real one.

    Task decorators run at import time, before configuration is known, so they are recorded
    here and bound to the configured Huey instance when the app is created.
    """

    def __init__(self) -> None:
        self._huey: Huey = MemoryHuey(DEFAULT_QUEUE_NAME, immediate=True)
        self._long_huey: Huey = MemoryHuey(DEFAULT_QUEUE_NAME + LONG_QUEUE_SUFFIX,
                                           immediate=True)
        self._app = None
        self._tasks: list[_TaskProxy] = []

    @property
    def huey(self) -> Huey:
        return self._huey

    @property
    def long_huey(self) -> Huey:
        """The long jobs' queue."""
        return self._long_huey

    def _bind(self, proxy: _TaskProxy) -> None:
        proxy.bind(self._long_huey if proxy.long else self._huey)

    def task(
        self,
        retries: int = DEFAULT_RETRIES,
        retry_delay: int = DEFAULT_RETRY_DELAY,
        retry_backoff: float = DEFAULT_RETRY_BACKOFF,
        long: bool = False,
        **kw,
    ):
        """Declare a job; it runs in an app context and is retried with exponential backoff.
        ``long`` puts it on the long jobs' queue.

        Huey multiplies ``retry_delay`` by ``retry_backoff`` after each failed attempt. A job
        may also raise ``huey.exceptions.RetryTask(delay=...)`` to choose its own delay (for
        example from a provider's Retry-After header).
        """
        kw["retry_backoff"] = retry_backoff

        def decorator(fn):
            in_app_context = self._in_app_context(fn)
            proxy = _TaskProxy(self, in_app_context, retries, retry_delay, kw, long=long)
            self._tasks.append(proxy)
            self._bind(proxy)
            return proxy

        return decorator

    def periodic_task(self, validate_datetime, long: bool = False, **kw):
        """Declare a periodic job (run by the worker's scheduler), also in an app context;
        ``long`` puts it on the long jobs' queue."""

        def decorator(fn):
            in_app_context = self._in_app_context(_beating(fn))
            proxy = _TaskProxy(self, in_app_context, 0, 0, kw, periodic=validate_datetime,
                               long=long)
            self._tasks.append(proxy)
            self._bind(proxy)
            return proxy

        return decorator

    def _in_app_context(self, fn):
        """Wrap a job so it runs inside the configured app's context (as any view would)."""

        @functools.wraps(fn)
        def in_app_context(*args, **kwargs):
            app = self._app
            if app is None:
                return fn(*args, **kwargs)
            with app.app_context():
                return fn(*args, **kwargs)

        return in_app_context

    def configure(self, app) -> None:
        self._app = app
        name = app.config.get("QUEUE_NAME") or DEFAULT_QUEUE_NAME
        self._huey, self._long_huey = (
            make_huey(
                app.config["QUEUE_URL"],
                immediate=app.config.get("QUEUE_IMMEDIATE", False),
                instance_path=app.instance_path,
                name=queue_name,
            )
            for queue_name in (name, name + LONG_QUEUE_SUFFIX)
        )
        for proxy in self._tasks:
            self._bind(proxy)


HEARTBEAT_DIR = "heartbeats"


def heartbeat_path(instance_path: str, name: str) -> str:
    """Where a periodic job records the time of its last successful run."""
    return os.path.join(instance_path, HEARTBEAT_DIR, name)


def _beating(fn):
    """Wrap a periodic job so each successful run touches its heartbeat file in the instance
    folder (``flask --app wsgi health`` shows how long ago each sweeper last ran)."""

    @functools.wraps(fn)
    def beating(*args, **kwargs):
        result = fn(*args, **kwargs)
        try:
            from flask import current_app

            path = heartbeat_path(current_app.instance_path, fn.__name__)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(str(result))
        except (OSError, RuntimeError):  # no app context or a read-only disk: no heartbeat
            pass
        return result

    return beating


class _TaskProxy:
    """A job that can be re-bound to a new Huey instance (one per app created)."""

    def __init__(self, queue, fn, retries, retry_delay, kw, periodic=None, long=False):
        self._queue = queue
        self.long = long
        self._fn = fn
        self._retries = retries
        self._retry_delay = retry_delay
        self._kw = kw
        self._periodic = periodic
        self._task = None
        functools.update_wrapper(self, fn)

    def bind(self, huey: Huey) -> None:
        if self._periodic is not None:
            self._task = huey.periodic_task(self._periodic, **self._kw)(self._fn)
        else:
            self._task = huey.task(
                retries=self._retries, retry_delay=self._retry_delay, **self._kw
            )(self._fn)

    def __call__(self, *args, **kwargs):
        """Enqueue the job (or, in immediate mode, run it now)."""
        return self._task(*args, **kwargs)

    def schedule(self, *args, eta: datetime | None = None, **kwargs):
        """Enqueue the job to run at ``eta``. The app's times are naive UTC; Huey would read
        a naive time as the host's local time, so it gets them marked UTC."""
        if eta is not None and eta.tzinfo is None:
            eta = eta.replace(tzinfo=UTC)
        return self._task.schedule(*args, eta=eta, **kwargs)

    def call_local(self, *args, **kwargs):
        """Run the job synchronously in this process (used by CLI commands and tests)."""
        return self._task.call_local(*args, **kwargs)


def make_huey(
    queue_url: str,
    immediate: bool = False,
    instance_path: str = ".",
    name: str = DEFAULT_QUEUE_NAME,
) -> Huey:
    """Build the Huey instance named by ``QUEUE_URL``.

    ``sqlite:///path`` (or empty) gives the embedded queue; ``redis://host:port/db`` the
    production queue that several workers on several machines share; ``memory://`` an
    in-process queue (tests only). ``name`` separates queues sharing one Redis server.
    """
    url = urlparse(queue_url or "")
    if url.scheme in ("redis", "rediss"):
        return RedisHuey(name, url=queue_url, immediate=immediate)
    if url.scheme == "memory":
        return MemoryHuey(name, immediate=immediate)
    path = url.path if url.scheme == "sqlite" and url.path else ""
    if queue_url.startswith("sqlite:///"):
        path = queue_url[len("sqlite:///"):]
    if not path:
        path = os.path.join(instance_path, "queue.sqlite3")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SqliteHuey(name, filename=path, immediate=immediate)


queue = _QueueProxy()
