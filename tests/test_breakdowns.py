"""Breakdown measures: sentiment, themes, indicators and shares, as the review pages use them."""

from __future__ import annotations

from datetime import datetime

import pytest

from analysis.breakdowns import ALL, Filters, Measure, breakdown
from analysis.models import AnswerTag, AnswerTheme, Theme


def _tag(db, responses, sentiment, theme=None):
    for response in responses:
        answer = next(a for a in response.answers if a.question_key == "comment")
        db.session.add(AnswerTag(answer_id=answer.id, sentiment_label=sentiment,
                                 auto_sentiment_label=sentiment, language="en"))
        if theme is not None:
            db.session.add(AnswerTheme(answer_id=answer.id, theme_id=theme.id, source="auto"))
    db.session.commit()


def test_sentiment_by_group_with_shares(app, db, people):
    _tag(db, people(30, gender="girl", comment="x"), "positive")
    _tag(db, people(10, gender="girl", comment="y"), "negative")
    _tag(db, people(20, gender="boy", comment="z"), "neutral")
    _tag(db, people(20, gender="boy", comment="w"), "negative")
    result = breakdown("sentiment", ("gender",), min_cell=10)
    assert result.cols == ["positive", "neutral", "negative"]
    girl = result.cell("girl", "positive")
    assert girl.value == 30 and girl.share == pytest.approx(0.75)
    assert result.cell("girl", "neutral").value == 0  # a zero in a large group is shown
    assert result.cell("boy", "negative").share == pytest.approx(0.5)
    assert result.row_totals["boy"].value == 40


def test_removed_themes_are_not_counted(app, db, people):
    transport = Theme(key="transport", labels={"en": "Transport"})
    db.session.add(transport)
    db.session.commit()
    _tag(db, people(12, comment="bus"), "negative", transport)
    removed = people(3, comment="not about buses")
    _tag(db, removed, "neutral")
    for response in removed:
        db.session.add(AnswerTheme(answer_id=response.answers[0].id, theme_id=transport.id,
                                   source="removed"))
    db.session.commit()
    result = breakdown("themes", (), min_cell=10)
    assert result.cell(ALL, "transport").value == 12


def test_indicator_share_of_yes_by_channel(app, db, people):
    people(18, channel="web", safe=True)
    people(12, channel="web", safe=False)
    people(10, channel="sms", safe=True)
    people(10, channel="sms", safe=False)
    people(5, channel="sms")  # did not answer: not in the denominator
    result = breakdown(Measure("indicator", "safe", ("yes",)), ("channel",), min_cell=10)
    assert result.cell("web", "yes").share == pytest.approx(0.6)
    assert result.cell("sms", "yes").share == pytest.approx(0.5)
    assert result.total.value == 50


def test_numeric_indicator_values(app, db, people):
    people(15, safe=True)
    people(15, safe=False)
    result = breakdown(Measure("indicator", "safe", (1,)), (), min_cell=10)
    assert result.cell(ALL, "yes").value == 15


def test_respondent_with_two_responses_counts_once(app, db, people, survey):
    from feedback.responses.models import Response

    made = people(12, locale="en")
    version = survey.versions[0]
    for response in made:
        db.session.add(Response(respondent_id=response.respondent_id, survey_id=survey.id,
                                survey_version_id=version.id, channel="sms", locale="es",
                                completed_at=datetime(2025, 3, 2)))
    db.session.commit()
    assert breakdown("respondents", (), min_cell=10).total.value == 12
    assert breakdown("responses", (), min_cell=10).total.value == 24
    by_language = breakdown("respondents", ("language",), min_cell=10)
    assert by_language.cell("en", "count").value == 12
    assert by_language.cell("es", "count").value == 12


def test_group_filter_and_not_answered_group(app, db, people):
    people(20, age_group="13-15", races=["black"])
    people(15, age_group="13-15")
    people(25, age_group="16-18", races=["black"])
    result = breakdown("respondents", ("race_ethnicity",),
                       Filters(group=("age_group", "13-15")), min_cell=10)
    assert result.cell("black", "count").value == 20
    assert result.cell(None, "count").value == 15
    with pytest.raises(ValueError):
        breakdown("respondents", ("shoe_size",))


