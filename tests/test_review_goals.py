"""Staff define goals and indicators through the pages; partner viewers cannot."""

from __future__ import annotations

from tests.fixtures.helpers import csrf_token_from


def test_staff_create_goal_with_themes_and_indicator(app, db, client, make_staff, login,
                                                     review_world):
    from analysis.review.goals import AgendaGoal

    make_staff()
    login()
    page = client.get("/staff/goals/new").get_data(as_text=True)
    transport = review_world["transport"]
    response = client.post("/staff/goals/new", data={
        "csrf_token": csrf_token_from(page), "name_en": "Reliable ways to get around",
        "name_es": "Formas confiables de moverse", "name_vi": "Phương tiện đi lại",
        "themes": [str(transport.id)], "position": "2", "active": "y",
    })
    assert response.status_code == 302
    goal = db.session.scalar(db.select(AgendaGoal).filter_by(key="reliable-ways-to-get-around"))
    assert [t.key for t in goal.themes] == ["transportation"]
    assert goal.name("vi") == "Phương tiện đi lại"
    page = client.get(f"/staff/goals/{goal.id}/indicators/new").get_data(as_text=True)
    assert "feel_safe" in page and "comment" not in page.split("question_key")[1][:400]
    response = client.post(f"/staff/goals/{goal.id}/indicators/new", data={
        "csrf_token": csrf_token_from(page), "label_en": "Feel safe", "label_es": "Seguros",
        "label_vi": "An toàn", "question_key": "feel_safe", "rule": "share_of_values",
        "values": "4, 5",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert goal.indicators[0].values == ["4", "5"]
    # A share indicator without values is refused with a message, nothing saved.
    response = client.post(f"/staff/goals/{goal.id}/indicators/new", data={
        "csrf_token": csrf_token_from(page), "label_en": "Empty", "label_es": "Vacío",
        "label_vi": "Trống", "question_key": "feel_safe", "rule": "share_of_values",
        "values": "",
    })
    assert response.status_code == 200 and len(goal.indicators) == 1


def test_partner_viewer_cannot_edit_goals(app, client, make_staff, login, review_world):
    make_staff(email="viewer@example.org", role="partner_viewer")
    login(email="viewer@example.org")
    assert client.get("/staff/goals").status_code == 403
    assert client.get("/staff/loop").status_code == 403
    assert client.get("/staff/review").status_code == 200


def test_a_goal_text_missing_in_a_language_is_refused_and_kept(app, db, client, make_staff,
                                                                 login, review_world):
    """Like the survey builder: a description written in English only would show English to
    Spanish and Vietnamese readers of the review, the report and the PDF."""
    from analysis.review.goals import AgendaGoal

    make_staff()
    login()
    page = client.get("/staff/goals/new").get_data(as_text=True)
    response = client.post("/staff/goals/new", data={
        "csrf_token": csrf_token_from(page), "name_en": "Families feel heard",
        "name_es": "Los jóvenes se sienten seguros", "name_vi": "Thanh niên cảm thấy an toàn",
        "description_en": "At partner sites and on the way there.", "description_es": "",
        "description_vi": "", "position": "1", "active": "y",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Write this text in every language" in html
    assert 'id="description_es-error"' in html and 'id="description_vi-error"' in html
    assert 'id="name_es-error"' not in html
    assert "At partner sites and on the way there." in html  # what was typed is kept
    assert db.session.scalar(db.select(AgendaGoal).filter_by(key="families-feel-heard")) is None


def test_a_mean_indicator_rests_on_the_people_behind_its_numbers(app, db, review_world):
    """A mean indicator over a 1-5 question with a "not sure" choice: three people answered
    four times each with a number, ten answered "not sure". The gate counts everyone who
    answered the question (13), not the three behind the mean, and releases their mean (the
    trends page, which counts the right people, withholds the same quarter)."""
    from analysis.disclosure import gate
    from analysis.review.dashboard import build_review
    from analysis.review.goals import Indicator
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from analysis.review.trends import build_trends
    from feedback.responses.models import Answer
    from tests.fixtures.review import Q2

    goal = review_world["goal"]
    mean = Indicator(labels={"en": "How safe (mean)"}, question_key="feel_safe", rule="mean",
                     values=[])
    goal.indicators.append(mean)
    db.session.commit()
    add = review_world["add"]
    add(comment="ok", count=12)  # the goal has comments from enough people
    three = add(safe=1, count=12)
    for i, response in enumerate(three):
        response.respondent_id = three[i % 3].respondent_id
    unsure = add(adult="yes", count=10)
    q_safe = next(a.question_id for a in three[0].answers)
    for response in unsure:
        response.answers.append(Answer(question_id=q_safe, question_key="feel_safe",
                                       raw_text="not sure", value="not_sure",
                                       value_number=None, created_at=Q2))
    db.session.commit()
    scope = ReviewScope(period=quarter_of(Q2.date()))
    policy = gate.Policy(min_cell=10, base=5)
    review = gate.release_review(build_review(scope), policy)
    now = next(v for i, v, _b in review.goals[0].indicators if i.id == mean.id)
    trend = dict(build_trends(scope, policy, 1).indicators)[mean]
    assert trend.latest.withheld  # the trends page withholds it
    assert now.suppressed, f"the dashboard released the mean {now.value} of 3 people"


def test_a_position_beyond_the_agenda_gets_a_message(app, db, client, make_staff, login,
                                                     review_world):
    """Twenty digits overflowed the database's integer (an error page, then a broken session)."""
    make_staff()
    login()
    goal = review_world["goal"]
    for path, data in ((f"/staff/goals/{goal.id}", {
            "name_en": "Youth feel safe", "name_es": "x", "name_vi": "x",
            "themes": [str(review_world["safety"].id)], "active": "y"}),
            (f"/staff/goals/{goal.id}/indicators/new", {
                "label_en": "Feel safe", "label_es": "x", "label_vi": "x",
                "question_key": "feel_safe", "rule": "share_of_values", "values": "4, 5"})):
        token = csrf_token_from(client.get(path).get_data(as_text=True))
        page = client.post(path, data={**data, "position": "9" * 20, "csrf_token": token})
        assert page.status_code == 200, path
        assert "Enter a position from 0 to 999." in page.get_data(as_text=True)
