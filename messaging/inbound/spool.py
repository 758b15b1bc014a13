"""The inbound spool: where a text goes when the database cannot be reached.

Twilio does not retry a messaging webhook that fails, so a text we cannot store is lost unless
we keep it ourselves (courier, RapidPro's gateway, does the same). The webhook retries a
dropped connection once; if the database is still unreachable it writes the text here and
answers 200 with empty TwiML. One file per text under ``instance/sms-spool/``, named by the
time it arrived (nanoseconds) and its MessageSid, written to a temporary name, fsync'd, then
renamed and the folder fsync'd: a file either exists whole or not at all, even across a power
cut. The ``drain_spool`` job (every minute, and ``flask --app wsgi health`` shows the count)
stores each file in arrival order through the same INSERT as the webhook (the unique
MessageSid deduplicates a text that was stored after all, or is drained twice), handles it,
and deletes the file (docs/reliability.md).

The files hold a phone number and a body, like the database rows they become; they live only
until the database is back. Nothing is logged but counts.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

SUFFIX = ".json"


def folder() -> Path:
    """The spool folder of this instance (created on first use)."""
    path = Path(current_app.config.get("SMS_SPOOL_DIR")
                or os.path.join(current_app.instance_path, "sms-spool"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe(sid: str) -> str:
    return "".join(c for c in sid if c.isalnum())[:64] or "nosid"


def write(sid: str, phone: str | None, body: str | None, num_media: int,
          received_at: datetime) -> Path:
    """Write one text durably; returns its file. Raises OSError if even the disk fails."""
    target_dir = folder()
    name = f"{time.time_ns():020d}-{_safe(sid)}{SUFFIX}"
    data = json.dumps({"sid": sid, "phone": phone, "body": body, "num_media": num_media,
                       "received_at": received_at.isoformat()}).encode()
    tmp = target_dir / (name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    final = target_dir / name
    os.replace(tmp, final)
    dir_fd = os.open(target_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return final


def pending() -> list[Path]:
    """Spooled texts in arrival order."""
    return sorted(folder().glob("*" + SUFFIX))


def read(path: Path) -> dict:
    record = json.loads(path.read_text())
    record["received_at"] = datetime.fromisoformat(record["received_at"])
    return record
