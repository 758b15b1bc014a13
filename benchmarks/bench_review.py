"""Benchmark: every review view at 100,000 and 1,000,000 answers (10,000,000 on request).

    .venv/bin/python benchmarks/bench_review.py            # DATABASE_URL or the local default
    .venv/bin/python benchmarks/bench_review.py --answers 1000000 10000000 --runs 5
    .venv/bin/python benchmarks/bench_review.py --answers 1000000 --reuse --profile
    .venv/bin/python benchmarks/bench_review.py --answers 1000000 --shuffled

Uses PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test) in its own
schema per size, ``bench_review_<size>`` (dropped and recreated; with ``--reuse`` a schema that
already holds that many answers and the current columns is kept, so re-timing after a code
change skips the seeding), so it never touches other tables. Answers are bulk-loaded with
PostgreSQL COPY (psycopg) in chunks of 200,000 responses, printing progress: one third each of a
1-5 safety scale, a yes/no question and a tagged free-text comment (sentiment + one theme),
spread over three years (2024-01 to 2026-11) and four sites with demographics, stored in the
order they arrived, as a deployment stores them (``--shuffled``: in random order, as a bulk
import of history in no order would, in ``bench_review_<size>_shuffled``); the review's daily
totals are then built from them (timed). It times, signed in through the test client, every
dashboard view for the finished quarter 2026-Q3 (plain, broken down by each demographic
dimension, filtered to one age group), the summary CSV, the yearly report for 2025 and the
trends page, then the quarter and year still receiving answers (2026-Q4, 2026) with a new answer
before each request: the first request (the review's remembered counts are forgotten before
timing starts, so it counts) and the median of further runs; then each of those open views once
as the first view of a new day (a response on the next day moves the newest day with data on, so
the days before it are counted again from the remembered ones); then the open quarter's views
with every respondent of the last day one who answered earlier in the quarter too (a monthly
pulse's people; the seeded ones answer twice in three years); then, with every remembered count
forgotten again, it times the worker's round (analysis.review.warming) from nothing and after a
new answer, and the open quarter under a site (plain and by age group), partner, channel and
language filter after that round, last quarter under a site by age group and the open month
under a site, and combinations of filters opened once before the round (which counts ahead
the views staff opened lately), each request after a new answer; last, with every remembered
count forgotten and a queue no worker serves, how long each view of the first list takes to
answer, in order (a view may read what one before it counted): with the page that says its
figures are being counted (those past the page's budget, ``REVIEW_COUNT_IN_PAGE``), or with its
figures counted in the page. Every other row counts them in the request. The views are printed
side by side per size, each marked against its target (< 1 s up to 1M answers, < 2 s at 10M),
followed by what drawing every chart of the open dashboard adds. ``--profile`` also prints every SQL
statement of one warm request per view with its time, slowest first (then use EXPLAIN ANALYZE on
the worst).
Seeding took 60 s per million answers on the 2-core machine (so about 10 minutes for 10M).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCHEMA = "bench_review"  # + "_<size>"
THEMES = ["safety", "transportation", "jobs", "schools", "health", "mental_health"]
#: Three years of answers, ending before the real today (the yearly report's years must
#: be past or current): 2024-01-01 to 2026-11-30.
START = datetime(2024, 1, 1)
DAYS = (datetime(2026, 12, 1) - START).days
#: The data's last day: in the quarter (2026-Q4) and year still receiving answers.
LAST_DAY = date(2026, 11, 30)
#: Responses per COPY chunk (three answers each).
CHUNK = 200_000
#: Seconds a warm dashboard view may take: under 1 s up to 1M answers, under 2 s at 10M.
TARGETS = ((1_000_000, 1.0), (10_000_000, 2.0))
AGES = ["10-13", "14-17", "18-24"]
GENDERS = ["girl", "boy", "nonbinary", None]
HOODS = ["eastside", "riverside", "gentilly", "new_orleans_east"]
RACES = ["black", "hispanic_latino", "asian", "white", "pacific_islander"]
LOCALES = ["en", "es", "vi"]
COMMENTS = {
    "en": ["The bus never comes on time", "I feel safe at the club", "Need more summer jobs"],
    "es": ["El autobús nunca llega", "Me siento seguro aquí", "Necesitamos más empleos"],
    "vi": ["Xe buýt không bao giờ đúng giờ", "Tôi cảm thấy an toàn", "Cần thêm việc làm"],
}


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    return url


def make_app(schema: str):
    from feedback.app import create_app
    from feedback.core.config import normalise_database_url

    uri = normalise_database_url(database_url())
    uri += ("&" if "?" in uri else "?") + f"options=-csearch_path%3D{schema}"
    return create_app({
        "SQLALCHEMY_DATABASE_URI": uri, "QUEUE_URL": "memory://", "QUEUE_IMMEDIATE": True,
        "SECRET_KEY": "bench-secret", "PSEUDONYM_KEY": "bench", "LOG_LEVEL": "WARNING",
        "WTF_CSRF_ENABLED": True, "SERVER_NAME": "localhost",
    })


def reset_schema(schema: str) -> None:
    from feedback.core.extensions import db

    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    db.create_all()


def reusable(schema: str, size: int) -> bool:
    """True when ``schema`` already holds ``size`` answers, in the layout it is named for, and
    every column and index the models declare (so a model change, e.g. a new denormalised
    column, forces a re-seed; a new table is created empty)."""
    from feedback.core.extensions import db

    if schema not in sa.inspect(db.engine).get_schema_names():
        return False
    db.create_all()  # a table added since the seed, empty (the seed fills none but its own)
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as conn:
        layout = conn.scalar(sa.text("SELECT obj_description(oid, 'pg_namespace') "
                                     "FROM pg_namespace WHERE nspname = :name"), {"name": schema})
    if layout != _layout(schema):
        return False
    for table in db.metadata.sorted_tables:
        if not inspector.has_table(table.name, schema=schema):
            return False
        have = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
        if {c.name for c in table.columns} - have:
            return False
        indexes = {i["name"] for i in inspector.get_indexes(table.name, schema=schema)}
        if {i.name for i in table.indexes} - indexes:
            return False
    with db.engine.connect() as conn:
        found = conn.exec_driver_sql(f"SELECT count(*) FROM {schema}.answer").scalar()
    return found == 3 * (size // 3)  # whole responses of three answers


def _layout(schema: str) -> str:
    """How a schema's answers are stored, kept as its comment (``reusable`` checks it)."""
    return "layout: " + ("shuffled" if schema.endswith("_shuffled") else "arrival order")


