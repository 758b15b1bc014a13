"""Every agenda-review export, downloaded from the deployed app for a quarter, a month and a
custom period in each language, and checked as the file a person opens:

- answers and summary CSV parse with their header;
- the printable report and the PDF handout show each goal's name and description in the chosen
  language; the PDF's text stays inside the page margins on every page, no page is blank, and
  the charts are in it (images);
- the file name is sent as plain ASCII (with an RFC 6266 ``filename*`` when the name is not);
- the audit log records the export only when it succeeded.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from deployment import wait_until
from pdf_check import read_pdf, squash

LOCALES = ("en", "es", "vi")
PERIODS = ("quarter", "month", "custom")
EXPORTS = {
    # name: (path, audit action, content type)
    "answers_csv": ("/staff/review/export/answers.csv", "export.answers_csv", "text/csv"),
    "summary_csv": ("/staff/review/export/summary.csv", "export.summary_csv", "text/csv"),
    "report_html": ("/staff/review/report", "export.report_html", "text/html"),
    "report_pdf": ("/staff/review/report.pdf", "export.report_pdf", "application/pdf"),
}


@pytest.fixture(scope="module")
def periods(deployed):
    """Query strings for the quarter and month of the newest demo answer, and a custom range
    of 40 days ending that day (its label holds a non-ASCII dash)."""
    from analysis.review.periods import month_of, quarter_of
    from analysis.review.scope import ReviewScope, latest_day_with_data

    with deployed.app_context():
        latest = latest_day_with_data(ReviewScope(period=quarter_of(date.today()), site_ids=None))
    assert latest is not None, "the demo has no answers"
    if hasattr(latest, "date"):
        latest = latest.date()
    return {
        "quarter": {"kind": "quarter", "quarter": quarter_of(latest).label},
        "month": {"kind": "month", "month": month_of(latest).label},
        "custom": {"kind": "custom", "start": (latest - timedelta(days=40)).isoformat(),
                   "end": latest.isoformat()},
    }


@pytest.fixture(scope="module")
def goals(deployed):
    """Each active goal's names and descriptions per language."""
    import sqlalchemy as sa

    from analysis.review.goals import AgendaGoal
    from feedback.core.extensions import db

    with deployed.app_context():
        rows = db.session.scalars(
            sa.select(AgendaGoal).filter_by(active=True).order_by(AgendaGoal.position)
        ).all()
        return [(goal.key, dict(goal.names or {}), dict(goal.descriptions or {}))
                for goal in rows]


def audit_events(deployed, action: str) -> list[dict]:
    import sqlalchemy as sa

    from feedback.core.audit import AuditEvent
    from feedback.core.extensions import db

    with deployed.app_context():
        return [dict(event.details or {}) for event in db.session.scalars(
            sa.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id))]


def check_goal_texts(text: str, goals, locale: str, where: str) -> list[str]:
    """Each goal's name and description as the locale has them; for es/vi, no English
    description in their place. Compared without whitespace (wrapped lines)."""
    problems = []
    flat = squash(text)
    for key, names, descriptions in goals:
        name = names.get(locale)
        description = descriptions.get(locale)
        if not name:
            problems.append(f"goal {key} has no {locale} name")
        elif squash(name) not in flat:
            problems.append(f"{where}: goal name {name!r} missing")
        if not description:
            problems.append(f"goal {key} has no {locale} description")
        elif squash(description) not in flat:
            problems.append(f"{where}: goal description {description!r} missing")
        english = descriptions.get("en")
        if locale != "en" and english and english != description and squash(english) in flat:
            problems.append(f"{where}: English description {english!r} shown in {locale}")
    return problems


def check_filename(response) -> list[str]:
    header = response.headers.get("Content-Disposition", "")
    if not header:
        return ["no Content-Disposition"]
    problems = []
    if not header.isascii():
        problems.append(f"Content-Disposition is not ASCII: {header!r}")
    if "filename=" not in header:
        problems.append(f"no plain filename in {header!r}")
    return problems


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("export", list(EXPORTS))
def test_export_downloads_as_a_usable_file(deployed, sessions, periods, goals, export, period,
                                          locale):
    from analysis.review.exports import ANSWER_COLUMNS, SUMMARY_COLUMNS

    path, action, content_type = EXPORTS[export]
    # the answers CSV is row level: the backbone admin's alone (docs/privacy.md)
    session = sessions("admin" if export == "answers_csv" else "staff", locale)
    before = audit_events(deployed, action)
    answer = session.get(deployed.url + path, params=periods[period], allow_redirects=False,
                         timeout=120)
    after = audit_events(deployed, action)[len(before):]

    if answer.status_code != 200:
        recorded_as_done = [d for d in after if "fail" not in str(d).lower()]
        assert recorded_as_done == [], f"{export} failed ({answer.status_code}) but was audited"
        pytest.fail(f"{export} for a {period} in {locale} answered {answer.status_code}")
    # A streamed export may write its audit event just after the last chunk: wait (bounded).
    after = after or wait_until(lambda: audit_events(deployed, action)[len(before):], 10, 0.2)
    assert len(after) == 1, f"{export} succeeded: one audit event expected, found {after}"
    assert answer.headers["Content-Type"].startswith(content_type)

    problems = []
    if export in ("answers_csv", "summary_csv", "report_pdf"):
        problems += check_filename(answer)
    if export == "answers_csv":
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert rows and tuple(rows[0]) == ANSWER_COLUMNS
        if period == "quarter":
            assert len(rows) > 1, "the demo quarter's answers are missing"
        assert all(len(row) == len(ANSWER_COLUMNS) for row in rows)
    elif export == "summary_csv":
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert rows and tuple(rows[0]) == SUMMARY_COLUMNS
        assert all(len(row) == len(SUMMARY_COLUMNS) for row in rows)
    elif export == "report_html":
        problems += check_goal_texts(answer.text, goals, locale, "report")
    else:
        pages = read_pdf(answer.content)
        assert pages, "the PDF has no pages"
        for page in pages:
            outside = page.outside_margins()
            if outside:
                problems.append(f"page {page.number}: {len(outside)} characters outside the "
                                f"margins, e.g. {outside[:5]}")
            if not page.text.strip():
                problems.append(f"page {page.number} is blank")
        problems += check_goal_texts("\n".join(p.text for p in pages), goals, locale, "PDF")
        if sum(page.images for page in pages) == 0:
            problems.append("no charts (images) in the PDF")
    assert not problems, "\n".join(problems)
