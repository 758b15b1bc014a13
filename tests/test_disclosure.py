"""The disclosure-control gate against an adversarial insider (in process; the same attacks
run against a deployed app in tests/deployed/test_disclosure_attacks.py): a small group
filter, exports under it, two periods a day apart, a one-day site window, exact per-site
counts, odd phone separators and formula cells each recover nothing, and what is released
still adds up to the totals within the rounding base."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from tests.fixtures.review import Q2

QUARTER = "kind=quarter&quarter=2026-Q2"
RARE = "group=age_group:10-13"


@pytest.fixture
def world(review_world):
    """30 respondents of 14-17 and a rare group of 6 aged 10-13 whose comments are quotable."""
    add = review_world["add"]
    add(comment="Lots of fights near the gym", sentiment="negative", score=-0.9,
        age_group="14-17", safe=4, adult="yes", count=30)
    add(comment="SECRET-SIX I get followed home", sentiment="negative", score=-0.95,
        age_group="10-13", safe=1, adult="no", count=6)
    return review_world


# --- pure rules ----------------------------------------------------------------------------


def test_rounding_and_whole_windows():
    from analysis.disclosure.rounding import round_count, round_share
    from analysis.disclosure.windows import is_whole, widen_to_weeks
    from analysis.review.periods import Period

    assert [round_count(n, 5) for n in (10, 12, 13, 17, 18)] == [10, 10, 15, 15, 20]
    assert round_count(13, 1) == 13 and round_share(0.7333, 5) == pytest.approx(0.75)
    one_day = widen_to_weeks(Period(date(2026, 4, 15), date(2026, 4, 16)))
    assert (one_day.start, one_day.end, is_whole(one_day)) == (
        date(2026, 4, 13), date(2026, 4, 20), True)
    a = widen_to_weeks(Period(date(2026, 4, 1), date(2026, 4, 10)))
    b = widen_to_weeks(Period(date(2026, 4, 1), date(2026, 4, 11)))
    assert a == b  # two ranges ending a day apart cover the same whole weeks


def test_k_anonymity_leaves_no_small_combination():
    from collections import Counter

    from analysis.disclosure.kanon import anonymise

    records = {i: ("14-17", "black", "girl", "north", "Site A") for i in range(12)}
    records.update({100 + i: ("14-17", "black", "boy", "north", "Site A") for i in range(11)})
    records.update({200 + i: ("10-13", "asian", "boy", "south", "Site B") for i in range(2)})
    records[300] = ("14-17", "black", "girl", "south", "Site A")  # unique by neighbourhood
    out = anonymise(records, 10)
    sizes = Counter(out.values())
    assert min(sizes.values()) >= 10
    assert "10-13" not in {v[0] for v in out.values()}
    assert "south" not in {v[3] for v in out.values()}


@pytest.mark.parametrize("text", [
    "call me 504/555/0147", "text 504_555_0148 ok", "504·555·0152", "(504) 555-0199",
    "+84 912 345 678", "mi cel 55 1234 5678", "write me at example dot org",
    "ana (at) gmail (dot) com", "yo arroba correo punto com", "x@y.org",
    # typed across two lines: a page wraps it back into one readable number
    "text me at 504-555-\n0147", "504\n555\n0142", "504 555\n0143",
])
def test_redaction_removes_contact_details_whatever_the_separator(app, text):
    from analysis.disclosure.redaction import redact

    with app.app_context():
        out = redact(text)
    assert "[removed]" in out
    assert not any(ch.isdigit() for ch in out.replace("[removed]", "")) or "ok" in out
    assert "example" not in out and "gmail" not in out and "correo" not in out


def test_redaction_keeps_ordinary_text(app):
    from analysis.disclosure.redaction import redact

    with app.app_context():
        for text in ("I am 15 and go to school at 9. The bus at 3.", "score 4/5 in 2026",
                     "meet at the park", "I am 15\nsince 2025\nand 3 buses"):
            assert redact(text) == text


def test_formula_cells_are_neutralised():
    from analysis.disclosure.redaction import csv_cell

    for cell in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(cell).startswith("'")
    assert csv_cell("fine") == "fine" and csv_cell(5) == 5


# --- the attacks ---------------------------------------------------------------------------


def test_group_filter_on_a_group_of_six_shows_only_too_few(app, client, staff, world):
    html = client.get(f"/staff/review?{QUARTER}&{RARE}").get_data(as_text=True)
    assert "Too few responses to show" in html
    assert "SECRET-SIX" not in html and "6 responses" not in html
    assert "previous period" not in html and "Neutral" not in html


def test_exports_under_a_small_group_filter_recover_nothing(app, client, admin, world):
    report = client.get(f"/staff/review/report?{QUARTER}&{RARE}").get_data(as_text=True)
    assert "Too few responses to show" in report and "SECRET-SIX" not in report
    summary = client.get(f"/staff/review/export/summary.csv?{QUARTER}&{RARE}")
    rows = list(csv.reader(io.StringIO(summary.get_data(as_text=True))))
    assert rows[1:] == [["view", "", "", "2026-Q2", "", "", "", "too few responses to show"]]
    answers = client.get(f"/staff/review/export/answers.csv?{QUARTER}&{RARE}")
    assert answers.status_code == 302  # refused, back to the dashboard with the reason
    page = client.get(answers.location).get_data(as_text=True)
    assert "fewer than 10 people" in page
    pdf = client.get(f"/staff/review/report.pdf?{QUARTER}&{RARE}")
    assert pdf.status_code == 200 and b"SECRET-SIX" not in pdf.data


def test_answers_csv_is_admin_only_and_k_anonymous(app, client, admin, world):
    from collections import Counter

    text = client.get(f"/staff/review/export/answers.csv?{QUARTER}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    combos = Counter((r["respondent"], r["age_group"], r["race"], r["gender"],
                      r["neighbourhood"], r["site"]) for r in rows)
    people = Counter(key[1:] for key in combos)
    assert min(people.values()) >= 10
    assert "10-13" not in text


def test_answers_csv_forbidden_to_staff_and_partner_viewers(app, client, staff, world):
    assert client.get(f"/staff/review/export/answers.csv?{QUARTER}").status_code == 403


def test_two_periods_a_day_apart_cannot_be_subtracted(app, client, staff, review_world):
    add = review_world["add"]
    add(when=Q2 - timedelta(days=2), comment="early", count=20)
    add(when=Q2, comment="the new one SECRET-NEW", count=1)  # one respondent in between
    end_a, end_b = (Q2 - timedelta(days=1)).date(), Q2.date()
    pages = [client.get(f"/staff/review?kind=custom&start=2026-04-01&end={end}")
             .get_data(as_text=True) for end in (end_a, end_b)]
    figures = [page.split('<p class="headline">', 1)[1] for page in pages]
    assert figures[0] == figures[1]  # both are widened to the same whole weeks
    assert "20 responses" in figures[0] and "21 responses" not in figures[0]


def test_single_day_site_window_shows_no_quote_of_a_small_group(app, client, staff, world):
    site = world["site_a"].id
    html = client.get(f"/staff/review?kind=custom&start=2026-04-15&end=2026-04-15"
                      f"&site={site}&{RARE}").get_data(as_text=True)
    assert "SECRET-SIX" not in html and "Too few responses to show" in html


def test_exact_per_site_counts_are_rounded_outside_the_admin_view(app, client, make_staff,
                                                                  login, review_world):
    add = review_world["add"]
    add(site=review_world["site_a"], comment="a", count=12)
    add(site=review_world["site_b"], comment="b", count=11)
    make_staff()
    login()
    html = client.get(f"/staff/review?{QUARTER}&by=site").get_data(as_text=True)
    assert "10 comments" in html or "25 comments" in html
    assert "23 comments" not in html and ">12<" not in html and ">11<" not in html


def test_padding_with_nine_scripted_respondents_recovers_nothing(app, client, staff,
                                                                 review_world):
    """Nine respondents added by an insider through the public form are held (over the
    per-address limit), so the rare group stays under the threshold."""
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from feedback.responses.models import Response
    from feedback.webform import padding

    add = review_world["add"]
    add(comment="common", age_group="14-17", count=20)
    real = add(comment="REAL-FIVE", age_group="10-13", count=5)
    fake = add(comment="fake", age_group="10-13", count=9)
    for response in fake:
        padding.check_submission(response, review_world["site_a"], "198.51.100.7")
    from feedback.core.extensions import db

    held = db.session.query(Response).filter(Response.held_at.is_not(None)).count()
    assert held >= 6  # three a day per site and address; the rest are held
    html = client.get(f"/staff/review?{QUARTER}&{RARE}").get_data(as_text=True)
    assert "Too few responses to show" in html and "REAL-FIVE" not in html
    scope = ReviewScope(period=quarter_of(Q2.date()), group_dim="age_group",
                        group_value="10-13")
    assert build_review(scope).responses < 10
    assert len(real) == 5


def test_burst_at_a_site_is_held_until_staff_accept(app, client, staff, review_world):
    from feedback.core.extensions import db
    from feedback.responses.models import Response
    from feedback.webform import padding

    app.config["INTAKE_LIMIT_PER_ADDRESS"] = 0  # only the burst rule
    for i in range(12):  # twelve completions a second apart, each from its own address
        (response,) = review_world["add"](comment="burst", when=Q2 + timedelta(seconds=i))
        padding.check_submission(response, review_world["site_a"], f"198.51.100.{i}")
    held = [r.id for r in db.session.query(Response).filter(Response.held_at.is_not(None))]
    assert len(held) == 12 - app.config["INTAKE_BURST_COUNT"]
    page = client.get("/staff/review/held").get_data(as_text=True)
    assert "burst at the site" in page
    from tests.fixtures.helpers import csrf_token_from

    client.post("/staff/review/held", data={"csrf_token": csrf_token_from(page),
                                            "response": [str(i) for i in held]})
    assert db.session.query(Response).filter(Response.held_at.is_not(None)).count() == 0


def test_released_figures_add_up_to_the_total_within_the_rounding_base(app, review_world):
    from analysis.disclosure import gate
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    add = review_world["add"]
    for sentiment, n in (("positive", 13), ("neutral", 22), ("negative", 3)):
        add(comment=sentiment, sentiment=sentiment, score=0.5, count=n)
    review = gate.release_review(build_review(ReviewScope(period=quarter_of(Q2.date()))),
                                 gate.Policy(min_cell=10, base=5))
    goal = review.goals[0]
    shown = [f for f in goal.sentiment.values() if not f.withheld]
    hidden = [f for f in goal.sentiment.values() if f.withheld]
    assert len(hidden) >= 2  # the 3 negatives and a complement
    # what is shown plus what is hidden (each under the threshold or a complement) is the total
    assert sum(f.value for f in shown) <= goal.comments.value + 5 * len(shown)
    assert abs(goal.comments.value - 38) <= 2 and goal.comments.value % 5 == 0
    assert review.responses.value % 5 == 0 and abs(review.responses.value - 38) <= 2


def test_groups_are_shown_by_their_labels_not_codes(app, client, staff, review_world):
    from analysis.disclosure.labels import label, value_labels

    review_world["add"](comment="x", gender="girl_woman", races=("hispanic_latino",), count=12)
    html = client.get(f"/staff/review?{QUARTER}&by=gender").get_data(as_text=True)
    assert "Gender: Girl or woman" in html and "Hispanic or Latino/a" in html
    visible = re.sub(r'value="[^"]*"', "", html)
    assert "girl_woman" not in visible and "hispanic_latino" not in visible
    with app.test_request_context():
        assert label("gender", "girl_woman", "es", value_labels("es")) == "Chica o mujer"
        assert label("race", "hispanic_latino", "vi", value_labels("vi")).startswith("Người")


def test_public_results_are_rounded_and_redacted(app, client, review_world):
    from analysis.review import loop
    from analysis.review.periods import quarter_of

    review_world["add"](comment="safe", sentiment="positive", score=0.5, count=13)
    review_world["add"](comment="meh", sentiment="neutral", score=0.0, count=3)
    update = loop.save_update(
        None, goal=review_world["goal"], period=quarter_of(Q2.date()),
        heard={"en": "Call me on 504/555/0147 about the bus"}, action={"en": "More lights"},
        user_id=None)
    loop.publish(update, user_id=None, send_sms=False)
    html = client.get("/results").get_data(as_text=True)
    assert ">15<" in html and ">16<" not in html and ">13<" not in html
    texts = loop.sms_texts(update)
    assert "504/555/0147" not in texts["en"] and "[removed]" in texts["en"]


def test_one_respondent_many_responses_stays_withheld(app, db, review_world):
    from analysis.disclosure import gate
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from feedback.responses.models import Response

    made = review_world["add"](comment="me again", count=12, site=review_world["site_b"])
    first = made[0].respondent_id
    for response in made:
        response.respondent_id = first
    db.session.commit()
    scope = ReviewScope(period=quarter_of(Q2.date()), site_id=review_world["site_b"].id)
    review = gate.release_review(build_review(scope), gate.Policy(min_cell=10, base=5))
    assert review.too_few and review.goals == []
    assert db.session.query(Response).count() == 12


def test_a_survey_cannot_give_the_bank_questions_its_own_codes(app):
    from surveys.definitions import question_from_dict

    problems: list = []
    question_from_dict({"key": "gender", "type": "single_choice",
                        "text": {"en": "Gender"}, "settings": {"demographic": "gender"},
                        "choices": [{"code": "boy_man", "label": {"en": "Boy"}},
                                    {"code": "m", "label": {"en": "M"}}]}, 1, [], problems)
    assert len(problems) == 1 and "“m”" in problems[0] and "boy_man" in problems[0]


def test_imported_responses_can_be_left_out_of_figures(app, db, review_world):
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    review_world["add"](comment="real", count=11)
    for response in review_world["add"](comment="imported", count=12):
        response.origin = "import"
    db.session.commit()
    scope = ReviewScope(period=quarter_of(Q2.date()))
    assert build_review(scope).responses == 23
    app.config["FIGURES_EXCLUDE_ORIGINS"] = ["import", "staff"]
    review = build_review(scope)
    assert review.responses == 11 and review.goals[0].comments == 11


def test_a_group_of_many_comments_but_few_respondents_is_withheld(app, db, review_world):
    """Twelve comments (and twelve ratings) from three people: the goal's group tables count
    people, so that group is withheld although it has more comments than the threshold."""
    from analysis.disclosure import gate
    from analysis.review import indicators as ind
    from analysis.review.dashboard import build_review
    from analysis.review.goals import Indicator
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    add = review_world["add"]
    for gender in ("girl_woman", "boy_man"):
        add(comment="ok", gender=gender, safe=4, count=12)
    few = add(comment="again", gender="another_gender", safe=2, count=12)
    for i, response in enumerate(few):
        response.respondent_id = few[i % 3].respondent_id
    db.session.commit()
    with app.test_request_context():
        review = gate.release_review(
            build_review(ReviewScope(period=quarter_of(Q2.date())), "gender"),
            gate.Policy(min_cell=10, base=5))
        mean = Indicator(labels={"en": "Safety"}, question_key="feel_safe", rule="mean")
        rating = ind.by_group(mean, review.scope, "gender", 10)
    for table in (review.goals[0].by_group, rating):
        cell = next(c for c in table.cells if c.group.startswith(("Another", "another")))
        assert cell.suppressed and cell.reason == gate.PRIMARY and cell.shown_n is None
        assert sum(1 for c in table.cells if c.suppressed) >= 2  # and its complement


def test_an_indicator_answered_many_times_by_few_people_is_withheld(app, db, review_world):
    """Twelve ratings from two people (a recurring survey) do not make an indicator showable,
    on the dashboard's headline (read from totals) or anywhere compute() is used."""
    from analysis.disclosure import gate
    from analysis.review import indicators as ind
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    add = review_world["add"]
    add(comment="fine", count=30)
    few = add(safe=5, count=12)
    for i, response in enumerate(few):
        response.respondent_id = few[i % 2].respondent_id
    db.session.commit()
    scope = ReviewScope(period=quarter_of(Q2.date()))
    with app.test_request_context():
        review = gate.release_review(build_review(scope), gate.Policy(min_cell=10, base=5))
    safe = next(pair for pair in review.goals[0].indicators
                if pair[0].question_key == "feel_safe")
    assert safe[1].suppressed and safe[1].value is None
    assert ind.compute(safe[0], scope, 10).suppressed
