"""The dashboard reads its headline figures from daily totals (analysis.review.daily_totals):
they must always equal the figures counted from the answers, after every kind of change a
coalition makes (new responses, tag corrections, removed themes, a response moved to another
site, a goal linked to more themes), or staff would see stale or wrong numbers."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.fixtures.review import Q1, Q2

COMMENTS = ["Bus is late", "Safe at the club", "Need jobs", "My number is 504 555 0199"]


def _period(kind="quarter"):
    from analysis.review.periods import Period, month_of, quarter_of

    if kind == "month":
        return month_of(Q2.date())
    if kind == "custom":
        return Period(date(2026, 3, 20), date(2026, 4, 20), "custom")
    return quarter_of(Q2.date())


def _scopes(world):
    from analysis.review.scope import ReviewScope

    period = _period()
    return [
        ReviewScope(period=period),
        ReviewScope(period=_period("month")),
        ReviewScope(period=_period("custom")),
        ReviewScope(period=period, channel="sms"),
        ReviewScope(period=period, locale="es"),
        ReviewScope(period=period, site_id=world["site_b"].id),
        ReviewScope(period=period, organization_id=world["org_a"].id),
        ReviewScope(period=period, survey_id=world["survey"].id),
        ReviewScope(period=period, site_ids=(world["site_a"].id,)),
    ]


def _random_world(world, seed=3, people=60):
    """Respondents spread over both quarters, sites, channels and languages, with comments on
    one or both themes and answers to both indicator questions."""
    rng = random.Random(seed)
    themes = [(world["safety"],), (world["transport"],), (world["safety"], world["transport"])]
    for _ in range(people):
        when = rng.choice([Q1, Q2]) + timedelta(days=rng.randrange(-20, 40),
                                                hours=rng.randrange(24))
        score = round(rng.uniform(-1, 1), 2)
        world["add"](
            when=when, site=rng.choice([world["site_a"], world["site_b"], None]),
            channel=rng.choice(["web", "sms"]), locale=rng.choice(["en", "es", "vi"]),
            safe=rng.choice([None, 1, 2, 3, 4, 5]), adult=rng.choice([None, "yes", "no"]),
            comment=rng.choice([None, *COMMENTS]), score=score,
            sentiment="positive" if score > 0.3 else "negative" if score < -0.3 else "neutral",
            themes=rng.choice(themes), count=rng.choice([1, 1, 2]))


def _second_goal(world):
    """A goal linked to both themes: a comment on both counts once for it."""
    from analysis.review.goals import AgendaGoal
    from feedback.core.extensions import db

    goal = AgendaGoal(key="getting-around-safely", names={"en": "Getting around safely"},
                      themes=[world["safety"], world["transport"]])
    db.session.add(goal)
    db.session.commit()
    return goal


def _from_answers(scope):
    from analysis.review import dashboard, indicators
    from analysis.review.goals import list_goals

    inds = [i for g in list_goals(active_only=True) for i in g.indicators]
    mix, themes = dashboard.goal_comments(scope)
    return (dashboard.total_responses(scope), dashboard.volume(scope), mix,
            {g: dict(rows) for g, rows in themes.items()},
            _values(indicators.compute_all(inds, scope, 5)), dashboard.quotes_by_goal(scope))


def _from_totals(scope):
    from analysis.review import daily_totals, from_totals, indicators
    from analysis.review.goals import list_goals

    daily_totals.refresh()
    inds = [i for g in list_goals(active_only=True) for i in g.indicators]
    links = from_totals.goal_themes()
    mix, themes = from_totals.goal_comments(scope, links)
    return (from_totals.total_responses(scope), from_totals.volume(scope), mix,
            {g: dict(rows) for g, rows in themes.items()},
            _values(indicators.compute_all_from_totals(inds, scope, 5)),
            from_totals.quotes_by_goal(scope, links))


def _values(pairs):
    return {k: [(v.n, None if v.value is None else round(v.value, 9), v.suppressed) for v in p]
            for k, p in pairs.items()}


def _assert_same(world):
    for scope in _scopes(world):
        assert _from_totals(scope) == _from_answers(scope), scope


def test_totals_equal_the_answers_for_every_filter_and_period(app, review_world):
    _second_goal(review_world)
    _random_world(review_world)
    figures = _from_totals(_scopes(review_world)[0])
    assert figures[0][0] > 0 and figures[2]["now"] and figures[5], "the data reach the figures"
    _assert_same(review_world)


def test_totals_follow_corrections_moves_new_answers_and_goal_links(app, db, review_world):
    from analysis.models import AnswerTag, AnswerTheme
    from analysis.tagging.operations import correct_answer
    from feedback.responses.models import Response

    _second_goal(review_world)
    _random_world(review_world, seed=11, people=40)
    _assert_same(review_world)

    tag = db.session.scalars(db.select(AnswerTag).order_by(AnswerTag.answer_id)).first()
    flipped = "negative" if tag.sentiment_label != "negative" else "positive"
    correct_answer(tag.answer_id, flipped, [review_world["transport"].id], actor=None)
    removed = db.session.get(AnswerTheme, (tag.answer_id, review_world["transport"].id))
    correct_answer(tag.answer_id, None, [], actor=None)  # every theme removed
    assert removed.source == "removed"
    _assert_same(review_world)

    response = db.session.scalars(db.select(Response).order_by(Response.id.desc())).first()
    response.site_id = review_world["site_b"].id
    response.completed_at = Q2 + timedelta(days=3)
    db.session.commit()
    _assert_same(review_world)

    review_world["add"](when=Q2, comment="New today", sentiment="positive", score=0.99,
                        themes=(review_world["transport"],), count=3)
    review_world["goal"].themes.append(review_world["transport"])  # a goal gains a theme
    db.session.commit()
    _assert_same(review_world)


def test_a_comment_on_two_of_a_goals_themes_counts_once(app, review_world):
    from analysis.review.dashboard import build_review
    from analysis.review.scope import ReviewScope

    goal = _second_goal(review_world)
    both = (review_world["safety"], review_world["transport"])
    review_world["add"](comment="Unsafe bus stop", sentiment="negative", score=-0.9,
                        themes=both, count=4)
    review = build_review(ReviewScope(period=_period()))
    summary = next(s for s in review.goals if s.goal.id == goal.id)
    assert summary.comments == 4
    assert {theme.key: n for theme, n in summary.themes} == {"safety": 4, "transportation": 4}
    assert [q.text for q in summary.quotes] == ["Unsafe bus stop"]


def test_quotes_from_totals_never_show_a_phone_number(app, review_world):
    from analysis.review.dashboard import build_review
    from analysis.review.scope import ReviewScope

    review_world["add"](comment="Call me 504 555 0199", sentiment="negative", score=-1.0)
    quotes = build_review(ReviewScope(period=_period())).goals[0].quotes
    assert [q.text for q in quotes] == ["Call me [removed]"]


def test_quotes_never_come_from_low_confidence_labels(app, review_world):
    from analysis.review.dashboard import build_review, quotes_by_goal
    from analysis.review.scope import ReviewScope

    review_world["add"](comment="It was ok I guess", sentiment="negative", score=-1.0,
                        confidence=0.4)
    review_world["add"](comment="The bus stop is dark and scary", sentiment="negative",
                        score=-0.7, confidence=0.85)
    scope = ReviewScope(period=_period())
    for quotes in (build_review(scope).goals[0].quotes, *quotes_by_goal(scope).values()):
        assert [q.text for q in quotes] == ["The bus stop is dark and scary"]


def test_days_are_marked_stale_and_refreshed(app, db, review_world):
    from analysis.review import daily_totals
    from analysis.review.daily_totals import DailyResponses, StaleDay

    review_world["add"](when=Q2, safe=4, count=2)
    assert set(db.session.scalars(db.select(StaleDay.day))) == {Q2.date()}
    assert daily_totals.refresh() == 1
    assert db.session.scalar(db.select(db.func.count(StaleDay.id))) == 0
    assert db.session.scalar(db.select(db.func.sum(DailyResponses.n))) == 2
    assert daily_totals.refresh() == 0


def test_new_demographics_mark_their_days_for_group_figures_only(app, db, review_world):
    """A respondent moving to another group changes no daily total (they are kept per site,
    channel and language, never per group): their days are marked for the group figures
    only, and the refresh recomputes nothing."""
    from analysis.review import daily_totals
    from analysis.review.daily_totals import DailyResponses, StaleDay
    from feedback.responses.models import Respondent, RespondentRace

    (earlier,) = review_world["add"](when=Q2, safe=4, age_group="14-17")
    review_world["add"](when=Q2 + timedelta(days=1), safe=2, respondent=earlier.respondent)
    assert daily_totals.refresh() == 2
    db.session.get(Respondent, earlier.respondent_id).age_group = "18-24"
    db.session.add(RespondentRace(respondent_id=earlier.respondent_id, group="asian"))
    db.session.commit()
    assert set(db.session.execute(db.select(StaleDay.day, StaleDay.groups_only))) == {
        (Q2.date(), True), ((Q2 + timedelta(days=1)).date(), True)}
    assert daily_totals.refresh() == 0
    assert db.session.scalar(db.select(db.func.count(StaleDay.id))) == 0
    assert db.session.scalar(db.select(db.func.sum(DailyResponses.n))) == 2


def test_an_unfinished_conversation_marks_nothing(app, db, review_world):
    """SMS answers are stored before the response completes: no stale day, no extra work."""
    from analysis.review.daily_totals import StaleDay
    from feedback.responses.models import Answer, Respondent, Response

    survey = review_world["survey"]
    response = Response(respondent=Respondent(pseudonym="sms-1"), survey_id=survey.id,
                        survey_version_id=survey.versions[0].id, channel="sms", locale="en",
                        started_at=Q2)
    question = survey.versions[0].questions[0]
    response.answers.append(Answer(question_id=question.id, question_key=question.key,
                                   raw_text="4", value="4", value_number=4.0))
    db.session.add(response)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(StaleDay.id))) == 0
    response.completed_at = Q2
    db.session.commit()
    assert set(db.session.scalars(db.select(StaleDay.day))) == {Q2.date()}


def test_rebuild_command_after_a_bulk_load(app, db, review_world):
    from analysis.review.daily_totals import DailyComments, DailyResponses, StaleDay

    review_world["add"](when=Q1, comment="Safe here", count=3)
    db.session.execute(db.delete(StaleDay))  # as if loaded behind the ORM's back
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-review-totals"])
    assert result.exit_code == 0, result.output
    assert "review_daily_responses=1" in result.output
    assert db.session.scalar(db.select(db.func.sum(DailyResponses.n))) == 3
    assert db.session.scalar(db.select(db.func.sum(DailyComments.n))) == 3


@pytest.mark.parametrize("group", [("age_group", "14-17")])
def test_a_demographic_filter_counts_from_the_answers(app, review_world, group):
    """Totals are not kept per demographic group: such a scope is counted from the answers."""
    from analysis.review.dashboard import build_review
    from analysis.review.scope import ReviewScope

    review_world["add"](comment="Safe", age_group="14-17", count=12)
    review_world["add"](comment="Safe", age_group="18-24", count=10)
    scope = ReviewScope(period=_period(), group_dim=group[0], group_value=group[1])
    assert build_review(scope).goals[0].comments == 12


def test_a_day_marked_while_refreshing_stays_marked(app, db, review_world, monkeypatch):
    """A writer that commits during a refresh (its mark not read by it) must leave its mark
    for the next refresh, or its change would never reach the totals."""
    from analysis.review import daily_totals
    from analysis.review.daily_totals import StaleDay

    review_world["add"](when=Q2, safe=4)
    recompute = daily_totals._recompute
    late_day = (Q2 + timedelta(days=1)).date()

    def recompute_while_a_writer_commits(ranges):
        recompute(ranges)
        db.session.execute(db.insert(StaleDay).values(day=late_day))

    monkeypatch.setattr(daily_totals, "_recompute", recompute_while_a_writer_commits)
    assert daily_totals.refresh() == 1
    assert list(db.session.scalars(db.select(StaleDay.day))) == [late_day]
