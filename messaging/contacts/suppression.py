"""Opt-outs that outlive the contact row: the suppression list of keyed number hashes.

The retention job and erasure on request delete a contact row, and with it the ``opted_out``
flag. Without more, the partner's next enrolment list (or the family's next survey keyword)
would create the number again as subscribed and text the family who asked us to stop. So when
an opted-out contact is deleted, its number is remembered here as an HMAC-SHA256 under the
pseudonym key (feedback.core.pseudonyms: a bare hash of a phone number is reversed in
milliseconds, a keyed one cannot be recomputed without the key), with who opted it out
(docs/privacy.md, "Old data goes away"). A contact created again for a listed number starts
opted out; the number leaves the list only when it opts in again (START by text, or staff
with a reason).

Rotating PSEUDONYM_KEY (or SECRET_KEY when PSEUDONYM_KEY is unset) makes every hash on the list
unmatchable: the README says so beside the setting.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import sqlalchemy as sa

from feedback.core.extensions import db
from feedback.core.pseudonyms import pseudonym_key
from feedback.responses.models import utcnow
from messaging.models import OPTED_OUT_BY_TEXT, Contact, OptOutHash


def number_hash(phone: str) -> str:
    """The keyed hash of an E.164 number: the full HMAC-SHA256, so two numbers never meet."""
    return hmac.new(pseudonym_key(), phone.encode("utf-8"), hashlib.sha256).hexdigest()


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def remember(contacts: Iterable[Contact]) -> int:
    """Keep the opt-out of each opted-out contact about to be deleted (caller commits).

    A number already listed takes the latest way it opted out. Returns how many were kept."""
    rows = {number_hash(c.phone): c.opted_out_by or OPTED_OUT_BY_TEXT
            for c in contacts if c.opted_out and c.phone}
    if not rows:
        return 0
    table = OptOutHash.__table__
    insert = _upsert(db.session.get_bind().dialect.name)(table).values(
        [{"number_hash": key, "opted_out_by": by, "created_at": utcnow()}
         for key, by in rows.items()])
    db.session.execute(insert.on_conflict_do_update(
        index_elements=[table.c.number_hash],
        set_={"opted_out_by": insert.excluded.opted_out_by,
              "created_at": insert.excluded.created_at}))
    return len(rows)


def opted_out_by(phones: Iterable[str]) -> dict[str, str]:
    """The listed numbers among ``phones``, each with how it opted out."""
    hashes = {number_hash(phone): phone for phone in phones}
    if not hashes:
        return {}
    rows = db.session.execute(sa.select(OptOutHash.number_hash, OptOutHash.opted_out_by)
                              .where(OptOutHash.number_hash.in_(hashes)))
    return {hashes[key]: by for key, by in rows}


def forget(phone: str | None) -> None:
    """The number opted in again: take it off the list (caller commits)."""
    if phone:
        db.session.execute(sa.delete(OptOutHash).where(
            OptOutHash.number_hash == number_hash(phone)))


def start_opted_out(contact: Contact, by: str) -> None:
    """A new contact for a listed number: opted out as it was, by the same hand."""
    contact.opted_out, contact.opted_out_at, contact.opted_out_by = True, utcnow(), by
