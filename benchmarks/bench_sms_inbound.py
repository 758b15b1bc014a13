"""Benchmark of the Twilio webhook ``POST /sms/inbound`` under gunicorn against PostgreSQL.

Run (one command, about a minute)::

    .venv/bin/python benchmarks/bench_sms_inbound.py [--phones 240] [--rounds 4] [--threads 8]

It creates a fresh database next to DATABASE_URL's (default
postgresql://postgres@127.0.0.1:5432/test), builds the schema, seeds the family-pulse survey,
starts gunicorn (4 sync workers) on 127.0.0.1, and plays many families answering the survey
with validly signed requests: unique MessageSids, some invalid answers (re-prompts), some
retried deliveries of the same MessageSid (after a few untimed families to warm each worker
up). In the same server it measures two reference
endpoints (BENCHMARK_ENDPOINTS=1): signature check only, and signature check plus one unique
insert. The three are measured in alternating rounds (a group of families, then as many
requests to each reference), so a slower or faster spell of a shared machine falls on all
three alike; throughput is all requests over all time, per endpoint. It prints requests/s,
p50 and p99 for each, each round's ratio, the stored message and answer counts against the
expected ones (which must match exactly), and whether the targets are met: full webhook >=
half the store-only throughput, p99 < 250 ms.

Then fault rounds (``--fault-rounds``, default 3, each of ``--fault-families``, default 240, 0
to skip): more families answer while PostgreSQL connections of the benchmark database are
terminated every two seconds (from the start) and one gunicorn worker is killed (kill -9) one
second in; a round is long enough (about 6 s) for both to fall inside it, and it says so (a
check of its own). Each round's store-only reference is measured just before and just after
it, as the calm rounds alternate, and the check takes the median of the rounds' ratios: a
round lasts seconds, and a shared machine's slow and fast spells last as long. A family waits for
its next question as a person does: when a delivery fails (the worker died) or its reply is not
in the TwiML (the handling failed or the text was spooled), the same MessageSid is delivered
again, as Twilio retries, and the work left behind is finished the way the worker's sweepers do
(spool drained, unhandled texts handled). It reports lost, duplicated and misplaced answers
(each family's stored answers against its script; all must be 0) and the fault rounds'
throughput against store-only (the median must stay >= 0.5), and prints how many texts were
answered in each quarter second of a round with the faults marked, so a dip shows what it
followed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-auth-token"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def fresh_database(base_url: str) -> tuple[str, str]:
    """Create an empty database beside ``base_url``'s; returns (its URL, its name)."""
    import psycopg

    name = f"bench_sms_{os.getpid()}"
    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), name


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(base_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(env: dict) -> None:
    """Schema and the family survey, in a child process with the benchmark's environment."""
    code = (
        "from feedback.app import create_app\n"
        "from feedback.core.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    from demo.sms import ensure_family_survey\n"
        "    ensure_family_survey()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def count_rows(env: dict) -> tuple[int, int]:
    code = (
        "from feedback.app import create_app\n"
        "from feedback.core.extensions import db\n"
        "from feedback.responses.models import Answer\n"
        "from messaging.models import InboundMessage\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    print(db.session.scalar(db.select(db.func.count(InboundMessage.id))),\n"
        "          db.session.scalar(db.select(db.func.count(Answer.id))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


def script_for(rng: random.Random) -> tuple[list[str], int]:
    """One family's texts through the survey, and how many answers it must store."""
    texts = ["PULSE", rng.choice(["1", "2", "3"])]
    if rng.random() < 0.3:
        texts.append("banana")  # invalid: a re-prompt, nothing stored
    texts.append(str(rng.randint(1, 5)))
    used = rng.random() < 0.6
    texts.append("1" if used else "2")
    answers = 2
    if used:
        if rng.random() < 0.2:
            texts.append("9")  # not an option
        texts.append(str(rng.randint(1, 4)))
        answers += 1
    texts += [rng.choice(["More tutoring", "Transporte por favor", "Cần xe đưa đón",
                          "Longer hours at the center"]), "2", "3", "1 and 2"]
    return texts, answers + 4


def expected_raw(texts: list[str]) -> list[str]:
    """The raw answers a family's script stores, in order (keywords, the language choice and
    invalid answers store nothing)."""
    return [t for t in texts[2:] if t not in ("banana", "9")]


class Client:
    """A keep-alive HTTP client that signs every request like Twilio."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.base = f"http://127.0.0.1:{port}"
        from twilio.request_validator import RequestValidator

        self.validator = RequestValidator(TOKEN)

    def post_until_replied(self, path: str, params: dict,
                           tries: int = 40) -> tuple[int, float, int]:
        """Deliver until the reply comes (fault round): a dropped connection or a reply
        missing from the TwiML makes Twilio's retry of the same MessageSid. Returns the
        status, the time and how many deliveries it took."""
        start = time.perf_counter()
        status = deliveries = 0
        for _ in range(tries):
            deliveries += 1
            try:
                status, _took, text = self.post(path, params, with_body=True)
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                time.sleep(0.2)
                continue
            if status == 200 and "<Message>" in text:
                break
            time.sleep(0.05)
        return status, time.perf_counter() - start, deliveries

    def post(self, path: str, params: dict, with_body: bool = False):
        body = urlencode(params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.validator.compute_signature(self.base + path, params),
            "Connection": "keep-alive",
        }
        for attempt in range(2):
            start = time.perf_counter()
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if with_body:
                    return response.status, time.perf_counter() - start, data.decode()
                return response.status, time.perf_counter() - start
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the sync worker closed it; reconnect once
                if attempt:
                    raise
        raise AssertionError("unreachable")


def params(phone: str, body: str, sid: str) -> dict:
    return {"MessageSid": sid, "AccountSid": "ACbench", "From": phone, "To": "+15045550000",
            "Body": body, "NumMedia": "0", "SmsStatus": "received", "ApiVersion": "2010-04-01"}


def run_threads(worker, threads: int) -> float:
    """Run ``worker`` in ``threads`` threads at once; returns the seconds until all finish."""
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def family_scripts(phones: int, seed: int = 7) -> list[tuple[str, list[str], int]]:
    """Each family's phone, texts and the number of answers they must store."""
    rng = random.Random(seed)
    return [(f"+1985{2000000 + n:07d}", *script_for(rng)) for n in range(phones)]


def run_conversations(port: int, scripts: list, threads: int, deadline: float):
    """Play ``scripts`` over ``threads`` clients; returns latencies, time, sids, answers."""
    work = iter(scripts)
    lock = threading.Lock()
    latencies, sids, errors = [], set(), []
    expected_answers = [0]

    def worker():
        client = Client(port)
        local_rng = random.Random()
        while time.monotonic() < deadline:
            with lock:
                item = next(work, None)
            if item is None:
                return
            phone, texts, answers = item
            for body in texts:
                sid = "SM" + uuid.uuid4().hex
                status, took = client.post("/sms/inbound", params(phone, body, sid))
                retried = local_rng.random() < 0.05
                if retried:  # Twilio redelivers the same message
                    status2, took2 = client.post("/sms/inbound", params(phone, body, sid))
                with lock:
                    latencies.append(took)
                    sids.add(sid)
                    if status != 200:
                        errors.append(status)
                    if retried:
                        latencies.append(took2)
                        if status2 != 200:
                            errors.append(status2)
            with lock:
                expected_answers[0] += answers

    elapsed = run_threads(worker, threads)
    return latencies, elapsed, sids, expected_answers[0], errors


def run_fault_families(port: int, scripts: list, threads: int, deadline: float):
    """Play ``scripts`` with replies awaited (see the module docstring); returns latencies,
    time, when each text got its reply (time.monotonic) and how many texts needed more than
    one delivery."""
    work = iter(scripts)
    lock = threading.Lock()
    latencies, replied_at = [], []
    redelivered = [0]

    def worker():
        client = Client(port)
        while time.monotonic() < deadline:
            with lock:
                item = next(work, None)
            if item is None:
                return
            phone, texts, _answers = item
            for body in texts:
                sid = "SM" + uuid.uuid4().hex
                _status, took, deliveries = client.post_until_replied(
                    "/sms/inbound", params(phone, body, sid))
                with lock:
                    redelivered[0] += deliveries > 1
                    latencies.append(took)
                    replied_at.append(time.monotonic())

    elapsed = run_threads(worker, threads)
    return latencies, elapsed, replied_at, redelivered[0]


#: Seconds between two rounds of pg_terminate_backend in the fault round.
TERMINATE_EVERY = 2.0
#: Seconds into the fault round when one gunicorn worker is killed.
KILL_AFTER = 1.0


def fault_injector(db_url: str, gunicorn_pid: int, stop: threading.Event,
                   faults: dict) -> threading.Thread:
    """Terminate the benchmark database's connections every TERMINATE_EVERY seconds, and kill one
    gunicorn worker with SIGKILL KILL_AFTER seconds in; ``faults`` records how many
    terminations ran and when the kill came (seconds into the round)."""
    import signal

    import psycopg

    parts = urlsplit(db_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))

    def run():
        started, next_terminate = time.monotonic(), 0.0
        with psycopg.connect(admin, autocommit=True) as conn:
            while not stop.is_set():
                now = time.monotonic() - started
                if now >= next_terminate:
                    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
                    faults["terminations"] += 1
                    faults["terminated_at"].append(now)
                    next_terminate += TERMINATE_EVERY
                if faults["killed_at"] is None and now >= KILL_AFTER:
                    children = subprocess.run(["pgrep", "-P", str(gunicorn_pid)],
                                              capture_output=True, text=True).stdout.split()
                    if children:
                        os.kill(int(children[0]), signal.SIGKILL)
                        faults["killed_at"] = now
                stop.wait(0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def finish_and_check(env: dict, scripts: list) -> dict:
    """Do what the worker's sweepers do (drain the spool, handle what is left), then compare
    every fault-round family's stored answers with its script."""
    import json

    families = {phone: expected_raw(texts) for phone, texts, _n in scripts}
    code = (
        "import json, sys\n"
        "from feedback.app import create_app\n"
        "from feedback.core.extensions import db\n"
        "from feedback.responses.models import Answer, Response\n"
        "from messaging.inbound import handling as inbound\n"
        "from messaging.models import Contact, InboundMessage\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    inbound.drain_spool()\n"
        "    for i in inbound.received_since(0):\n"
        "        inbound.handle_stored(i, by_rest_api=True)\n"
        "    phones = json.loads(sys.stdin.read())\n"
        "    rows = db.session.execute(db.select(Contact.phone, Answer.raw_text)\n"
        "        .join(Response, Response.id == Answer.response_id)\n"
        "        .join(Contact, Contact.respondent_id == Response.respondent_id)\n"
        "        .where(Contact.phone.in_(phones)).order_by(Answer.id)).all()\n"
        "    late = db.session.scalar(db.select(db.func.count(InboundMessage.id))\n"
        "        .where(InboundMessage.status == 'late'))\n"
        "    print(json.dumps({'rows': [list(r) for r in rows], 'late': late}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, input=json.dumps(list(families)))
    result = json.loads(out.stdout.strip().splitlines()[-1])
    stored: dict[str, list[str]] = {phone: [] for phone in families}
    for phone, raw in result["rows"]:
        stored[phone].append(raw)
    lost = duplicated = misplaced = 0
    for phone, expected in families.items():
        got = stored[phone]
        lost += sum(max(0, expected.count(x) - got.count(x)) for x in set(expected))
        duplicated += sum(max(0, got.count(x) - expected.count(x)) for x in set(got))
        if len(got) == len(expected):
            misplaced += sum(1 for a, b in zip(got, expected, strict=True) if a != b)
    return {"lost": lost, "duplicated": duplicated, "misplaced": misplaced,
            "late": result["late"]}


def run_reference(port: int, path: str, requests: int, threads: int):
    counter = itertools.count()
    lock = threading.Lock()
    latencies, errors = [], []

    def worker():
        client = Client(port)
        while next(counter) < requests:
            status, took = client.post(path, params("+19855550000", "4", "SM" + uuid.uuid4().hex))
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(status)

    return latencies, run_threads(worker, threads), errors


class Tally:
    """One endpoint's latencies and time, summed over the rounds."""

    def __init__(self, name: str):
        self.name, self.latencies, self.elapsed, self.errors = name, [], 0.0, []

    def add(self, latencies: list[float], elapsed: float, errors: list[int]) -> float:
        """Add a round; returns its requests per second."""
        self.latencies += latencies
        self.elapsed += elapsed
        self.errors += errors
        return len(latencies) / elapsed

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed

    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    def report(self) -> None:
        p50 = statistics.median(self.latencies) * 1000
        print(f"{self.name:<28} {len(self.latencies):>6} req  {self.rps:8.1f} req/s  "
              f"p50 {p50:6.1f} ms  p99 {self.p99():6.1f} ms")


def wait_ready(port: int, proc, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


#: Width in seconds of one step of the fault round's timeline.
STEP = 0.25


def print_timeline(replied_at: list[float], started: float, faults: dict) -> None:
    """Texts answered per STEP seconds of the fault round, a fault's step marked (T: the
    connections terminated, K: the worker killed): where the round loses its time."""
    counts: dict[int, int] = {}
    for moment in replied_at:
        step = int((moment - started) / STEP)
        counts[step] = counts.get(step, 0) + 1
    killed = [faults["killed_at"]] if faults["killed_at"] is not None else []
    marks: dict[int, str] = {}
    for at, mark in [(at, "T") for at in faults["terminated_at"]] + [(at, "K") for at in killed]:
        step = int(at / STEP)
        marks[step] = marks.get(step, "") + mark
    cells = [f"{counts.get(step, 0)}{marks.get(step, '')}" for step in range(max(counts) + 1)]
    print(f"  texts answered per {STEP:g} s (T: connections terminated, K: worker killed): "
          + " ".join(cells))


def fault_round(args, env: dict, db_url: str, proc, scripts: list, calm_store_rps: float) -> dict:
    """One fault round (module docstring): returns its figures. Its store-only reference is
    half the round's texts just before it and half just after, the second half after an
    untimed warm-up (the last termination left new backends); ``calm_store_rps`` is only
    printed beside it."""
    texts = sum(len(texts) for _phone, texts, _n in scripts)
    before = run_reference(args.port, "/sms/bench/store", texts // 2, args.threads)
    stop = threading.Event()
    faults = {"terminations": 0, "terminated_at": [], "killed_at": None}
    started = time.monotonic()
    injector = fault_injector(db_url, proc.pid, stop, faults)
    try:
        latencies, elapsed, replied_at, redelivered = run_fault_families(
            args.port, scripts, args.threads, time.monotonic() + args.max_seconds)
    finally:
        stop.set()
        injector.join(timeout=10)
    rps = len(latencies) / elapsed if elapsed else 0.0
    run_reference(args.port, "/sms/bench/store", args.warmup * 10, args.threads)
    after = run_reference(args.port, "/sms/bench/store", texts - texts // 2, args.threads)
    store_rps = (len(before[0]) + len(after[0])) / (before[1] + after[1])
    outcome = finish_and_check(env, scripts)
    ratio = rps / store_rps if store_rps else 0.0
    killed = faults["killed_at"]
    print(f"fault round: {len(scripts)} families, {len(latencies)} texts in {elapsed:.1f} s, "
          f"{rps:.0f} req/s against {store_rps:.0f} req/s store-only just before and after: "
          f"ratio {ratio:.2f} ({rps / calm_store_rps:.2f} to the calm rounds' store-only); "
          f"connections terminated {faults['terminations']} times (every "
          f"{TERMINATE_EVERY:g} s), one worker killed "
          + (f"{killed:.1f} s in" if killed is not None else "(not: no worker found)")
          + f"; {redelivered} texts delivered again; lost {outcome['lost']}, duplicated "
          f"{outcome['duplicated']}, misplaced {outcome['misplaced']} answers; late replies "
          f"{outcome['late']}")
    print_timeline(replied_at, started, faults)
    outcome.update(ratio=ratio,
                   faulted=killed is not None and killed < elapsed and faults["terminations"] >= 2)
    return outcome


def fault_rounds(args, env: dict, db_url: str, proc, scripts: list, calm_store_rps: float) -> dict:
    """``--fault-rounds`` fault rounds, each with families of its own, and their checks
    (module docstring)."""
    size = args.fault_families
    rounds = [fault_round(args, env, db_url, proc, scripts[first:first + size], calm_store_rps)
              for first in range(0, size * args.fault_rounds, size)]
    ratios = sorted(outcome["ratio"] for outcome in rounds)
    median = statistics.median(ratios)
    print(f"fault rounds: throughput ratio to store-only {', '.join(f'{r:.2f}' for r in ratios)}"
          f" (median {median:.2f})")
    return {
        "fault rounds: a worker killed and connections terminated during each":
            all(outcome["faulted"] for outcome in rounds),
        "fault rounds: nothing lost, duplicated or misplaced":
            all(o["lost"] == o["duplicated"] == o["misplaced"] == 0 for o in rounds),
        "fault rounds: median throughput >= 0.5 x store-only": median >= 0.5,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=240)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=16, help="families played before timing")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--fault-families", type=int, default=240,
                        help="families in each fault round (0: no fault round)")
    parser.add_argument("--fault-rounds", type=int, default=3)
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    db_url, db_name = fresh_database(base_url)
    env = dict(os.environ, DATABASE_URL=db_url, SMS_BACKEND="console", TWILIO_AUTH_TOKEN=TOKEN,
               PUBLIC_BASE_URL=f"http://127.0.0.1:{args.port}", BENCHMARK_ENDPOINTS="1",
               QUEUE_URL="memory://", LOG_LEVEL="WARNING",
               INSTANCE_PATH=str(ROOT / "instance" / "bench"))
    proc = None
    try:
        prepare(env)
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-w", str(args.workers),
             "-k", "sync", "-b", f"127.0.0.1:{args.port}", "--log-level", "warning",
             "wsgi:app"], cwd=ROOT, env=env,
        )
        wait_ready(args.port, proc)
        deadline = time.monotonic() + args.max_seconds
        webhook, validate, store = (Tally("webhook /sms/inbound"),
                                    Tally("reference: validate only"),
                                    Tally("reference: validate + insert"))
        all_scripts = family_scripts(args.phones + args.warmup
                                     + args.fault_families * args.fault_rounds)
        fault_scripts = all_scripts[args.phones + args.warmup:]
        scripts = all_scripts[:args.phones + args.warmup]
        # Warm-up, not timed: each worker's caches (compiled statements, templates, survey
        # steps, prepared statements) fill on its first requests of each kind.
        _, _, unique_sids, expected_answers, _ = run_conversations(
            args.port, scripts[:args.warmup], args.threads, deadline)
        for path in ("/sms/bench/validate", "/sms/bench/store"):
            run_reference(args.port, path, len(unique_sids), args.threads)
        warmup_stores = len(unique_sids)
        scripts = scripts[args.warmup:]
        size = -(-len(scripts) // args.rounds)
        for first in range(0, len(scripts), size):
            lat, elapsed, sids, answers, errors = run_conversations(
                args.port, scripts[first:first + size], args.threads, deadline)
            unique_sids |= sids
            expected_answers += answers
            full_rps = webhook.add(lat, elapsed, errors)
            validate.add(*run_reference(args.port, "/sms/bench/validate", len(lat), args.threads))
            store_rps = store.add(*run_reference(args.port, "/sms/bench/store", len(lat),
                                                 args.threads))
            print(f"  round {first // size + 1}: {len(lat)} webhook requests, "
                  f"{full_rps:.0f} vs {store_rps:.0f} req/s store-only "
                  f"(ratio {full_rps / store_rps:.2f})")
        print(f"gunicorn {args.workers} sync workers, {args.threads} client threads, "
              f"PostgreSQL, {args.phones} families in {args.rounds} alternating rounds "
              f"(after {args.warmup} to warm up)")
        for tally in (webhook, validate, store):
            tally.report()
        stored_messages, stored_answers = count_rows(env)
        stored_messages -= len(store.latencies) + warmup_stores  # the store-only reference rows
        print(f"messages stored {stored_messages} / expected {len(unique_sids)}; "
              f"answers stored {stored_answers} / expected {expected_answers}; "
              f"non-200 answers {len(webhook.errors) + len(store.errors)}")
        ratio = webhook.rps / store.rps
        print(f"webhook / store-only throughput: {ratio:.2f} (validate-only "
              f"{validate.rps:.0f} req/s)")
        checks = {
            "counts match exactly": stored_messages == len(unique_sids)
            and stored_answers == expected_answers and not webhook.errors,
            "throughput >= 0.5 x store-only": ratio >= 0.5,
            "p99 < 250 ms": webhook.p99() < 250,
        }
        if args.fault_families:
            checks.update(fault_rounds(args, env, db_url, proc, fault_scripts, store.rps))
        for name, ok in checks.items():
            print(f"  [{'met' if ok else 'NOT met'}] {name}")
        return 0 if all(checks.values()) else 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
        if not args.keep_db:
            drop_database(base_url, db_name)


if __name__ == "__main__":
    raise SystemExit(main())
