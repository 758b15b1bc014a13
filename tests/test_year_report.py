"""The yearly community report: indicators over the years with their direction, what people
said, what the coalition did, by group; staff HTML and PDF, the public version on /results,
and no English interface text in Spanish or Vietnamese."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from analysis.disclosure.gate import Policy
from analysis.review.scope import ReviewScope
from tests.fixtures.helpers import pdf_text

ROOT = Path(__file__).resolve().parents[1]
Y2024, Y2025 = datetime(2024, 5, 10, 12, 0), datetime(2025, 5, 12, 12, 0)


@pytest.fixture
def two_years(db, review_world, make_staff):
    from analysis.review.goals import LoopUpdate
    from feedback.responses.models import utcnow

    add = review_world["add"]
    add(when=Y2024, safe=5, count=5, comment="Dark park", sentiment="negative", age_group="14-17")
    add(when=Y2024, safe=2, count=15, comment="Scary bus stop", sentiment="negative",
        age_group="18-24")  # 25 % feel safe in 2024
    add(when=Y2025, safe=5, count=15, comment="Lights help a lot", sentiment="positive",
        age_group="14-17")
    add(when=Y2025, safe=2, count=10, comment="Still dark", sentiment="negative",
        age_group="18-24")  # 60 % in 2025
    db.session.add(LoopUpdate(
        goal_id=review_world["goal"].id, period_start=date(2025, 4, 1),
        period_end=date(2025, 7, 1), published_at=utcnow(),
        heard={"en": "The park is dark at night", "es": "El parque está oscuro de noche",
               "vi": "Công viên tối vào ban đêm"},
        action={"en": "New lights by September", "es": "Nuevas luces para septiembre",
                "vi": "Đèn mới trước tháng Chín"}))
    db.session.commit()
    return review_world


def test_indicators_over_the_years_with_direction(app, two_years):
    from analysis.review.yearly import build_year_report

    report = build_year_report(2025, ReviewScope(period=None), Policy(min_cell=10, base=1))
    assert report.years == [2023, 2024, 2025]
    goal = report.goals[0]
    history = goal.history[0]
    assert [v.value for _y, v in history.values] == [None, pytest.approx(0.25),
                                                      pytest.approx(0.60)]
    assert history.direction == "up"
    assert [u.action_text("en") for u in goal.updates] == ["New lights by September"]
    assert goal.summary.comments.value == 25 and goal.summary.previous_comments.value == 20
    assert report.review.scope.period.label == "2025"


def test_the_years_own_figure_is_the_one_counted_for_any_year(app, two_years):
    """The report's own year is taken from its review (not counted twice): under the
    published rounding it must equal what counting that year as a past one gives."""
    from analysis.disclosure import gate
    from analysis.review import indicators as ind
    from analysis.review.periods import year_of
    from analysis.review.yearly import build_year_report

    policy = gate.published_policy()
    report = build_year_report(2025, ReviewScope(period=None), policy)
    history = report.goals[0].history[0]
    counted = gate.release_indicator(policy, ind.compute(
        history.indicator, ReviewScope(period=year_of(2025)), policy.min_cell))
    assert history.values[-1] == (2025, counted) and counted.value == pytest.approx(0.60)


def test_without_a_year_the_report_is_of_the_last_year_with_responses(
        app, client, make_staff, login, review_world):
    from feedback.responses.models import utcnow

    make_staff()
    login()
    this_year = utcnow().year
    review_world["add"](when=datetime(this_year, 1, 1, 12), comment="safe", count=3)
    html = client.get("/staff/review/year").get_data(as_text=True)
    assert f"Community report {this_year}" in html  # a first year: the year so far
    review_world["add"](when=datetime(this_year - 2, 6, 1, 12), comment="dark", count=3)
    html = client.get("/staff/review/year").get_data(as_text=True)
    assert f"Community report {this_year - 2}" in html  # the latest year that ended
    html = client.get(f"/staff/review/year?year={this_year}").get_data(as_text=True)
    assert f"Community report {this_year}" in html


def test_the_public_results_page_lists_the_community_reports_of_years_that_ended(
        app, client, review_world):
    from feedback.responses.models import utcnow

    this_year = utcnow().year
    assert "Community report" not in client.get("/results").get_data(as_text=True)
    review_world["add"](when=datetime(this_year, 1, 1, 12), comment="safe", count=3)
    assert "Community report" not in client.get("/results").get_data(as_text=True)
    review_world["add"](when=datetime(this_year - 3, 6, 1, 12), comment="dark", count=3)
    review_world["add"](when=datetime(this_year - 2, 6, 1, 12), comment="dark", count=3)
    html = client.get("/results").get_data(as_text=True)
    links = re.findall(r'href="(/results/\d+)">Community report (\d+)<', html)
    assert links == [(f"/results/{y}", str(y)) for y in (this_year - 2, this_year - 3)]
    assert client.get(links[-1][0]).status_code == 200


def test_staff_report_html_pdf_and_group_breakdown(app, client, make_staff, login, two_years):
    make_staff()
    login()
    page = client.get("/staff/review/year?year=2025&by=age_group")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Community report 2025" in html and "New lights by September" in html
    assert "↑ up" in html and "Feel safe (4-5)" in html
    assert "14-17" in html and "18-24" in html  # comments by age group
    pdf = client.get("/staff/review/year.pdf?year=2025")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Community report 2025" in text and "New lights by September" in text


def test_public_version_is_coalition_wide_and_rounded(app, client, two_years):
    page = client.get("/results/2025")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "Community report 2025" in html
    assert "Break figures down by" not in html and "PDF handout" not in html
    assert "60%" in html  # a share rounded to 5 points is still 60
    assert client.get("/results/1999").status_code == 404


def _english_fragments(locale: str) -> list[str]:
    """Unambiguous English pieces of messages the locale translates differently (3+ words)."""
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        template = read_po(handle)
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=locale)
    fragments = set()
    for message in template:
        translated = catalog.get(message.id) if message.id else None
        if translated is None or not translated.string or translated.string == message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            for part in re.split(r"%\(\w+\)[sdif]", msgid):
                part = " ".join(part.split()).strip(" .,:;!?()·–-")
                if len(part) >= 15 and len(part.split()) >= 3 and "<" not in part:
                    fragments.add(part)
    return sorted(fragments)


@pytest.mark.parametrize("locale", ["es", "vi"])
def test_the_report_in_spanish_and_vietnamese_has_no_english_interface_text(
        app, client, make_staff, login, two_years, locale):
    make_staff()
    login()
    client.get(f"/lang/{locale}?next=/")
    fragments = _english_fragments(locale)
    for url in ("/staff/review/year?year=2025&by=age_group", "/results/2025"):
        html = client.get(url).get_data(as_text=True)
        main = unescape(re.sub(r"<[^>]+>", " ", html.split('<main id="main"')[1]))
        main = " ".join(main.split())
        left = [f for f in fragments if f in main]
        assert left == [], (url, left)
    assert ("Nuevas luces para septiembre" if locale == "es" else "Đèn mới trước tháng Chín") in (
        main)
    pdf = client.get("/staff/review/year.pdf?year=2025")
    text = pdf_text(pdf.data)
    assert [f for f in fragments if f in text] == []


def test_the_year_pdf_redacts_you_said_we_did_as_the_page_does(
        app, client, make_staff, login, review_world):
    """A partner viewer downloads the yearly PDF: the "you said, we did" text carries a
    respondent's phone number, redacted on /results and the HTML report but not in the PDF."""
    from analysis.review import loop
    from analysis.review.periods import quarter_of

    review_world["add"](comment="safe", sentiment="positive", score=0.5, count=12)
    update = loop.save_update(
        None, goal=review_world["goal"], period=quarter_of(date(2026, 4, 1)),
        heard={"en": "Rosa asked us to call her on 504-555-0147 about the bus"},
        action={"en": "More lights"}, user_id=None)
    loop.publish(update, user_id=None, send_sms=False)
    make_staff(email="viewer@example.org", role="partner_viewer", org=review_world["org_a"])
    login(email="viewer@example.org")
    html = client.get("/staff/review/year?year=2026").get_data(as_text=True)
    assert "Rosa asked us" in html and "504-555-0147" not in html  # the page redacts
    pdf = client.get("/staff/review/year.pdf?year=2026")
    text = pdf_text(pdf.data)
    assert "Rosa asked us" in text
    assert "504-555-0147" not in text, "phone number printed in the yearly PDF"
