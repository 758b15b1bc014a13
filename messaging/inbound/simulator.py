"""``/dev/sms``: the SMS simulator, a development tool to play the respondent.

Registered only with the console backend (SMS_BACKEND=console), and only for signed-in staff.
A text typed here goes through exactly the webhook's handling
(:func:`messaging.inbound.handling.receive`)
without HTTP or a signature; the page shows the whole thread from the message tables. The
chosen phone number is kept in the session, never in a URL, so it does not reach access logs.

It plays the demo's fake numbers only (+1 504 555 01xx): a coalition may import its real
contacts before it sets up Twilio, and their numbers and texts are for administrators' eyes
(docs/privacy.md), nor may anyone text in a family's name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from feedback.core.extensions import db
from feedback.core.roles import STAFF_ROLES, roles_required
from messaging.inbound import handling as inbound
from messaging.models import Contact, InboundMessage, OutboundMessage

bp = Blueprint("sms_simulator", __name__, url_prefix="/dev/sms")

SESSION_KEY = "sms_simulator_phone"
#: The demo's fake numbers, +1 504 555 0100 to 0199 (reserved for fiction): the only ones played.
DEMO_PREFIX = "+150455501"


class SimulatorForm(FlaskForm):
    """The respondent's phone and the text they send."""

    phone = StringField(_l("Phone number"), validators=[DataRequired(), Length(max=30)])
    body = TextAreaField(_l("Message"), validators=[Optional(), Length(max=1600)])
    submit = SubmitField(_l("Send text"))

    def validate_phone(self, field):
        if not is_demo_number(field.data):
            raise ValidationError(_l("The simulator plays the demo's numbers only: "
                                     "+1 504 555 0100 to 0199."))


def is_demo_number(phone: str | None) -> bool:
    normalised = inbound.normalise_phone(phone)
    return bool(normalised and normalised.startswith(DEMO_PREFIX))


@dataclass
class ThreadItem:
    """One bubble of the thread: who sent it, when, what."""

    incoming: bool
    at: datetime
    body: str
    status: str


def simulate_text(phone: str, body: str) -> inbound.Received:
    """Send ``body`` from ``phone`` through the webhook's handling (a fresh fake MessageSid)."""
    return inbound.receive("SM" + uuid.uuid4().hex, phone, body, 0)


def thread(phone: str | None) -> list[ThreadItem]:
    """Every text to and from ``phone`` (a demo number), oldest first."""
    normalised = inbound.normalise_phone(phone)
    if not is_demo_number(normalised):
        return []
    contact = db.session.scalar(db.select(Contact).filter_by(phone=normalised))
    if not contact:
        return []
    items = [
        ThreadItem(True, m.received_at, m.body or "", m.status)
        for m in db.session.scalars(db.select(InboundMessage).filter_by(contact_id=contact.id))
    ]
    items += [
        ThreadItem(False, m.created_at, m.body or "", m.status)
        for m in db.session.scalars(db.select(OutboundMessage).filter_by(contact_id=contact.id))
    ]
    items.sort(key=lambda item: (item.at, not item.incoming))
    return items


def demo_contacts(limit: int = 40) -> list[Contact]:
    return list(db.session.scalars(
        db.select(Contact).filter(Contact.phone.startswith(DEMO_PREFIX))
        .order_by(Contact.phone).limit(limit)
    ))


@bp.route("", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def page():
    """Show the thread and the form; a posted text is handled, then the page reloads."""
    form = SimulatorForm(phone=session.get(SESSION_KEY, ""))
    if form.validate_on_submit():
        session[SESSION_KEY] = form.phone.data.strip()
        if form.body.data and form.body.data.strip():
            simulate_text(form.phone.data.strip(), form.body.data)
        return redirect(url_for(".page"))
    phone = session.get(SESSION_KEY)
    return render_template(
        "messaging/simulator.html", form=form, phone=phone, items=thread(phone),
        contacts=demo_contacts(),
    )


@bp.post("/pick/<int:contact_id>")
@roles_required(*STAFF_ROLES)
def pick(contact_id: int):
    """Play a listed demo contact (a POST, so the number stays out of URLs)."""
    form = FlaskForm()
    if form.validate_on_submit():
        contact = db.get_or_404(Contact, contact_id)
        if not is_demo_number(contact.phone):
            abort(404)
        session[SESSION_KEY] = contact.phone
    return redirect(url_for(".page"))