def seed_definitions(app):
    """Organisations, sites, a survey with three questions, themes, goals, an admin."""
    from analysis.models import Theme
    from demo.goals import seed_demo_goals
    from feedback.core.extensions import db
    from feedback.responses.models import Organization, PartnerSite, StaffUser
    from feedback.staff.auth import hash_password
    from surveys.models import Question, Survey, SurveyVersion

    orgs = [Organization(name=f"Partner {i}", kind="partner") for i in range(2)]
    sites = [PartnerSite(code=f"site-{i}", name=f"Site {i}", organization=orgs[i % 2])
             for i in range(4)]
    survey = Survey(slug="youth-voice", status="open")
    version = SurveyVersion(survey=survey, number=1, title={"en": "Youth voice"})
    questions = [
        Question(version=version, key="safe_at_site", type="scale", position=1),
        Question(version=version, key="trusted_adult", type="yes_no", position=2),
        Question(version=version, key="like_most", type="long_text", position=3),
    ]
    themes = [Theme(key=k, labels={"en": k.replace("_", " ").title()}) for k in THEMES]
    admin = StaffUser(email="bench@example.org", role="admin",
                      password_hash=hash_password("bench password 2026"))
    db.session.add_all([*orgs, *sites, survey, version, *questions, *themes, admin])
    db.session.commit()
    seed_demo_goals()
    ids = {
        "sites": [s.id for s in sites], "survey": survey.id, "version": version.id,
        "questions": [q.id for q in questions], "themes": [t.id for t in themes],
    }
    db.session.close()  # an open transaction would keep VACUUM from marking pages all-visible
    return ids


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed_answers(app, ids: dict, n_answers: int, offset: int, shuffled: bool = False) -> None:
    """Add ``n_answers`` answers (n/3 responses, n/6 respondents) with COPY, in the order they
    arrived (a period's rows side by side on disk, as appended by a deployment) unless
    ``shuffled``."""
    from feedback.core.extensions import db

    rng = random.Random(offset)
    n_responses = n_answers // 3
    n_respondents = max(n_responses // 2, 1)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT coalesce(max(id), 0) FROM respondent")
        r0 = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM response")
        s0 = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM answer")
        a0 = cur.fetchone()[0]
        now = datetime(2026, 1, 1)
        started = time.perf_counter()
        _copy(cur, "respondent", ("id", "pseudonym", "preferred_locale", "age_group", "gender",
                                  "neighbourhood", "role", "created_at"),
              ((r0 + i, f"b{r0 + i}", rng.choice(LOCALES), rng.choice(AGES),
                rng.choice(GENDERS), rng.choice(HOODS), "youth", now)
               for i in range(1, n_respondents + 1)))
        _copy(cur, "respondent_race", ("respondent_id", "group"),
              ((r0 + i, RACES[i % len(RACES)]) for i in range(1, n_respondents + 1)))
        for first in range(1, n_responses + 1, CHUNK):
            last = min(first + CHUNK - 1, n_responses)
            _copy_responses(cur, ids, rng, range(first, last + 1),
                            (r0, s0, a0, n_respondents), None if shuffled else n_responses)
            print(f"  {3 * last:,} of {3 * n_responses:,} answers copied "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        for table in ("respondent", "response", "answer"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    vacuum_answers()


#: The tables a bulk load writes, which the review reads by index-only scans.
LOADED = ("respondent", "respondent_race", "response", "answer", "answer_tag", "answer_theme")


def vacuum_answers() -> None:
    """What autovacuum does soon after a load: statistics, and the visibility map that
    index-only scans need. A page is marked all-visible only if no transaction open when
    VACUUM runs could still miss its rows: with one left open (a session idle in a
    transaction) every index-only scan reads the table too, two to three times slower (a
    deployment's long-open transactions do the same). Warns when that happened."""
    from feedback.core.extensions import db

    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True  # VACUUM cannot run in a transaction
        cur = raw.cursor()
        for table in LOADED:
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT relname, relpages, relallvisible FROM pg_class "
                    "WHERE relnamespace = current_schema()::regnamespace AND relname = ANY(%s)",
                    (list(LOADED),))
        for table, pages, visible in cur.fetchall():
            if pages and visible < 0.9 * pages:
                print(f"WARNING: {table}: {visible} of {pages} pages all-visible (a transaction "
                      "left open?): index-only scans will read the table", flush=True)
    finally:
        raw.close()


def _copy_responses(cur, ids: dict, rng, numbers: range, bases: tuple,
                    in_order_of: int | None) -> None:
    """COPY one chunk of responses (numbered ``numbers``) with their three answers each, the
    comment's tag and theme: a chunk at a time, so 10M answers never sit in memory at once.
    ``in_order_of``: the number of responses, when response ``i`` is the ``i``-th to arrive
    (completed within the ``i``-th slice of the three years); None for times in no order."""
    r0, s0, a0, n_respondents = bases
    q_safe, q_adult, q_text = ids["questions"]
    responses, answers, tags, answer_themes = [], [], [], []
    for i in numbers:
        if in_order_of:
            when = START + timedelta(seconds=(i - 1 + rng.random()) * DAYS * 86400
                                     / in_order_of)
        else:
            when = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        locale = rng.choice(LOCALES)
        sid = s0 + i
        channel, site = rng.choice(("web", "web", "sms")), rng.choice(ids["sites"])
        responses.append((sid, r0 + 1 + (i - 1) % n_respondents, ids["survey"],
                          ids["version"], channel, site, locale, when, when))
        copies = (when, ids["survey"], site, channel, locale)  # Answer's response copies
        safe = rng.randint(1, 5)
        adult = rng.choice(("yes", "yes", "no"))
        base = a0 + 3 * (i - 1)
        comment = rng.choice(COMMENTS[locale])
        answers += [
            (base + 1, sid, q_safe, "safe_at_site", str(safe), str(safe), float(safe), when,
             *copies),
            (base + 2, sid, q_adult, "trusted_adult", adult, f'"{adult}"',
             1.0 if adult == "yes" else 0.0, when, *copies),
            (base + 3, sid, q_text, "like_most", comment,
             '"' + comment.replace('"', "") + '"', None, when, *copies),
        ]
        score = rng.uniform(-1, 1)
        label = "positive" if score > 0.3 else "negative" if score < -0.3 else "neutral"
        theme = rng.choice(ids["themes"])
        tags.append((base + 3, locale, 0.9, label, score, when, "bench", f",{theme},"))
        answer_themes.append((base + 3, theme, "auto", "[]", True))
    _copy(cur, "response", ("id", "respondent_id", "survey_id", "survey_version_id",
                            "channel", "site_id", "locale", "started_at", "completed_at"),
          responses)
    _copy(cur, "answer", ("id", "response_id", "question_id", "question_key", "raw_text",
                          "value", "value_number", "created_at", "completed_at", "survey_id",
                          "site_id", "channel", "locale"), answers)
    _copy(cur, "answer_tag", ("answer_id", "language", "language_confidence",
                              "sentiment_label", "sentiment_score", "analyzed_at",
                              "model_version", "theme_key"), tags)
    _copy(cur, "answer_theme", ("answer_id", "theme_id", "source", "evidence", "auto"),
          answer_themes)


def build_totals() -> None:
    """What ``flask rebuild-review-totals`` does after a bulk load (COPY bypasses the ORM hooks
    that mark days stale), then statistics for the planner."""
    from analysis.review import daily_totals
    from feedback.core.extensions import db

    daily_totals.rebuild()
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True
        for model in daily_totals.TABLES:
            raw.cursor().execute(f"VACUUM ANALYZE {model.__tablename__}")
    finally:
        raw.close()


def signed_in_client(app):
    import re

    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/staff/login", data={"email": "bench@example.org",
                                      "password": "bench password 2026", "csrf_token": token})
    return client


