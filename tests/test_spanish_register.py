"""One register per language: Spanish speaks to every respondent (and staff member) as usted.

The project decided on usted (README, "Languages"); these tests fail when a tú form
creeps into the Spanish catalog, the demo surveys' Spanish content or an SMS text rendered in
Spanish.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import ChainableUndefined

from feedback.core.config import PROJECT_ROOT

#: Tell-tale tú forms: pronouns and possessives, and the second-person verb forms and
#: imperatives our texts would use. Third-person forms that usted shares ("responde",
#: "escribe") count only as a sentence-opening command ("Responde 1", "Escribe tu idea").
TU_FORMS = re.compile(
    r"\b(?:tú|tu|tus|te|ti|contigo|tuyo|tuya)\b"
    r"|\b(?:puedes|puedas|quieres|quieras|tienes|tengas|eres|estás|sientes|vienes|vives|pasas"
    r"|describes|prefieres|necesitas|dijiste|sabes|crees|piensas|gustas|vas|has)\b"
    r"|\b(?:cuéntanos|dinos|escríbenos|ayúdanos|avísanos|inténtalo|contéstanos)\b"
    r"|(?:^|[.!?:¡¿]\s*)(?:responde|escribe|envía|elige|marca|toca|pulsa|contesta|selecciona"
    r"|escoge|intenta|vuelve|revisa|presiona)\b",
    re.IGNORECASE | re.MULTILINE,
)


@pytest.mark.parametrize("text", [
    "¿Cómo te sientes?", "Cuéntanos de tu centro.", "Elige hasta tres.", "¿Cuántos años tienes?",
    "Responde 1 para sí.", "Si quieres, escribe más.", "Pronto te contaremos.",
])
def test_the_check_finds_tu_forms(text):
    assert TU_FORMS.search(text)


@pytest.mark.parametrize("text", [
    "¿Cómo se siente?", "Cuéntenos de su centro.", "Elija hasta tres.", "¿Cuántos años tiene?",
    "Responda 1 para sí.", "Nadie responde a tiempo.", "Otro sitio ya usa este código.",
    "Su hijo/a", "la persona que escribe", "Estado: abierta",
])
def test_the_check_leaves_usted_and_third_person_alone(text):
    assert not TU_FORMS.search(text)


def _tu_forms(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {text!r}" for where, text in texts.items() if TU_FORMS.search(text)]


def test_spanish_catalog_uses_usted():
    path = PROJECT_ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    texts = {}
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for n, string in enumerate(strings):
            texts[f"{message.id!r}[{n}]"] = string or ""
    assert _tu_forms(texts) == []


def _spanish_texts(value, where="") -> dict[str, str]:
    """Every Spanish string of a survey definition (or any nest of per-locale dicts)."""
    found = {}
    if isinstance(value, dict):
        if isinstance(value.get("es"), str):
            found[where] = value["es"]
        for key, item in value.items():
            found.update(_spanish_texts(item, f"{where}.{key}"))
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            found.update(_spanish_texts(item, f"{where}[{n}]"))
    return found


def test_demo_surveys_and_goals_speak_spanish_as_usted(app):
    from demo.goals import GOALS
    from demo.sms import family_pulse_definition
    from demo.youth_survey import youth_voice_definition
    from surveys import demographics

    content = {
        "youth-voice": youth_voice_definition(),
        "family-pulse": family_pulse_definition(),
        "demographics": [demographics.age_group(), demographics.race_ethnicity(),
                         demographics.gender(), demographics.neighbourhood([("x", "X")]),
                         demographics.zip_code(), demographics.role()],
        "goals": GOALS,
    }
    texts = _spanish_texts(content)
    assert len(texts) > 50  # the walk found the content
    assert _tu_forms(texts) == []


SMS_TEMPLATES = sorted(
    [*(PROJECT_ROOT / "templates" / "messaging").glob("*.txt"),
     *(PROJECT_ROOT / "templates" / "review").glob("*.txt")]
)


def test_every_sms_text_rendered_in_spanish_uses_usted(app):
    """Each SMS template in Spanish, with Spanish survey texts in its blanks."""
    from flask_babel import force_locale

    from messaging.inbound.conversation import language_menu

    assert SMS_TEMPLATES
    env = app.jinja_env.overlay(undefined=ChainableUndefined)
    texts = {}
    with app.test_request_context(), force_locale("es"):
        for path in SMS_TEMPLATES:
            template = env.get_template(f"{Path(path).parent.name}/{path.name}")
            texts[path.name] = template.render(
                coalition="Coalición", title="Pulso Familiar", name="Coalición", n=3,
                language="Español", contact="info@example.org",
            )
        texts["language menu"] = language_menu()
    assert "Responda" in texts["language menu"]
    assert _tu_forms(texts) == []
