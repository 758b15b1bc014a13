"""Downloads gunicorn can send: ASCII file names with an RFC 6266 UTF-8 twin, and exports
audited only once their file was built."""

from __future__ import annotations

from urllib.parse import unquote

from feedback.core.downloads import ascii_filename, attachment

CUSTOM = "?kind=custom&start=2026-04-01&end=2026-06-30"


def test_a_period_label_with_a_dash_gives_an_ascii_name_and_a_utf8_one():
    header = attachment("summary-2026-04-01 – 2026-06-30.csv")["Content-Disposition"]
    header.encode("latin-1")  # what gunicorn insists on
    assert 'filename="summary-2026-04-01-2026-06-30.csv"' in header
    utf8 = header.split("filename*=UTF-8''")[1]
    assert unquote(utf8) == "summary-2026-04-01 – 2026-06-30.csv"


def test_ascii_filename_drops_accents_and_never_returns_nothing():
    assert ascii_filename("encuesta-niñez café.json") == "encuesta-ninez-cafe.json"
    assert ascii_filename("Thanh niên") == "Thanh-nien"
    assert ascii_filename("“”") == "download"


def test_custom_period_exports_have_ascii_headers(app, client, make_staff, login, review_world):
    make_staff(email="admin@example.org", role="admin")
    login(email="admin@example.org")
    review_world["add"](comment="safe at the park", count=12)
    for path in ("/staff/review/export/summary.csv", "/staff/review/export/answers.csv",
                 "/staff/review/report.pdf"):
        response = client.get(path + CUSTOM)
        assert response.status_code == 200, path
        disposition = response.headers["Content-Disposition"]
        disposition.encode("ascii")
        assert "filename*=UTF-8''" in disposition


def test_a_stream_that_breaks_is_not_audited(app, client, make_staff, login, review_world,
                                              monkeypatch):
    from analysis.review import exports
    from feedback.core.audit import AuditEvent

    make_staff(email="admin@example.org", role="admin")
    login(email="admin@example.org")
    review_world["add"](comment="safe at the park", count=12)

    def broken(scope, demographics):
        yield "respondent,date\n"
        raise RuntimeError("database went away mid-export")

    monkeypatch.setattr(exports, "answers_export", broken)
    response = client.get("/staff/review/export/answers.csv" + CUSTOM)
    try:
        response.get_data()
    except RuntimeError:
        pass
    assert not [e for e in AuditEvent.query.all() if e.action == "export.answers_csv"]
    monkeypatch.undo()
    client.get("/staff/review/export/answers.csv" + CUSTOM).get_data()
    assert [e.action for e in AuditEvent.query.all()].count("export.answers_csv") == 1
