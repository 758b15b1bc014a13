"""An adversarial insider against the deployed app (gunicorn + worker, over HTTP): each attack
on the disclosure-control gate (analysis.disclosure, docs/privacy.md) recovers nothing.

Data is seeded through the deployment's app context: a rare group of 6 respondents (a
demographic value nobody else has) whose comments carry a canary, at a fresh site of their
own, and 5 real respondents at a second fresh site that the insider then pads through the
public form with 9 scripted respondents.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import timedelta

import pytest
from deployment import csrf_from, start_deployment

CANARY = "CANARY-SIX-7Q"
REAL = "REAL-FIVE-3Z"
RARE_AGE = "rare_test_group"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A deployment of its own (these tests write), seeded with the small groups."""
    with start_deployment(tmp_path_factory.mktemp("disclosure")) as deployment:
        yield deployment, _seed(deployment)


def _seed(deployment) -> dict:
    import sqlalchemy as sa

    from analysis.models import AnswerTag, AnswerTheme
    from analysis.review.goals import AgendaGoal
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope, latest_day_with_data
    from demo.youth_survey import LIKE_MOST, YOUTH_SLUG
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, Organization, PartnerSite, Respondent, Response
    from surveys.models import Question, Survey, SurveyVersion

    with deployment.app_context():
        from feedback.responses.models import utcnow

        latest = latest_day_with_data(ReviewScope(period=quarter_of(utcnow().date())))
        when = quarter_of(latest).start_dt + timedelta(days=20, hours=12)
        survey = db.session.scalar(sa.select(Survey).filter_by(slug=YOUTH_SLUG))
        version = db.session.scalar(sa.select(SurveyVersion).filter_by(survey_id=survey.id)
                                    .order_by(SurveyVersion.number.desc()))
        question = db.session.scalar(sa.select(Question).filter_by(version_id=version.id,
                                                                   key=LIKE_MOST))
        goal = db.session.scalar(sa.select(AgendaGoal).filter_by(active=True)
                                 .order_by(AgendaGoal.position))
        theme = goal.themes[0]
        org = Organization(name="Attack test partner", kind="partner")
        small_site = PartnerSite(code="attack-small", name="Attack small site", organization=org)
        padded_site = PartnerSite(code="attack-padded", name="Attack padded site",
                                  organization=org)
        db.session.add_all([org, small_site, padded_site])
        db.session.flush()

        def add(site, text, n, age=None):
            for i in range(n):
                respondent = Respondent(pseudonym=f"attack-{site.code}-{i}", age_group=age)
                response = Response(respondent=respondent, survey_id=survey.id,
                                    survey_version_id=version.id, channel="web",
                                    site_id=site.id, locale="en", started_at=when,
                                    completed_at=when)
                answer = Answer(question_id=question.id, question_key=LIKE_MOST,
                                raw_text=f"{text} call 504/555/0147 or 504_555_0148, "
                                         f"504·555·0152, me at example dot org",
                                value=text)
                response.answers.append(answer)
                db.session.add(response)
                db.session.flush()
                db.session.add(AnswerTag(answer_id=answer.id, language="en",
                                         sentiment_label="negative", sentiment_score=-0.99))
                db.session.add(AnswerTheme(answer_id=answer.id, theme_id=theme.id,
                                           source="auto"))

        add(small_site, CANARY, 6, age=RARE_AGE)
        add(padded_site, REAL, 5)
        db.session.commit()
        quarter = quarter_of(when.date())
        return {"quarter": quarter.label, "day": when.date(), "small_site": small_site.id,
                "padded_site": padded_site.id, "padded_code": padded_site.code,
                "slug": YOUTH_SLUG}


def _q(data: dict, **extra) -> dict:
    return {"kind": "quarter", "quarter": data["quarter"], **extra}


