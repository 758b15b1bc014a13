"""The app as deployed: gunicorn (2+ web worker processes) and the queue worker as separate
processes, on a free port, against a fresh database, demo seeded, reached over HTTP.

It starts the app the way ``scripts/run.sh`` does (see docs/testing.md, "The deployed-app
tier"): ``flask db upgrade``, ``flask seed-demo``, ``python -m flask --app wsgi worker`` and
``python -m gunicorn wsgi:app``. Every process runs in its own process group and is stopped
(TERM, then KILL) when the ``start_deployment`` block ends, also on failure; every wait is
bounded.

Database: a SQLite file under the deployment's instance folder, or — when ``DATABASE_URL``
names a PostgreSQL server — a fresh database created on that server for this deployment and
dropped (``WITH (FORCE)``) afterwards. The queue is the embedded SQLite queue in the instance
folder, so web processes and the worker talk through a file as in a development install.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SECRET_KEY = "deployed-tier-secret-key-not-for-production"
PSEUDONYM_KEY = "deployed-tier-pseudonym-key"

#: The accounts every deployment has: (email, password) per role. The admin is the demo's.
ACCOUNTS = {
    "admin": ("admin@demo.coalition.example", "demo-password-2026"),
    "staff": ("staff@deployed.example", "deployed staff password"),
    "partner_viewer": ("viewer@deployed.example", "deployed viewer password"),
}

START_TIMEOUT = 60.0  # seconds for gunicorn to answer /healthz
STOP_TIMEOUT = 10.0  # seconds between TERM and KILL
COMMAND_TIMEOUT = 300.0  # seconds for db upgrade / seed-demo
REQUEST_TIMEOUT = 60.0  # seconds per HTTP request (the PDF takes a few)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def wait_until(check, timeout: float, step: float = 1.0):
    """``check()``'s first truthy value within ``timeout`` seconds (asked every ``step``), or
    its value at the deadline: every wait of this tier is bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return check()


