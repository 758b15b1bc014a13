"""The staff survey builder, driven through the test client as a staff member would."""

from __future__ import annotations

import io
import json

from demo import youth_survey as youth
from surveys import operations as ops
from tests.fixtures.helpers import post_form

LOCALES = ("en", "es", "vi")


def _post(client, url, data=None, page=None, **kwargs):
    """POST with the CSRF token of ``page`` (or of the survey list page)."""
    return post_form(client, url, data or {}, page or "/staff/surveys/", **kwargs)


def _create(client, slug="after-school", title="After school check-in"):
    return _post(client, "/staff/surveys/new", {"slug": slug, "title": title},
                 page="/staff/surveys/new", follow_redirects=True)


def test_partner_viewer_and_anonymous_are_refused(client, make_staff, login):
    assert client.get("/staff/surveys/").status_code in (302, 401)
    make_staff(email="viewer@example.org", role="partner_viewer")
    login("viewer@example.org")
    assert client.get("/staff/surveys/").status_code == 403
    assert client.get("/staff/surveys/new").status_code == 403


def test_staff_sees_the_surveys_link_and_list(client, staff, db):
    youth.seed_youth_survey()
    home = client.get("/staff/surveys/").get_data(as_text=True)
    assert "Youth Voice" in home and "/s/youth-voice" in home and "Open" in home
    assert 'href="/staff/surveys/"' in home


