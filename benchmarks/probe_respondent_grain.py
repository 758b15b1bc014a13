"""Probe: would respondent-grain totals make the review's people counts fast at 10M answers?

    .venv/bin/python benchmarks/probe_respondent_grain.py --answers 1000000 [--runs 3]

Run benchmarks/bench_review.py at that size first: this reads its schema,
``bench_review_<size>``, and adds three tables to it (dropped at the end). Not the app's code: a
measurement of the design the README names for the review's speed with years of data.

Every review view counts distinct respondents over the period's answers (the disclosure
gate's threshold rests on people, not answers), and ``count(DISTINCT ...)`` sorts every row
it counts: those counts are what the breakdown views, the group filter and the yearly report
wait for. The design: keep one row per quarter, respondent and key (a question; a goal and a
sentiment), made unique when written, so a count of people is a plain ``count(*)``. The
probe builds such rows for the bench data with ``SELECT DISTINCT`` and times, for 2026-Q3 and
the quarter before, the same counts two ways: as the app counts them now, and from the
respondent-grain rows. It checks that both give the same numbers, then prints the medians.
It covers the plain and age-group views only (no site, channel or language filter).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import psycopg

QUARTERS = ("2026-04-01", "2026-07-01")
SINCE, UNTIL = "2026-04-01", "2026-10-01"
WHICH = "CASE WHEN {col} >= '2026-07-01' THEN 'now' ELSE 'before' END"

BUILD = [
    "DROP TABLE IF EXISTS probe_people_question, probe_people_goal, probe_people_sentiment",
    # one row per quarter, respondent and question
    """CREATE TABLE probe_people_question AS
       SELECT DISTINCT date_trunc('quarter', a.completed_at) AS quarter, r.respondent_id,
              a.question_key, p.age_group
       FROM answer a JOIN response r ON r.id = a.response_id
       JOIN respondent p ON p.id = r.respondent_id
       WHERE a.completed_at IS NOT NULL""",
    # one row per quarter, respondent, goal and sentiment of a comment with the goal's themes
    """CREATE TABLE probe_people_goal AS
       SELECT DISTINCT date_trunc('quarter', a.completed_at) AS quarter, r.respondent_id,
              g.goal_id, coalesce(t.sentiment_label, 'untagged') AS sentiment, p.age_group
       FROM answer a JOIN answer_theme th ON th.answer_id = a.id AND th.source != 'removed'
       JOIN agenda_goal_theme g ON g.theme_id = th.theme_id
       JOIN response r ON r.id = a.response_id JOIN respondent p ON p.id = r.respondent_id
       LEFT JOIN answer_tag t ON t.answer_id = a.id
       WHERE a.completed_at IS NOT NULL""",
    # one row per quarter, respondent and sentiment of a comment (the breakdown's table)
    """CREATE TABLE probe_people_sentiment AS
       SELECT DISTINCT quarter, respondent_id, sentiment, age_group FROM probe_people_goal""",
    "CREATE INDEX ON probe_people_question (quarter)",
    "CREATE INDEX ON probe_people_goal (quarter)",
    "ANALYZE probe_people_question",
    "ANALYZE probe_people_goal",
    "ANALYZE probe_people_sentiment",
]

GOAL_NOW = f"""
    SELECT {WHICH.format(col='a.completed_at')}, g.goal_id,
           coalesce(t.sentiment_label, 'untagged'), count(DISTINCT r.respondent_id)
    FROM answer a JOIN answer_theme th ON th.answer_id = a.id AND th.source != 'removed'
    JOIN agenda_goal_theme g ON g.theme_id = th.theme_id
    JOIN response r ON r.id = a.response_id LEFT JOIN answer_tag t ON t.answer_id = a.id
    {{join}} WHERE a.completed_at >= '{SINCE}' AND a.completed_at < '{UNTIL}' {{where}}
    GROUP BY 1, 2, 3"""
GOAL_GRAIN = f"""
    SELECT {WHICH.format(col='quarter')}, goal_id, sentiment, count(*)
    FROM probe_people_goal WHERE quarter IN {QUARTERS} {{where}} GROUP BY 1, 2, 3"""
QUESTION_NOW = f"""
    SELECT {WHICH.format(col='a.completed_at')}, a.question_key, count(DISTINCT r.respondent_id)
    FROM answer a JOIN response r ON r.id = a.response_id {{join}}
    WHERE a.completed_at >= '{SINCE}' AND a.completed_at < '{UNTIL}' {{where}} GROUP BY 1, 2"""
QUESTION_GRAIN = f"""
    SELECT {WHICH.format(col='quarter')}, question_key, count(*)
    FROM probe_people_question WHERE quarter IN {QUARTERS} {{where}} GROUP BY 1, 2"""
BY_AGE_NOW = f"""
    SELECT p.age_group, coalesce(t.sentiment_label, 'untagged'), count(DISTINCT p.id)
    FROM answer a JOIN response r ON r.id = a.response_id JOIN respondent p
    ON p.id = r.respondent_id LEFT JOIN answer_tag t ON t.answer_id = a.id
    WHERE a.completed_at >= '2026-07-01' AND a.completed_at < '{UNTIL}' AND EXISTS (
        SELECT 1 FROM answer_theme th JOIN agenda_goal_theme g ON g.theme_id = th.theme_id
        WHERE th.answer_id = a.id AND th.source != 'removed')
    GROUP BY 1, 2"""
BY_AGE_GRAIN = """
    SELECT age_group, sentiment, count(*)
    FROM probe_people_sentiment WHERE quarter = '2026-07-01' GROUP BY 1, 2"""

AGE = "AND p.age_group = '14-17'"
AGE_JOIN = "JOIN respondent p ON p.id = r.respondent_id"
COUNTS = [
    ("people per goal and sentiment", GOAL_NOW.format(join="", where=""),
     GOAL_GRAIN.format(where="")),
    ("people per question", QUESTION_NOW.format(join="", where=""),
     QUESTION_GRAIN.format(where="")),
    ("people per goal, group age 14-17", GOAL_NOW.format(join=AGE_JOIN, where=AGE),
     GOAL_GRAIN.format(where="AND age_group = '14-17'")),
    ("people per question, group age 14-17", QUESTION_NOW.format(join=AGE_JOIN, where=AGE),
     QUESTION_GRAIN.format(where="AND age_group = '14-17'")),
    ("people by age and sentiment (breakdown)", BY_AGE_NOW, BY_AGE_GRAIN),
]


def timed(conn, sql: str, runs: int) -> tuple[float, list]:
    rows, seconds = None, []
    for _ in range(runs):
        start = time.perf_counter()
        rows = conn.execute(sql).fetchall()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), sorted(rows, key=repr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"bench_review_{args.answers}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {schema}")
        conn.execute("SET jit = off")  # as the review runs its queries
        start = time.perf_counter()
        for statement in BUILD:
            conn.execute(statement)
        built = time.perf_counter() - start
        sizes = conn.execute("SELECT (SELECT count(*) FROM answer), "
                             "(SELECT count(*) FROM probe_people_question), "
                             "(SELECT count(*) FROM probe_people_goal), "
                             "(SELECT count(*) FROM probe_people_sentiment)").fetchone()
        print(f"{schema}: {sizes[0]:,} answers; respondent-grain rows: {sizes[1]:,} per "
              f"question, {sizes[2]:,} per goal and sentiment, {sizes[3]:,} per sentiment "
              f"(built in {built:.1f} s)")
        print(f"{'count (2026-Q3 and the quarter before)':<42} {'now':>8} {'grain':>8}  same")
        try:
            for name, now_sql, grain_sql in COUNTS:
                now_s, now_rows = timed(conn, now_sql, args.runs)
                grain_s, grain_rows = timed(conn, grain_sql, args.runs)
                same = "yes" if now_rows == grain_rows else "NO"
                print(f"{name:<42} {now_s:8.3f} {grain_s:8.3f}  {same}")
        finally:
            conn.execute(BUILD[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