def new_answer_in_open_quarter(app) -> None:
    """What a new answer in the quarter still receiving answers does to the review: its day
    is marked stale (the refresh recomputes it and forgets the memos that read it). Its
    charts are read back, as one answer rarely moves what they draw (analysis.review.charts;
    :func:`charts_drawn` times drawing them)."""
    from analysis.review.daily_totals import StaleDay
    from feedback.core.extensions import db

    with app.app_context():
        db.session.execute(sa.insert(StaleDay).values(day=LAST_DAY))
        db.session.commit()


def first_of_a_new_day(app, day: date):
    """What the first answer of a new day does: the newest day with data moves on, so the
    open period's days before it are a new head (analysis.review.newest_day). A response with
    no answers stands for it, so the schema keeps its answer count for ``--reuse``; returns
    a function that removes it again."""
    from feedback.core.extensions import db
    from feedback.responses.models import Response

    with app.app_context():
        like = db.session.scalars(sa.select(Response).order_by(Response.id.desc())).first()
        when = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        added = Response(respondent_id=like.respondent_id, survey_id=like.survey_id,
                         survey_version_id=like.survey_version_id, channel=like.channel,
                         site_id=like.site_id, locale=like.locale, started_at=when,
                         completed_at=when)
        db.session.add(added)
        db.session.commit()
        added_id = added.id

    def remove():
        with app.app_context():
            db.session.delete(db.session.get(Response, added_id))
            db.session.commit()
    return remove


