"""Youth web responses keep no IP address or user agent: submit with distinctive ones and
search every table of the database for them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.fixtures.helpers import csrf_token_from
from tests.fixtures.webform import hidden_token

USER_AGENT = "DistinctiveBrowser/9.9 (ua-canary-7f3b)"
IP = "203.0.113.77"


def _send(client, url, answers):
    html = client.get(url, headers={"User-Agent": USER_AGENT},
                      environ_base={"REMOTE_ADDR": IP}).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "token": hidden_token(html),
            "action": "next", **answers}
    return client.post(url, data=data, headers={"User-Agent": USER_AGENT,
                                                "X-Forwarded-For": IP},
                       environ_base={"REMOTE_ADDR": IP})


def test_no_ip_or_user_agent_lands_in_the_database(client, db, make_survey, make_site):
    from feedback.responses.models import Response

    make_survey()
    make_site("north-club")
    sent = _send(client, "/s/test-voice?site=north-club&page=1", {"q_visits": "3",
                                                                 "q_safe": "yes"})
    sent = _send(client, sent.location, {"q_rating": "4", "q_topics": ["jobs"]})
    sent = _send(client, sent.location, {"q_idea": "More music"})
    assert "/thanks" in sent.location
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
    dump = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            dump.append(repr(tuple(row)))
    text = "\n".join(dump)
    assert "More music" in text  # the dump does contain the answers
    assert "ua-canary-7f3b" not in text and "DistinctiveBrowser" not in text
    assert IP not in text


def test_the_group_menu_offers_no_value_rarer_than_the_threshold(
        app, client, db, make_staff, login, review_world):
    """The group filter menu is built from every respondent of the coalition: a partner
    viewer of organisation A learns that a respondent from "Riverside" who is Pacific
    Islander answered at organisation B's site (one person, never shown in any figure)."""
    add = review_world["add"]
    add(site=review_world["site_a"], comment="a", age_group="14-17", count=12)
    lone = add(site=review_world["site_b"], comment="b", age_group="14-17",
               races=("pacific_islander",), count=1)
    lone[0].respondent.neighbourhood = "riverside-lane"
    db.session.commit()
    make_staff(email="viewer@example.org", role="partner_viewer", org=review_world["org_a"])
    login(email="viewer@example.org")
    html = client.get("/staff/review?kind=quarter&quarter=2026-Q2").get_data(as_text=True)
    assert "Site B" not in html  # the viewer's scope hides the other organisation's site
    assert "riverside-lane" not in html, "another organisation's one respondent's neighbourhood"
    assert "race:pacific_islander" not in html, "a group of one, outside the viewer's scope"
    assert "age_group:14-17" in html  # thirteen people: offered
