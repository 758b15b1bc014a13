"""Demo SMS data (a seed-demo stage, after the web answers): the open "family-pulse" survey
(keyword PULSE), twenty demo contacts with fake +1 504 555 01xx numbers in three languages, and
a few hundred completed conversations backdated over the last two quarters.

Answers are stored through feedback.responses.intake (the one intake path), with the conversation
and message rows an SMS survey leaves, without running every text through the engine (that
keeps the seeder well under 20 s). Idempotent: nothing is added twice.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from demo.sms_texts import ANSWER_BANK, FREE_TEXT, NEIGHBOURHOODS
from feedback.core.extensions import db
from feedback.responses.intake import (
    add_answer,
    add_response,
    announce,
    finish_response,
    new_respondent,
)
from feedback.responses.models import Answer, PartnerSite, Response, utcnow
from messaging.models import Contact, Conversation, InboundMessage, OutboundMessage
from surveys import demographics, operations
from surveys.demographics import _t
from surveys.logic import is_applicable
from surveys.texts import localized
from surveys.types import parse_answer, sms_prompt

SLUG = "family-pulse"
KEYWORD = "PULSE"
#: How many demo conversations to seed (completed, over two quarters).
CONVERSATIONS = 250
#: Demo contacts: +1 504 555 0100 ... 0159.
CONTACTS = 60
DEMO_LOCALES = ("en", "es", "vi")


def family_pulse_definition() -> dict:
    """The family survey as a surveys.definitions dict (about seven short questions)."""
    yes_no = {"key": "used_program", "type": "yes_no", "required": False,
              "text": _t("Did your child go to an after-school program this month?",
                         "¿Su hijo/a fue a un programa después de la escuela este mes?",
                         "Tháng này con bạn có tham gia chương trình sau giờ học không?"),
              "choices": []}
    return {
        "format": "coalition-feedback/survey", "format_version": 1,
        "slug": SLUG, "sms_keyword": KEYWORD,
        "title": _t("Family Pulse", "Pulso Familiar", "Nhịp Cầu Gia Đình"),
        "intro": _t("Family Pulse: 7 short questions, about 2 minutes. Answers are anonymous.",
                    "Pulso Familiar: 7 preguntas cortas, unos 2 minutos. Las respuestas son "
                    "anónimas.",
                    "Nhịp Cầu Gia Đình: 7 câu hỏi ngắn, khoảng 2 phút. Câu trả lời được ẩn "
                    "danh."),
        "thanks": _t("Thank you! Staff read every answer and we will text you what changes.",
                     "¡Gracias! El equipo lee cada respuesta y le avisaremos qué cambia.",
                     "Cảm ơn bạn! Chúng tôi đọc mọi câu trả lời và sẽ nhắn cho bạn biết "
                     "những gì thay đổi."),
        "questions": [
            {"key": "needs_met", "type": "scale", "required": True,
             "text": _t("How well do our programs meet your family's needs?",
                        "¿Qué tan bien responden nuestros programas a las necesidades de su "
                        "familia?",
                        "Các chương trình của chúng tôi đáp ứng nhu cầu gia đình bạn tốt "
                        "đến mức nào?"),
             "settings": {"min": 1, "max": 5,
                          "low": _t("Not at all", "Nada", "Không hề"),
                          "high": _t("Very well", "Muy bien", "Rất tốt")},
             "choices": []},
            yes_no,
            {"key": "program_kind", "type": "single_choice", "required": False,
             "ask_if_key": "used_program", "ask_if_values": ["yes"],
             "text": _t("What kind of program?", "¿Qué tipo de programa?",
                        "Chương trình loại nào?"),
             "choices": [
                 {"code": "sports", "label": _t("Sports", "Deportes", "Thể thao")},
                 {"code": "tutoring", "label": _t("Tutoring", "Tutoría", "Học thêm")},
                 {"code": "arts", "label": _t("Arts or music", "Arte o música",
                                              "Nghệ thuật hoặc âm nhạc")},
                 {"code": "other", "label": _t("Other", "Otro", "Khác")},
             ]},
            {"key": "one_thing", "type": "long_text", "required": False,
             "text": _t("What is one thing that would help your family?",
                        "¿Qué es una cosa que ayudaría a su familia?",
                        "Một điều gì có thể giúp gia đình bạn?"),
             "choices": []},
            demographics.role(),
            demographics.neighbourhood(NEIGHBOURHOODS),
            demographics.race_ethnicity(),
        ],
    }


def ensure_family_survey():
    """The open family-pulse survey, created and published if missing (idempotent)."""
    survey = operations.get_survey(SLUG)
    if survey is None:
        survey = operations.import_definition(family_pulse_definition())
    if survey.status != "open" or operations.current_version(survey) is None:
        operations.publish(survey, list(DEMO_LOCALES))
    return survey


def demo_phone(n: int) -> str:
    """The n-th fake demo number: +1 504 555 0100 ... 0199 (reserved for fiction)."""
    return f"+1504555{100 + n:04d}"


def ensure_contacts(count: int = CONTACTS) -> list[Contact]:
    """Demo contacts in the three languages, at the partner sites (idempotent)."""
    sites = list(db.session.scalars(db.select(PartnerSite).order_by(PartnerSite.id)))
    contacts = []
    for n in range(count):
        phone = demo_phone(n)
        contact = db.session.scalar(db.select(Contact).filter_by(phone=phone))
        if contact is None:
            locale = DEMO_LOCALES[n % len(DEMO_LOCALES)]
            contact = Contact(
                phone=phone, locale=locale, consent_source="keyword",
                groups=["families", f"families-{locale}"], opted_out=False,
                site=sites[n % len(sites)] if sites else None,
                respondent=new_respondent(locale),
            )
            db.session.add(contact)
        contacts.append(contact)
    db.session.flush()
    return contacts


def _answers(rng: random.Random, who: random.Random, locale: str) -> dict[str, str]:
    """A believable set of raw replies, typed the way families text. ``who`` is seeded per
    contact, so a family's demographics stay the same across its conversations."""
    bank = ANSWER_BANK[locale]
    used = rng.random() < 0.6
    replies = {
        "needs_met": rng.choice(bank["scale"]),
        "used_program": rng.choice(bank["yes"] if used else bank["no"]),
        "one_thing": rng.choice(FREE_TEXT[locale]) if rng.random() < 0.85 else "",
        "role": who.choice(["2", "2", "2", "2", "4", "1"]),
        "neighbourhood": str(who.randint(1, len(NEIGHBOURHOODS) + 1)),
        "race_ethnicity": who.choice(bank["race"]),
    }
    if used:
        replies["program_kind"] = str(rng.randint(1, 4))
    return replies


