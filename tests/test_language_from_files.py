"""Adding a language from files only: Somali from a catalog and a data file in a temporary
folder, pointed at by configuration; a web survey and an SMS survey run in it, STOP included."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from feedback.core.config import PROJECT_ROOT
from feedback.responses.models import Response
from messaging.models import Contact

SOMALI_TOML = """
name = "Soomaali"
phone_region = "SO"

[sms]
menu_label = "Soomaali"
switch = ["soomaali", "somali"]
menu = ["so"]
stop = ["jooji", "joojin"]
start = ["bilow"]
help = ["caawimaad"]

[words]
numbers = ["eber", "kow", "labo", "saddex", "afar", "shan", "lix", "toddoba", "siddeed",
           "sagaal", "toban"]
yes = ["haa", "haye"]
no = ["maya"]
list_joiners = ["iyo"]
"""

#: Interface strings the test meets, in Somali (the catalog a translator would write).
SOMALI_CATALOG = {
    "Start the survey": "Bilow sahanka",
    "OK, we will write to you in %(language)s.": "Hagaag, waxaan kuugu qori doonnaa %(language)s.",
    "This survey is not available in your language yet, so it is shown in %(language)s.":
        "Sahankan weli laguma hayo luqaddaada, sidaas darteed waxaa lagu muujiyey %(language)s.",
    "This survey is not available in your language yet, so it is in %(language)s.":
        "Sahankan weli laguma hayo luqaddaada, sidaas darteed wuxuu ku qoran yahay %(language)s.",
    "You are unsubscribed from %(name)s and will not get any more messages. Reply START to "
    "subscribe again.": "Waa lagaa saaray %(name)s. Fariin kale ma heli doontid. Ku jawaab "
    "BILOW si aad dib ugu biirto.",
}


def _t(en, so):
    return {"en": en, "so": so}


@pytest.fixture
def languages_dir(tmp_path):
    """``<tmp>/so/language.toml`` and ``<tmp>/so/LC_MESSAGES/messages.mo``, compiled here."""
    folder = tmp_path / "extra-languages"
    (folder / "so" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "so" / "language.toml").write_text(SOMALI_TOML, encoding="utf-8")
    catalog = Catalog(locale="so")
    for msgid, msgstr in SOMALI_CATALOG.items():
        catalog.add(msgid, msgstr)
    with open(folder / "so" / "LC_MESSAGES" / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    return folder


@pytest.fixture
def app_config(languages_dir):
    """Somali enabled through configuration only: its folder beside the built-in ones."""
    return {"ENABLED_LOCALES": ["en", "es", "vi", "so"],
            "BABEL_TRANSLATION_DIRECTORIES": f"{PROJECT_ROOT / 'translations'};{languages_dir}"}


def _somali_survey(db, *, somali=True, slug="so-voice", keyword="CODKA"):
    from surveys.models import Choice, Question, Survey, SurveyVersion

    texts = (lambda en, so: _t(en, so)) if somali else (lambda en, so: {"en": en})
    survey = Survey(slug=slug, sms_keyword=keyword, status="open")
    version = SurveyVersion(
        survey=survey, number=1, title=texts("Our voice", "Codkeenna"),
        intro=texts("Tell us about the centre.", "Noo sheeg xarunta."),
        published_at=datetime(2026, 1, 1))
    visits = Question(version=version, position=0, key="visits", type="number", required=True,
                      text=texts("How many times did you come?", "Immisa jeer ayaad timid?"),
                      settings={"min": 0, "max": 31})
    safe = Question(version=version, position=1, key="safe", type="yes_no", required=True,
                    text=texts("Do you feel safe here?", "Ma dareemaysaa nabad halkan?"))
    safe.choices = [Choice(position=0, code="yes", label=texts("Yes", "Haa")),
                    Choice(position=1, code="no", label=texts("No", "Maya"))]
    db.session.add_all([survey, version, visits, safe])
    db.session.commit()
    return survey


def test_the_language_switcher_names_the_new_language(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="so"' in html and ">Soomaali<" in html


def test_a_web_survey_in_the_new_language(client, db, make_site):
    _somali_survey(db)
    make_site("north-club")
    client.get("/lang/so?next=/")
    intro = client.get("/s/so-voice?site=north-club").get_data(as_text=True)
    assert '<html lang="so"' in intro and "Codkeenna" in intro
    assert "Bilow sahanka" in intro  # the interface string from the new catalog
    page = "/s/so-voice?site=north-club&page=1"
    html = client.get(page).get_data(as_text=True)
    assert "Immisa jeer ayaad timid?" in html
    token = re.search(r'name="token" type="hidden" value="([^"]*)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', html).group(1)
    sent = client.post(page, data={"csrf_token": csrf, "token": token, "action": "next",
                                   "q_visits": "saddex", "q_safe": "yes"})
    assert sent.status_code == 302 and "/thanks" in sent.location
    [response] = db.session.scalars(db.select(Response)).all()
    assert response.locale == "so"
    assert {a.question_key: a.value for a in response.answers} == {"visits": 3, "safe": "yes"}


def test_a_survey_without_the_language_falls_back_visibly(client, db, make_site):
    _somali_survey(db, somali=False, slug="en-only", keyword="ENONLY")
    make_site("north-club")
    client.get("/lang/so?next=/")
    html = client.get("/s/en-only?site=north-club").get_data(as_text=True)
    assert "Our voice" in html
    assert ("Sahankan weli laguma hayo luqaddaada, sidaas darteed waxaa lagu muujiyey "
            "English.") in html


def test_an_sms_survey_in_the_new_language_with_stop(db, text):
    _somali_survey(db)
    phone = "+15045550177"
    menu = text(phone, "codka")[0]
    assert "4" in menu.splitlines()[-1] and "Soomaali" in menu.splitlines()[-1]
    first = text(phone, "Soomaali")
    assert "Hagaag, waxaan kuugu qori doonnaa Soomaali." in first[0]
    assert "Immisa jeer ayaad timid?" in first[0]
    assert "Ma dareemaysaa nabad halkan?" in text(phone, "labo")[0]
    text(phone, "haa")  # yes, in Somali: the last question, so the survey ends
    response = db.session.scalar(db.select(Response))
    assert response.locale == "so" and response.completed_at is not None
    assert {a.question_key: a.value for a in response.answers} == {"visits": 2, "safe": "yes"}

    stopped = text(phone, "JOOJI")
    assert stopped and "Waa lagaa saaray" in stopped[0] and "BILOW" in stopped[0]
    contact = db.session.scalar(db.select(Contact).filter_by(phone=phone))
    assert contact.opted_out and contact.locale == "so"
    assert text(phone, "codka") == []  # an opted-out contact gets nothing more
    text(phone, "bilow")
    db.session.refresh(contact)
    assert not contact.opted_out  # BILOW (start) opts back in


def test_an_sms_survey_without_the_language_says_so(db, text):
    _somali_survey(db, somali=False, slug="en-only", keyword="ENONLY")
    phone = "+15045550178"
    text(phone, "enonly")
    first = text(phone, "4")
    assert ("Sahankan weli laguma hayo luqaddaada, sidaas darteed wuxuu ku qoran yahay "
            "English.") in first[0]
    assert "How many times did you come?" in first[0]


def test_goal_texts_in_the_new_language(client, db, staff):
    """The agenda's goal forms get a field for the added language, with its own name."""
    from analysis.review.goals import AgendaGoal
    from tests.fixtures.helpers import csrf_token_from

    page = client.get("/staff/goals/new").get_data(as_text=True)
    assert "Name (Soomaali)" in page and 'name="name_so"' in page
    sent = client.post("/staff/goals/new", data={
        "csrf_token": csrf_token_from(page), "name_en": "Safe streets",
        "name_es": "Calles seguras", "name_vi": "Đường phố an toàn",
        "name_so": "Waddooyin nabdoon", "position": "0", "active": "y"})
    assert sent.status_code == 302
    goal = db.session.scalar(db.select(AgendaGoal))
    assert goal.names["so"] == "Waddooyin nabdoon" and goal.name("so") == "Waddooyin nabdoon"
    # a Somali text left out is refused like any other language's
    page = client.get("/staff/goals/new").get_data(as_text=True)
    refused = client.post("/staff/goals/new", data={
        "csrf_token": csrf_token_from(page), "name_en": "Jobs", "name_es": "Empleos",
        "name_vi": "Việc làm", "position": "0"})
    assert refused.status_code == 200 and 'id="name_so-error"' in refused.get_data(as_text=True)
    # "you said, we did" updates and indicators are written in it too
    loop = client.get("/staff/loop/new").get_data(as_text=True)
    assert "What we heard (Soomaali)" in loop and 'name="action_so"' in loop
    indicator = client.get(f"/staff/goals/{goal.id}/indicators/new").get_data(as_text=True)
    assert "Label (Soomaali)" in indicator
