"""The dashboard's sentiment bars are drawn by whole percent: what a bar shows, and what
lets a busy period's page read its drawing back instead of drawing it after every comment."""

from __future__ import annotations

import pytest

from analysis.review.charts import _whole_percents, data_uri_bytes, sentiment_bars

NAMES = ("Positive", "Neutral", "Negative")


@pytest.mark.parametrize(("counts", "percents"), [
    ((1, 1, 1), (33, 34, 33)),
    ((2, 1, 0), (67, 33, 0)),
    ((0, 0, 7), (0, 0, 100)),
    ((0, 0, 0), (0, 0, 0)),
])
def test_shares_in_whole_percent_add_up_to_a_full_bar(counts, percents):
    assert _whole_percents(counts) == percents


def test_a_comment_that_moves_no_percent_leaves_the_drawing_as_it_was():
    before = sentiment_bars((("2026-Q3", (500, 300, 200)),), NAMES)
    one_more = sentiment_bars((("2026-Q3", (501, 300, 200)),), NAMES)
    moved = sentiment_bars((("2026-Q3", (600, 300, 100)),), NAMES)
    assert one_more == before
    assert moved != before
    assert data_uri_bytes(before).lstrip().startswith(b"<?xml")


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
