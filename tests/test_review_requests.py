"""What people asked for: each goal lists its request comments when enough people asked."""

from __future__ import annotations

from tests.fixtures.helpers import pdf_text

PAGE = "/staff/review?kind=quarter&quarter=2026-Q2"


def test_a_goals_requests_are_listed_newest_first(app, client, staff, review_world):
    add = review_world["add"]
    add(comment="We need more lights on the walk home", request=True, count=11)
    add(comment="Please put a guard at the gate, call 504-555-0147", request=True)
    add(comment="The park felt calm and friendly", sentiment="positive", count=10)
    html = client.get(PAGE).get_data(as_text=True)
    asked = html[html.index("What people asked for"):]
    assert "comments asked for something" in asked
    assert "Please put a guard at the gate" in asked and "504-555-0147" not in asked
    assert asked.index("Please put a guard") < asked.index("more lights on the walk home")
    assert "felt calm and friendly" not in asked  # not a request


def test_requests_from_too_few_people_are_not_listed(app, client, staff, review_world):
    add = review_world["add"]
    add(comment="The park felt calm and friendly", sentiment="positive", count=20)
    add(comment="Can we get a crossing guard on Elm", request=True, count=9)
    html = client.get(PAGE).get_data(as_text=True)
    assert "felt calm" in html  # the goal's quotes are shown ...
    assert "What people asked for" not in html  # ... but nine people asking is too few
    assert "asked for something" not in html


def test_requests_in_the_printable_pdf(app, client, staff, review_world):
    add = review_world["add"]
    add(comment="We need more lights on the walk home", request=True, count=12)
    pdf = client.get("/staff/review/report.pdf?kind=quarter&quarter=2026-Q2")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert "What people asked for" in text and "more lights on the walk home" in text
