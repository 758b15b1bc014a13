"""Counting ahead the review views backbone staff open most, so the first person to open them
after a quarter ends (or after a late answer moved its figures) does not wait for the count.

The worker does it every ten minutes, and within a minute of a write to a day before the
newest (refreshing stale days first), on the long jobs' queue (feedback.core.queue); a
count still remembered costs a look-up, so a quiet coalition's worker does next to nothing
(docs/analysis.md, "Counting ahead"). It fills the same memos a page would
(analysis.review.memo): the figures are the page's own, released under each viewer's policy
when the page is opened. PostgreSQL only, like the memos.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import click
import sqlalchemy as sa
from huey import crontab

from analysis.disclosure import gate
from analysis.review import memo, opened
from analysis.review.context import group_filters
from analysis.review.daily_totals import DailyResponses, StaleDay
from analysis.review.dashboard import build_review
from analysis.review.memo_store import ForgottenSpan
from analysis.review.newest_day import newest_day_with_data
from analysis.review.periods import Period, month_of, quarter_of
from analysis.review.scope import DIMENSIONS, ReviewScope
from analysis.review.trends import build_trends
from analysis.review.yearly import build_year_report
from feedback.core.extensions import db
from feedback.core.queue import queue
from feedback.responses.models import PartnerSite, utcnow
from feedback.staff.auth import partner_site_ids

#: The session advisory lock one warming holds (PostgreSQL): a second one would count the same.
WARM_LOCK = 0x7265766965770002


def warm(today: date | None = None) -> int:
    """Count the views of :func:`_views` ahead; returns how many were gone through (0 where
    memos are not kept, or while another warming runs). For the current quarter and year this
    counts the days before the newest one with data, which its views then add that day to
    (analysis.review.newest_day)."""
    if not memo.enabled():
        return 0
    with alone(WARM_LOCK) as alone_now:
        if not alone_now:
            return 0
        views = 0
        for count in _views(today or utcnow().date(), gate.published_policy()):
            count()
            db.session.commit()  # one short read transaction per view, not one for them all
            views += 1
        return views


def _views(today: date, policy) -> Iterator[Callable[[], object]]:
    """The views to count, most opened first: the coalition-wide review of the current and
    the last quarter and month, both quarters broken down by every dimension, this and last
    year's report, the trends page; then the views staff opened lately, as opened and in the
    current period (analysis.review.opened: two filters at once, a group with a breakdown, a
    custom range, a partner viewer's filters); then each partner's own view of the current
    and the last quarter (what its partner viewers open), plain and by every dimension, both
    quarters under each filter the dashboard offers that has data in them (a survey, a site,
    a partner, a channel, a language, a demographic group), and both quarters under each of
    those but a group by every dimension (a site's equity review of last quarter), then the
    current and the last month under each of those but a group (a monthly pulse's review).
    A finished period's views cost a look-up once counted; a partner's or a filter's cost
    about their share of the data."""
    quarter, month = quarter_of(today), month_of(today)

    def review(scope: ReviewScope, by: str | None = None):
        return lambda: gate.release_review(build_review(scope, by), policy)

    for period in (quarter, quarter.previous(), month, month.previous()):
        yield review(ReviewScope(period=period))
    for dimension in DIMENSIONS:
        for period in (quarter, quarter.previous()):
            yield review(ReviewScope(period=period), dimension)
    for year in (today.year, today.year - 1):
        yield lambda year=year: build_year_report(year, ReviewScope(period=quarter), policy)
    yield lambda: build_trends(ReviewScope(period=quarter), policy)
    for view in opened.recent(today):
        yield again(view, policy)
    partners, groups = _partner_sites(), group_filters()
    filtered = {period: _filtered_scopes(period) for period in (quarter, quarter.previous())}
    for period in (quarter, quarter.previous()):
        for site_ids in partners:
            scope = ReviewScope(period=period, site_ids=site_ids)
            yield review(scope)
            for dimension in DIMENSIONS:
                yield review(scope, dimension)
        for scope in filtered[period] + [
                ReviewScope(period=period, group_dim=dim, group_value=value)
                for dim, value in groups]:
            yield review(scope)
    for period in (quarter, quarter.previous()):
        for scope in filtered[period]:
            for dimension in DIMENSIONS:
                yield review(scope, dimension)
    for period in (month, month.previous()):
        for scope in _filtered_scopes(period):
            yield review(scope)


def again(view: opened.Opened, policy) -> Callable[[], object]:
    """A view staff opened lately, counted as its page counts it."""
    if view.view == "year":
        return lambda: build_year_report(view.year, view.scope, policy, view.by)
    if view.view == "trends":
        return lambda: build_trends(view.scope, policy, view.years or 3)
    return lambda: gate.release_review(build_review(view.scope, view.by), policy)


def _partner_sites() -> list[tuple[int, ...]]:
    """The sites a partner viewer of each organisation with sites sees (feedback.staff.auth)."""
    organizations = db.session.scalars(
        sa.select(PartnerSite.organization_id).distinct()
        .where(PartnerSite.organization_id.is_not(None)).order_by(PartnerSite.organization_id))
    return [tuple(partner_site_ids(organization_id)) for organization_id in organizations.all()]


def _filtered_scopes(period: Period) -> list[ReviewScope]:
    """``period`` under each single filter of the dashboard's form with responses in it (the
    daily totals say which, in a few rows)."""
    used = db.session.execute(
        sa.select(DailyResponses.survey_id, DailyResponses.site_id, DailyResponses.channel,
                  DailyResponses.locale, PartnerSite.organization_id).distinct()
        .outerjoin(PartnerSite, PartnerSite.id == DailyResponses.site_id)
        .where(DailyResponses.day >= period.start, DailyResponses.day < period.end)).all()
    scopes = []
    for field in ("survey_id", "site_id", "channel", "locale", "organization_id"):
        values = {getattr(row, field) for row in used} - {None}
        scopes += [ReviewScope(period=period, **{field: value}) for value in sorted(values)]
    return scopes


@contextlib.contextmanager
def alone(lock: int) -> Iterator[bool]:
    """Whether this is the only count holding ``lock`` (a PostgreSQL advisory lock); held
    on a connection of its own for the whole run (each view commits), released if the
    worker dies with the connection."""
    with db.engine.connect() as connection:
        taken = connection.scalar(sa.select(sa.func.pg_try_advisory_lock(lock)))
        try:
            yield taken
        finally:
            if taken:
                connection.scalar(sa.select(sa.func.pg_advisory_unlock(lock)))


def forgot_days_before_the_newest(since) -> bool:
    """Whether a write since ``since`` made the memos forget (or will, at the next refresh)
    a day before the newest day with data: a late tag, a respondent's new demographics. The
    views over such days are counted whole at their next opening, unlike a write on the
    newest day, which they add (analysis.review.newest_day)."""
    newest = newest_day_with_data()
    if newest is None:
        return False
    return bool(db.session.scalar(sa.select(
        sa.exists().where(ForgottenSpan.at >= since, ForgottenSpan.span_start < newest)
        | sa.exists().where(StaleDay.day < newest))))


@queue.periodic_task(crontab(minute="*/10"), long=True)
def warm_job() -> None:
    """Every ten minutes: count ahead what a refresh made the memos forget."""
    warm()


@queue.periodic_task(crontab(minute="*"), long=True)
def warm_after_older_writes_job() -> None:
    """Every minute: after a write to days before the newest, count ahead at once rather
    than at the next ten minutes, so the next person to open those views does not wait."""
    if memo.enabled() and forgot_days_before_the_newest(utcnow() - timedelta(seconds=90)):
        warm()
    db.session.commit()


@click.command("warm-review")
def warm_command() -> None:
    """Count the review's most opened views ahead (after a bulk load, a restore)."""
    click.echo(f"Review views counted ahead: {warm()}")
