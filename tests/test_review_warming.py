"""The worker counts the review's views ahead (analysis.review.warming), so the person who
opens one after a quarter ends, after a late write or under a filter finds its counts
remembered instead of waiting for them. PostgreSQL only, like the memos it fills."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.helpers import csrf_token_from
from tests.fixtures.review import Q2, quarter_scope

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgres"),
                                reason="the review memo is kept on PostgreSQL only")


@contextlib.contextmanager
def _answer_counts(db):
    """The statements that count or sum answers while the block runs."""
    from sqlalchemy import event

    statements: list[str] = []

    def watch(conn, cursor, statement, *args):
        if "FROM answer" in statement and ("count(" in statement or "sum(" in statement):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)


def _opened(client, urls: list[str]) -> None:
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_worker_counts_last_quarters_views_ahead(app, db, review_world, admin, client):
    """After the warming job, opening last quarter's review, a breakdown, last year's report
    and the trends page counts no answer: every count was remembered (what is left reads a
    few rows by id or with a LIMIT: the quotes' texts, a sample for emerging themes)."""
    from analysis.review.warming import warm

    review_world["add"](comment="Safe at the club", safe=4, age_group="14-17", count=12)
    review_world["add"](when=Q2.replace(year=2025), comment="Bus", safe=2, count=12)
    assert warm(today=Q2.date() + timedelta(days=100)) > 0  # 2026-Q3: Q2 is last quarter

    with _answer_counts(db) as counted:
        _opened(client, ["/staff/review?kind=quarter&quarter=2026-Q2",
                         "/staff/review?kind=quarter&quarter=2026-Q2&by=age_group",
                         "/staff/review/year?year=2025",
                         "/staff/review/trends?kind=quarter&quarter=2026-Q3"])
    assert counted == []


@pytest.mark.parametrize("days_after", [0, 100], ids=["current quarter", "last quarter"])
def test_the_worker_counts_the_quarter_under_every_filter_ahead(app, db, review_world, admin,
                                                               client, days_after):
    """Each filter the dashboard offers for the current and the last quarter (a survey, a
    site, a partner, a channel, a language, a demographic group) is a scope of its own:
    without warming, the first person to choose it waits for its whole quarter to be
    counted. Each is broken down by each dimension as well (but a group's)."""
    from analysis.review.warming import warm

    site_b, earlier = review_world["site_b"], Q2 - timedelta(days=10)
    review_world["add"](when=earlier, comment="Safe at the club", safe=4, age_group="14-17",
                        count=6)
    review_world["add"](comment="Safe", safe=5, age_group="14-17", locale="es", count=6)
    review_world["add"](when=earlier, site=site_b, channel="sms", comment="Bus", safe=2,
                        age_group="18-24", count=6)
    assert warm(today=Q2.date() + timedelta(days=days_after)) > 0

    quarter = "/staff/review?kind=quarter&quarter=2026-Q2"
    filters = [f"survey={review_world['survey'].id}", f"site={site_b.id}",
               f"partner={review_world['org_a'].id}", "channel=sms", "locale=es",
               "group=age_group:14-17"]  # 18-24: too few people to be offered
    with _answer_counts(db) as counted:
        _opened(client, [f"{quarter}&{query}" for query in filters])
    assert counted == []
    broken_down = [f"{quarter}&{query}&by=age_group" for query in filters[:-1]]
    with _answer_counts(db) as counted:  # the filters by each dimension
        _opened(client, broken_down)
    assert counted == []
    with _answer_counts(db) as counted:  # what was not warmed is counted: the watch sees it
        _opened(client, [f"{quarter}&site={site_b.id}&group=age_group:18-24"])
    assert counted


@pytest.mark.parametrize("days_after", [0, 31], ids=["current month", "last month"])
def test_the_worker_counts_the_month_under_every_filter_ahead(app, db, review_world, admin,
                                                             client, days_after):
    """A monthly pulse is reviewed by the month: the current and the last month under each
    filter but a group are counted ahead too (plain; by a dimension they are not)."""
    from analysis.review.warming import warm

    site_b = review_world["site_b"]
    review_world["add"](comment="Safe at the club", safe=4, locale="es", count=6)
    review_world["add"](site=site_b, channel="sms", comment="Bus", safe=2, count=6)
    assert warm(today=Q2.date() + timedelta(days=days_after)) > 0

    month = "/staff/review?kind=month&month=2026-04"
    filters = [f"survey={review_world['survey'].id}", f"site={site_b.id}",
               f"partner={review_world['org_a'].id}", "channel=sms", "locale=es"]
    with _answer_counts(db) as counted:
        _opened(client, [f"{month}&{query}" for query in filters])
    assert counted == []
    with _answer_counts(db) as counted:  # not counted ahead: the watch sees it counted
        _opened(client, [f"{month}&site={site_b.id}&by=age_group"])
    assert counted


def test_the_worker_counts_each_partners_view_of_the_quarter_ahead(app, db, review_world):
    """A partner viewer's dashboard is limited to its organisation's sites: a scope of its
    own, which the worker counts ahead like the coalition-wide one, breakdowns included."""
    from analysis.review import memo
    from analysis.review.warming import warm
    from feedback.staff.auth import visible_site_ids

    review_world["add"](comment="Safe at the club", safe=4, count=12)
    review_world["add"](site=review_world["site_b"], comment="Bus", safe=2, count=12)
    assert warm(today=Q2.date()) > 0
    for organization in (review_world["org_a"], review_world["org_b"]):
        viewer = SimpleNamespace(role="partner_viewer", organization_id=organization.id)
        scope = quarter_scope(site_ids=tuple(visible_site_ids(viewer)))
        for name, args in (("analysis.review.goal_counts._in_period", ()),
                           ("analysis.review.dashboard._group_counts", ("age_group",)),
                           ("analysis.review.dashboard._group_counts", ("site",))):
            key = memo.key_for(name, scope, *args)
            assert memo.recall(key) is not memo.MISSING, (organization.name, name, args)



def test_one_warming_at_a_time(app, db, review_world):
    """Two workers warming at once would count the same views twice; the second gives way."""
    import sqlalchemy as sa

    from analysis.review.warming import WARM_LOCK, warm

    review_world["add"](comment="Safe at the club", count=6)
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.pg_try_advisory_lock(WARM_LOCK)))
        try:
            assert warm(today=Q2.date()) == 0
        finally:
            other.scalar(sa.select(sa.func.pg_advisory_unlock(WARM_LOCK)))
    assert warm(today=Q2.date()) > 0


