"""The review remembers its people counts (analysis.review.memo) and must never show one that a
later write changed: a late answer, a respondent who moved to another group, a goal linked to
another theme, a count that raced a refresh, a memo not written by the app. PostgreSQL only:
SQLite deployments count every time."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.review import Q2, quarter_scope

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgres"),
                                reason="the review memo is kept on PostgreSQL only")



def _remembered() -> int:
    from analysis.review.memo import ReviewMemo
    from feedback.core.extensions import db

    return db.session.query(ReviewMemo).count()


def _counted_afresh(app, count, *args):
    """What ``count`` gives with the memo switched off."""
    app.config["REVIEW_MEMO"] = False
    try:
        return count(*args)
    finally:
        app.config["REVIEW_MEMO"] = True


def test_a_late_answer_in_a_remembered_quarter_shows_on_the_next_view(app, db, review_world):
    from analysis.disclosure import gate

    review_world["add"](comment="Safe at the club", count=12)
    scope = quarter_scope()
    before = gate.goal_respondents(scope)
    assert gate.population(scope)[0] == 12
    remembered = _remembered()
    # each of the two counts for the quarter, for its days before the newest day with data
    # (analysis.review.newest_day), and for the quarter before
    assert remembered == 6
    assert gate.population(scope)[0] == 12  # read back, not counted: nothing new stored
    assert _remembered() == remembered

    review_world["add"](when=Q2 + timedelta(days=30), comment="Bus is late", count=3)

    assert gate.population(scope)[0] == 15
    after = gate.goal_respondents(scope)
    goal = review_world["goal"].id
    assert before["now"][goal][None] == 12 and after["now"][goal][None] == 15
    assert after == _counted_afresh(app, gate.goal_respondents, scope)


def _goal_comments_in_summary(client, query: str) -> str:
    import csv
    import io

    body = client.get("/staff/review/export/summary.csv?" + query).get_data(as_text=True)
    return next(row[5] for row in csv.reader(io.StringIO(body))
                if row[0] == "goal_comments" and row[3] == "2026-Q2")


@pytest.mark.parametrize("query", ["kind=quarter&quarter=2026-Q2",
                                   "kind=quarter&quarter=2026-Q2&group=age_group:14-17"])
def test_the_summary_export_follows_a_new_answer_in_a_remembered_quarter(
        app, db, review_world, admin, client, query):
    review_world["add"](comment="Safe at the club", age_group="14-17", count=12)
    assert _goal_comments_in_summary(client, query) == "10"  # 12, rounded to fives
    assert _remembered() > 0
    review_world["add"](comment="Need jobs", age_group="14-17", count=5)
    assert _goal_comments_in_summary(client, query) == "15"


def test_a_respondent_moved_to_another_group_by_the_orm_moves_the_group_figure(app, db,
                                                                                review_world):
    from analysis.disclosure import gate
    from feedback.responses.models import Respondent

    review_world["add"](comment="Safe", age_group="14-17", count=12)
    (older,) = review_world["add"](comment="Safe", age_group="18-24")
    scope = quarter_scope(group_dim="age_group", group_value="14-17")
    assert gate.population(scope)[0] == 12

    db.session.get(Respondent, older.respondent_id).age_group = "14-17"
    db.session.commit()

    assert gate.population(scope)[0] == 13


def test_a_respondent_moved_to_another_group_forgets_only_the_group_counts(app, db,
                                                                            review_world):
    """New demographics change breakdowns and group filters, never the plain figures: last
    quarter's dashboard and last year's report stay remembered when someone who answered then
    moves to another age group, and the daily totals are not recomputed."""
    from analysis.disclosure import gate
    from analysis.review import daily_totals, memo
    from feedback.responses.models import Respondent

    review_world["add"](comment="Safe", age_group="14-17", count=12)
    (older,) = review_world["add"](comment="Safe", age_group="18-24")
    plain, group = quarter_scope(), quarter_scope(group_dim="age_group", group_value="14-17")
    assert (gate.population(plain)[0], gate.population(group)[0]) == (13, 12)
    db.session.commit()

    db.session.get(Respondent, older.respondent_id).age_group = "14-17"
    db.session.commit()
    assert daily_totals.refresh() == 0  # nothing to recompute: totals have no groups
    assert memo.recall(memo.key_for("analysis.disclosure.gate._people", plain)) == 13
    assert memo.recall(memo.key_for("analysis.disclosure.gate._people", group)) is memo.MISSING
    assert (gate.population(plain)[0], gate.population(group)[0]) == (13, 13)


def test_a_respondent_moved_to_another_group_moves_every_breakdown(app, db, review_world):
    """The dashboard broken down by age: comments per goal and group, the shared tables and
    each indicator by group all follow a respondent into their new group."""
    from analysis.review import dashboard, indicators, shared_tables
    from analysis.review.goals import list_goals
    from feedback.responses.models import Respondent

    review_world["add"](comment="Safe", age_group="14-17", safe=4, count=12)
    (older,) = review_world["add"](comment="Safe", age_group="18-24", safe=2)
    plain = quarter_scope()
    measured = [i for goal in list_goals() for i in goal.indicators]
    assert measured

    def by_age():
        db.session.commit()  # a new request
        return ({goal: table.cells
                 for goal, table in dashboard.goal_groups(plain, "age_group", 1).items()},
                shared_tables.tables_for(plain, "age_group", measured),
                [indicators.by_group(i, plain, "age_group", 1).cells for i in measured])

    before = by_age()
    db.session.get(Respondent, older.respondent_id).age_group = "14-17"
    db.session.commit()
    after = by_age()
    assert after == _counted_afresh(app, by_age)
    for was, now in zip(before, after, strict=True):
        assert was != now


def _age_question(db):
    """A question whose answer is copied onto the respondent's age group."""
    from surveys.models import Question

    question = Question(version_id=db.session.get(Question, 1).version_id, key="age",
                        type="single_choice", position=9,
                        settings={"demographic": "age_group"})
    db.session.add(question)
    return question


