"""Against padding and stuffing: public-form completions are limited per site and client
address, bursts are flagged, and flagged responses are held (docs/privacy.md, "Padding").

Why: an insider who adds nine scripted respondents with a rare demographic value lifts a small
group over the threshold and can subtract their own answers from the figures. So:

- each site + client address may complete ``INTAKE_LIMIT_PER_ADDRESS`` responses a day on the
  public form (``INTAKE_KIOSK_LIMIT_PER_ADDRESS`` at a kiosk site, where many young people share
  one device); completions beyond it are kept but **held**;
- more than ``INTAKE_BURST_COUNT`` completions at one site within ``INTAKE_BURST_SECONDS``
  (whatever the addresses) are a burst: the response that crosses the line is held too;
- a held response keeps ``completed_at`` NULL (its time is in ``held_at``), so no figure,
  daily total or export counts it, until staff accept it on the held responses page
  (:func:`accept`), which completes it at its original time.

The client address is never stored: the tally is keyed by an HMAC of the day, site and address
(feedback.responses.models.SubmissionTally), and rows older than two days are deleted.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.responses.models import PartnerSite, Response, SubmissionTally, utcnow

OVER_LIMIT = "over_limit"
BURST = "burst"
FLAGS = (OVER_LIMIT, BURST)


def _key(day: date, site_id: int | None, address: str | None) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"{day.isoformat()}|{site_id or 0}|{address or '-'}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _tally(day: date, key: str) -> int:
    """Add one to the day's tally of ``key`` and return the new count."""
    updated = db.session.execute(
        sa.update(SubmissionTally).where(SubmissionTally.key == key, SubmissionTally.day == day)
        .values(n=SubmissionTally.n + 1)
    ).rowcount
    if not updated:
        try:
            with db.session.begin_nested():
                db.session.add(SubmissionTally(key=key, day=day, n=1))
        except sa.exc.IntegrityError:  # a concurrent first submission
            db.session.execute(
                sa.update(SubmissionTally)
                .where(SubmissionTally.key == key, SubmissionTally.day == day)
                .values(n=SubmissionTally.n + 1))
    db.session.execute(sa.delete(SubmissionTally).where(SubmissionTally.day < day - timedelta(2)))
    return int(db.session.scalar(sa.select(SubmissionTally.n).where(
        SubmissionTally.key == key, SubmissionTally.day == day)) or 0)


def _recent_at_site(site_id: int | None, since, exclude_id: int) -> int:
    """Completions (held ones included) at the site since ``since``, the new one excluded."""
    site_cond = Response.site_id.is_(None) if site_id is None else Response.site_id == site_id
    when = sa.func.coalesce(Response.completed_at, Response.held_at)
    return int(db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            site_cond, Response.channel == "web", when >= since, Response.id != exclude_id)
    ) or 0)


def assess(response: Response, site: PartnerSite | None, address: str | None) -> str | None:
    """Count a new public-form completion and say why it must be held (or None)."""
    cfg = current_app.config
    now = response.completed_at or utcnow()
    kiosk = bool(site is not None and site.kiosk_mode)
    limit = int(cfg["INTAKE_KIOSK_LIMIT_PER_ADDRESS" if kiosk else "INTAKE_LIMIT_PER_ADDRESS"])
    count = _tally(now.date(), _key(now.date(), site.id if site else None, address))
    if limit and count > limit:
        return OVER_LIMIT
    burst, seconds = int(cfg["INTAKE_BURST_COUNT"]), int(cfg["INTAKE_BURST_SECONDS"])
    since = now - timedelta(seconds=seconds)
    if burst and _recent_at_site(site.id if site else None, since, response.id) >= burst:
        return BURST
    return None


def hold(response: Response, flag: str) -> None:
    """Keep ``response`` but out of every figure until staff accept it."""
    response.flag = flag
    response.held_at = response.completed_at or utcnow()
    response.completed_at = None


def check_submission(response: Response, site: PartnerSite | None, address: str | None) -> None:
    """The web form's hook after a new response is recorded: tally it, hold it if flagged,
    commit. Never raises for the respondent: a failure here leaves the response counted."""
    try:
        flag = assess(response, site, address)
        if flag:
            hold(response, flag)
            current_app.logger.info("public-form response held",
                                    extra={"event": "intake.held", "flag": flag,
                                           "response_id": response.id})
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("anti-padding check failed")


def held_responses(limit: int = 500) -> list[Response]:
    """Held responses, oldest first (the staff review page)."""
    return list(db.session.scalars(
        sa.select(Response).where(Response.held_at.is_not(None), Response.completed_at.is_(None))
        .order_by(Response.held_at).limit(limit)))


def accept(response_ids, *, user_id: int | None) -> int:
    """Staff accept held responses: they are completed at their original time and counted
    from now on. Returns how many were accepted."""
    responses = db.session.scalars(sa.select(Response).where(
        Response.id.in_(list(response_ids) or [-1]), Response.held_at.is_not(None),
        Response.completed_at.is_(None))).all()
    for response in responses:
        response.completed_at = response.held_at
        response.held_at = None
    record_audit("intake.accept_held", "response", None,
                 {"accepted": len(responses)}, user_id=user_id)
    db.session.commit()
    return len(responses)
