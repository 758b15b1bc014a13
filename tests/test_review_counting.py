"""A review page whose figures would take long to count answers at once and has the worker
count them (analysis.review.counting): what staff see, what the worker is asked, and that an
ordinary view (remembered, or the period still receiving answers after a new answer) is
still shown by the page itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.review import Q2, quarter_scope
from tests.test_review_warming import _answer_counts

on_postgres = pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgres"),
                                 reason="the review memo is kept on PostgreSQL only")
VIEW = "/staff/review?kind=quarter&quarter=2026-Q2&channel=web&locale=es&by=age_group"


class _Asked(list):
    """The views pages asked the worker to count; ``run`` counts one as the worker does."""

    def __init__(self, job):
        super().__init__()
        self.run = job


@pytest.fixture
def asked(monkeypatch):
    """What pages ask of the worker, which does not run it until the test says so."""
    from analysis.review import counting

    recipes = _Asked(counting.count_view_job)  # in tests the queue runs a job at once
    monkeypatch.setattr(counting, "count_view_job", recipes.append)
    return recipes


@on_postgres
def test_a_view_too_long_to_count_in_the_page_is_counted_on_the_worker(
        app, db, review_world, admin, client, asked):
    """Past the page's budget the page says the figures are being counted and asks the
    worker for exactly this view; polling counts nothing itself; once the worker has counted
    it, the page shows the figures without counting a single answer."""
    from analysis.review import counting, opened

    review_world["add"](when=Q2 - timedelta(days=20), comment="Seguro en el club", safe=4,
                        age_group="14-17", locale="es", count=12)
    review_world["add"](comment="Hoy", safe=3, locale="es", count=2)  # the newest day
    app.config["REVIEW_COUNT_IN_PAGE"] = 0

    page = client.get(VIEW)
    assert page.status_code == 202
    assert page.headers["Retry-After"] == "3"
    text = page.get_data(as_text=True)
    assert "Counting these figures" in text and "counting.js" in text
    assert "Seguro" not in text  # no figure or quote was shown half counted
    assert len(asked) == 1
    view = opened.views_of(asked[0], Q2.date())[0]
    assert (view.view, view.scope, view.by) == (
        "review", quarter_scope(channel="web", locale="es"), "age_group")

    with _answer_counts(db) as counted:
        polled = client.get(VIEW, headers={counting.POLL_HEADER: "1"})
    assert polled.status_code == 202 and counted == []
    assert asked[1] == asked[0]  # asked again: a job lost with a killed worker is not waited on

    asked.run(asked[0])
    with _answer_counts(db) as counted:
        shown = client.get(VIEW, headers={counting.POLL_HEADER: "1"})
    assert shown.status_code == 200 and counted == []
    assert "14-17" in shown.get_data(as_text=True)


@on_postgres
def test_the_public_yearly_report_is_counted_on_the_worker_too(app, db, review_world, client,
                                                                asked):
    """A visitor's /results/<year> past the page's budget: the waiting page, in public
    wording (no staff links), and the worker counts the coalition-wide year."""
    review_world["add"](when=Q2 - timedelta(days=20), comment="Safe at the club", safe=4,
                        count=12)
    review_world["add"](comment="Safe", safe=3, count=2)  # the newest day
    app.config["REVIEW_COUNT_IN_PAGE"] = 0
    page = client.get("/results/2026")
    text = page.get_data(as_text=True)
    assert page.status_code == 202 and "Counting these figures" in text
    assert "/staff" not in text and "Back to the results" in text
    assert [(r["view"], r["year"], r["filters"]["site_ids"]) for r in asked] == [
        ("year", 2026, None)]
    asked.run(asked[0])
    with _answer_counts(db) as counted:
        shown = client.get("/results/2026", headers={"X-Review-Poll": "1"})
    assert shown.status_code == 200 and counted == []
    assert "Community report 2026" in shown.get_data(as_text=True)


@on_postgres
def test_the_waiting_page_speaks_the_staff_members_language(app, db, review_world, admin,
                                                            client, asked):
    review_world["add"](when=Q2 - timedelta(days=20), comment="Safe at the club", safe=4,
                        count=12)
    review_world["add"](comment="Safe", safe=3, count=2)
    app.config["REVIEW_COUNT_IN_PAGE"] = 0
    client.get("/lang/es")
    text = client.get("/staff/review/year?year=2026").get_data(as_text=True)
    assert "Contando estas cifras" in text and "Counting these figures" not in text
    client.get("/lang/vi")
    text = client.get("/staff/review/trends?kind=quarter&quarter=2026-Q2").get_data(
        as_text=True)
    assert "Đang đếm các số liệu này" in text
    assert [opened["view"] for opened in asked] == ["year", "trends"]


@on_postgres
def test_the_period_still_receiving_answers_stays_in_the_page(app, db, review_world, admin,
                                                              client, asked):
    """Counted ahead once, the open quarter after a new answer adds its newest day to the
    remembered days (no whole count): shown by the page even with no budget at all, its
    breakdown's mean indicator by group included."""
    from analysis.review.goals import AgendaGoal, Indicator
    from analysis.review.warming import warm

    db.session.add(AgendaGoal(key="feeling-safe", names={"en": "Feeling safe"},
                              themes=[review_world["safety"]],
                              indicators=[Indicator(labels={"en": "Feeling safe, 1-5"},
                                                    question_key="feel_safe", rule="mean")]))
    review_world["add"](comment="Safe at the club", safe=4, age_group="14-17", count=12)
    review_world["add"](when=Q2 + timedelta(days=1), comment="Safe", safe=4, count=6)
    assert warm(today=Q2.date() + timedelta(days=1)) > 0
    review_world["add"](when=Q2 + timedelta(days=1), comment="Another", safe=3, count=1)
    app.config["REVIEW_COUNT_IN_PAGE"] = 0

    assert client.get("/staff/review?kind=quarter&quarter=2026-Q2").status_code == 200
    by_age = client.get("/staff/review?kind=quarter&quarter=2026-Q2&by=age_group")
    assert by_age.status_code == 200
    assert "Feeling safe, 1-5" in by_age.get_data(as_text=True)
    assert asked == []


