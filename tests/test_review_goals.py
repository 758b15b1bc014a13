"""Staff define goals and indicators through the pages; partner viewers cannot."""

from __future__ import annotations

from tests.helpers import csrf_token_from


def test_staff_create_goal_with_themes_and_indicator(app, db, client, make_staff, login,
                                                     review_world):
    from analysis.review.goals import AgendaGoal

    make_staff()
    login()
    page = client.get("/staff/goals/new").get_data(as_text=True)
    transport = review_world["transport"]
    response = client.post("/staff/goals/new", data={
        "csrf_token": csrf_token_from(page), "name_en": "Reliable ways to get around",
        "name_vi": "Phương tiện đi lại", "themes": [str(transport.id)], "position": "2",
        "active": "y",
    })
    assert response.status_code == 302
    goal = db.session.scalar(db.select(AgendaGoal).filter_by(key="reliable-ways-to-get-around"))
    assert [t.key for t in goal.themes] == ["transportation"]
    assert goal.name("vi") == "Phương tiện đi lại"
    page = client.get(f"/staff/goals/{goal.id}/indicators/new").get_data(as_text=True)
    assert "feel_safe" in page and "comment" not in page.split("question_key")[1][:400]
    response = client.post(f"/staff/goals/{goal.id}/indicators/new", data={
        "csrf_token": csrf_token_from(page), "label_en": "Feel safe", "question_key": "feel_safe",
        "rule": "share_of_values", "values": "4, 5",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert goal.indicators[0].values == ["4", "5"]
    # A share indicator without values is refused with a message, nothing saved.
    response = client.post(f"/staff/goals/{goal.id}/indicators/new", data={
        "csrf_token": csrf_token_from(page), "label_en": "Empty", "question_key": "feel_safe",
        "rule": "share_of_values", "values": "",
    })
    assert response.status_code == 200 and len(goal.indicators) == 1


def test_partner_viewer_cannot_edit_goals(app, client, make_staff, login, review_world):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login(email="viewer@example.org")
    assert client.get("/staff/goals").status_code == 403
    assert client.get("/staff/loop").status_code == 403
    assert client.get("/staff/review").status_code == 200