class DeploymentError(RuntimeError):
    """The app could not be started (the message carries the processes' logs)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csrf_from(html: str) -> str:
    """The CSRF token of the first form (or the page's csrf-token meta) in ``html``."""
    match = _CSRF.search(html) or _CSRF_META.search(html)
    if not match:
        raise AssertionError("no csrf_token on the page")
    return next(group for group in match.groups() if group)


_GUNICORN_HELP: str | None = None


def _gunicorn_options() -> list[str]:
    """``--no-control-socket`` where gunicorn has it (27+), as scripts/run.sh does."""
    global _GUNICORN_HELP
    if _GUNICORN_HELP is None:
        result = subprocess.run(
            [sys.executable, "-m", "gunicorn", "--help"],
            capture_output=True, text=True, timeout=60, check=False,
        )
        _GUNICORN_HELP = result.stdout
    return ["--no-control-socket"] if "--no-control-socket" in _GUNICORN_HELP else []


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc; gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _stop_group(proc: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    """Stop the process and its group: ``sig``, a bounded wait, then KILL."""
    if proc is None or proc.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGKILL)  # stray children of a dead leader
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# --- PostgreSQL: one fresh database per deployment --------------------------------------


def _pg_urls(base_url: str, name: str) -> tuple[str, str]:
    """(admin URL: the server's database from DATABASE_URL, URL of the new database)."""
    parts = urlsplit(base_url)
    new = urlunsplit(parts._replace(path="/" + name))
    return base_url, new


def _pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    url = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


class Deployment:
    """A running deployment; see the module docstring."""

    def __init__(self, root: Path, *, web_workers: int, env: dict | None, worker: bool):
        self.root = Path(root)
        self.instance_path = str(self.root / "instance")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web_workers = web_workers
        self._want_worker = worker
        self._admin_url: str | None = None
        self._db_name: str | None = None
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
            self._db_name = f"cf_deployed_{os.getpid()}_{secrets.token_hex(4)}"
            self._admin_url, self.database_url = _pg_urls(base, self._db_name)
        else:
            self.database_url = "sqlite:///" + str(Path(self.instance_path) / "coalition.sqlite3")
        os.makedirs(self.instance_path, exist_ok=True)
        clean = {
            k: v for k, v in os.environ.items()
            if k not in ("FLASK_ENV", "APP_ENV", "QUEUE_URL", "DATABASE_URL", "FLASK_APP",
                         "PUBLIC_BASE_URL", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")
        }
        self.env: dict[str, str] = {
            **clean,
            "INSTANCE_PATH": self.instance_path,
            "DATABASE_URL": self.database_url,
            "QUEUE_URL": "sqlite:///" + str(Path(self.instance_path) / "queue.sqlite3"),
            "SMS_BACKEND": "console",
            "SECRET_KEY": SECRET_KEY,
            "PSEUDONYM_KEY": PSEUDONYM_KEY,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.master_pid: int | None = None
        self.worker_pid: int | None = None
        self._web: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None
        self._app = None
        self._log_files: list[Path] = []
        self._worker_starts = 0

    # --- processes ----------------------------------------------------------------------

    def _log(self, name: str) -> Path:
        path = self.root / f"{name}.log"
        self._log_files.append(path)
        return path

    def flask_command(self, *args: str) -> None:
        """Run ``flask --app wsgi *args`` with the deployment's settings; a non-zero exit
        raises DeploymentError with the end of its log."""
        log = self._log("flask-" + args[0])
        with open(log, "ab") as out:
            result = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "wsgi", *args],
                cwd=PROJECT_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT, check=False,
            )
        if result.returncode != 0:
            raise DeploymentError(f"flask {' '.join(args)} failed:\n{log.read_text()[-4000:]}")

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen:
        with open(log, "ab") as out:
            return subprocess.Popen(
                args, cwd=PROJECT_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def create_database(self) -> None:
        if self._db_name:
            _pg_admin(self._admin_url, f'CREATE DATABASE "{self._db_name}"')

    def drop_database(self) -> None:
        if self._db_name:
            with contextlib.suppress(Exception):
                _pg_admin(self._admin_url,
                          f'DROP DATABASE IF EXISTS "{self._db_name}" WITH (FORCE)')

    def prepare(self, seed_demo: bool) -> None:
        self.flask_command("db", "upgrade")
        if seed_demo:
            self.flask_command("seed-demo")
        self._create_accounts(seed_demo)

    def _create_accounts(self, seed_demo: bool) -> None:
        from feedback.core.extensions import db
        from feedback.responses.models import Organization, StaffUser
        from feedback.staff.auth import hash_password

        with self.app_context():
            partner = db.session.scalar(
                db.select(Organization).filter_by(kind="partner").order_by(Organization.id)
            )
            if partner is None:
                partner = Organization(name="Deployed tier partner", kind="partner")
                db.session.add(partner)
            for role, (email, password) in ACCOUNTS.items():
                if db.session.scalar(db.select(StaffUser).filter_by(email=email)) is not None:
                    continue
                db.session.add(StaffUser(
                    email=email, password_hash=hash_password(password), role=role,
                    organization=partner if role == "partner_viewer" else None,
                ))
            db.session.commit()

    def start_web(self) -> None:
        self._web = self._spawn(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.web_workers), "--timeout", "120", *_gunicorn_options(),
             "--access-logfile", "-", "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(L)ss',
             "wsgi:app"],
            self._log("gunicorn"),
        )
        self.master_pid = self._web.pid
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._web.poll() is not None:
                raise DeploymentError("gunicorn exited at start:\n" + self.logs()[-4000:])
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        else:
            raise DeploymentError("gunicorn did not answer /healthz:\n" + self.logs()[-4000:])
        # Every web worker is up (the first answer may come before the others booted).
        while time.monotonic() < deadline and len(self.web_worker_pids()) < self.web_workers:
            time.sleep(0.2)

    def start_queue_worker(self) -> int:
        """Start (or restart) the queue worker process; its pid."""
        if self._worker is not None and self._worker.poll() is None:
            return self._worker.pid
        self._worker_starts += 1
        self._worker = self._spawn(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            self._log(f"worker-{self._worker_starts}"),
        )
        self.worker_pid = self._worker.pid
        return self.worker_pid

    def kill_queue_worker(self, sig=signal.SIGKILL) -> None:
        """Signal the queue worker's process group and wait (bounded) for it to end."""
        if self._worker is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._worker.pid, sig)
        try:
            self._worker.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _stop_group(self._worker, signal.SIGKILL)

    def web_worker_pids(self) -> list[int]:
        return _children(self.master_pid) if self.master_pid else []

    def kill_web_worker(self, sig=signal.SIGKILL) -> int:
        """Signal one gunicorn worker (the master starts a new one); the signalled pid."""
        pids = self.web_worker_pids()
        if not pids:
            raise DeploymentError("no gunicorn worker is running")
        os.kill(pids[0], sig)
        return pids[0]

    def stop(self) -> None:
        for proc in (self._web, self._worker):
            with contextlib.suppress(Exception):
                _stop_group(proc)
        if self._app is not None:
            from feedback.core.extensions import db

            with contextlib.suppress(Exception), self._app.app_context():
                db.session.remove()
                db.engine.dispose()

    def logs(self) -> str:
        parts = []
        for path in self._log_files:
            with contextlib.suppress(OSError):
                parts.append(f"----- {path.name} -----\n" + path.read_text(errors="replace"))
        return "\n".join(parts)

    # --- direct database access ---------------------------------------------------------

    @contextlib.contextmanager
    def app_context(self) -> Iterator:
        """A Flask app on the deployment's database and queue, inside an app context."""
        if self._app is None:
            from feedback.app import create_app
            from feedback.core.config import normalise_database_url

            self._app = create_app({
                "SECRET_KEY": SECRET_KEY,
                "PSEUDONYM_KEY": PSEUDONYM_KEY,
                "SQLALCHEMY_DATABASE_URI": normalise_database_url(self.database_url),
                "QUEUE_URL": self.env["QUEUE_URL"],
                "QUEUE_IMMEDIATE": False,
                "RATELIMIT_STORAGE_URI": "memory://",
                "SMS_BACKEND": "console",
            })
        from feedback.core.extensions import db
        from feedback.core.queue import queue

        # The job proxies are shared by every app of this process: point them at this
        # deployment's queue, so jobs enqueued here reach its worker.
        queue.configure(self._app)
        with self._app.app_context():
            try:
                yield self._app
            finally:
                db.session.remove()

    # --- HTTP ----------------------------------------------------------------------------

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", REQUEST_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return requests.get(self.url + path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", REQUEST_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return requests.post(self.url + path, **kw)

    def csrf(self, session: requests.Session, path: str) -> str:
        page = session.get(self.url + path, timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200, f"{path} answered {page.status_code}"
        return csrf_from(page.text)

    def session(self, role: str | None = None, locale: str | None = None) -> requests.Session:
        """A requests.Session signed in over HTTP as ``role`` (None: anonymous), with the
        interface language ``locale`` chosen through the language switch."""
        s = requests.Session()
        if role is not None:
            email, password = ACCOUNTS[role]
            token = self.csrf(s, "/staff/login")
            answer = s.post(
                self.url + "/staff/login",
                data={"email": email, "password": password, "csrf_token": token},
                allow_redirects=False, timeout=REQUEST_TIMEOUT,
            )
            if answer.status_code != 302:
                raise DeploymentError(f"login as {role} answered {answer.status_code}")
        if locale is not None:
            answer = s.get(f"{self.url}/lang/{locale}", params={"next": "/"},
                           allow_redirects=False, timeout=REQUEST_TIMEOUT)
            if answer.status_code != 302:
                raise DeploymentError(f"language switch to {locale} answered {answer.status_code}")
        return s


@contextlib.contextmanager
def start_deployment(
    tmp_path, *, web_workers: int = 2, env: dict | None = None, seed_demo: bool = True,
    worker: bool = True,
) -> Iterator[Deployment]:
    """Start a deployment under ``tmp_path``; stop everything and drop its database at exit."""
    deployment = Deployment(Path(tmp_path), web_workers=web_workers, env=env, worker=worker)
    deployment.create_database()
    try:
        deployment.prepare(seed_demo)
        if worker:
            deployment.start_queue_worker()
        deployment.start_web()
        yield deployment
    finally:
        deployment.stop()
        deployment.drop_database()


_SHARED: dict = {}


def shared_deployment(request, tmp_path_factory) -> Deployment:
    """One deployment per test session, for the session fixtures of both tests/deployed and
    tests/browser (started by whichever asks first, stopped at the end of the session)."""
    if "deployment" not in _SHARED:
        manager = start_deployment(tmp_path_factory.mktemp("deployed"))
        _SHARED["deployment"] = manager.__enter__()

        def stop():
            _SHARED.clear()
            manager.__exit__(None, None, None)

        request.session.config.add_cleanup(stop)
    return _SHARED["deployment"]
