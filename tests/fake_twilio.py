"""A local fake of Twilio's Messages API, so tests run the real twilio client without network.

``FakeTwilio()`` starts a tiny HTTP server on 127.0.0.1 (free port) in a thread. It implements
``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with realistic JSON (sid, status
"queued", to, body, num_segments, ...) and records every request it received. A test scripts
failures per call with :meth:`FakeTwilio.fail_next`::

    fake.fail_next(429, 20429)          # the next create is refused with Too Many Requests
    fake.fail_next(400, 21610)          # then "recipient unsubscribed"

Every scripted failure is consumed by one request; after that requests succeed.
``fake.slow_next(seconds)`` makes the next create take the message but answer only after
``seconds`` (a read timeout on the client: "maybe sent"). ``GET .../Messages.json?To=...``
lists the messages created (newest first), as Twilio's message list does.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

#: Credentials and public URL the outbound tests configure the app with.
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token"
PUBLIC_BASE_URL = "https://feedback.example.org"

ERROR_MESSAGES = {
    20429: "Too Many Requests",
    21211: "The 'To' number is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
    30003: "Unreachable destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
}


class FakeTwilio:
    """A running fake; use as a context manager or call :meth:`close`."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, port: int = 0):
        self.account_sid = account_sid
        self.requests: list[dict] = []
        self.created: list[dict] = []
        self.messages: list[dict] = []
        self._failures: list[tuple[int, int | None]] = []
        self._slow: list[float] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, payload = fake._handle(self.path, form, self.headers)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                from urllib.parse import urlsplit
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, payload = fake._list(parts.path, query)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def fail_next(self, http_status: int, code: int | None = None) -> None:
        """Make the next un-scripted request fail with this HTTP status and Twilio code."""
        with self._lock:
            self._failures.append((http_status, code))

    def slow_next(self, seconds: float) -> None:
        """Make the next create store the message but answer only after ``seconds``."""
        with self._lock:
            self._slow.append(seconds)

    def _list(self, path: str, query: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests.append({"path": path, "form": query, "auth": "", "method": "GET"})
            if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
                return 404, {"code": 20404, "message": "not found", "status": 404}
            found = [m for m in reversed(self.messages)
                     if not query.get("To") or m["to"] == query["To"]]
        return 200, {"messages": found, "page": 0, "page_size": 100, "next_page_uri": None,
                     "uri": path, "first_page_uri": path, "previous_page_uri": None}

    def _handle(self, path: str, form: dict, headers) -> tuple[int, dict]:
        response = self._create(path, form, headers)
        with self._lock:
            delay = self._slow.pop(0) if self._slow and response[0] == 201 else 0
        if delay:
            import time
            time.sleep(delay)
        return response

    def _create(self, path: str, form: dict, headers) -> tuple[int, dict]:
        with self._lock:
            self.requests.append({"path": path, "form": form,
                                  "auth": headers.get("Authorization", "")})
            expected = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
            if path != expected:
                return 404, {"code": 20404, "message": "The requested resource was not found",
                             "status": 404}
            if self._failures:
                status, code = self._failures.pop(0)
                return status, {
                    "code": code, "message": ERROR_MESSAGES.get(code, "Internal error"),
                    "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status,
                }
            sid = "SM" + uuid.uuid4().hex
            message = {
                "sid": sid, "account_sid": self.account_sid, "api_version": "2010-04-01",
                "body": form.get("Body"), "to": form.get("To"), "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "status": "accepted" if form.get("MessagingServiceSid") else "queued",
                "direction": "outbound-api", "num_segments": "1", "num_media": "0",
                "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
                "date_created": "Mon, 23 Nov 2026 12:00:00 +0000", "date_sent": None,
                "date_updated": "Mon, 23 Nov 2026 12:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
                "subresource_uris": {}, "status_callback": form.get("StatusCallback"),
            }
            self.created.append({**form, "sid": sid})
            self.messages.append(message)
            return 201, message

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