def test_without_remembered_counts_the_page_counts_everything(app, db, review_world, admin,
                                                               client, asked):
    """Where counts are not remembered (SQLite, or turned off) the worker's count could not
    be read back: the page counts the view itself, whatever its budget."""
    review_world["add"](comment="Safe at the club", safe=4, age_group="14-17", count=12)
    app.config["REVIEW_COUNT_IN_PAGE"] = 0
    app.config["REVIEW_MEMO"] = False
    assert client.get(VIEW.replace("locale=es", "locale=en")).status_code == 200
    assert asked == []


@on_postgres
def test_a_view_already_being_counted_is_not_counted_twice(app, db, review_world, admin,
                                                           client, asked):
    """A page asked twice for one view: the second job gives way while the first holds the
    view's lock, and the view is counted once the lock is free."""
    import sqlalchemy as sa

    from analysis.review import counting

    review_world["add"](when=Q2 - timedelta(days=20), comment="Seguro", safe=4, locale="es",
                        age_group="14-17", count=12)
    review_world["add"](comment="Hoy", safe=3, locale="es", count=2)
    app.config["REVIEW_COUNT_IN_PAGE"] = 0
    assert client.get(VIEW).status_code == 202
    lock = counting.lock_for(asked[0])
    poll = {counting.POLL_HEADER: "1"}
    with db.engine.connect() as first:
        assert first.scalar(sa.select(sa.func.pg_try_advisory_lock(lock)))
        asked.run(asked[0])  # gives way
        assert client.get(VIEW, headers=poll).status_code == 202
        first.scalar(sa.select(sa.func.pg_advisory_unlock(lock)))
    asked.run(asked[0])
    assert client.get(VIEW, headers=poll).status_code == 200


def test_the_budget_charges_each_period_every_response_once_per_scan(app, db):
    """A trends page charges years of quarters at once: each quarter's responses (all of
    them, whatever the filters), once per scan, and nothing outside the quarters."""
    from datetime import date

    from analysis.review import count_budget
    from analysis.review.daily_totals import DailyResponses
    from analysis.review.periods import quarter_of

    for day, n in ((date(2026, 1, 5), 40), (date(2026, 3, 31), 2), (date(2026, 4, 1), 500),
                   (date(2026, 7, 1), 7)):
        db.session.add(DailyResponses(day=day, n=n, channel="web"))
    db.session.flush()
    q1, q3 = quarter_of(date(2026, 1, 1)), quarter_of(date(2026, 7, 1))

    with count_budget.at_most(3 * (42 + 7)):
        count_budget.whole(q1, q3, times=3)  # Q2's 500 are not charged
        with pytest.raises(count_budget.OverBudget):
            count_budget.whole(q3)  # the budget is spent
    with count_budget.at_most(3 * (42 + 7) - 1), pytest.raises(count_budget.OverBudget):
        count_budget.whole(q1, q3, times=3)
    count_budget.whole(quarter_of(date(2026, 4, 1)), times=1000)  # no budget outside a page


@on_postgres
def test_counts_run_without_jit_compilation_on_every_connection(app, db):
    """Compiling the review's aggregate queries cost more than it saved (a third of the
    trends page's scan at a million answers): every connection starts without JIT, and
    neither a commit, a rollback nor a new connection brings it back (a per transaction
    setting used to end at the first commit of a page)."""
    import sqlalchemy as sa

    def jit(connection=None) -> str:
        return (connection or db.session).scalar(sa.text("SHOW jit"))

    assert jit() == "off"
    db.session.commit()
    assert jit() == "off"
    db.session.rollback()
    assert jit() == "off"
    db.session.close()
    db.engine.dispose()
    with db.engine.connect() as fresh, db.engine.connect() as second:
        assert (jit(fresh), jit(second)) == ("off", "off")
