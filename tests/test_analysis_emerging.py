"""Emerging themes: recurring words in untagged comments become a theme in one step."""

from __future__ import annotations

from analysis.codebook import emerging
from analysis.codebook import operations as codebook_store
from analysis.models import AnswerTheme, Theme
from feedback.responses.intake import record_response
from tests.fixtures.helpers import csrf_token_from

UNTAGGED = [
    "The streetlights on our block are broken",
    "Please fix the streetlights near the park",
    "Broken streetlights make the walk home dark",
    "Nobody repairs the streetlights on Elm street",
    "Streetlights out again by the school",
    "We need working streetlights at the bus stop",
]


def _seed(survey):
    codebook_store.seed_codebook(
        {"food": {"labels": {"en": "Food"}, "keywords": {"en": ["lunch", "snack"]}}})
    ids = []
    for text in UNTAGGED + ["The lunch was cold", "Lunch portions are small"]:
        response = record_response(survey.versions[0], {"comment": text}, channel="web",
                                   locale="en")
        ids += [a.id for a in response.answers if a.question_key == "comment"]
    return ids


def test_untagged_comments_only(app, db, survey):
    _seed(survey)
    texts = [t for t, _, _ in emerging.untagged_comments()]
    assert sorted(texts) == sorted(UNTAGGED)


def test_staff_create_a_theme_from_a_candidate(client, db, survey, make_staff, login):
    ids = _seed(survey)
    make_staff()
    login()
    page = client.get("/staff/codebook/emerging?period=all").get_data(as_text=True)
    assert "streetlight" in page.lower()
    result = emerging.emerging_candidates()
    index = next(i for i, c in enumerate(result.candidates)
                 if any("streetlight" in t.lower() for t in c.terms))
    candidate = result.candidates[index]
    token = csrf_token_from(page)
    response = client.post(f"/staff/codebook/emerging/create?n={index}", data={
        f"c{index}-csrf_token": token, f"c{index}-key": "streetlights",
        f"c{index}-label": "Streetlights", f"c{index}-locale": candidate.locale,
        f"c{index}-terms": "\n".join(candidate.terms),
    })
    assert response.status_code == 302
    theme = db.session.scalar(db.select(Theme).filter_by(key="streetlights"))
    assert theme is not None and theme.labels == {"en": "Streetlights"}
    tagged = db.session.scalars(
        db.select(AnswerTheme.answer_id).filter_by(theme_id=theme.id)).all()
    assert len(tagged) == len(UNTAGGED) and set(tagged) <= set(ids)


def test_a_candidate_from_few_people_has_no_size_to_show(app, db, survey):
    """Twelve comments about streetlights from three people: the candidate is listed for staff
    but its size is withheld, and the review drops it (the gate counts people, not comments)."""
    from analysis.disclosure.gate import policy_for, release_counts
    from feedback.responses.models import Respondent
    from feedback.responses.models import Response as StoredResponse

    _seed(survey)
    for text in UNTAGGED:  # twelve streetlight comments in all
        record_response(survey.versions[0], {"comment": text + " again"}, channel="web",
                        locale="en")
    everyone = emerging.emerging_candidates().candidates
    assert any(c.shown_count for c in everyone if "streetlight" in " ".join(c.terms).lower())
    people = db.session.scalars(
        db.select(Respondent).join(StoredResponse).order_by(Respondent.id).limit(3)).all()
    responses = db.session.scalars(db.select(StoredResponse).order_by(StoredResponse.id)).all()
    for i, response in enumerate(responses):
        response.respondent_id = people[i % 3].id
    db.session.commit()
    result = emerging.emerging_candidates()
    streetlights = next(c for c in result.candidates
                        if any("streetlight" in t.lower() for t in c.terms))
    assert streetlights.count >= 3 and streetlights.respondents <= 3
    assert streetlights.shown_count is None
    assert release_counts(policy_for(None), result.candidates) == []
