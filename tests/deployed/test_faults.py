"""Faults against the app as deployed (gunicorn workers + queue worker as processes): a web
worker killed between storing a text and handling it, the Twilio API refusing connections,
PostgreSQL connections terminated or the database unreachable, the queue worker killed, NUL
bytes in texts and web answers, concurrent final submits of one web sitting, and login limits
across workers (docs/reliability.md). Every wait is bounded."""

from __future__ import annotations

import os
import secrets
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from deployment import ACCOUNTS, Deployment, csrf_from, start_deployment, wait_until

pytestmark = pytest.mark.deployed

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="PostgreSQL only: terminating backends and a proxied server")
#: The worker runs periodic jobs at the top of each minute; a sweep may need two ticks.
SWEEP_WAIT = 150


def phone() -> str:
    return "+1504557" + f"{secrets.randbelow(10000):04d}"


def sms(d: Deployment, sender: str, body: str, sid: str | None = None) -> requests.Response:
    data = {"MessageSid": sid or "SM" + secrets.token_hex(16), "AccountSid": "ACdeployed",
            "From": sender, "To": "+15045550000", "Body": body, "NumMedia": "0"}
    return d.post("/sms/inbound", data=data, timeout=30)


def answers_of(d: Deployment, sender: str) -> list[tuple[str, object]]:
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, Response
    from messaging.models import Contact

    with d.app_context():
        return [tuple(row) for row in db.session.execute(
            db.select(Answer.question_key, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .join(Contact, Contact.respondent_id == Response.respondent_id)
            .where(Contact.phone == sender).order_by(Answer.id))]


def inbound_rows(d: Deployment, sids=None) -> list[tuple[str, str]]:
    from feedback.core.extensions import db
    from messaging.models import InboundMessage

    with d.app_context():
        query = db.select(InboundMessage.message_sid, InboundMessage.status)
        if sids is not None:
            query = query.where(InboundMessage.message_sid.in_(list(sids)))
        return [tuple(row) for row in db.session.execute(query)]


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """A deployment whose web workers die right after storing a text whose MessageSid starts
    with SMDIE (test-only fault hook), with login limits in the default database store, and
    whose tagging sweeper takes a comment as lost after 1 s, not a minute: the worker checks
    its periodic jobs when it starts and then once a minute, so a restarted worker sweeps
    what its predecessor lost at once instead of a minute later."""
    env = {"FAULT_INJECTION": "after_store:exit:SMDIE", "RATELIMIT_STORAGE_URI": "database://",
           "TAGGING_SWEEP_AFTER_SECONDS": "1"}
    with start_deployment(tmp_path_factory.mktemp("faults"), web_workers=2, env=env) as d:
        yield d


def _mid_survey(d: Deployment, sender: str) -> None:
    assert sms(d, sender, "PULSE").status_code == 200
    assert sms(d, sender, "1").status_code == 200  # English: the first question waits


def _die_after_store(d: Deployment, sender: str, body: str) -> str:
    sid = "SMDIE" + secrets.token_hex(14)
    with pytest.raises(requests.ConnectionError):
        sms(d, sender, body, sid)
    # gunicorn's master replaces the dead worker
    assert wait_until(lambda: len(d.web_worker_pids()) >= 2, 30, 0.2)
    assert dict(inbound_rows(d, [sid]))[sid] == "received"
    return sid


def test_killed_worker_then_twilio_retry_answers_the_question_it_answered(faults):
    sender = phone()
    _mid_survey(faults, sender)
    sid = _die_after_store(faults, sender, "5")
    retry = wait_until(lambda: _try(lambda: sms(faults, sender, "5", sid)), 30, 0.5)
    assert retry.status_code == 200 and "Did your child" in retry.text
    assert answers_of(faults, sender) == [("needs_met", 5)]


def _try(call):
    try:
        return call()
    except requests.ConnectionError:
        return None


def test_killed_worker_without_retry_is_swept_onto_the_question_it_answered(faults):
    from feedback.core.extensions import db
    from messaging.models import Contact, OutboundMessage

    sender = phone()
    _mid_survey(faults, sender)
    sid = _die_after_store(faults, sender, "5")
    handled = wait_until(lambda: dict(inbound_rows(faults, [sid]))[sid] == "handled",
                         SWEEP_WAIT, 2)
    assert handled, faults.logs()[-3000:]
    assert answers_of(faults, sender) == [("needs_met", 5)]
    with faults.app_context():
        sent = db.session.scalars(
            db.select(OutboundMessage.body).join(Contact).where(Contact.phone == sender))
        assert any("Did your child" in body for body in sent)  # the next question, by API


def test_nul_bytes_in_an_sms_are_removed(faults):
    sender = phone()
    assert sms(faults, sender, "PUL\x00SE").status_code == 200
    assert sms(faults, sender, "1\x00").status_code == 200
    reply = sms(faults, sender, "\x004")
    assert reply.status_code == 200 and "Did your child" in reply.text
    assert answers_of(faults, sender) == [("needs_met", 4)]


def _login(d: Deployment, email: str, password: str) -> int:
    s = requests.Session()  # a new connection: gunicorn hands it to any worker
    token = d.csrf(s, "/staff/login")
    return s.post(d.url + "/staff/login", allow_redirects=False, timeout=30,
                  data={"email": email, "password": password, "csrf_token": token}).status_code


def test_login_limits_hold_across_web_workers(faults):
    assert len(faults.web_worker_pids()) >= 2
    email, _password = ACCOUNTS["staff"]
    codes = [_login(faults, email, "wrong password") for _ in range(8)]
    assert codes == [401] * 5 + [429] * 3
    codes = [_login(faults, f"nobody{i}@example.org", "wrong") for i in range(20)]
    # 5 failures above already count for this address (limit 20 per address)
    assert codes.count(401) == 15 and set(codes[15:]) == {429}


def test_queue_worker_killed_every_answer_tagged_in_the_end(faults):
    from analysis.models import AnswerTag
    from feedback.core.extensions import db
    from feedback.core.queue import queue
    from feedback.responses.intake import record_response
    from surveys.operations import current_version

    faults.kill_queue_worker()
    with faults.app_context():
        from surveys import operations

        texts = {"en": "Anything to tell us?", "es": "¿Algo que decirnos?",
                 "vi": "Bạn muốn nói gì?"}
        survey = operations.import_definition({
            "format": "coalition-feedback/survey", "format_version": 1, "slug": "crash-tags",
            "title": {"en": "Tags", "es": "Etiquetas", "vi": "Nhãn"}, "intro": texts,
            "thanks": texts,
            "questions": [{"key": "comment", "type": "long_text", "required": False,
                           "text": texts}],
        })
        db.session.commit()
        operations.publish(survey)
        version = current_version(survey)
        ids = []
        for i in range(10):
            response = record_response(version, {"comment": f"The bus is late again {i}"},
                                       channel="web", locale="en")
            ids += [a.id for a in response.answers]
        queue.huey.flush()  # the jobs died with the worker
    faults.start_queue_worker()

    def all_tagged():
        with faults.app_context():
            return db.session.scalar(db.select(db.func.count(AnswerTag.answer_id))
                                     .where(AnswerTag.answer_id.in_(ids))) == len(ids)

    assert wait_until(all_tagged, SWEEP_WAIT, 3), faults.logs()[-3000:]


@needs_postgres
def test_terminated_connections_during_a_burst_store_every_text_once(faults):
    import psycopg

    admin = urlsplit(faults.database_url)
    name = admin.path.lstrip("/")
    admin_url = urlunsplit(("postgresql", admin.netloc, "/postgres", "", ""))
    stop = threading.Event()

    def terminate():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            while not stop.is_set():
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
                time.sleep(0.3)

    killer = threading.Thread(target=terminate, daemon=True)
    killer.start()
    senders = [phone() for _ in range(10)]
    sids, codes = [], []
    lock = threading.Lock()

    def family(sender):
        for body in ("PULSE", "1", "4", "yes"):
            sid = "SM" + secrets.token_hex(16)
            code = sms(faults, sender, body, sid).status_code
            with lock:
                sids.append(sid)
                codes.append(code)

    threads = [threading.Thread(target=family, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    stop.set()
    killer.join(timeout=10)
    assert codes == [200] * len(sids)
    stored = wait_until(lambda: len(inbound_rows(faults, sids)) == len(sids), SWEEP_WAIT, 2)
    assert stored, "texts missing after the spool drain"
    rows = inbound_rows(faults, sids)
    assert sorted(sid for sid, _ in rows) == sorted(sids)  # each once


@needs_postgres
def test_database_unreachable_for_seconds_spools_then_drains(tmp_path):
    from tcp_proxy import TcpProxy

    base = urlsplit(os.environ["DATABASE_URL"])
    proxy = TcpProxy((base.hostname or "127.0.0.1", base.port or 5432))
    with _through_proxy(tmp_path, proxy) as d:
        senders = [phone() for _ in range(5)]
        sids = []
        for sender in senders:
            sid = "SM" + secrets.token_hex(16)
            assert sms(d, sender, "PULSE", sid).status_code == 200
            sids.append(sid)
        impatient = phone()  # texts again as soon as the database is back
        assert sms(d, impatient, "PULSE").status_code == 200
        proxy.cut()  # PostgreSQL goes away
        try:
            for sender in senders:
                for body in ("1", "1"):  # Twilio may deliver twice
                    sid = "SM" + secrets.token_hex(16)
                    for _ in range(1 if body == "1" and sid in sids else 2):
                        assert sms(d, sender, "1", sid).status_code == 200
                    sids.append(sid)
            spooled = "SM" + secrets.token_hex(16)
            assert sms(d, impatient, "1", spooled).status_code == 200  # English, spooled
            sids.append(spooled)
            assert list(Path(d.instance_path, "sms-spool").glob("*.json"))
        finally:
            time.sleep(3)
            # the worker drains at the top of each minute: the family must be first
            wait_until(lambda: 5 <= time.time() % 60 <= 45, 60, 0.5)
            proxy.restore()  # back after a few seconds
        # Heard nothing, the family answers again before the drain: English, then a 4 for
        # the first question, which asks "did you use the program? 1 yes 2 no".
        assert sms(d, impatient, "1").status_code == 200
        assert "Did your child" in sms(d, impatient, "4").text
        drained = wait_until(lambda: len(inbound_rows(d, sids)) == len(sids), SWEEP_WAIT, 2)
        assert drained, d.logs()[-3000:]
        assert sorted(s for s, _ in inbound_rows(d, sids)) == sorted(sids)
        # the spooled "1" never answers the question asked after it arrived
        assert dict(inbound_rows(d, [spooled]))[spooled] == "late"
        assert answers_of(d, impatient) == [("needs_met", 4)]
        assert wait_until(lambda: not list(Path(d.instance_path, "sms-spool").glob("*.json")),
                          30)
    proxy.close()


@contextmanager
def _through_proxy(tmp_path, proxy):
    d = Deployment(Path(tmp_path), web_workers=2, env=None, worker=True)
    direct = urlsplit(d.database_url)
    d.env["DATABASE_URL"] = urlunsplit(
        (direct.scheme, f"{direct.username or 'postgres'}@127.0.0.1:{proxy.port}",
         direct.path, direct.query, ""))
    d.create_database()
    try:
        d.prepare(seed_demo=True)
        d.start_queue_worker()
        d.start_web()
        yield d
    finally:
        d.stop()
        d.drop_database()


def test_twilio_api_refusing_then_back_sends_every_reply_once(tmp_path):
    import socket
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from feedback.core.extensions import db
    from messaging.models import Contact, OutboundMessage
    from messaging.outbound.sending import dispatch, queue_message
    from tests.fixtures.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
           "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM_NUMBER": "+15045550000",
           "TWILIO_API_BASE_URL": f"http://127.0.0.1:{port}"}
    with start_deployment(tmp_path, web_workers=2, env=env, seed_demo=False) as d:
        with d.app_context():
            ids = []
            for i in range(5):
                contact = Contact(phone=phone(), consent_source="staff", groups=[])
                db.session.add(contact)
                db.session.flush()
                ids.append(queue_message(contact, f"Reply number {i}", kind="reply").id)
            db.session.commit()
            dispatch(ids)  # the worker tries now: connection refused (nothing listens)

            def statuses():
                return dict(db.session.execute(
                    db.select(OutboundMessage.id, OutboundMessage.status)
                    .where(OutboundMessage.id.in_(ids))).all())

            assert wait_until(lambda: set(statuses().values()) == {"retry"}, 60), statuses()
            db.session.remove()
        with FakeTwilio(ACCOUNT_SID, port=port) as fake:  # the API is back
            def all_sent():
                with d.app_context():
                    return set(statuses().values()) <= {"queued", "sent"}

            assert wait_until(all_sent, SWEEP_WAIT, 2), d.logs()[-3000:]
            bodies = sorted(m["Body"] for m in fake.created)
        assert bodies == sorted(f"Reply number {i}" for i in range(5))  # each exactly once


# --- the web form, at the one intake ------------------------------------------------------

WEB_URL = "/s/test-voice"


@pytest.fixture(scope="module")
def web_survey(faults):
    """The small three-page test survey, published in the running deployment."""
    from feedback.core.extensions import db
    from surveys import operations
    from tests.fixtures.webform import SURVEY

    with faults.app_context():
        survey = operations.import_definition(dict(SURVEY))
        db.session.commit()
        operations.publish(survey)
    return WEB_URL


def _web_page(d: Deployment, s: requests.Session, page: int, answers: dict,
              action: str = "next") -> requests.Response:
    """Open a page of the survey as a browser does, then send it with ``answers``."""
    from tests.fixtures.webform import hidden_token

    url = d.url + f"{WEB_URL}?page={page}"
    html = s.get(url, timeout=30).text
    data = {"csrf_token": csrf_from(html), "token": hidden_token(html), "action": action,
            **answers}
    return s.post(url, data=data, timeout=30, allow_redirects=False)


def _web_answers(d: Deployment, key: str) -> list[str]:
    from feedback.core.extensions import db
    from feedback.responses.models import Answer

    with d.app_context():
        return list(db.session.scalars(db.select(Answer.raw_text).filter_by(question_key=key)))


def test_control_bytes_in_web_answers_are_removed(faults, web_survey):
    s = requests.Session()
    assert _web_page(faults, s, 1, {"q_visits": "1", "q_safe": "yes"}).status_code == 302
    assert _web_page(faults, s, 2, {"q_rating": "3"}).status_code == 302
    back = _web_page(faults, s, 3, {"q_idea": "back\x00 and\x1b forth"}, action="back")
    assert back.status_code == 302  # going back with control bytes: no 500
    assert _web_page(faults, s, 2, {"q_rating": "3"}).status_code == 302
    done = _web_page(faults, s, 3, {"q_idea": "More\x00 lights\x07\tat the\x1b park\nplease"})
    assert done.status_code == 302 and "/thanks" in done.headers["Location"]
    assert "More lights\tat the park\nplease" in _web_answers(faults, "idea")


def test_concurrent_final_submits_store_one_response(faults, web_survey):
    from feedback.core.extensions import db
    from feedback.responses.models import Response
    from tests.fixtures.webform import hidden_token

    s = requests.Session()
    _web_page(faults, s, 1, {"q_visits": "2", "q_safe": "yes"})
    _web_page(faults, s, 2, {"q_rating": "4"})
    html = s.get(faults.url + f"{WEB_URL}?page=3", timeout=30).text
    data = {"csrf_token": csrf_from(html), "token": hidden_token(html), "action": "next",
            "q_idea": "Concurrent submit canary 7731"}
    with faults.app_context():
        before = db.session.scalar(db.select(db.func.count(Response.id)))
    barrier, results = threading.Barrier(5), []

    def submit():
        other = requests.Session()  # a new connection each: gunicorn spreads them on workers
        other.cookies.update(s.cookies)
        barrier.wait()
        results.append(other.post(faults.url + f"{WEB_URL}?page=3", data=data, timeout=60,
                                  allow_redirects=False))

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert [r.status_code for r in results] == [302] * 5, [r.text[:200] for r in results]
    assert all("/thanks" in r.headers["Location"] for r in results)
    assert _web_answers(faults, "idea").count("Concurrent submit canary 7731") == 1
    with faults.app_context():
        assert db.session.scalar(db.select(db.func.count(Response.id))) == before + 1