def shown(client, url: str) -> None:
    """Open ``url`` until its figures are shown. Past the page's budget the page answers 202
    and the worker counts them; here the queue runs that job at once, inside the first
    request, so the time is the figures' (analysis.review.counting)."""
    response = client.get(url)
    if response.status_code == 202:
        print(f"  counted on the worker: {url}", flush=True)
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def timed(client, url: str, runs: int, before=None) -> tuple[float, float]:
    """(first request, median of ``runs`` further requests) in seconds; ``before`` runs
    (untimed) before each request."""
    def once():
        if before is not None:
            before()
        t = time.perf_counter()
        shown(client, url)
        return time.perf_counter() - t

    first = once()
    return first, statistics.median(once() for _ in range(runs))


@contextlib.contextmanager
def statement_timer():
    """Collect (seconds, SQL) for every statement run inside the block."""
    from sqlalchemy import event

    from feedback.core.extensions import db

    timings: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_t", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        timings.append((time.perf_counter() - conn.info["bench_t"].pop(), statement))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield timings
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


def profile(app, client, url: str) -> None:
    with app.app_context(), statement_timer() as timings:
        t = time.perf_counter()
        client.get(url)
        total = time.perf_counter() - t
    sql = sum(t for t, _ in timings)
    print(f"\nprofile {url}: {total:.3f} s, {len(timings)} statements, {sql:.3f} s in SQL")
    for seconds, statement in sorted(timings, reverse=True)[:8]:
        print(f"{seconds:8.3f}  " + " ".join(statement.split())[:300])


