"""The period still receiving answers is counted as its remembered days plus its newest day
(analysis.review.newest_day). Every figure must equal the period counted whole, above all the
people behind it: someone who answered before the newest day and again on it is one person."""

from __future__ import annotations

import functools
import itertools
import random
from datetime import timedelta

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.review import Q2

#: The newest day with data: the quarter's days before it are the remembered part.
NEWEST = Q2 + timedelta(days=20)
COMMENTS = [None, "Bus is late", "Safe at the club", "Need jobs"]
SENTIMENTS = ["positive", "neutral", "negative"]


def _answers(rng, world) -> dict:
    return dict(comment=rng.choice(COMMENTS), sentiment=rng.choice(SENTIMENTS),
                themes=rng.choice([(world["safety"],), (world["transport"],),
                                   (world["safety"], world["transport"])]),
                safe=rng.choice([None, 1, 3, 5]), adult=rng.choice([None, "yes", "no"]),
                channel=rng.choice(["web", "sms"]), site=rng.choice([world["site_a"], None]),
                score=rng.choice([-0.9, -0.4, 0.0, 0.4, 0.9]), request=rng.random() < 0.4)


def _world(world, seed=5):
    """Forty people before the newest day; twenty of them answer again on it, some the same
    way, some not; eight people answer only on it."""
    from analysis.review.goals import AgendaGoal, Indicator
    from feedback.core.extensions import db

    db.session.add(AgendaGoal(key="getting-around", names={"en": "Getting around"},
                              themes=[world["safety"], world["transport"]],
                              indicators=[Indicator(labels={"en": "Feeling safe, 1-5"},
                                                    question_key="feel_safe", rule="mean")]))
    rng = random.Random(seed)
    people = []
    for _ in range(40):
        when = Q2 + timedelta(days=rng.randrange(-14, 20), hours=rng.randrange(20))
        made = world["add"](when=when, age_group=rng.choice(["14-17", "18-24", None]),
                            races=rng.choice([(), ("black",), ("black", "asian")]),
                            **_answers(rng, world))
        people.append(made[0].respondent)
    for person in rng.sample(people, 20):
        world["add"](when=NEWEST + timedelta(hours=rng.randrange(10)), respondent=person,
                     **_answers(rng, world))
    for _ in range(8):
        world["add"](when=NEWEST + timedelta(hours=rng.randrange(10)),
                     age_group=rng.choice(["14-17", "18-24"]), **_answers(rng, world))


def _scopes(world):
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    quarter = quarter_of(Q2.date())
    return [ReviewScope(period=quarter), ReviewScope(period=quarter, channel="sms"),
            ReviewScope(period=quarter, site_id=world["site_a"].id),
            ReviewScope(period=quarter, group_dim="age_group", group_value="14-17"),
            ReviewScope(period=quarter, group_dim="site", group_value=str(world["site_a"].id))]


