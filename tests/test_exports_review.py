"""Exports, PDF, publishing the loop, retention and the audit log."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest

from tests.fixtures.review import Q2

PHONES = ["+15045550142", "504-555-0142", "(504) 555-0142", "5045550142"]
QUERY = "?kind=quarter&quarter=2026-Q2"


@pytest.fixture
def with_contacts(db, review_world):
    """SMS respondents whose contacts carry phone numbers and names (messaging's table)."""
    from messaging.models import Contact

    made = review_world["add"](channel="sms", locale="es", comment="seguro en el parque",
                               sentiment="positive", score=0.6, count=12, age_group="14-17")
    for i, response in enumerate(made):
        db.session.add(Contact(phone=f"+1504555{i:04d}", name=f"Rosa Example{i}",
                               respondent_id=response.respondent_id,
                               opted_out=(i == 0)))
    db.session.commit()
    return made


def test_answers_csv_is_pseudonymous_and_blanks_small_groups(app, client, admin, review_world,
                                                             with_contacts):
    review_world["add"](comment="my number is 504-555-0142", age_group="10-13", count=3,
                        races=("pacific_islander",))
    response = client.get("/staff/review/export/answers.csv" + QUERY)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    for phone in PHONES + ["555-0000", "Rosa Example"]:
        assert phone not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 15
    assert all(len(r["respondent"]) == 16 and not r["respondent"].isdigit() for r in rows)
    assert "10-13" not in text and "pacific_islander" not in text
    # The only other age group is blanked too (complementary): blank never means "the 3".
    assert {r["age_group"] for r in rows} == {""}


def test_summary_csv_marks_suppressed_cells(app, client, staff, review_world):
    add = review_world["add"]
    add(comment="safe", age_group="10-13", count=3, safe=5)
    add(comment="safe", age_group="14-17", count=12, safe=4)
    add(comment="safe", age_group="18-24", count=20, safe=2)
    text = client.get("/staff/review/export/summary.csv" + QUERY + "&by=age_group"
                      ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    by_group = [r for r in rows if r["table"] == "goal_comments_by_age_group"]
    small = next(r for r in by_group if r["group"] == "10-13")
    assert small["status"] == "suppressed" and small["n"] == ""
    assert next(r for r in by_group if r["group"] == "14-17")["status"] == "suppressed"
    assert next(r for r in by_group if r["group"] == "18-24")["n"] == "20"
    indicator_rows = [r for r in rows if r["table"] == "indicator_by_age_group"]
    assert indicator_rows
    small_rows = [r for r in indicator_rows if r["group"] == "10-13"]
    assert small_rows and all(r["status"] == "suppressed" and r["n"] == "" for r in small_rows)
    sentiment_rows = [r for r in rows if r["table"] == "sentiment_by_age_group"]
    assert [r for r in sentiment_rows if r["group"] == "18-24" and r["n"] == "20"]
    assert all(r["status"] == "suppressed" for r in sentiment_rows if r["group"] == "10-13")
    # Nothing in the file equals the small group's size next to its name.
    assert not [r for r in rows if r["group"] == "10-13" and r["n"] == "3"]


def test_pages_never_show_phone_numbers_or_names(app, client, staff, review_world,
                                                 with_contacts):
    for path in ("/staff/review", "/staff/review/report", "/staff/review/export/summary.csv",
                 "/results"):
        text = client.get(path + QUERY + "&by=age_group").get_data(as_text=True)
        for i in range(12):
            assert f"555{i:04d}" not in text and f"Rosa Example{i}" not in text


def test_pdf_has_headings_in_the_staff_language(app, review_world):
    from analysis.review import report_pdf
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    review_world["add"](comment="an toàn", sentiment="positive", score=0.5, count=11, safe=5)
    review = build_review(ReviewScope(period=quarter_of(Q2.date())))
    with app.test_request_context():
        data = report_pdf.render(review, "vi", compress=False)
    assert data.startswith(b"%PDF") and len(data) > 2000
    # Page text is written as subset glyph ids, so the goal headings are checked in the
    # document outline (bookmarks), which fpdf2 writes as hex UTF-16 strings.
    assert "Thanh niên cảm thấy an toàn".encode("utf-16-be").hex().encode() in data.lower()


def test_pdf_download_is_audited(app, client, admin, review_world):
    from feedback.core.audit import AuditEvent

    review_world["add"](comment="safe", count=12)
    response = client.get("/staff/review/report.pdf" + QUERY)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    client.get("/staff/review/export/answers.csv" + QUERY).get_data()  # streamed: read it all
    actions = [e.action for e in AuditEvent.query.all()]
    assert "export.report_pdf" in actions and "export.answers_csv" in actions
    assert all(e.user_id == admin.id for e in AuditEvent.query.all())


def test_publish_puts_update_on_results_and_signals_sms(app, client, staff, review_world,
                                                        with_contacts):
    from analysis.review import loop
    from analysis.review.periods import quarter_of
    from feedback.core.audit import AuditEvent
    from feedback.core.signals import loop_update_published
    from tests.fixtures.helpers import csrf_token_from

    update = loop.save_update(
        None, goal=review_world["goal"], period=quarter_of(Q2.date()),
        heard={"en": "Bus stops feel unsafe at night", "es": "Las paradas dan miedo"},
        action={"en": "We are adding lights", "es": "Vamos a poner luces"}, user_id=staff.id)
    assert "Bus stops feel unsafe" not in client.get("/results").get_data(as_text=True)
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    loop_update_published.connect(receiver)
    try:
        page = client.get(f"/staff/loop/{update.id}").get_data(as_text=True)
        token = csrf_token_from(page[page.index("/publish"):])
        response = client.post(f"/staff/loop/{update.id}/publish",
                               data={"csrf_token": token, "send_sms": "y"})
    finally:
        loop_update_published.disconnect(receiver)
    assert response.status_code == 302
    assert len(sent) == 1
    assert sorted(sent[0]["respondent_ids"]) == sorted(r.respondent_id for r in with_contacts)
    assert "Vamos a poner luces" in sent[0]["messages_by_locale"]["es"]
    assert "Bus stops feel unsafe" in client.get("/results").get_data(as_text=True)
    with client.session_transaction() as session:
        session["locale"] = "es"
    assert "Las paradas dan miedo" in client.get("/results").get_data(as_text=True)
    assert AuditEvent.query.filter_by(action="loop.publish").count() == 1


def test_staff_take_a_published_update_off_the_public_page(app, client, staff, review_world):
    from analysis.review import loop
    from analysis.review.periods import quarter_of
    from feedback.core.audit import AuditEvent
    from tests.fixtures.helpers import csrf_token_from

    update = loop.save_update(
        None, goal=review_world["goal"], period=quarter_of(Q2.date()),
        heard={"en": "Rosa at the Elm St stop said it is dark"},
        action={"en": "We are adding lights"}, user_id=staff.id)
    page = client.get(f"/staff/loop/{update.id}").get_data(as_text=True)
    assert "/unpublish" not in page  # a draft has nothing to take off
    client.post(f"/staff/loop/{update.id}/publish",
                data={"csrf_token": csrf_token_from(page[page.index("/publish"):])})
    assert "Elm St stop" in client.get("/results").get_data(as_text=True)
    page = client.get(f"/staff/loop/{update.id}").get_data(as_text=True)
    forged = client.post(f"/staff/loop/{update.id}/unpublish", data={})
    assert forged.status_code == 400  # no CSRF token: nothing changes
    assert "Elm St stop" in client.get("/results").get_data(as_text=True)
    taken = client.post(f"/staff/loop/{update.id}/unpublish", follow_redirects=True,
                        data={"csrf_token": csrf_token_from(page[page.index("/unpublish"):])})
    assert "Taken off the public results page" in taken.get_data(as_text=True)
    assert "Elm St stop" not in client.get("/results").get_data(as_text=True)
    assert "draft" in client.get("/staff/loop").get_data(as_text=True)
    event = AuditEvent.query.filter_by(action="loop.unpublish").one()
    assert event.user_id == staff.id


def test_update_page_shows_what_texting_it_would_send_before_anything_is_sent(
        app, client, staff, review_world, with_contacts):
    from analysis.review import loop
    from analysis.review.periods import quarter_of
    from messaging.models import Campaign, Contact, OutboundMessage
    from messaging.outbound.segments import count_segments
    from tests.fixtures.helpers import csrf_token_from

    update = loop.save_update(
        None, goal=review_world["goal"], period=quarter_of(Q2.date()),
        heard={"en": "Bus stops feel unsafe at night", "es": "Las paradas dan miedo"},
        action={"en": "We are adding lights", "es": "Vamos a poner luces"}, user_id=staff.id)
    texts = loop.sms_texts(update)
    html = client.get(f"/staff/loop/{update.id}").get_data(as_text=True)
    # twelve families answered by text about the goal; one of them opted out
    reached = Contact.query.filter_by(opted_out=False).all()
    segments = sum(count_segments(texts.get(c.locale) or texts["en"]).segments for c in reached)
    assert len(reached) == 11 and "If you also text it, 11 people" in html
    assert (f"will receive it: about {segments} message segments in all. Numbers that opted "
            "out are skipped: 1.") in html
    for locale in ("en", "es", "vi"):
        assert texts[locale].split("\n")[0] in html
    assert "Vamos a poner luces" in html and "segments, " in html
    assert "555" not in html and "Rosa Example" not in html
    assert Campaign.query.count() == 0 and OutboundMessage.query.count() == 0
    with client.session_transaction() as session:
        session["locale"] = "es"
    spanish = client.get(f"/staff/loop/{update.id}").get_data(as_text=True)
    assert "If you also text it" not in spanish and "What the text would say" not in spanish
    assert "lo recibirán 11 personas" in spanish
    # what the page announced is what publishing queues
    token = csrf_token_from(spanish[spanish.index("/publish"):])
    client.post(f"/staff/loop/{update.id}/publish", data={"csrf_token": token, "send_sms": "y"})
    queued = OutboundMessage.query.all()
    assert len(queued) == 11 and sum(m.segments for m in queued) == segments


def test_update_page_says_when_nobody_could_be_texted(app, client, staff, review_world):
    from analysis.review import loop
    from analysis.review.periods import quarter_of

    review_world["add"](comment="safe at the park", count=12)  # web answers: no phones
    update = loop.save_update(
        None, goal=review_world["goal"], period=quarter_of(Q2.date()),
        heard={"en": "The park feels safe"}, action={"en": "We keep the lights on"},
        user_id=staff.id)
    html = client.get(f"/staff/loop/{update.id}").get_data(as_text=True)
    assert "Nobody can be texted this update" in html and "If you also text it" not in html
    assert "We keep the lights on" in html  # the text is still shown, to check before sending


def test_retention_signals_cutoff_and_is_audited(app, runner):
    from feedback.core.audit import AuditEvent
    from feedback.core.signals import retention_due

    seen = []

    def receiver(sender, cutoff):
        seen.append(cutoff)
        return {"bodies_erased": 0}

    retention_due.connect(receiver)
    try:
        result = runner.invoke(args=["retention", "--days", "30"])
    finally:
        retention_due.disconnect(receiver)
    assert result.exit_code == 0, result.output
    assert len(seen) == 1 and "bodies_erased=0" in result.output
    assert AuditEvent.query.filter_by(action="retention.run").count() == 1


def test_web_responses_store_no_ip_or_user_agent(app, db):
    from feedback.responses.models import Respondent, Response

    columns = {c.name for t in (Response, Respondent) for c in t.__table__.columns}
    assert not columns & {"ip", "ip_address", "user_agent", "remote_addr", "phone", "email"}


def test_audit_page_is_for_admins_only(app, client, make_staff, login):
    from feedback.core import audit

    make_staff(email="staff@example.org")
    make_staff(email="admin@example.org", role="admin")
    from feedback.core.extensions import db

    audit.record_audit("role.change", "staff_user", 7, {"to": "admin"})
    db.session.commit()
    login(email="staff@example.org")
    assert client.get("/staff/audit/").status_code == 403
    admin = app.test_client()
    page = admin.get("/staff/login").get_data(as_text=True)
    from tests.fixtures.helpers import csrf_token_from

    admin.post("/staff/login", data={"email": "admin@example.org",
                                     "password": "correct horse battery",
                                     "csrf_token": csrf_token_from(page)})
    html = admin.get("/staff/audit/").get_data(as_text=True)
    assert "role.change" in html and "staff_user 7" in html


def test_an_audit_log_page_number_too_large_shows_the_first_page(client, admin):
    # a page of a link is read with small_int (docs/reliability.md, "Errors and jobs")
    for value in ("9" * 30, "\u0665" * 30):
        assert client.get("/staff/audit/", query_string={"page": value}).status_code == 200


def test_pseudonyms_are_keyed(app):
    from feedback.core.pseudonyms import pseudonymize

    assert pseudonymize(42, b"key-one") != pseudonymize(42, b"key-two")
    assert pseudonymize(42, b"key-one") == pseudonymize(42, b"key-one")
    import hashlib

    assert pseudonymize(42, b"key-one") != hashlib.sha256(b"42").hexdigest()[:16]


def test_the_answers_csv_counts_people_not_their_records(app, client, admin, db, review_world):
    """Five 10-13 year olds each answered at two sites: their age group is kept in the
    row-level export because the (respondent, site) records number ten, not the people."""
    from feedback.responses.models import Response

    add = review_world["add"]
    add(site=review_world["site_a"], comment="a", age_group="14-17", count=20)
    add(site=review_world["site_b"], comment="b", age_group="14-17", count=20)
    first = add(site=review_world["site_a"], comment="c", age_group="10-13", count=5)
    second = add(site=review_world["site_b"], comment="d", age_group="10-13", count=5)
    for a, b in zip(first, second, strict=True):
        b.respondent_id = a.respondent_id
    db.session.commit()
    assert db.session.query(Response).count() == 50
    text = client.get("/staff/review/export/answers.csv" + QUERY).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    people = defaultdict(set)
    for r in rows:
        if r["age_group"]:
            people[r["age_group"]].add(r["respondent"])
    sizes = {age: len(ids) for age, ids in people.items()}
    assert min(sizes.values()) >= 10, f"age groups shown for fewer than 10 people: {sizes}"


def test_the_answers_csv_generalises_a_lone_language_too(app, client, admin, review_world):
    """Language is a demographic dimension of the review, but the answers CSV exports it as
    is: the one respondent who answered in Vietnamese is singled out with their age group,
    site and every answer (here: feels unsafe, no adult to talk to)."""
    add = review_world["add"]
    add(comment="fine", age_group="14-17", safe=4, adult="yes", count=20)
    add(locale="vi", comment="tôi sợ", age_group="14-17", safe=1, adult="no", count=1)
    text = client.get("/staff/review/export/answers.csv" + QUERY).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    people = defaultdict(set)
    for r in rows:
        people[(r["response_language"], r["age_group"], r["site"])].add(r["respondent"])
    sizes = {k: len(v) for k, v in people.items()}
    lone = [r for r in rows if r["response_language"] == "vi"]
    assert min(sizes.values()) >= 10, (
        f"classes {sizes}; the lone vi respondent's rows: "
        f"{[(r['age_group'], r['site'], r['question_key'], r['answer']) for r in lone]}")
