"""The dashboard's sentiment bars are drawn by whole percent: what a bar shows, and what
lets a busy period's page read its drawing back instead of drawing it after every comment."""

from __future__ import annotations

import pytest

from analysis.review.charts import _whole_percents, data_uri_bytes, sentiment_bars
from tests.fixtures.review import Q2

NAMES = ("Positive", "Neutral", "Negative", "Not yet analysed", "Too few to show")


@pytest.mark.parametrize(("shares", "percents"), [
    ((1 / 3, 1 / 3, 1 / 3, 0), (33, 34, 33, 0, 0)),
    ((2 / 3, 1 / 3, 0, 0), (67, 33, 0, 0, 0)),
    ((0, 0, 1, 0), (0, 0, 100, 0, 0)),
    ((0, 0, 0, 0), (0, 0, 0, 0, 0)),
    # withheld parts: the shown ones keep their share, the rest is drawn as withheld
    ((None, None, 0.78, 0), (0, 0, 78, 0, 22)),
    ((0, None, 0.57, 0.1), (0, 0, 57, 10, 33)),
    ((None, None, None, None), (0, 0, 0, 0, 100)),
])
def test_shares_in_whole_percent_cover_the_bar_with_what_was_withheld(shares, percents):
    assert _whole_percents(shares) == percents


def test_a_comment_that_moves_no_percent_leaves_the_drawing_as_it_was():
    before = sentiment_bars((("2026-Q3", (0.5, 0.3, 0.2, 0)),), NAMES)
    one_more = sentiment_bars((("2026-Q3", (501 / 1001, 300 / 1001, 200 / 1001, 0)),), NAMES)
    moved = sentiment_bars((("2026-Q3", (0.6, 0.3, 0.1, 0)),), NAMES)
    assert one_more == before
    assert moved != before
    assert data_uri_bytes(before).lstrip().startswith(b"<?xml")


def test_a_bar_with_withheld_parts_shows_the_shares_the_table_gives(app, review_world):
    """29 of 37 comments negative, the other sentiments too few to show: the bar is 78 %
    negative and 22 % withheld, as the table beside it says, not 100 % negative."""
    from analysis.disclosure import gate
    from analysis.review import charts
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.presenting import chart_context
    from analysis.review.scope import ReviewScope

    review_world["add"](comment="unsafe", sentiment="negative", score=-0.6, count=29)
    review_world["add"](comment="fine", sentiment="neutral", score=0.0, count=5)
    review_world["add"](comment="good", sentiment="positive", score=0.6, count=3)
    drawn = []
    real = charts._whole_percents

    def spy(shares):
        drawn.append(real(shares))
        return drawn[-1]

    charts._whole_percents = spy
    charts._sentiment_bars.cache_clear()
    try:
        with app.test_request_context():
            exact = gate.Policy(min_cell=10, base=1)
            review = gate.release_review(
                build_review(ReviewScope(period=quarter_of(Q2.date()))), exact)
            goal = review.goals[0]
            assert goal.sentiment["negative"].shown == 29 and goal.sentiment["neutral"].withheld
            chart_context(review)
    finally:
        charts._whole_percents = real
    assert (0, 0, 78, 0, 22) in drawn


def test_a_new_answer_in_a_tall_bar_leaves_the_volume_chart_as_it_was():
    from analysis.review.charts import volume_chart

    def chart(web_this_week: int) -> str:
        return volume_chart([("2026-W01", "web", 4000), ("2026-W01", "sms", 1000),
                             ("2026-W02", "web", web_this_week)], {}, "Responses")

    assert chart(2001) == chart(2000)  # under a pixel of a bar 5,000 tall
    assert chart(2600) != chart(2000)
    small = [("2026-W01", "web", 40), ("2026-W02", "web", 3)]
    assert volume_chart(small, {}, "Responses") != volume_chart(
        [*small[:1], ("2026-W02", "web", 4)], {}, "Responses")  # exact below 200 a bar


def test_a_trend_redraws_only_when_a_point_visibly_moves():
    from analysis.review.charts import trend_line

    quarters = ("2026-Q1", "2026-Q2", "2026-Q3")
    counts = trend_line(quarters, (None, 20_000, 21_000), "count")
    assert trend_line(quarters, (None, 20_000, 21_001), "count") == counts  # one more comment
    assert trend_line(quarters, (None, 20_000, 25_000), "count") != counts
    shares = trend_line(quarters, (0.601, 0.62, None), "share")
    assert trend_line(quarters, (0.604, 0.62, None), "share") == shares
    assert trend_line(quarters, (0.601, 0.62, 0.5), "share") != shares  # a withheld point shown
    assert data_uri_bytes(shares).lstrip().startswith(b"<?xml")