def test_two_parts_count_what_the_whole_period_counts(app, review_world):
    from analysis.breakdowns import Measure, cell_counts, population
    from analysis.disclosure import gate
    from analysis.review import dashboard, goal_counts, indicators, shared_tables
    from analysis.review.goals import list_goals
    from analysis.review.newest_day import split_at

    _world(review_world)
    measured = [i for g in list_goals() for i in g.indicators]
    assert {i.rule for i in measured} == {"mean", "share_of_values"}
    measures = [Measure("sentiment"), *(shared_tables.indicator_measure(i)
                                        for i in measured if i.rule == "share_of_values")]
    assert len(measures) > 1
    plain = _scopes(review_world)[0]
    head, tail = split_at(plain, NEWEST.date())
    # people in both parts: adding each part's own count would count them twice
    people = gate._people_counted
    assert people(head) + people(tail) > people(plain) > people(head)
    # the newest day, and the last days after a remembered start (several days, people
    # who answered on more than one of them)
    for scope, day in itertools.product(_scopes(review_world),
                                        (NEWEST.date(), NEWEST.date() - timedelta(days=4))):
        head, tail = split_at(scope, day)
        assert goal_counts.in_two_parts(head, tail) == goal_counts._counted(scope), scope
        assert gate.people_in_two_parts(head, tail) == people(scope), scope
        assert (gate.indicator_people_in_two_parts(head, tail)
                == gate._indicator_people_counted(scope)), scope
        for dim in ("age_group", "race", "site", "channel"):
            assert (dashboard.group_counts_in_two_parts(head, tail, dim)
                    == dashboard._counted_by_group(scope, dim)), (scope, dim)
        for unit in ("week", "month"):
            assert (gate.volume_people_in_two_parts(head, tail, unit)
                    == gate._volume_people(scope, unit)), (scope, unit)
        assert (shared_tables.population_in_two_parts(head, tail)
                == population(shared_tables.to_filters(scope))), scope
        # counts of answers (the daily totals cannot answer a group filter) add up
        for unit in ("week", "month"):
            assert (sorted(dashboard.volume_rows_in_two_parts(head, tail, unit))
                    == sorted(dashboard._counted_volume(scope, unit))), (scope, unit)
        assert (dashboard.responses_in_two_parts(head, tail)
                == dashboard._counted_responses(scope)), scope
        # the strongest quote of each goal and sentiment, the requests and the newest few
        assert (dashboard.strongest_in_two_parts(head, tail)
                == dashboard._counted_strongest(scope)), scope
        assert (dashboard.requests_in_two_parts(head, tail)
                == dashboard._counted_requests(scope)), scope
        assert (indicators.sums_in_two_parts(measured, head, tail)
                == indicators._summed_answers(measured, scope)), scope
        for indicator, dim in itertools.product(measured, ("age_group", "race", "site")):
            assert (indicators._group_sums_in_two_parts(indicator, head, tail, dim)
                    == indicators._summed_by_group(indicator, scope, dim)), (scope, dim)
        for measure in measures:
            for dims in (("age_group",), ("race_ethnicity",), ("site",)):
                assert (shared_tables.cells_in_two_parts(head, tail, measure, dims)
                        == cell_counts(measure, dims, shared_tables.to_filters(scope))), \
                    (scope, measure, dims)


def test_a_day_outside_the_period_does_not_split_it(app):
    from datetime import date

    from analysis.review.newest_day import split_at
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    scope = ReviewScope(period=quarter_of(date(2026, 4, 1)))
    assert split_at(scope, date(2026, 7, 1)) is None  # the period is over
    assert split_at(scope, date(2026, 4, 1)) is None  # its first day is its newest
    assert split_at(scope, None) is None  # no data


@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgres"),
                    reason="the review memo is kept on PostgreSQL only")
def test_a_new_answer_on_the_newest_day_keeps_the_days_before_remembered(app, db, review_world):
    from analysis.review import memo
    from analysis.review.newest_day import parts
    from feedback.responses.models import Respondent, Response

    _world(review_world)
    scope = _scopes(review_world)[0]
    figures = functools.partial(_figures, db, scope)
    assert figures() == _counted_whole(app, figures)
    head, _tail = parts(scope)
    assert head.period.end == NEWEST.date()
    key = memo.key_for("analysis.review.goal_counts._in_period", head)
    assert memo.recall(key) is not memo.MISSING

    someone = db.session.scalars(
        db.select(Respondent).join(Response, Response.respondent_id == Respondent.id)
        .where(Response.completed_at < NEWEST.replace(hour=0))).first()
    review_world["add"](when=NEWEST + timedelta(hours=11), respondent=someone,
                        comment="Bus is late", sentiment="negative",
                        themes=(review_world["transport"],), safe=2)
    assert figures() == _counted_whole(app, figures)
    assert memo.recall(memo.key_for("analysis.review.goal_counts._in_period", head)) \
        is not memo.MISSING  # the days before the newest were not counted again



def _figures(db, scope):
    """What a review page shows of ``scope``, read in a new request's transaction."""
    from analysis.disclosure import gate
    from analysis.review import dashboard, goal_counts, indicators
    from analysis.review.goals import list_goals

    db.session.commit()
    measured = [i for goal in list_goals() for i in goal.indicators]
    return (goal_counts.in_period(scope), gate.population(scope),
            gate.indicator_respondents(scope),
            {goal: table.cells for goal, table in dashboard.goal_groups(scope, "race", 3).items()},
            dashboard.volume(scope), dashboard.total_responses(scope),
            indicators.compute_all(measured, scope, 1))


