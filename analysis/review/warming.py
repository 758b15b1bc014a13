"""Counting ahead the review views backbone staff open most, so the first person to open them
after a quarter ends (or after a late answer moved its figures) does not wait for the count.

The worker does it every ten minutes (refreshing stale days first); a count still
remembered costs a look-up, so a quiet coalition's worker does next to nothing. It fills the
same memos a page would (analysis.review.memo): the figures are the page's own, released
under each viewer's policy when the page is opened. PostgreSQL only, like the memos.
"""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from huey import crontab

from analysis.disclosure import gate
from analysis.review import memo
from analysis.review.dashboard import build_review
from analysis.review.periods import month_of, quarter_of
from analysis.review.scope import DIMENSIONS, ReviewScope
from analysis.review.trends import build_trends
from analysis.review.yearly import build_year_report
from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.responses.models import PartnerSite, utcnow


def warm(today: date | None = None) -> int:
    """Count the coalition-wide views of the current and the last quarter and month, both
    quarters broken down by every dimension, this and last year's report and the trends page,
    and each partner's own view of the current quarter (what its partner viewers open);
    returns how many views were gone through (0 where memos are not kept). For the current
    quarter and year this counts the days before the newest one with data, which its views
    then add that day to (analysis.review.newest_day)."""
    if not memo.enabled():
        return 0
    today = today or utcnow().date()
    policy = gate.published_policy()
    quarter, month = quarter_of(today), month_of(today)
    views = 0
    for period in (quarter, quarter.previous(), month, month.previous()):
        gate.release_review(build_review(ReviewScope(period=period)), policy)
        views += 1
    for dimension in DIMENSIONS:
        for period in (quarter, quarter.previous()):
            gate.release_review(build_review(ReviewScope(period=period), dimension), policy)
            views += 1
    for year in (today.year, today.year - 1):
        build_year_report(year, ReviewScope(period=quarter), policy)
    build_trends(ReviewScope(period=quarter), policy)
    for scope in _partner_scopes(quarter):
        gate.release_review(build_review(scope), policy)
        views += 1
    db.session.commit()  # end the read transaction
    return views + 3


def _partner_scopes(period) -> list[ReviewScope]:
    """The scope a partner viewer of each organisation sees (feedback.staff.auth)."""
    sites: dict[int, list[int]] = {}
    for organization_id, site_id in db.session.execute(
            sa.select(PartnerSite.organization_id, PartnerSite.id)
            .where(PartnerSite.organization_id.is_not(None)).order_by(PartnerSite.id)):
        sites.setdefault(organization_id, []).append(site_id)
    return [ReviewScope(period=period, site_ids=tuple(ids)) for ids in sites.values()]


@queue.periodic_task(crontab(minute="*/10"))
def warm_job() -> None:
    """Every ten minutes: count ahead what a refresh made the memos forget."""
    warm()


@click.command("warm-review")
def warm_command() -> None:
    """Count the review's most opened views ahead (after a bulk load, a restore)."""
    click.echo(f"Review views counted ahead: {warm()}")
