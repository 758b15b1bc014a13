"""Helpers for the inbound SMS tests: the family survey, and texting the webhook like Twilio."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token"
_sids = itertools.count(1)


def replies(twiml: str) -> list[str]:
    """The texts of a TwiML MessagingResponse, in order."""
    root = ET.fromstring(twiml)
    return [(m.text or "") for m in root.iter("Message")]


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def family_survey(app, db):
    """The demo family-pulse survey (keyword PULSE), published and open."""
    from messaging.demo_sms import ensure_family_survey

    return ensure_family_survey()


@pytest.fixture
def text(client):
    """Send one text to the webhook as Twilio would; returns the reply texts.

    Signs the request when the app has a TWILIO_AUTH_TOKEN. ``sid`` repeats a delivery.
    """

    def send(phone: str, body: str, sid: str | None = None, num_media: int = 0,
             raw: bool = False):
        params = {
            "MessageSid": sid or f"SMtest{next(_sids):026d}",
            "AccountSid": "ACtest",
            "From": phone,
            "To": "+15045550000",
            "Body": body,
            "NumMedia": str(num_media),
        }
        headers = {}
        token = client.application.config.get("TWILIO_AUTH_TOKEN")
        if token:
            headers["X-Twilio-Signature"] = sign("http://localhost/sms/inbound", params, token)
        response = client.post("/sms/inbound", data=params, headers=headers)
        if raw:
            return response
        assert response.status_code == 200, response.status_code
        return replies(response.get_data(as_text=True))

    return send
