"""The public "you said, we did" page names each update's period as people read dates: from
its first to its last day (periods are stored with an exclusive end)."""

from __future__ import annotations

from datetime import timedelta


def test_results_show_the_last_day_of_the_period(deployed, demo):
    import sqlalchemy as sa

    from analysis.review.goals import LoopUpdate
    from feedback.core.extensions import db

    with deployed.app_context():
        update = db.session.scalar(
            sa.select(LoopUpdate).where(LoopUpdate.published_at.is_not(None))
            .order_by(LoopUpdate.id))
        start, end = update.period_start, update.period_end
    page = deployed.get("/results").text
    last_day = end - timedelta(days=1)
    assert start.isoformat() in page
    assert last_day.isoformat() in page, f"{last_day} (the period's last day) is not shown"
    assert end.isoformat() not in page, f"{end} is the day after the period"