def _answer_again(earlier, question, age_group):
    """``earlier``'s respondent answers ``question`` with ``age_group`` through the Core
    intake path the SMS and web channels use (feedback.responses.intake.add_answer)."""
    from feedback.responses.intake import ANSWER_COPIES, add_answer

    later = {"id": earlier.id, "respondent_id": earlier.respondent_id,
             **{name: getattr(earlier, name) for name in ANSWER_COPIES}}
    add_answer(later, question, age_group, SimpleNamespace(value=age_group, number=None))


def test_a_demographic_answer_written_by_core_moves_the_group_figure(app, db, review_world):
    """The SMS and web paths write a demographic answer onto the respondent with Core
    statements (feedback.responses.intake.add_answer): the respondent's earlier quarter must
    follow."""
    from analysis.disclosure import gate
    from feedback.responses.models import Respondent

    question = _age_question(db)
    review_world["add"](comment="Safe", age_group="14-17", count=12)
    (earlier,) = review_world["add"](comment="Safe", age_group="18-24")
    scope = quarter_scope(group_dim="age_group", group_value="14-17")
    assert gate.population(scope)[0] == 12

    _answer_again(earlier, question, "14-17")
    db.session.commit()

    assert db.session.get(Respondent, earlier.respondent_id).age_group == "14-17"
    assert gate.population(scope)[0] == 13


def test_the_same_demographic_answer_again_keeps_the_remembered_counts(app, db, review_world):
    """A returning respondent who gives the same age group again moves no figure: the
    remembered counts of their earlier days stay (a new age group forgets them)."""
    from analysis.disclosure import gate
    from analysis.review import memo

    question = _age_question(db)
    review_world["add"](comment="Safe", age_group="18-24", count=11)
    (earlier,) = review_world["add"](comment="Safe", age_group="18-24")
    scope = quarter_scope(group_dim="age_group", group_value="18-24")
    key = memo.key_for("analysis.disclosure.gate._people", scope)

    def still_remembered_after(age_group):
        _answer_again(earlier, question, age_group)
        db.session.commit()
        return memo.recall(key) is not memo.MISSING  # after the refresh that forgets

    assert gate.population(scope)[0] == 12
    db.session.commit()
    assert still_remembered_after("18-24")
    assert not still_remembered_after("14-17")
    assert gate.population(scope)[0] == 11