def test_a_write_to_an_older_day_has_the_worker_count_ahead_at_once(app, db, review_world,
                                                                   monkeypatch):
    """A tag correction of an older quote forgets every view over its day: the next minute's
    job counts them again, where a new answer on the newest day (which views add on their
    own) leaves the worker idle until its ten-minute round."""
    import sqlalchemy as sa

    from analysis.models import AnswerTag
    from analysis.review import daily_totals, warming
    from analysis.review.memo_store import ForgottenSpan
    from analysis.tagging.operations import correct_answer
    from feedback.responses.models import utcnow

    older = review_world["add"](when=Q2 - timedelta(days=20), comment="Safe at the club",
                                count=6)
    review_world["add"](comment="Safe", count=6)
    daily_totals.refresh()
    db.session.execute(sa.update(ForgottenSpan).values(at=utcnow() - timedelta(hours=1)))
    db.session.commit()  # the data were loaded long ago
    warmed = []
    monkeypatch.setattr(warming, "warm", lambda: warmed.append(True))
    warming.warm_after_older_writes_job()
    assert warmed == []

    review_world["add"](comment="Another one today", count=1)
    warming.warm_after_older_writes_job()
    assert warmed == []

    answer_id = db.session.scalar(db.select(AnswerTag.answer_id).where(
        AnswerTag.answer_id.in_([a.id for r in older for a in r.answers])).limit(1))
    correct_answer(answer_id, "negative", [], actor=None)
    warming.warm_after_older_writes_job()  # the mark, before any refresh
    assert warmed == [True]
    daily_totals.refresh()
    warming.warm_after_older_writes_job()  # the forgetting, after a view refreshed
    assert warmed == [True, True]


