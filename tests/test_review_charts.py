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
