"""Trends over years: quarter series across year boundaries, the previous quarter and the same
quarter last year side by side, and every point through the disclosure gate."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis.disclosure.gate import Policy
from analysis.review.periods import (
    month_of,
    quarter_of,
    quarters_ending,
    same_period_last_year,
)
from analysis.review.scope import ReviewScope

Q1_2025 = datetime(2025, 2, 10, 12, 0)
Q4_2025 = datetime(2025, 11, 20, 12, 0)
Q1_2026 = datetime(2026, 2, 3, 12, 0)
EXACT = Policy(min_cell=10, base=1)


def test_period_arithmetic_across_year_boundaries():
    q1 = quarter_of(date(2026, 2, 3))
    assert q1.previous().label == "2025-Q4"
    assert same_period_last_year(q1).label == "2025-Q1"
    assert same_period_last_year(month_of(date(2024, 2, 29))).label == "2023-02"
    assert [q.label for q in quarters_ending(q1, 6)] == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert [q.label for q in quarters_ending(month_of(date(2026, 1, 9)), 2)] == [
        "2025-Q4", "2026-Q1"]


@pytest.fixture
def three_quarters(review_world):
    add = review_world["add"]
    add(when=Q1_2025, safe=5, count=6, comment="ok", sentiment="negative")
    add(when=Q1_2025, safe=2, count=6, comment="bad", sentiment="negative")  # 50 %
    add(when=Q4_2025, safe=4, count=9, comment="good", sentiment="positive")
    add(when=Q4_2025, safe=1, count=3, comment="meh", sentiment="neutral")  # 75 %
    add(when=Q1_2026, safe=5, count=14, comment="great", sentiment="positive", gender="girl")
    add(when=Q1_2026, safe=2, count=10, comment="fine", sentiment="neutral", gender="boy")
    add(when=Q1_2026, safe=5, count=6, comment="yes", sentiment="positive", gender="other")
    # 20 of 30 feel safe: two thirds
    return review_world


def test_series_compare_with_previous_quarter_and_same_quarter_last_year(app, three_quarters):
    from analysis.review.trends import build_trends

    trends = build_trends(ReviewScope(period=quarter_of(Q1_2026.date())), EXACT, years=2)
    assert [q.label for q in trends.quarters][0] == "2024-Q2"
    assert trends.quarters[-1].label == "2026-Q1" and len(trends.quarters) == 8
    indicator, series = trends.indicators[0]
    assert indicator.question_key == "feel_safe"
    assert series.latest.value == pytest.approx(2 / 3)
    assert series.previous.period.label == "2025-Q4" and series.previous.value == pytest.approx(
        0.75)
    assert series.last_year.period.label == "2025-Q1" and series.last_year.value == (
        pytest.approx(0.50))
    assert series.change_previous == pytest.approx(2 / 3 - 0.75)
    assert series.change_last_year == pytest.approx(2 / 3 - 0.5)
    # Quarters without answers are empty, not zero, and not withheld: nobody to protect.
    empty = series.at(quarter_of(date(2025, 5, 1)))
    assert empty.value is None and not empty.withheld
    goal = trends.goals[0]
    # zero comments is a count, shown as 0
    assert [p.value for p in goal.volume.points][-5:] == [12, 0, 0, 12, 30]
    assert goal.positive.latest.value == pytest.approx(20 / 30)
    assert goal.positive.last_year.value == 0  # none positive in 2025-Q1


def test_every_point_is_the_figure_of_its_own_quarter(app, three_quarters):
    """The series counts every quarter in one scan; each point must still be what that
    quarter counted on its own gives, an answer at the first instant of a quarter included."""
    from analysis.disclosure import gate
    from analysis.review import dashboard, indicators
    from analysis.review.trends import build_trends

    three_quarters["add"](when=datetime(2025, 10, 1, 0, 0), safe=5, count=4, comment="edge",
                          sentiment="positive")  # 2025-Q4's first instant, not Q3's
    scope = ReviewScope(period=quarter_of(Q1_2026.date()))
    trends = build_trends(scope, EXACT, years=2)
    indicator, series = trends.indicators[0]
    goal = trends.goals[0]
    for i, quarter in enumerate(trends.quarters):
        here = scope.with_period(quarter)
        value = gate.release_indicator(EXACT, indicators.compute(indicator, here, 10))
        assert series.points[i].value == value.value, quarter.label
        mix = dashboard.sentiment_by_goal(here).get(goal.goal.id, {})
        people = gate.goal_respondents(here)["now"].get(goal.goal.id, {})
        assert goal.volume.points[i].value == EXACT.figure(sum(mix.values()),
                                                           people.get(None)).shown
    assert goal.volume.at(quarter_of(Q4_2025.date())).value == 16
    assert series.at(quarter_of(Q4_2025.date())).value == pytest.approx(13 / 16)


def test_a_small_group_is_withheld_and_published_figures_are_rounded(app, three_quarters):
    from analysis.review.trends import build_trends

    scope = ReviewScope(period=quarter_of(Q1_2026.date()), group_dim="gender",
                        group_value="other")
    trends = build_trends(scope, EXACT, years=1)
    _indicator, series = trends.indicators[0]
    assert series.latest.withheld and series.latest.value is None  # 6 people < 10
    assert quarter_of(Q1_2026.date()) in trends.too_few
    girls = build_trends(ReviewScope(period=quarter_of(Q1_2026.date()), group_dim="gender",
                                     group_value="girl"), EXACT, years=1)
    assert girls.indicators[0][1].latest.value == pytest.approx(1.0)  # 14 girls, all 5
    rounded = build_trends(ReviewScope(period=quarter_of(Q1_2026.date())),
                           Policy(min_cell=10, base=5), years=1)
    volume = rounded.goals[0].volume
    assert volume.latest.value == 30 and volume.at(quarter_of(Q4_2025.date())).value == 10


def test_trends_page_in_each_language(app, client, make_staff, login, three_quarters):
    make_staff()
    login()
    page = client.get("/staff/review/trends?kind=quarter&quarter=2026-Q1&years=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    odd = "\u1369"  # a digit to str.isdigit(), not to int()
    for link in (f"/staff/review/trends?years={odd}", f"/staff/review/year?year={odd}",
                 f"/staff/review?group=site:{odd}", f"/staff/review?site={odd}",
                 "/staff/review?survey=99999999999",
                 # periods the date arithmetic cannot step from: the default period instead
                 "/staff/review?kind=custom&start=9999-12-31&end=9999-12-31",
                 "/staff/review/trends?kind=quarter&quarter=0001-Q1",
                 "/staff/review/report?kind=custom&start=0001-01-01&end=0001-01-02"):
        assert client.get(link).status_code == 200, link
    assert "Feel safe (4-5)" in html and "2025-Q4" in html
    assert 'class="trend-chart" src="data:image/svg+xml' in html
    assert "Line chart: Feel safe (4-5) by quarter." in html  # the chart's alternative text
    assert "Change from the same quarter last year: +15 points." in html  # rounded to 5
    client.get("/lang/vi?next=/")
    html = client.get("/staff/review/trends?kind=quarter&quarter=2026-Q1&years=2").get_data(
        as_text=True)
    assert "Thanh niên cảm thấy an toàn" in html and "Trends over years" not in html
    assert client.get("/staff/review/trends?years=99&group=nonsense").status_code == 200