def test_the_views_staff_opened_are_counted_ahead_again(app, db, review_world, admin, client):
    """Two filters at once, a group with a breakdown, a custom range, a filtered yearly
    report and trends: combinations the round does not list, each counted whole when
    nothing is remembered for it. Once staff opened them, the round counts them again after
    every count was forgotten (a restore, a late write); a combination nobody opened is
    still counted at its first opening."""
    from analysis.review import memo_store
    from analysis.review.warming import warm

    site_b = review_world["site_b"]
    review_world["add"](comment="Safe at the club", safe=4, age_group="14-17", locale="es",
                        count=6)
    review_world["add"](site=site_b, channel="sms", comment="Bus", safe=2, age_group="14-17",
                        count=6)
    quarter = "/staff/review?kind=quarter&quarter=2026-Q2"
    opened = [f"{quarter}&site={site_b.id}&channel=sms",
              f"{quarter}&group=age_group:14-17&by=gender",
              "/staff/review?kind=custom&start=2026-04-01&end=2026-04-20&locale=es",
              f"/staff/review/year?year=2026&site={site_b.id}&by=age_group",
              "/staff/review/trends?kind=quarter&quarter=2026-Q2&channel=sms&years=2"]
    _opened(client, opened)
    memo_store.forget_all()
    db.session.commit()
    assert warm(today=Q2.date()) > 0

    with _answer_counts(db) as counted:
        _opened(client, opened)
    assert counted == []
    with _answer_counts(db) as counted:
        _opened(client, [f"{quarter}&site={site_b.id}&locale=es"])
    assert counted


def test_a_partner_viewers_own_filters_are_counted_ahead_again(app, db, review_world,
                                                               make_staff, login, client):
    """A partner viewer's filters are scopes of its sites only: noted as such, and counted
    ahead for them (what the worker counts is never shown to anyone else: each page
    releases its own viewer's sites)."""
    from analysis.review import memo_store
    from analysis.review.warming import warm

    review_world["add"](comment="Safe at the club", safe=4, locale="es", count=6)
    review_world["add"](site=review_world["site_b"], comment="Bus", safe=2, count=6)
    make_staff(email="viewer@example.org", role="partner_viewer", org=review_world["org_a"])
    login(email="viewer@example.org")
    view = "/staff/review?kind=quarter&quarter=2026-Q2&locale=es&by=age_group"
    _opened(client, [view])
    memo_store.forget_all()
    db.session.commit()
    assert warm(today=Q2.date()) > 0

    with _answer_counts(db) as counted:
        _opened(client, [view])
    assert counted == []


def test_a_current_period_opened_is_counted_ahead_when_the_next_one_begins(
        app, db, review_world, admin, client, monkeypatch):
    """"This quarter, one site, SMS" opened in April is the same review in July: the round
    counts the quarter current then, as well as the one opened."""
    from datetime import datetime

    from analysis.review import opened as opened_views
    from analysis.review.warming import warm

    site_b, july = review_world["site_b"], Q2 + timedelta(days=91)
    review_world["add"](site=site_b, channel="sms", comment="Bus", safe=2, count=6)
    review_world["add"](when=july, site=site_b, channel="sms", comment="Bus", safe=2, count=6)
    monkeypatch.setattr(opened_views, "utcnow", lambda: datetime.combine(Q2.date(),
                                                                         datetime.min.time()))
    _opened(client, [f"/staff/review?kind=quarter&quarter=2026-Q2&site={site_b.id}"
                     "&channel=sms"])
    assert warm(today=july.date()) > 0

    with _answer_counts(db) as counted:
        _opened(client, [f"/staff/review?kind=quarter&quarter=2026-Q3&site={site_b.id}"
                         "&channel=sms"])
    assert counted == []


def test_only_the_latest_opened_views_are_counted_and_never_who_opened_them(
        app, db, review_world, admin, client, make_staff, login, monkeypatch):
    """What staff open cannot make the round as long as they like: the latest opened first,
    up to a bound, and notes older than a memo is kept are dropped. A note names the view,
    not the person: two people opening one view make one note."""
    import json

    import sqlalchemy as sa

    from analysis.review import opened as opened_views
    from feedback.responses.models import utcnow

    review_world["add"](comment="Safe at the club", safe=4, count=6)
    quarter = "/staff/review?kind=quarter&quarter=2026-Q2"
    _opened(client, [f"{quarter}&locale=es", f"{quarter}&channel=sms"])
    make_staff(email="colleague@example.org")
    page = client.get("/staff/goals").get_data(as_text=True)
    client.post("/staff/logout", data={"csrf_token": csrf_token_from(page)})
    login(email="colleague@example.org")
    _opened(client, [f"{quarter}&channel=sms"])
    notes = db.session.scalars(sa.select(opened_views.OpenedView.recipe)).all()
    assert len(notes) == 2
    assert not {admin.email, "colleague@example.org"} & set(json.dumps(notes).split('"'))

    monkeypatch.setattr(opened_views, "OPENED_COUNTED", 1)
    assert [view.scope.channel for view in opened_views.recent(Q2.date())] == ["sms"]
    db.session.execute(sa.update(opened_views.OpenedView).values(
        opened_at=utcnow() - timedelta(days=31)))
    assert opened_views.recent(Q2.date()) == []