def views() -> list[tuple[str, str, bool]]:
    """Every dashboard view the targets cover: plain, each demographic breakdown, a group
    filter, the summary CSV, the yearly report and the trends over years, for a finished
    quarter and year; then the open quarter and year (the data's last), each request after a
    new answer in them (True: the review must count that period again)."""
    from analysis.review.scope import DIMENSIONS

    quarter = "?kind=quarter&quarter=2026-Q3"
    now = "?kind=quarter&quarter=2026-Q4"
    return [
        ("dashboard", "/staff/review" + quarter, False),
        *((f"dashboard by {dim}", f"/staff/review{quarter}&by={dim}", False)
          for dim in DIMENSIONS),
        ("dashboard, group age 14-17", "/staff/review" + quarter + "&group=age_group:14-17",
         False),
        ("summary CSV", "/staff/review/export/summary.csv" + quarter, False),
        ("yearly report 2025", "/staff/review/year?year=2025", False),
        ("trends, 3 years of quarters", "/staff/review/trends" + quarter, False),
        ("open quarter: dashboard", "/staff/review" + now, True),
        ("open quarter: by age_group", "/staff/review" + now + "&by=age_group", True),
        ("open quarter: group age 14-17", "/staff/review" + now + "&group=age_group:14-17",
         True),
        ("open quarter: trends", "/staff/review/trends" + now, True),
        ("open year: report 2026", "/staff/review/year?year=2026", True),
    ]


def timed_on_new_days(app, client) -> dict[str, tuple[float, float]]:
    """Each open view timed once as the first view of a new day (the data's last day plus
    one, two, ...: one day each, after the open views were opened on the last day)."""
    results = {}
    open_views = [(name, url) for name, url, open_ in views() if open_]
    for n, (name, url) in enumerate(open_views, start=1):
        remove = first_of_a_new_day(app, LAST_DAY + timedelta(days=n))
        try:
            t = time.perf_counter()
            shown(client, url)
            elapsed = time.perf_counter() - t
        finally:
            remove()
        results[name.replace("open ", "new day, open ", 1)] = (elapsed, elapsed)
    return results


def timed_with_returning_people(app, client, runs: int) -> dict[str, tuple[float, float]]:
    """The open quarter's views again with every respondent of the data's last day one who
    answered earlier in the quarter too, as in a monthly SMS pulse (the seeded respondents
    answer twice in three years, so a day's people are new to the quarter). The newest
    day's people must then be looked up in the days before for each figure
    (analysis.review.newest_day), which new people skip. The last day's responses are given
    such respondents for the timing and their own back after it."""
    from analysis.review import memo_store
    from analysis.review.periods import quarter_of
    from feedback.core.extensions import db

    last_day = datetime.combine(LAST_DAY, datetime.min.time())
    with app.app_context():
        saved = db.session.execute(sa.text(
            "SELECT id, respondent_id FROM response WHERE completed_at >= :day ORDER BY id"),
            {"day": last_day}).all()
        earlier = db.session.scalars(sa.text(
            "SELECT DISTINCT respondent_id FROM response"
            " WHERE completed_at >= :quarter AND completed_at < :day"),
            {"quarter": quarter_of(LAST_DAY).start_dt, "day": last_day}).all()
        random.Random(7).shuffle(earlier)
        assign = [{"id": id_, "respondent": respondent}
                  for (id_, _), respondent in zip(saved, earlier, strict=False)]

    def give(pairs):
        with app.app_context():
            db.session.execute(sa.text(
                "UPDATE response SET respondent_id = :respondent WHERE id = :id"), pairs)
            memo_store.forget_all()  # the people counts changed under every memo
            db.session.commit()

    give(assign)
    try:
        return {f"returning people, {name}": timed(client, url, runs,
                                                   lambda: new_answer_in_open_quarter(app))
                for name, url, open_ in views()
                if open_ and name.startswith("open quarter: ") and "trends" not in name}
    finally:
        give([{"id": id_, "respondent": respondent} for id_, respondent in saved])