def _visible(text: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", text))


def test_group_filter_on_a_group_of_six_shows_nothing(world):
    deployment, data = world
    for role in ("admin", "staff", "partner_viewer"):
        page = deployment.session(role).get(
            deployment.url + "/staff/review", timeout=120,
            params=_q(data, group=f"age_group:{RARE_AGE}"))
        assert page.status_code == 200
        text = _visible(page.text)
        assert "Too few responses to show" in text, role
        assert CANARY not in text and "6 responses" not in text
        assert "previous period" not in text


def test_report_and_csvs_under_the_small_filter_recover_nothing(world):
    deployment, data = world
    admin = deployment.session("admin")
    params = _q(data, group=f"age_group:{RARE_AGE}")
    report = admin.get(deployment.url + "/staff/review/report", params=params, timeout=120)
    assert "Too few responses to show" in _visible(report.text) and CANARY not in report.text
    summary = admin.get(deployment.url + "/staff/review/export/summary.csv", params=params,
                        timeout=120)
    rows = list(csv.reader(io.StringIO(summary.content.decode("utf-8-sig"))))
    assert [row[-1] for row in rows[1:]] == ["too few responses to show"]
    answers = admin.get(deployment.url + "/staff/review/export/answers.csv", params=params,
                        timeout=120, allow_redirects=False)
    assert answers.status_code == 302
    assert CANARY not in answers.text
    pdf = admin.get(deployment.url + "/staff/review/report.pdf", params=params, timeout=120)
    assert pdf.status_code == 200 and CANARY.encode() not in pdf.content
    for role in ("staff", "partner_viewer"):
        refused = deployment.session(role).get(
            deployment.url + "/staff/review/export/answers.csv", params=_q(data), timeout=120,
            allow_redirects=False)
        assert refused.status_code == 403, role


def test_answers_csv_is_k_anonymous_and_redacted(world):
    from collections import Counter

    deployment, data = world
    text = deployment.session("admin").get(
        deployment.url + "/staff/review/export/answers.csv", params=_q(data), timeout=300
    ).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    people = Counter()
    for key in {(r["respondent"], r["age_group"], r["race"], r["gender"], r["neighbourhood"],
                 r["site"]) for r in rows}:
        people[key[1:]] += 1
    assert min(people.values()) >= 10
    assert RARE_AGE not in text and "Attack small site" not in text
    for phone in ("504/555/0147", "504_555_0148", "504·555·0152", "example dot org"):
        assert phone not in text


def test_padding_with_nine_scripted_respondents_then_subtraction(world):
    deployment, data = world
    params = _q(data, site=str(data["padded_site"]))
    before = deployment.session("admin").get(deployment.url + "/staff/review", params=params,
                                             timeout=120).text
    assert "Too few responses to show" in _visible(before)
    for _ in range(9):  # one insider, one address, nine complete scripted respondents
        assert _fill_public_form(deployment, data["slug"], data["padded_code"])
    after = deployment.session("admin").get(deployment.url + "/staff/review", params=params,
                                            timeout=120).text
    text = _visible(after)
    assert "Too few responses to show" in text and REAL not in text
    held = deployment.session("staff").get(deployment.url + "/staff/review/held", timeout=60)
    assert _visible(held.text).count("over the daily limit") >= 6


def test_two_periods_a_day_apart_show_the_same_figures(world):
    deployment, data = world
    staff = deployment.session("staff")
    end = data["day"]
    pages = []
    for last in (end - timedelta(days=1), end):
        page = staff.get(deployment.url + "/staff/review", timeout=120, params={
            "kind": "custom", "start": (end - timedelta(days=30)).isoformat(),
            "end": last.isoformat()}).text
        figures = page.split('<p class="headline">', 1)[1]
        pages.append(re.sub(r'src="data:[^"]*"', "", figures))  # charts carry a timestamp
    assert pages[0] == pages[1]


def test_single_day_window_at_one_site_shows_no_quote(world):
    deployment, data = world
    day = data["day"].isoformat()
    for role in ("admin", "staff"):
        page = deployment.session(role).get(deployment.url + "/staff/review", timeout=120,
                                            params={"kind": "custom", "start": day, "end": day,
                                                    "site": str(data["small_site"])}).text
        assert CANARY not in page and "Too few responses to show" in _visible(page)


def test_per_site_counts_are_rounded_and_add_up(world):
    deployment, data = world
    staff = deployment.session("staff")
    rows = list(csv.reader(io.StringIO(staff.get(
        deployment.url + "/staff/review/export/summary.csv", params=_q(data, by="site"),
        timeout=300).content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    n, status = header.index("n"), header.index("status")
    shown = [r for r in body if r[status] != "suppressed" and r[n]]
    assert shown and all(int(r[n]) % 5 == 0 for r in shown)
    by_site = [r for r in body if r[0] == "goal_comments_by_site"]
    assert "Attack small site" not in {r[4] for r in by_site if r[status] != "suppressed"}
    goal = by_site[0][1] if by_site else None
    if goal:
        total = next(int(r[n]) for r in body if r[0] == "goal_comments" and r[1] == goal
                     and r[3] == data["quarter"] and r[n])
        parts = [int(r[n]) for r in by_site if r[1] == goal and r[n]]
        hidden = sum(1 for r in by_site if r[1] == goal and r[status] == "suppressed")
        # the released parts add up to the released total within the rounding base per cell
        # (plus, at most, the threshold for each withheld cell)
        assert abs(sum(parts) - total) <= 5 * (len(parts) + 1) + 10 * hidden


def test_released_figures_add_up_to_the_totals_within_the_rounding_base(world):
    """In the staff's summary CSV each goal's released sentiment counts add up to its released
    comment count, and the responses by channel to the responses, within the rounding base
    per figure; each released total is within the base of the exact one."""
    from analysis.disclosure import gate
    from analysis.review.dashboard import build_review
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope

    deployment, data = world
    rows = list(csv.reader(io.StringIO(deployment.session("staff").get(
        deployment.url + "/staff/review/export/summary.csv", params=_q(data),
        timeout=300).content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    n, status = header.index("n"), header.index("status")
    half = 5 // 2  # the most rounding to a base of 5 moves one figure
    checked = 0
    for goal in {r[1] for r in body if r[0] == "goal_comments"}:
        parts = [r for r in body if r[0] == "goal_sentiment" and r[1] == goal
                 and r[3] == data["quarter"]]
        total = next(r for r in body if r[0] == "goal_comments" and r[1] == goal
                     and r[3] == data["quarter"])
        if total[status] or any(r[status] for r in parts):
            continue  # withheld figures: nothing to add up
        assert abs(sum(int(r[n]) for r in parts) - int(total[n])) <= half * (len(parts) + 1)
        checked += 1
    assert checked
    responses = next(int(r[n]) for r in body if r[0] == "responses" and r[3] == data["quarter"])
    by_channel = [r for r in body if r[0] == "volume_by_channel"]
    if not any(r[status] for r in by_channel):
        assert abs(sum(int(r[n]) for r in by_channel) - responses) <= half * (
            len(by_channel) + 1)
    with deployment.app_context():
        exact = gate.release_review(build_review(ReviewScope(period=quarter_of(data["day"]))),
                                    gate.Policy(min_cell=gate.min_cell_size(), base=1))
    assert responses % 5 == 0 and abs(responses - exact.responses.value) <= half
    for s in exact.goals:
        released = [r for r in body if r[0] == "goal_comments" and r[1] == s.goal.key
                    and r[3] == data["quarter"] and r[n]]
        if released and not s.comments.withheld:
            assert abs(int(released[0][n]) - s.comments.value) <= half


PHONES = ("504/555/0147", "504_555_0148", "504·555·0152", "me at example dot org")


def test_quotes_with_odd_phone_separators_are_redacted_everywhere(world):
    """The comments the review quotes are given phone numbers with odd separators and a
    spelled-out e-mail: the dashboard, the printable report and the PDF show none of them."""
    import sqlalchemy as sa

    from analysis.review.dashboard import quotes_by_goal
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from feedback.core.extensions import db
    from feedback.responses.models import Answer

    deployment, data = world
    with deployment.app_context():
        quoted = {q.text for quotes in quotes_by_goal(ReviewScope(
            period=quarter_of(data["day"]))).values() for q in quotes}
        assert quoted
        for answer in db.session.scalars(sa.select(Answer).where(Answer.raw_text.in_(quoted))):
            answer.raw_text = f"Call {' or '.join(PHONES)} please"
        db.session.commit()
    staff = deployment.session("staff")
    page = _visible(staff.get(deployment.url + "/staff/review", params=_q(data),
                              timeout=120).text)
    report = _visible(staff.get(deployment.url + "/staff/review/report", params=_q(data),
                                timeout=120).text)
    assert "Call [removed]" in page and "Call [removed]" in report
    for text in (page, report):
        for phone in PHONES:
            assert phone not in text
        assert "555" not in text.split("Call [removed]", 1)[1][:200]


def test_public_results_and_sms_update_go_through_the_gate(world):
    """A published "you said, we did" update whose text holds a pasted phone number: the
    public /results page and the year report show it redacted and the goal's figures rounded,
    and the SMS text (rendered as the worker would send it) is redacted too."""
    import sqlalchemy as sa

    from analysis.review import loop
    from analysis.review.goals import AgendaGoal
    from analysis.review.periods import quarter_of
    from feedback.core.extensions import db

    deployment, data = world
    quarter = quarter_of(data["day"])
    with deployment.app_context():
        goal = db.session.scalar(sa.select(AgendaGoal).filter_by(active=True)
                                 .order_by(AgendaGoal.position))
        update = loop.save_update(
            None, goal=goal, period=quarter, user_id=None,
            heard={loc: f"Call {PHONES[0]} or {PHONES[2]}" for loc in ("en", "es", "vi")},
            action={loc: f"Write {PHONES[3]}" for loc in ("en", "es", "vi")})
        loop.publish(update, user_id=None, send_sms=False)
        texts = loop.sms_texts(update)
    for text in texts.values():
        assert "[removed]" in text and not any(phone in text for phone in PHONES)
    anonymous = deployment.session(None, "en")
    pages = {}
    for path in ("/results", f"/results/{quarter.start.year}"):
        page = anonymous.get(deployment.url + path, timeout=120)
        assert page.status_code == 200, path
        pages[path] = _visible(page.text)
        assert "Call [removed]" in pages[path], path
        assert not any(phone in pages[path] for phone in PHONES), path
    comments = re.findall(r"Comments\s+(\d+)", pages["/results"])
    assert comments and all(int(c) % 5 == 0 for c in comments)


def test_formula_cells_are_neutralised(world):
    import sqlalchemy as sa

    from feedback.core.extensions import db
    from feedback.responses.models import Answer

    deployment, data = world
    with deployment.app_context():
        answer = db.session.scalar(sa.select(Answer).where(Answer.raw_text.like(f"{REAL}%")))
        answer.raw_text = '=HYPERLINK("http://evil.example","x")'
        db.session.commit()
    text = deployment.session("admin").get(
        deployment.url + "/staff/review/export/answers.csv", params=_q(data), timeout=300
    ).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_many_comments_from_few_people_stay_withheld_by_group(world):
    """Twelve comments on a goal from three people of a rare gender: the goal's table by
    gender withholds that group on the dashboard and in the summary CSV (runs last: it adds
    respondents to the quarter)."""
    import sqlalchemy as sa

    from analysis.models import AnswerTag, AnswerTheme
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, Respondent, Response

    deployment, data = world
    with deployment.app_context():
        template = db.session.scalar(sa.select(Answer).where(Answer.raw_text.like(f"{REAL}%")))
        first = template.response
        people = [Respondent(pseudonym=f"attack-few-{i}", gender="attack_few") for i in range(3)]
        theme_ids = list(db.session.scalars(sa.select(AnswerTheme.theme_id)
                                            .where(AnswerTheme.answer_id == template.id)))
        for i in range(12):
            response = Response(respondent=people[i % 3], survey_id=first.survey_id,
                                survey_version_id=first.survey_version_id, channel="web",
                                site_id=data["small_site"], locale="en",
                                started_at=first.completed_at, completed_at=first.completed_at)
            answer = Answer(question_id=template.question_id,
                            question_key=template.question_key, raw_text="FEW-PEOPLE again",
                            value="FEW-PEOPLE again")
            response.answers.append(answer)
            db.session.add(response)
            db.session.flush()
            db.session.add(AnswerTag(answer_id=answer.id, language="en",
                                     sentiment_label="neutral", sentiment_score=0.0))
            db.session.add_all([AnswerTheme(answer_id=answer.id, theme_id=t, source="auto")
                                for t in theme_ids])
        db.session.commit()
    staff = deployment.session("staff")
    rows = list(csv.DictReader(io.StringIO(staff.get(
        deployment.url + "/staff/review/export/summary.csv", params=_q(data, by="gender"),
        timeout=300).content.decode("utf-8-sig"))))
    few = [r for r in rows if r["table"] == "goal_comments_by_gender"
           and r["group"] == "attack_few"]
    assert few and all(r["status"] == "suppressed" and not r["n"] for r in few)
    page = re.sub(r"\s+", " ", _visible(staff.get(
        deployment.url + "/staff/review", params=_q(data, by="gender"), timeout=120).text))
    assert "FEW-PEOPLE" not in page
    # withheld for its own size (three people), not as a complement of another group
    assert re.search(r"attack_few fewer than 10", page), page[:0]


# --- the public form, as a script would fill it --------------------------------------------

_INPUT = re.compile(r"<input[^>]*>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _fill_public_form(deployment, slug: str, site: str) -> bool:
    """Complete the public survey once (first choice of each required-looking field)."""
    import requests

    s = requests.Session()
    url = deployment.url + f"/s/{slug}?site={site}&page=1"
    page = s.get(url, timeout=60)
    for _step in range(20):
        if page.status_code != 200:
            return False
        if "csrf_token" not in page.text:
            return "/thanks" in page.url
        data = {"csrf_token": csrf_from(page.text), "action": "next"}
        for tag in _INPUT.findall(page.text):
            attrs = dict(_ATTR.findall(tag))
            name, kind = attrs.get("name", ""), attrs.get("type", "text")
            if name == "token":
                data["token"] = attrs.get("value", "")
            elif not name.startswith("q_") or name in data:
                continue
            elif kind == "radio":
                data[name] = attrs.get("value", "")
            elif kind == "number":
                data[name] = attrs.get("min", "1")
        action = re.search(r'<form[^>]*method="post"[^>]*action="([^"]*)"', page.text)
        target = html_lib.unescape(action.group(1)) if action else page.url
        if target.startswith("/"):
            target = deployment.url + target
        page = s.post(target, data=data, timeout=60)
    return False