def _counted_whole(app, figures):
    app.config["REVIEW_MEMO"] = False
    try:
        return figures()
    finally:
        app.config["REVIEW_MEMO"] = True


@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgres"),
                    reason="the review memo is kept on PostgreSQL only")
def test_a_new_day_counts_only_the_days_since_yesterdays_remembered_ones(app, db, review_world,
                                                                          monkeypatch):
    """The first answer of a new day makes the days before it a new head; it is counted as
    yesterday's head plus yesterday, never again from the period's first day."""
    from analysis.disclosure import gate
    from analysis.review import dashboard, goal_counts
    from feedback.responses.models import Respondent, Response

    _world(review_world)
    scopes = _scopes(review_world)[:4]  # plain, a channel, a site (a partner's), a group
    for scope in scopes:
        figures = functools.partial(_figures, db, scope)
        assert figures() == _counted_whole(app, figures)

    counted_from = []

    def spied(whole):
        def spy(scope, *args):
            counted_from.append(scope.period.start)
            return whole(scope, *args)
        return spy

    for module, name in ((goal_counts, "_counted"), (gate, "_people_counted"),
                         (gate, "_indicator_people_counted"), (dashboard, "_counted_by_group")):
        monkeypatch.setattr(module, name, spied(getattr(module, name)))

    tomorrow = NEWEST + timedelta(days=1)
    someone = db.session.scalars(
        db.select(Respondent).join(Response, Response.respondent_id == Respondent.id)
        .where(Response.completed_at < NEWEST.replace(hour=0))).first()
    review_world["add"](when=tomorrow, respondent=someone, comment="Bus is late",
                        sentiment="negative", themes=(review_world["transport"],), safe=2)
    review_world["add"](when=tomorrow, age_group="14-17", comment="Safe at the club",
                        sentiment="positive", themes=(review_world["safety"],), safe=5)
    for scope in scopes:
        figures = functools.partial(_figures, db, scope)
        counted_from.clear()
        shown = figures()
        assert counted_from and min(counted_from) == NEWEST.date(), scope
        # the days added were read with index look-ups priced low, and the price put back
        assert db.session.scalar(db.text("SELECT current_setting('random_page_cost')")) == "4"
        assert shown == _counted_whole(app, figures), scope


@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgres"),
                    reason="the review memo is kept on PostgreSQL only")
def test_the_trends_quarter_still_receiving_answers_adds_the_newest_day(app, db, review_world,
                                                                        monkeypatch):
    """The trends page ending with the open quarter takes that quarter's point from the
    dashboard's own counts (remembered days plus the newest day), not from its whole
    quarter again after each new answer; every point stays what a whole count gives."""
    from analysis.review import trends
    from analysis.review.goals import list_goals
    from analysis.review.periods import quarter_of, quarters_ending

    _world(review_world)
    open_quarter = quarter_of(NEWEST.date())
    quarters = quarters_ending(open_quarter, 8)
    measured = [i for goal in list_goals() for i in sorted(goal.indicators, key=lambda i: i.id)]
    for scope in _scopes(review_world)[::3]:  # plain, and a group filter
        points = functools.partial(_quarter_points, db, scope.with_period(open_quarter),
                                   quarters, measured)
        assert points() == _counted_whole(app, points)
        read_whole = []
        monkeypatch.setattr(trends, "_count_quarters",
                            functools.partial(_spied, read_whole, trends._count_quarters))
        review_world["add"](when=NEWEST + timedelta(hours=12), age_group="14-17",
                            comment="Bus is late", sentiment="negative",
                            themes=(review_world["transport"],), safe=1, adult="yes")
        shown = points()
        assert open_quarter not in read_whole
        assert shown[-1][0] and shown[-1][2]  # comments and indicators in the open quarter
        assert shown == _counted_whole(app, points), scope
        monkeypatch.undo()


def _quarter_points(db, scope, quarters, measured):
    """The trends' counts per quarter, read in a new request's transaction."""
    from analysis.review import trends

    db.session.commit()
    return trends._series_counts(scope, quarters, measured, True, 1)


def _spied(read, count_quarters, scope, quarters, *args):
    read.extend(quarters)
    return count_quarters(scope, quarters, *args)