def filter_views(app) -> list[tuple[str, str]]:
    """The open quarter under each single filter of the dashboard's form, one of them by a
    dimension in the open and the last quarter, and the open month under one: scopes the
    worker's round counts ahead (analysis.review.warming), like the group filter above."""
    from feedback.core.extensions import db
    from feedback.responses.models import PartnerSite

    with app.app_context():
        site = db.session.scalars(sa.select(PartnerSite).order_by(PartnerSite.id)).first()
        site_id, organization_id = site.id, site.organization_id
    now = "/staff/review?kind=quarter&quarter=2026-Q4"
    return [("open quarter: one site", f"{now}&site={site_id}"),
            ("open quarter: one site by age", f"{now}&site={site_id}&by=age_group"),
            ("open quarter: one partner", f"{now}&partner={organization_id}"),
            ("open quarter: SMS only", f"{now}&channel=sms"),
            ("open quarter: Spanish only", f"{now}&locale=es"),
            ("last quarter: one site by age",
             f"/staff/review?kind=quarter&quarter=2026-Q3&site={site_id}&by=age_group"),
            ("open month: one site", f"/staff/review?kind=month&month=2026-11&site={site_id}")]


def opened_views(app) -> list[tuple[str, str]]:
    """Combinations the round lists no view for (two filters, a group with a breakdown, a
    month under a filter by a dimension, a custom range, a quarter before last, a year's
    report under a filter): counted ahead once someone opened them
    (analysis.review.opened)."""
    from feedback.core.extensions import db
    from feedback.responses.models import PartnerSite

    with app.app_context():
        site_id = db.session.scalars(sa.select(PartnerSite.id).order_by(PartnerSite.id)).first()
    now = "/staff/review?kind=quarter&quarter=2026-Q4"
    return [("opened: open quarter, site + SMS", f"{now}&site={site_id}&channel=sms"),
            ("opened: open quarter, 14-17 by gender",
             f"{now}&group=age_group:14-17&by=gender"),
            ("opened: open month, site by age",
             f"/staff/review?kind=month&month=2026-11&site={site_id}&by=age_group"),
            ("opened: 8 weeks, Spanish only",
             "/staff/review?kind=custom&start=2026-10-06&end=2026-11-30&locale=es"),
            ("opened: 2026-Q2, one site", f"/staff/review?kind=quarter&quarter=2026-Q2"
                                          f"&site={site_id}"),
            ("opened: report 2026, one site", f"/staff/review/year?year=2026&site={site_id}")]


def timed_after_the_worker(app, client, runs: int) -> dict[str, tuple[float, float]]:
    """The worker's round from nothing remembered and after a new answer (printed), then
    each of :func:`filter_views` and :func:`opened_views` after that round (the latter
    opened once before it, as a staff member did last week), each request after a new
    answer."""
    from analysis.review import memo_store
    from analysis.review.warming import warm
    from feedback.core.extensions import db

    def worker_round(label: str) -> None:
        t = time.perf_counter()
        views = warm(today=LAST_DAY)
        print(f"worker's round {label}: {views} views in {time.perf_counter() - t:.1f} s",
              flush=True)

    for _name, url in opened_views(app):
        shown(client, url)
    with app.app_context():
        memo_store.forget_all()
        db.session.commit()
        worker_round("from nothing remembered")
        new_answer_in_open_quarter(app)
        worker_round("after a new answer")
    client = signed_in_client(app)  # a round from nothing can outlast a session left idle
    return {name: timed(client, url, runs, lambda: new_answer_in_open_quarter(app))
            for name, url in filter_views(app) + opened_views(app)}


def timed_waiting_pages(app, client) -> dict[str, tuple[float, float]]:
    """With every remembered count forgotten and a queue no worker serves, how long each
    view past the page's budget takes to answer with its waiting page (202), the figures
    left to the worker (analysis.review.counting). Every other row counts them in the
    request, the queue running the worker's job at once, so they time the figures."""
    from analysis.review import memo_store
    from feedback.core.extensions import db
    from feedback.core.queue import queue

    with app.app_context():
        memo_store.forget_all()
        db.session.commit()
    app.config["QUEUE_IMMEDIATE"] = False
    queue.configure(app)
    results = {}
    try:
        for name, url, _open in views():
            t = time.perf_counter()
            status = client.get(url).status_code
            elapsed = time.perf_counter() - t
            assert status in (200, 202), (url, status)
            answer = "waiting page (202)" if status == 202 else "figures counted in the page"
            print(f"nothing remembered, {name}: {answer} in {elapsed:.2f} s", flush=True)
            results[f"nothing remembered, answer: {name}"] = (elapsed, elapsed)
    finally:
        app.config["QUEUE_IMMEDIATE"] = True
        queue.configure(app)
    return results