def test_create_survey_then_write_texts_side_by_side(client, staff, db):
    page = _create(client).get_data(as_text=True)
    assert "After school check-in" in page and "Draft" in page
    assert "Español" in page and "Tiếng Việt" in page
    data = {"title_en": "After school", "title_es": "Después de clases",
            "title_vi": "Sau giờ học", "intro_en": "Two minutes.", "intro_es": "Dos minutos.",
            "intro_vi": "", "thanks_en": "", "thanks_es": "", "thanks_vi": ""}
    page = _post(client, "/staff/surveys/after-school/texts", data,
                 page="/staff/surveys/after-school", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Sau giờ học" in html
    assert "Introduction: missing in Tiếng Việt" in html
    survey = ops.get_survey("after-school")
    assert ops.latest_version(survey).title == {"en": "After school", "es": "Después de clases",
                                                "vi": "Sau giờ học"}


def test_bad_slug_is_explained(client, staff, db):
    page = _create(client, slug="Bad Slug!").get_data(as_text=True)
    assert "link name must be" in page
    assert ops.get_survey("Bad Slug!") is None


def _question_form(key=None, **fields):
    data = {"type": "yes_no", "demographic": "", "ask_if_key": "", "ask_if_values": ""}
    for loc in LOCALES:
        for prefix in ("text", "help", "low", "high"):
            data[f"{prefix}_{loc}"] = ""
    if key:
        data["key"] = key
    data.update(fields)
    return data


def test_add_question_choices_reorder_and_publish(client, staff, db):
    _create(client)
    texts = {"title_en": "After school", "title_es": "Después de clases", "title_vi": "Sau giờ học"}
    _post(client, "/staff/surveys/after-school/texts", texts, page="/staff/surveys/after-school")
    new_page = "/staff/surveys/after-school/questions/new"
    response = _post(client, new_page, _question_form(
        "snack", type="single_choice", required="y", text_en="Favourite snack?",
        text_es="¿Merienda favorita?"), page=new_page)
    assert response.status_code == 302
    question_url = "/staff/surveys/after-school/questions/snack"
    for code, en, es, vi in (("fruit", "Fruit", "Fruta", "Trái cây"),
                             ("chips", "Chips", "Papitas", "Khoai tây chiên")):
        _post(client, question_url + "/choices", {"new-code": code, "new-label_en": en,
                                                  "new-label_es": es, "new-label_vi": vi},
              page=question_url)
    _post(client, question_url + "/choices/chips/move", {"direction": "up"}, page=question_url)
    question = ops.find_question(ops.latest_version(ops.get_survey("after-school")), "snack")
    assert [c.code for c in question.choices] == ["chips", "fruit"]

    # publishing is refused while the Vietnamese question text is missing, and says so
    page = _post(client, "/staff/surveys/after-school/publish", page="/staff/surveys/after-school",
                 follow_redirects=True).get_data(as_text=True)
    assert "not published" in page and "Favourite snack?" in page and "Tiếng Việt" in page
    assert ops.get_survey("after-school").status == "draft"

    fixed = _question_form(type="single_choice", required="y", text_en="Favourite snack?",
                           text_es="¿Merienda favorita?", text_vi="Món ăn vặt yêu thích?")
    _post(client, question_url, fixed, page=question_url)
    page = _post(client, "/staff/surveys/after-school/publish", page="/staff/surveys/after-school",
                 follow_redirects=True).get_data(as_text=True)
    assert "Published" in page
    survey = ops.get_survey("after-school")
    assert survey.status == "open" and ops.current_version(survey).number == 1

    # an edit now starts version 2; version 1 stays what respondents get
    labels = {"c-fruit-label_en": "Apples", "c-fruit-label_es": "Manzanas",
              "c-fruit-label_vi": "Táo"}
    _post(client, question_url + "/choices/fruit", labels, page=question_url)
    db.session.expire_all()
    survey = ops.get_survey("after-school")
    assert ops.current_version(survey).number == 1
    assert ops.latest_version(survey).number == 2
    assert ops.find_question(ops.current_version(survey), "snack").choices[1].label["en"] == "Fruit"
    assert ops.find_question(ops.latest_version(survey), "snack").choices[1].label["en"] == "Apples"


def test_question_with_skip_logic_and_scale_settings(client, staff, db):
    _create(client)
    new_page = "/staff/surveys/after-school/questions/new"
    _post(client, new_page, _question_form("fun", type="scale", min="1", max="5",
                                           text_en="How fun?", low_en="Boring", high_en="Great"),
          page=new_page)
    response = _post(client, new_page, _question_form(
        "why", type="long_text", text_en="Why?", ask_if_key="fun", ask_if_values="1, 2"),
        page=new_page)
    assert response.status_code == 302
    version = ops.latest_version(ops.get_survey("after-school"))
    fun, why = version.questions
    assert fun.settings == {"min": 1, "max": 5, "low": {"en": "Boring"}, "high": {"en": "Great"}}
    assert (why.ask_if_key, why.ask_if_values) == ("fun", ["1", "2"])
    # a broken scale is refused with a reason, and nothing changes
    page = _post(client, "/staff/surveys/after-school/questions/fun", _question_form(
        type="scale", min="5", max="1", text_en="How fun?"),
        page="/staff/surveys/after-school/questions/fun", follow_redirects=True)
    assert "scale runs between" in page.get_data(as_text=True)


def test_remove_question_refused_while_another_depends_on_it(client, staff, db):
    survey = ops.create_survey("dep", {"en": "Dep"})
    ops.add_question(survey, {"key": "a", "type": "yes_no", "text": {"en": "A?"}})
    ops.add_question(survey, {"key": "b", "type": "short_text", "text": {"en": "B?"},
                              "ask_if_key": "a", "ask_if_values": ["yes"]})
    page = _post(client, "/staff/surveys/dep/questions/a/remove", page="/staff/surveys/dep",
                 follow_redirects=True).get_data(as_text=True)
    assert "depends on this question" in page
    _post(client, "/staff/surveys/dep/questions/b/remove", page="/staff/surveys/dep")
    assert [q.key for q in ops.latest_version(ops.get_survey("dep")).questions] == ["a"]


def test_preview_in_each_language_as_respondents_see_it(client, staff, db):
    youth.seed_youth_survey()
    spanish = client.get("/staff/surveys/youth-voice/preview/es").get_data(as_text=True)
    assert "¿Qué tan seguro/a se siente en este lugar?" in spanish
    assert "Nada seguro/a" in spanish and "Prefiero no decir" in spanish
    vietnamese = client.get("/staff/surveys/youth-voice/preview/vi").get_data(as_text=True)
    assert "Bạn thích điều gì nhất ở chương trình này?" in vietnamese
    assert 'type="checkbox"' in vietnamese and 'type="radio"' in vietnamese
    assert client.get("/staff/surveys/youth-voice/preview/fr").status_code == 404


def test_close_reopen_and_duplicate(client, staff, db):
    youth.seed_youth_survey()
    edit = "/staff/surveys/youth-voice"
    _post(client, edit + "/close", page=edit)
    assert ops.get_survey("youth-voice").status == "closed"
    _post(client, edit + "/reopen", page=edit)
    assert ops.get_survey("youth-voice").status == "open"
    page = _post(client, edit + "/duplicate", {"slug": "youth-voice-2026"}, page=edit,
                 follow_redirects=True).get_data(as_text=True)
    assert "Copy created" in page
    copy = ops.get_survey("youth-voice-2026")
    assert copy.status == "draft" and len(ops.latest_version(copy).questions) == 13


def test_export_then_import_through_the_pages(client, staff, db):
    youth.seed_youth_survey()
    exported = client.get("/staff/surveys/youth-voice/export")
    assert exported.mimetype == "application/json"
    assert "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.get_data(as_text=True))
    assert data["title"]["vi"] == "Tiếng nói Thanh thiếu niên"

    upload = {"file": (io.BytesIO(exported.get_data()), "youth.json"), "slug": "youth-copy"}
    page = _post(client, "/staff/surveys/import", upload, page="/staff/surveys/import",
                 content_type="multipart/form-data", follow_redirects=True)
    assert "imported" in page.get_data(as_text=True)
    assert ops.export_definition(ops.get_survey("youth-copy")) | {"slug": "youth-voice"} == data

    bad = {"file": (io.BytesIO(b'{"format": "coalition-feedback/survey", "format_version": 1, '
                               b'"slug": "bad", "questions": [{"key": "x", "type": "essay"}]}'),
                    "bad.json")}
    page = _post(client, "/staff/surveys/import", bad, page="/staff/surveys/import",
                 content_type="multipart/form-data", follow_redirects=True)
    assert "unknown type" in page.get_data(as_text=True)
    assert ops.get_survey("bad") is None
    garbage = {"file": (io.BytesIO(b"not json"), "x.json")}
    page = _post(client, "/staff/surveys/import", garbage, page="/staff/surveys/import",
                 content_type="multipart/form-data", follow_redirects=True)
    assert "not valid JSON" in page.get_data(as_text=True)


def test_posts_without_csrf_are_refused(client, staff, db):
    _create(client)
    response = client.post("/staff/surveys/after-school/close")
    assert response.status_code == 400
    assert ops.get_survey("after-school").status == "draft"


def test_demo_seeder_is_registered_first_and_idempotent(app, db):
    from demo.cli import STAGES

    assert STAGES[0] is youth.seed_youth_survey, "survey definitions are seeded first"
    for _ in range(2):
        STAGES[0]()
    survey = ops.get_survey("youth-voice")
    assert survey.status == "open" and len(survey.versions) == 1


def test_demographic_questions_come_from_the_shared_bank(client, staff, db):
    """The builder adds a bank question by reference (its codes, its texts) and refuses a
    demographic question retyped with other codes or another type, saying why."""
    _create(client)
    new_page = "/staff/surveys/after-school/questions/new"
    url = "/staff/surveys/after-school/questions/"
    page = _post(client, new_page, _question_form("my_gender", type="single_choice",
                                                  demographic="gender"),
                 page=new_page, follow_redirects=True).get_data(as_text=True)
    assert "Question added" in page
    question = ops.find_question(ops.latest_version(ops.get_survey("after-school")), "my_gender")
    assert {c.code for c in question.choices} == {"girl_woman", "boy_man", "nonbinary",
                                                  "another", "prefer_not"}
    assert question.text["es"] == "¿Cuál es su género?"
    page = _post(client, url + "my_gender/choices", {"new-code": "m", "new-label_en": "M"},
                 page=url + "my_gender", follow_redirects=True).get_data(as_text=True)
    assert "“m” is not a code of the shared gender question" in page
    refused = (
        _question_form("gender", type="single_choice"),  # a bank key, not marked as such
        _question_form("race", type="single_choice", demographic="race_ethnicity"),
    )
    for form in refused:
        page = _post(client, new_page, form, page=new_page,
                     follow_redirects=True).get_data(as_text=True)
        assert "shared" in page and "Question added" not in page
    keys = [q.key for q in ops.latest_version(ops.get_survey("after-school")).questions]
    assert keys == ["my_gender"]
    assert [c.code for c in ops.find_question(ops.latest_version(
        ops.get_survey("after-school")), "my_gender").choices].count("m") == 0


def test_bank_refusals_are_translated(app):
    from flask_babel import force_locale

    from surveys.definitions import check_bank_question

    with app.test_request_context(), force_locale("es"):
        problems = check_bank_question("race", "single_choice", "race_ethnicity", {"x"}, "race")
    assert len(problems) == 2 and not any("shared" in p for p in problems)