def _seed_conversation(rng, contact: Contact, version, when) -> tuple[int, list[int]]:
    """One completed SMS survey: response, answers, conversation and the message thread,
    written through the intake the webhook uses. Returns the response's and answers' ids."""
    locale = contact.locale
    db.session.flush()  # the contact and its respondent have ids
    response = add_response(version.id, version.survey_id, channel="sms", locale=locale,
                            respondent_id=contact.respondent.id, site_id=contact.site_id,
                            started_at=when)
    conversation = Conversation(contact=contact, survey_version=version,
                                response_id=response["id"], state="completed", started_at=when,
                                last_activity_at=when)
    db.session.add(conversation)
    replies = _answers(rng, random.Random(contact.phone), locale)
    thread = [(KEYWORD, localized(version.intro, locale))]
    values = {}
    answer_ids = []
    connection = db.session.connection()
    for question in version.questions:
        if not is_applicable(question, values):
            continue
        raw = replies.get(question.key, "")
        thread[-1] = (thread[-1][0], thread[-1][1] + "\n\n" + sms_prompt(question, locale))
        result = parse_answer(question, raw, locale)
        if result.error is None and result.value is not None:
            statement, params = add_answer(response, question, raw, result)
            answer_ids.append(connection.execute(statement, params).scalar_one())
            values[question.key] = result.value
        thread.append((raw or "-", ""))
    thread[-1] = (thread[-1][0], localized(version.thanks, locale))
    completed_at = finish_response(response["id"],
                                   completed_at=when + timedelta(minutes=2 * len(thread)))
    connection.execute(sa.update(Answer).where(Answer.response_id == response["id"])
                       .values(created_at=completed_at))
    for index, (body, reply) in enumerate(thread):
        at = when + timedelta(minutes=2 * index)
        db.session.add(InboundMessage(
            message_sid=f"SMdemo{rng.getrandbits(96):024x}", contact=contact, body=body,
            status="handled", received_at=at,
        ))
        db.session.add(OutboundMessage(
            contact=contact, kind="reply", body=reply.strip(), status="delivered",
            created_at=at + timedelta(seconds=5), sent_at=at + timedelta(seconds=5),
        ))
    return response["id"], answer_ids


def seed_demo_sms() -> None:
    """Seeder: the family survey, contacts and backdated conversations."""
    survey = ensure_family_survey()
    version = operations.current_version(survey)
    contacts = ensure_contacts()
    already = db.session.scalar(
        db.select(db.func.count(Response.id)).filter(
            Response.survey_id == survey.id, Response.channel == "sms"
        )
    )
    if already:
        db.session.commit()
        return
    rng = random.Random(2026)
    now = utcnow()
    responses = []
    for n in range(CONVERSATIONS):
        contact = contacts[n % len(contacts)]
        when = now - timedelta(days=rng.uniform(1, 182), hours=rng.uniform(0, 12))
        responses.append(_seed_conversation(rng, contact, version, when))
    db.session.commit()
    for response_id, answer_ids in responses:
        announce(response_id, answer_ids, True)
