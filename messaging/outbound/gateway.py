"""The SMS gateway: one small interface over Twilio (production) and the console (development).

Callers never talk to Twilio directly: they call ``get_gateway().send(to, body, ref)`` from the
``send_outbound`` job (messaging.outbound.sending), which owns retries and idempotency. The
gateway's
only job is to make ONE attempt and classify its outcome:

* success -> :class:`SendResult` (the provider SID and the status the create call returned,
  since Twilio sends no callback for the initial ``queued``/``accepted``);
* :class:`TransientSendError` -> safe or sensible to try again later (429/20429, 5xx, 30003,
  network errors); ``maybe_sent`` is True when Twilio may have accepted the message anyway
  (a read timeout or a connection dropped after the request left us), so the caller looks it
  up with ``sent_matching`` (Twilio's message list) before any resend; connection refused, DNS
  failure and connect timeout never reached Twilio and are plain "not sent";
* :class:`PermanentSendError` -> never retry (21610 unsubscribed, 30006 landline,
  21211 invalid number, 30007 filtered, any other 4xx).

Privacy: nothing here logs a phone number or a message body, and the twilio library's own
request/response logger (which would print the response JSON, number and body included) is
capped at WARNING.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

log = logging.getLogger(__name__)

#: Twilio error codes that mean "try again later".
TRANSIENT_CODES = frozenset({20429, 30003, 30001, 30008, 30500})
#: The recipient texted STOP to our number: suppress the contact, never retry.
UNSUBSCRIBED = 21610
#: Landline or unreachable carrier: do not retry.
LANDLINE = 30006
#: Invalid 'To' number.
INVALID_NUMBER = 21211
#: Message filtered by the carrier: flag the content for review.
FILTERED = 30007

#: Seconds Twilio keeps a message in its queue before giving up (it queues up to ~4 h).
DEFAULT_VALIDITY_PERIOD = 4 * 60 * 60
#: Seconds to wait for Twilio's API before treating the attempt as timed out.
HTTP_TIMEOUT = 10
#: Messages read from a recipient's list when a send's outcome is unknown (Twilio's largest page).
LIST_PAGE = 1000


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it took the message."""

    sid: str
    status: str


class SendError(Exception):
    """Base class of gateway failures; ``code`` is Twilio's error code when there is one."""

    def __init__(self, message: str = "", code: int | None = None, status: int | None = None):
        super().__init__(message or f"send failed (code={code}, http={status})")
        self.code = code
        self.http_status = status


class TransientSendError(SendError):
    """Try again later with backoff. ``maybe_sent``: the provider may have taken it already."""

    def __init__(self, message="", code=None, status=None, maybe_sent: bool = False):
        super().__init__(message, code, status)
        self.maybe_sent = maybe_sent


class PermanentSendError(SendError):
    """Never retry this message (see the module docstring for the codes)."""


def classify_twilio_error(http_status: int | None, code: int | None) -> SendError:
    """Map an HTTP status and Twilio error code to a transient or permanent error."""
    if http_status == 429 or code in TRANSIENT_CODES:
        return TransientSendError(code=code, status=http_status)
    if http_status is not None and http_status >= 500:
        # Twilio's 5xx almost always means "not processed": retry (small duplicate risk,
        # documented in messaging.outbound.sending).
        return TransientSendError(code=code, status=http_status)
    return PermanentSendError(code=code, status=http_status)


class ConsoleGateway:
    """Development backend: logs that a text was sent (no number, no body), no network."""

    name = "console"

    def send(self, to: str, body: str, reference: int | None = None) -> SendResult:
        """Pretend to send; returns a fake SID so the rest of the pipeline behaves normally."""
        sid = "SMconsole" + uuid.uuid4().hex
        log.info("sent sms", extra={"sms_sid": sid, "sms_chars": len(body)})
        return SendResult(sid=sid, status="sent")

    def sent_matching(self, to: str, body: str, since) -> list[SendResult]:
        """The console never loses an answer: nothing to reconcile."""
        return []