def test_a_goal_linked_to_another_theme_is_counted_again(app, db, review_world):
    from analysis.disclosure import gate

    review_world["add"](comment="Bus is late", themes=(review_world["transport"],), count=11)
    review_world["add"](comment="Safe", count=12)
    scope = quarter_scope()
    goal = review_world["goal"]
    assert gate.goal_respondents(scope)["now"][goal.id][None] == 12

    goal.themes.append(review_world["transport"])
    db.session.commit()

    assert gate.goal_respondents(scope)["now"][goal.id][None] == 23


def test_a_count_that_raced_a_refresh_of_its_days_is_not_kept(app, db, review_world):
    """A count began, then a refresh forgot some of its days (the count may have read them
    before the change): storing it would keep an old figure for good."""
    from analysis.review import memo, memo_store
    from analysis.review.periods import quarter_of
    from feedback.core.extensions import db as _db

    seen = _db.session.scalar(_db.select(_db.func.max(memo.ForgottenSpan.id))) or 0
    memo_store.forget([(Q2.date(), Q2.date() + timedelta(days=1))])
    _db.session.commit()
    quarter = quarter_of(Q2.date())
    memo.keep("raced", (quarter.start, quarter.end), seen, 12, by_group=True)
    other = quarter_of(Q2.date() + timedelta(days=100))
    memo.keep("untouched", (other.start, other.end), seen, 12, by_group=True)
    kept = {row.key for row in _db.session.scalars(_db.select(memo.ReviewMemo))}
    assert kept == {"untouched"}


def test_a_plain_count_that_raced_a_regrouping_is_kept(app, db, review_world):
    """A respondent moving to another group forgets only counts that group people: a plain
    count made meanwhile read nothing that changed, a breakdown made meanwhile might have."""
    from analysis.review import memo, memo_store
    from analysis.review.periods import quarter_of

    seen = db.session.scalar(db.select(db.func.max(memo.ForgottenSpan.id))) or 0
    memo_store.forget([(Q2.date(), Q2.date() + timedelta(days=1))], groups_only=True)
    db.session.commit()
    quarter = quarter_of(Q2.date())
    memo.keep("plain", (quarter.start, quarter.end), seen, 12, by_group=False)
    memo.keep("by age", (quarter.start, quarter.end), seen, 12, by_group=True)
    assert {row.key for row in db.session.scalars(db.select(memo.ReviewMemo))} == {"plain"}


def test_a_memo_the_app_did_not_sign_is_counted_again(app, db, review_world):
    import pickle

    from analysis.disclosure import gate
    from analysis.review.memo import ReviewMemo

    review_world["add"](comment="Safe", count=12)
    scope = quarter_scope()
    assert gate.population(scope)[0] == 12
    forged = b"\0" * 32 + pickle.dumps((99, 99))
    db.session.execute(db.update(ReviewMemo).values(value=forged))
    db.session.commit()

    assert gate.population(scope) == (12, 0)


def test_each_quarter_of_a_trend_is_remembered_and_a_late_answer_moves_only_its_point(
        app, db, review_world):
    """Quarters are remembered one by one, so a page ending with the quarter still receiving
    answers counts only that one; a late answer in an earlier quarter moves that point."""
    from analysis.disclosure.gate import Policy
    from analysis.review.periods import quarter_of
    from analysis.review.trends import build_trends

    exact = Policy(min_cell=10, base=1)
    earlier = Q2 - timedelta(days=90)
    review_world["add"](when=earlier, safe=5, count=10)
    review_world["add"](when=Q2, safe=2, count=12)
    scope = quarter_scope()

    def points():
        _indicator, series = build_trends(scope, exact, years=1).indicators[0]
        return {p.period.label: (p.value, p.n) for p in series.points}

    assert points()["2026-Q1"] == (1.0, 10) and points()["2026-Q2"] == (0.0, 12)
    assert _remembered() >= 4  # each quarter's counts, and each quarter's population

    review_world["add"](when=earlier, safe=2, count=10)  # a late batch for the first quarter
    assert points()["2026-Q1"] == (0.5, 20) and points()["2026-Q2"] == (0.0, 12)
    assert quarter_of(earlier.date()).label == "2026-Q1"