def test_incomplete_responses_are_left_out_unless_asked(app, db, people):
    made = people(12)
    people(20)
    for response in made:
        response.completed_at = None
    db.session.commit()
    assert breakdown("respondents", (), min_cell=10).total.value == 20
    both = breakdown("respondents", (), Filters(include_incomplete=True), min_cell=10)
    assert both.total.value == 32


def test_excluded_origins_count_in_no_breakdown_nor_population(app, db, people):
    people(12, gender="girl", safe=True)
    for response in people(5, gender="boy", safe=True):
        response.origin = "import"
    db.session.commit()
    measure = Measure("indicator", "safe", ("yes",))
    assert breakdown(measure, ("gender",), min_cell=1).row_totals["boy"].value == 5
    app.config["FIGURES_EXCLUDE_ORIGINS"] = ["import"]
    result = breakdown(measure, ("gender",), min_cell=1)
    assert result.rows == ["girl"] and result.population == 12


def test_many_comments_from_few_people_are_withheld(app, db, people, survey):
    """Three boys who comment four times each make 12 comments but only 3 people: their row is
    withheld, and another cell with it, so the total cannot give it back."""
    from feedback.responses.models import Answer, Response

    _tag(db, people(20, gender="girl", comment="fine"), "positive")
    _tag(db, people(15, gender="other", comment="ok"), "neutral")
    boys = people(3, gender="boy", comment="scared")
    _tag(db, boys, "negative")
    version = survey.versions[0]
    comment_question = next(q for q in version.questions if q.key == "comment")
    for boy in boys:
        for _ in range(3):
            again = Response(respondent_id=boy.respondent_id, survey_id=survey.id,
                             survey_version_id=version.id, channel="sms", locale="en",
                             started_at=boy.completed_at, completed_at=boy.completed_at)
            again.answers.append(Answer(question_id=comment_question.id, question_key="comment",
                                        raw_text="scared", value="scared"))
            db.session.add(again)
            db.session.flush()
            _tag(db, [again], "negative")
    comments = breakdown("comments", ("gender",), min_cell=10)
    assert comments.row_totals["boy"].suppressed and comments.cell("boy", "count").suppressed
    assert sum(not comments.cell(g, "count").suppressed for g in ("girl", "other")) < 2
    sentiment = breakdown("sentiment", ("gender",), min_cell=10)
    assert all(sentiment.cell("boy", c).suppressed for c in sentiment.cols)
    assert sentiment.row_totals["boy"].suppressed


def test_a_group_filter_is_guarded_against_the_same_period_unfiltered(app, review_world):
    """The differencing guard compared a filtered period with the scope's whole history, so
    respondents in other quarters switched it off: Q2 minus Q2-for-14-17 is three 10-13s."""
    from analysis.breakdowns import breakdown
    from analysis.review.periods import quarter_of
    from analysis.review.scope import ReviewScope
    from analysis.review.shared_tables import to_filters
    from tests.fixtures.review import Q1, Q2

    add = review_world["add"]
    add(comment="ok", sentiment="positive", score=0.5, age_group="14-17", count=20)
    add(comment="scared", sentiment="negative", score=-0.8, age_group="10-13", count=3)
    period = quarter_of(Q2.date())
    group = ReviewScope(period=period, group_dim="age_group", group_value="14-17")
    whole = ReviewScope(period=period)
    # control: with Q2 alone the guard does hide the table
    assert breakdown("sentiment", ["gender"], to_filters(group), min_cell=10).reason == \
        "difference"
    add(when=Q1, comment="older", sentiment="neutral", age_group="18-24", count=30)
    filtered = breakdown("sentiment", ["gender"], to_filters(group), min_cell=10)
    unfiltered = breakdown("sentiment", ["gender"], to_filters(whole), min_cell=10)
    # the filtered table is published, its cells exact before rounding
    shown = {c: filtered.cell(None, c).value for c in filtered.cols}
    # README: a filter that leaves out 1..9 respondents of the view hides the whole table
    assert filtered.reason == "difference", (
        f"filtered table shown: {shown}; unfiltered total {unfiltered.population}, "
        f"filtered {filtered.population}: three 10-13s isolated by difference")
