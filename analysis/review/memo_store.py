"""The review memo's tables, the lock it shares with the daily totals' refresh, and forgetting
(analysis.review.memo remembers; analysis.review.daily_totals forgets when it refreshes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from feedback.core.extensions import db
from feedback.responses.models import utcnow

#: The advisory lock of a refresh (PostgreSQL), which a memo is stored under too.
REFRESH_LOCK = 0x7265766965770001
#: Every span starts after this and ends before the other (a rebuild forgets them all).
ALL_DAYS = (date(1900, 1, 1), date(9999, 12, 31))
#: How long a forgetting is kept to refuse a memo counted before it: longer than any count.
FORGOTTEN_KEPT = timedelta(hours=6)
#: How long an unused memo is kept (a scope nobody opens again).
MEMO_KEPT = timedelta(days=30)


class ReviewMemo(db.Model):
    """One counting function's result for one scope and its arguments."""

    __tablename__ = "review_memo"

    #: sha256 of the function, its arguments and the definitions (analysis.review.memo).
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: The days the count read: [span_start, span_end).
    span_start: Mapped[date] = mapped_column(index=True)
    span_end: Mapped[date]
    value: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Whether the count groups people by demographics (a breakdown, a group filter): only
    #: such counts change when a respondent moves to another group.
    by_group: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class ForgottenSpan(db.Model):
    """Days whose memos a refresh forgot: a count that began before must not be stored."""

    __tablename__ = "review_memo_forgotten"

    id: Mapped[int] = mapped_column(primary_key=True)
    span_start: Mapped[date]
    span_end: Mapped[date]
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Only the counts that group people were forgotten.
    groups_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


def forget(ranges: list[tuple[date, date]], groups_only: bool = False) -> None:
    """Forget the memos that read any day of ``ranges`` ([start, end) each) (``groups_only``:
    those of them that group people), and remember that they were forgotten, in the caller's
    transaction (which holds the refresh lock)."""
    if not ranges:
        return
    db.session.execute(sa.delete(ReviewMemo).where(
        ReviewMemo.by_group if groups_only else sa.true(),
        sa.or_(*[sa.and_(ReviewMemo.span_start < end, ReviewMemo.span_end > start)
                 for start, end in ranges])))
    now = utcnow()
    db.session.execute(sa.insert(ForgottenSpan), [
        {"span_start": start, "span_end": end, "at": now, "groups_only": groups_only}
        for start, end in ranges])
    db.session.execute(sa.delete(ForgottenSpan).where(ForgottenSpan.at < now - FORGOTTEN_KEPT))
    db.session.execute(sa.delete(ReviewMemo).where(ReviewMemo.created_at < now - MEMO_KEPT))


def forget_all() -> None:
    """Forget every memo (after a rebuild of the totals from every answer)."""
    forget([ALL_DAYS])
