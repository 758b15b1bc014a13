"""The queue worker counting review views, as deployed (PostgreSQL, where the review
remembers its counts): a view staff opened is counted again by the worker's own round after
a write forgot it, with nobody opening it (docs/analysis.md, "Counting ahead"); a view too
long to count in the page is counted by the worker while the page waits ("Counting on the
worker"). Unit tests call the round and the job directly; these leave them to the worker
process."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import pytest
from deployment import csrf_from, start_deployment, wait_until

pytestmark = [
    pytest.mark.deployed,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="PostgreSQL only: the review remembers no count on SQLite"),
]

#: The worker checks its periodic jobs once a minute; the round then counts every view.
ROUND_WAIT = 240


def _goal_counts_memo(d, scope):
    """When the goal counts of ``scope`` were remembered, or None (the count every review
    view makes; the key is the app's own)."""
    from analysis.review import memo
    from analysis.review.memo_store import ReviewMemo
    from feedback.core.extensions import db

    with d.app_context():
        key = memo.key_for("analysis.review.goal_counts._in_period", scope)
        return db.session.scalar(db.select(ReviewMemo.created_at).where(ReviewMemo.key == key))


def test_the_worker_counts_an_opened_view_again_after_an_older_write(tmp_path):
    from analysis.models import AnswerTag
    from analysis.review.opened import OpenedView, recent
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, Response

    with start_deployment(tmp_path) as d:
        last_quarter = quarter_of(date.today()).previous()
        staff = d.session("admin")
        # two filters at once with a breakdown: no list made ahead holds it
        view = (f"/staff/review?kind=quarter&quarter={last_quarter.start.year}-Q"
                f"{(last_quarter.start.month - 1) // 3 + 1}&channel=web&locale=es&by=age_group")
        assert staff.get(d.url + view, timeout=60).status_code == 200
        scope = ReviewScope(period=last_quarter, channel="web", locale="es")
        with d.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(OpenedView)) == 1
            assert [(v.scope, v.by) for v in recent(date.today())] == [(scope, "age_group")]
        first_counted = _goal_counts_memo(d, scope)
        assert first_counted is not None

        # a staff correction of a comment in that quarter, over HTTP: its day's counts go
        with d.app_context():
            answer_id = db.session.scalar(
                db.select(AnswerTag.answer_id).join(Answer, Answer.id == AnswerTag.answer_id)
                .join(Response, Response.id == Answer.response_id)
                .where(Response.channel == "web", Response.locale == "es",
                       Response.completed_at >= datetime.combine(last_quarter.start,
                                                                 datetime.min.time()),
                       Response.completed_at < datetime.combine(last_quarter.end,
                                                                datetime.min.time())
                       - timedelta(days=7))
                .order_by(AnswerTag.answer_id).limit(1))
            assert answer_id is not None, "no analysed web comment in Spanish last quarter"
            was = db.session.scalar(db.select(AnswerTag.sentiment_label)
                                    .where(AnswerTag.answer_id == answer_id))
        page = staff.get(f"{d.url}/staff/answers/{answer_id}", timeout=60)
        corrected = "negative" if was != "negative" else "positive"
        saved = staff.post(f"{d.url}/staff/answers/{answer_id}", timeout=60,
                           data={"sentiment": corrected, "csrf_token": csrf_from(page.text)},
                           allow_redirects=False)
        assert saved.status_code == 302, saved.text[:500]

        # nobody opens the view again: the worker's round counts it
        def counted_again():
            at = _goal_counts_memo(d, scope)
            return at is not None and at > first_counted
        assert wait_until(counted_again, ROUND_WAIT, 2), d.logs()[-3000:]
        with d.app_context():
            sentiment = db.session.scalar(db.select(AnswerTag.sentiment_label)
                                          .where(AnswerTag.answer_id == answer_id))
        assert sentiment == corrected


def test_a_page_too_long_to_count_waits_for_the_worker(tmp_path):
    """With no budget for counting in the page, a view nothing was remembered for answers
    202 with the waiting page at once; polled as its script polls, it turns 200 with the
    figures once the worker process has counted it."""
    from analysis.review.counting import POLL_HEADER

    with start_deployment(tmp_path, env={"REVIEW_COUNT_IN_PAGE": "0"}) as d:
        staff = d.session("admin", "es")
        view = f"{d.url}/staff/review?kind=month&channel=sms&by=age_group"
        first = staff.get(view, timeout=60)
        assert first.status_code == 202, first.text[:500]
        assert "Contando estas cifras" in first.text

        def shown():
            answer = staff.get(view, headers={POLL_HEADER: "1"}, timeout=60)
            return answer if answer.status_code == 200 else None
        answer = wait_until(shown, 120, 2)
        assert answer, d.logs()[-3000:]
        assert "Contando estas cifras" not in answer.text
        assert 'name="by"' in answer.text  # the dashboard itself, with its filters