def _rebased_http_client(base_url: str, timeout: float):
    """A TwilioHttpClient that sends ``https://api.twilio.com/...`` requests to ``base_url``.

    Used for tests and local fakes: the library's own request building, auth and error
    parsing still run; only the host changes. No retries are mounted, so a non-idempotent
    POST is never silently repeated by urllib3.
    """
    from twilio.http.http_client import TwilioHttpClient

    class RebasedHttpClient(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            if base_url and url.startswith("https://api.twilio.com"):
                url = base_url.rstrip("/") + url[len("https://api.twilio.com"):]
            return super().request(method, url, *args, **kwargs)

    return RebasedHttpClient(timeout=timeout, max_retries=0)


class TwilioGateway:
    """Production backend: one Messages.create call through the official twilio library."""

    name = "twilio"

    def __init__(self, config):
        from twilio.rest import Client

        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        self.messaging_service_sid = config.get("TWILIO_MESSAGING_SERVICE_SID") or None
        self.from_number = config.get("TWILIO_FROM_NUMBER") or None
        base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
        self.status_callback = base + "/sms/status" if base else None
        self.validity_period = int(config.get("SMS_VALIDITY_PERIOD", DEFAULT_VALIDITY_PERIOD))
        http_client = _rebased_http_client(
            config.get("TWILIO_API_BASE_URL") or "", config.get("SMS_HTTP_TIMEOUT", HTTP_TIMEOUT)
        )
        self.client = Client(
            config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN"),
            http_client=http_client,
        )

    def send(self, to: str, body: str, reference: int | None = None) -> SendResult:
        """Create the message at Twilio; raise a classified :class:`SendError` on failure.

        ``reference`` (our outbound message id) rides on the status callback URL, so a
        callback that overtakes our own write of the SID, or follows a send whose answer we
        never got (a read timeout), still finds its message (messaging.outbound.status)."""
        import requests
        from twilio.base.exceptions import TwilioRestException

        kwargs = {"to": to, "body": body, "validity_period": self.validity_period}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback + (
                f"?ref={int(reference)}" if reference is not None else "")
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            raise classify_twilio_error(exc.status, exc.code) from None
        except requests.exceptions.ConnectTimeout:
            # Never connected: Twilio cannot have the message.
            raise TransientSendError("connect timeout") from None
        except requests.exceptions.Timeout:
            raise TransientSendError("read timeout", maybe_sent=True) from None
        except requests.exceptions.ConnectionError as exc:
            if never_connected(exc):
                raise TransientSendError("connection refused") from None
            raise TransientSendError("connection lost", maybe_sent=True) from None
        return SendResult(sid=message.sid, status=message.status or "queued")

    def sent_matching(self, to: str, body: str, since) -> list[SendResult]:
        """Look a send whose outcome we never learnt up in Twilio's message list: every
        message to ``to`` with exactly ``body`` created at or after ``since`` (naive UTC),
        newest first (the caller tells ours from the same text sent for another row).

        Twilio's list filters on the date a message was *sent*, and a message Twilio still
        holds (a Messaging Service's queue, a rate limit, a carrier's back-pressure) has none:
        filtered that way it would be missing, and sent a second time. So the recipient's
        whole list is read (one page of up to ``LIST_PAGE``; a family gets far fewer texts
        in the year Twilio keeps them) and filtered here on the date it was created; a full
        page also reads those sent since, so a long history never hides a recent send.
        Raises :class:`TransientSendError` when the list cannot be read (try again later)."""
        import requests
        from twilio.base.exceptions import TwilioRestException

        messages = self.client.messages
        try:
            found = messages.list(to=to, page_size=LIST_PAGE, limit=LIST_PAGE)
            if len(found) >= LIST_PAGE:
                found += messages.list(to=to, date_sent_after=since, page_size=LIST_PAGE,
                                       limit=LIST_PAGE)
        except TwilioRestException as exc:
            raise TransientSendError(code=exc.code, status=exc.status) from None
        except requests.exceptions.RequestException:
            raise TransientSendError("message list unreachable") from None
        after = since.replace(tzinfo=UTC)
        unique = {message.sid: message for message in found
                  if (message.body or "") == body
                  and (message.date_created is None or message.date_created >= after)}
        newest_first = sorted(unique.values(), reverse=True,
                              key=lambda m: m.date_created or datetime.max.replace(tzinfo=UTC))
        return [SendResult(sid=message.sid, status=message.status or "queued")
                for message in newest_first]


def never_connected(exc: BaseException) -> bool:
    """True when a requests ConnectionError happened before any byte reached the server
    (connection refused, DNS failure): urllib3 wraps those in NewConnectionError (its
    NameResolutionError is one). A connection dropped after the request was written
    (RemoteDisconnected, reset while reading) is not one: the message may have been taken."""
    from urllib3.exceptions import NewConnectionError

    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError):
            return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            if isinstance(reason, NewConnectionError):
                return True
        current = current.__cause__ or current.__context__ or (
            current.args[0] if current.args and isinstance(current.args[0], BaseException)
            else None)
    return False


#: Settings a cached gateway was built from (a change builds a new one).
_GATEWAY_SETTINGS = (
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID", "TWILIO_API_BASE_URL", "PUBLIC_BASE_URL",
)


def get_gateway(app=None):
    """The backend named by ``SMS_BACKEND`` ("console" or "twilio"), cached per app."""
    app = app or current_app._get_current_object()
    backend = app.config.get("SMS_BACKEND", "console")
    key = (backend,) + tuple(app.config.get(name) for name in _GATEWAY_SETTINGS)
    cached = app.extensions.get("sms_gateway")
    if cached is not None and cached[0] == key:
        return cached[1]
    if backend == "twilio":
        gateway = TwilioGateway(app.config)
    elif backend == "console":
        gateway = ConsoleGateway()
    else:
        raise ValueError(f"unknown SMS_BACKEND {backend!r}")
    app.extensions["sms_gateway"] = (key, gateway)
    return gateway
