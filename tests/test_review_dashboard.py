"""The agenda review dashboard: indicator arithmetic, change over time, filters, scoping,
suppression, and no phone number anywhere."""

from __future__ import annotations

import pytest

from tests.fixtures.review import Q1, Q2


def _scope(**kw):
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    return ReviewScope(period=quarter_of(Q2.date()), **kw)


def test_indicator_share_and_mean_on_known_data(app, review_world):
    from analysis.review import indicators

    add = review_world["add"]
    add(safe=5, count=6)
    add(safe=4, count=3)
    add(safe=2, count=3)  # 9 of 12 answer 4-5 -> 75 %
    share = review_world["goal"].indicators[0]
    result = indicators.compute(share, _scope(), min_cell=10)
    assert result.n == 12 and result.value == pytest.approx(0.75)
    share.rule, share.values = "mean", []
    result = indicators.compute(share, _scope(), min_cell=10)
    assert result.value == pytest.approx((6 * 5 + 3 * 4 + 3 * 2) / 12)


def test_indicator_with_too_few_answers_is_suppressed(app, review_world):
    from analysis.review import indicators

    review_world["add"](adult="yes", count=3)
    result = indicators.compute(review_world["goal"].indicators[1], _scope(), min_cell=10)
    assert result.suppressed and result.value is None


def test_period_over_period_change(app, review_world):
    from analysis.review.dashboard import build_review

    add = review_world["add"]
    add(when=Q1, comment="Not safe at the bus stop", sentiment="negative", score=-0.8, count=4)
    add(when=Q2, comment="Feel safe at the center", sentiment="positive", score=0.7, count=11)
    add(when=Q2, adult="yes", count=8)
    add(when=Q2, adult="no", count=2)
    add(when=Q1, adult="yes", count=5)
    add(when=Q1, adult="no", count=5)
    review = build_review(_scope())
    summary = review.goals[0]
    assert (summary.comments, summary.previous_comments, summary.change) == (11, 4, 7)
    assert summary.sentiment == {"positive": 11}
    assert summary.previous_sentiment == {"negative": 4}
    _indicator, now, before = summary.indicators[1]
    assert now.value == pytest.approx(0.8) and before.value == pytest.approx(0.5)


def test_filters_narrow_every_figure(app, review_world):
    from analysis.review.dashboard import build_review

    add = review_world["add"]
    add(site=review_world["site_a"], channel="web", comment="safe here", count=12)
    add(site=review_world["site_b"], channel="sms", locale="es", comment="seguro", count=10)
    assert build_review(_scope()).goals[0].comments == 22
    assert build_review(_scope(channel="sms")).goals[0].comments == 10
    assert build_review(_scope(locale="en")).goals[0].comments == 12
    assert build_review(_scope(organization_id=review_world["org_b"].id)).goals[0].comments == 10
    assert build_review(_scope(site_id=review_world["site_a"].id)).responses == 12


def test_breakdown_suppresses_small_group_and_its_complement(app, review_world):
    from analysis.review.dashboard import build_review

    add = review_world["add"]
    add(comment="safe", age_group="10-13", count=3)
    add(comment="safe", age_group="14-17", count=12)
    add(comment="safe", age_group="18-24", count=20)
    table = build_review(_scope(), "age_group").goals[0].by_group
    cells = {c.group: c for c in table.cells}
    assert cells["10-13"].suppressed and cells["10-13"].shown_n is None
    # 35 - 20 - 12 would reveal 3 unless a second group is hidden too.
    assert cells["14-17"].suppressed and cells["14-17"].reason == "complementary"
    assert not cells["18-24"].suppressed and cells["18-24"].shown_n == 20


def test_dashboard_page_shows_charts_tables_and_suppression(app, client, staff, review_world):
    add = review_world["add"]
    add(comment="I feel safe at the club", sentiment="positive", score=0.9, age_group="14-17",
        count=12, safe=5)
    add(comment="Call me 504-555-0142 about the unsafe corner", sentiment="negative",
        score=-0.95, age_group="10-13", count=3, safe=1)
    page = client.get("/staff/review?kind=quarter&quarter=2026-Q2&by=age_group")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Youth feel safe" in html
    assert 'src="data:image/svg+xml;base64,' in html and "<caption>" in html
    assert "fewer than 10" in html
    assert "555-0142" not in html and "[removed]" in html


def test_partner_viewer_sees_only_their_sites(app, client, make_staff, login, review_world):
    add = review_world["add"]
    add(site=review_world["site_a"], comment="safe A", count=11)
    add(site=review_world["site_b"], comment="safe B", count=13)
    make_staff(email="viewer@example.org", role="partner_viewer", org=review_world["org_b"])
    login(email="viewer@example.org")
    html = client.get("/staff/review?kind=quarter&quarter=2026-Q2").get_data(as_text=True)
    # partner viewers see rounded counts (base 5): 13 -> 15; the coalition total is 24
    assert "15 comments" in html and "24 comments" not in html and "25 comments" not in html
    # Asking for the other partner's site gives nothing, not their data.
    html = client.get(
        f"/staff/review?kind=quarter&quarter=2026-Q2&site={review_world['site_a'].id}"
    ).get_data(as_text=True)
    assert "Too few responses to show" in html and "11 comments" not in html
    assert "safe A" not in html
    # The row-level answers CSV is the backbone admin's alone.
    assert client.get("/staff/review/export/answers.csv?kind=quarter&quarter=2026-Q2"
                      ).status_code == 403


def test_default_period_is_latest_quarter_with_data(app, client, staff, review_world):
    review_world["add"](when=Q1, comment="safe", count=2)
    html = client.get("/staff/review").get_data(as_text=True)
    assert "2026-Q1" in html


def test_emerging_themes_from_untagged_comments(app, client, staff, review_world):
    add = review_world["add"]
    add(comment="the library closes too early on weekends", themes=(), count=6)
    add(comment="library hours are too short, closes early", themes=(), count=6)
    html = client.get("/staff/review?kind=quarter&quarter=2026-Q2").get_data(as_text=True)
    assert "Candidate themes" in html and "library" in html


def test_partner_filter_breakdown_is_guarded_against_difference(app, review_world):
    """All partners minus partner A would reveal partner B's 4 respondents: refused."""
    from analysis.review.shared_tables import tables_for

    add = review_world["add"]
    add(site=review_world["site_a"], comment="Safe here", age_group="14-17", count=30)
    add(site=review_world["site_b"], comment="Not safe", age_group="14-17", count=4)
    sentiment = tables_for(_scope(organization_id=review_world["org_a"].id), "age_group", [])[0]
    assert sentiment.result.reason == "difference"
    everyone = tables_for(_scope(), "age_group", [])[0]
    assert everyone.result.reason is None

    from analysis.review.dashboard import build_review

    goal = build_review(_scope(organization_id=review_world["org_a"].id), "age_group").goals[0]
    assert goal.comments == 30  # the headline figure is not a breakdown: shown
    assert [(c.group, c.suppressed, c.reason) for c in goal.by_group.cells] == [
        ("14-17", True, "difference")]
    shown = build_review(_scope(), "age_group").goals[0].by_group.cells
    assert [(c.group, c.n, c.suppressed) for c in shown] == [("14-17", 34, False)]