def charts_drawn(app, client) -> None:
    """Print what drawing every chart of the open dashboard adds to a request: paid when
    its figures move what a chart draws (a bar's whole percent, a two-hundredth of the
    volume chart's tallest bar) and once per server process."""
    from analysis.review import charts

    url = "/staff/review?kind=quarter&quarter=2026-Q4"
    read_back = timed(client, url, 3, lambda: new_answer_in_open_quarter(app))[1]

    def all_charts_again():
        new_answer_in_open_quarter(app)
        charts.stacked_bars.cache_clear()
        charts._sentiment_bars.cache_clear()
    drawn = timed(client, url, 3, all_charts_again)[1]
    print(f"open quarter's dashboard: {read_back:.2f} s with its charts read back, "
          f"{drawn:.2f} s with every chart drawn", flush=True)


def target_for(size: int) -> float:
    """The target of the nearest size the issue names (1M: 1 s, 10M: 2 s)."""
    return next((seconds for limit, seconds in TARGETS if size <= limit), TARGETS[-1][1])


def report(results: dict) -> None:
    """Each view's median (first request) per size side by side, and whether it met its
    target."""
    sizes = sorted(results)
    print()
    print(f"{'median seconds (first request)':<34}" + "".join(f"{s:>22,}" for s in sizes))
    missed = []
    for name in results[sizes[0]]:
        cells = ""
        for size in sizes:
            first, median = results[size][name]
            ok = median < target_for(size)
            cells += f"{median:>12.3f} ({first:5.2f}) {'ok' if ok else 'SLOW'}"
            if not ok:
                missed.append(f"{name} at {size:,}")
        print(f"{name:<34}{cells}")
    print("targets: " + ", ".join(f"< {t:g} s up to {n:,} answers" for n, t in TARGETS))
    print("missed: " + "; ".join(missed) if missed else "every view met its target")
    if len(sizes) > 1:
        growth = sizes[-1] / sizes[0]
        ratio = results[sizes[-1]]["dashboard"][1] / results[sizes[0]]["dashboard"][1]
        print(f"answers x{growth:.0f}; dashboard time x{ratio:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", "--sizes", dest="sizes", type=int, nargs="+",
                        default=[100_000, 1_000_000],
                        help="answer counts to seed and time (e.g. 1000000 10000000)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="keep a schema that already holds the size's answers")
    parser.add_argument("--shuffled", action="store_true",
                        help="store the answers in random order, not as they arrived")
    parser.add_argument("--profile", action="store_true",
                        help="print the slowest SQL statements of a dashboard request")
    args = parser.parse_args()
    results = {}
    for size in sorted(args.sizes):
        schema = f"{SCHEMA}_{size}" + ("_shuffled" if args.shuffled else "")
        app = make_app(schema)
        t = time.perf_counter()
        with app.app_context():  # not held during requests: g would outlive them
            from feedback.core.extensions import db

            if args.reuse and reusable(schema, size):
                print(f"reusing {schema}", flush=True)
                db.session.close()
                vacuum_answers()  # the visibility map, if a run before could not set it
            else:
                reset_schema(schema)
                with db.engine.begin() as conn:
                    conn.exec_driver_sql(f"COMMENT ON SCHEMA {schema} IS '{_layout(schema)}'")
                ids = seed_definitions(app)
                seed_answers(app, ids, size, 0, shuffled=args.shuffled)
                print(f"loaded {size:,} answers in {time.perf_counter() - t:.1f} s", flush=True)
                t = time.perf_counter()
                build_totals()
                print(f"built the daily totals in {time.perf_counter() - t:.1f} s", flush=True)
        with app.app_context():  # the first request of each view counts: nothing remembered
            from analysis.review import memo_store
            from feedback.core.extensions import db

            memo_store.forget_all()
            db.session.commit()
        client = signed_in_client(app)
        results[size] = {
            name: timed(client, url, args.runs,
                        (lambda app=app: new_answer_in_open_quarter(app)) if open_ else None)
            for name, url, open_ in views()}
        results[size] |= timed_on_new_days(app, client)
        results[size] |= timed_with_returning_people(app, client, args.runs)
        results[size] |= timed_after_the_worker(app, client, args.runs)
        results[size] |= timed_waiting_pages(app, client)
        charts_drawn(app, client)
        if args.profile:
            for _name, url, _open in views():
                profile(app, client, url)
    report(results)

if __name__ == "__main__":
    main()
