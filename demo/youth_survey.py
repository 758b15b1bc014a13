"""The demo survey definition: "Youth Voice", an open web survey in English, Spanish and
Vietnamese. Other packages seed answers against the key constants below (demo.cli lists the stages);
this module only defines and publishes the survey (the first seed-demo stage), idempotently.
"""

from __future__ import annotations

from feedback.core.extensions import db
from surveys import demographics
from surveys.demographics import _t
from surveys.models import Survey

YOUTH_SLUG = "youth-voice"

# Question keys of the youth survey (stable across versions).
SAFE = "safe_at_site"  #: scale 1-5, required
WHY_UNSAFE = "why_unsafe"  #: short_text, asked only if SAFE is 1 or 2
TRUSTED_ADULT = "trusted_adult"  #: yes_no
ATTENDANCE = "attendance"  #: single_choice
NEIGHBOURHOOD_BETTER = "neighbourhood_better"  #: multiple_choice, up to 3
HOURS = "hours_per_week"  #: number 0-60
LIKE_MOST = "like_most"  #: long_text
CHANGE_NEIGHBOURHOOD = "change_neighbourhood"  #: long_text
AGE_GROUP = "age_group"  #: demographic single_choice
RACE_ETHNICITY = "race_ethnicity"  #: demographic multiple_choice (prefer_not exclusive)
GENDER = "gender"  #: demographic single_choice
NEIGHBOURHOOD = "neighbourhood"  #: demographic single_choice
ROLE = "role"  #: demographic single_choice

#: Free-text questions (for analysis seeding: themes, sentiment, language detection).
FREE_TEXT_KEYS = (WHY_UNSAFE, LIKE_MOST, CHANGE_NEIGHBOURHOOD)
DEMOGRAPHIC_KEYS = (AGE_GROUP, RACE_ETHNICITY, GENDER, NEIGHBOURHOOD, ROLE)


def _q(key, qtype, text, required=False, choices=(), help=None, ask_if=None, **settings):
    return {
        "key": key, "type": qtype, "required": required, "text": text, "help": help or {},
        "settings": settings, "ask_if_key": ask_if[0] if ask_if else None,
        "ask_if_values": list(ask_if[1]) if ask_if else None,
        "choices": [{"code": c, "label": label, "exclusive": False} for c, label in choices],
    }


def youth_voice_definition() -> dict:
    """The youth survey in the import/export format (surveys.definitions)."""
    return {
        "format": "coalition-feedback/survey", "format_version": 1,
        "slug": YOUTH_SLUG, "sms_keyword": None,
        "title": _t("Youth Voice", "La Voz de la Juventud", "Tiếng nói Thanh thiếu niên"),
        "intro": _t(
            "Tell us how things are going at your program and in your neighborhood. It takes "
            "a few minutes. Most questions are optional, and we never ask for your name.",
            "Cuéntenos cómo le va en su programa y en su vecindario. Toma unos minutos. La "
            "mayoría de las preguntas son opcionales y nunca le pedimos su nombre.",
            "Hãy cho chúng tôi biết mọi việc ở chương trình và khu phố của bạn thế nào. Chỉ mất "
            "vài phút. Hầu hết các câu hỏi đều không bắt buộc, và chúng tôi không bao giờ "
            "hỏi tên bạn.",
        ),
        "thanks": _t(
            "Thank you! Your answers help the coalition decide what to change. Watch for a "
            "“You said, we did” update.",
            "¡Gracias! Sus respuestas ayudan a la coalición a decidir qué cambiar. Pronto le "
            "contaremos qué hicimos con lo que nos dijo.",
            "Cảm ơn bạn! Câu trả lời của bạn giúp liên minh quyết định cần thay đổi điều gì. "
            "Chúng tôi sẽ sớm cho bạn biết những gì đã làm từ ý kiến của bạn.",
        ),
        "questions": [
            _q(SAFE, "scale", _t("How safe do you feel at this site?",
                                 "¿Qué tan seguro/a se siente en este lugar?",
                                 "Bạn cảm thấy an toàn như thế nào ở nơi này?"),
               required=True, min=1, max=5,
               low=_t("Not safe at all", "Nada seguro/a", "Hoàn toàn không an toàn"),
               high=_t("Very safe", "Muy seguro/a", "Rất an toàn")),
            _q(WHY_UNSAFE, "short_text", _t("What makes you feel unsafe here?",
                                            "¿Qué le hace sentir inseguro/a aquí?",
                                            "Điều gì khiến bạn cảm thấy không an toàn ở đây?"),
               ask_if=(SAFE, [1, 2]), max_length=300),
            _q(TRUSTED_ADULT, "yes_no", _t("Is there an adult here you can talk to?",
                                           "¿Hay un adulto aquí con quien pueda hablar?",
                                           "Ở đây có người lớn nào mà bạn có thể tâm sự không?")),
            _q(ATTENDANCE, "single_choice",
               _t("How often do you come to this program?",
                  "¿Con qué frecuencia viene a este programa?",
                  "Bạn đến chương trình này thường xuyên như thế nào?"),
               choices=[
                   ("first_time", _t("This is my first time", "Es mi primera vez",
                                     "Đây là lần đầu tiên")),
                   ("less_weekly", _t("Less than once a week", "Menos de una vez por semana",
                                      "Ít hơn một lần mỗi tuần")),
                   ("weekly", _t("Once or twice a week", "Una o dos veces por semana",
                                 "Một hoặc hai lần mỗi tuần")),
                   ("most_days", _t("Most days", "Casi todos los días",
                                    "Hầu như ngày nào cũng đến")),
               ]),
            _q(NEIGHBOURHOOD_BETTER, "multiple_choice",
               _t("What would make your neighborhood better?", "¿Qué mejoraría su vecindario?",
                  "Điều gì sẽ làm cho khu phố của bạn tốt hơn?"),
               help=_t("Choose up to three.", "Elija hasta tres.", "Chọn tối đa ba điều."),
               max_choices=3,
               choices=[
                   ("parks", _t("Safer parks and playgrounds",
                                "Parques y áreas de juego más seguros",
                                "Công viên và sân chơi an toàn hơn")),
                   ("lighting", _t("Better street lighting", "Mejor alumbrado en las calles",
                                   "Đèn đường sáng hơn")),
                   ("jobs", _t("Jobs and internships for youth",
                               "Empleos y pasantías para jóvenes",
                               "Việc làm và thực tập cho thanh thiếu niên")),
                   ("transport", _t("Better buses and transportation",
                                    "Mejores autobuses y transporte",
                                    "Xe buýt và phương tiện đi lại tốt hơn")),
                   ("activities", _t("More after-school activities",
                                     "Más actividades después de clases",
                                     "Thêm hoạt động sau giờ học")),
                   ("clean", _t("Cleaner streets", "Calles más limpias",
                                "Đường phố sạch sẽ hơn")),
               ]),
            _q(HOURS, "number", _t("About how many hours a week do you spend here?",
                                   "Más o menos, ¿cuántas horas por semana pasa aquí?",
                                   "Mỗi tuần bạn ở đây khoảng bao nhiêu giờ?"), min=0, max=60),
            _q(LIKE_MOST, "long_text", _t("What do you like most about this program?",
                                          "¿Qué es lo que más le gusta de este programa?",
                                          "Bạn thích điều gì nhất ở chương trình này?")),
            _q(CHANGE_NEIGHBOURHOOD, "long_text",
               _t("What should change in your neighborhood?",
                  "¿Qué debería cambiar en su vecindario?",
                  "Khu phố của bạn nên thay đổi điều gì?")),
            demographics.age_group(AGE_GROUP),
            demographics.race_ethnicity(RACE_ETHNICITY),
            demographics.gender(GENDER),
            demographics.neighbourhood([("eastside", "Eastside"), ("riverside", "Riverside"),
                                        ("new_orleans_east", "New Orleans East"),
                                        ("central_city", "Central City")], NEIGHBOURHOOD),
            demographics.role(ROLE),
        ],
    }


def seed_youth_survey() -> Survey:
    """Create and publish the youth survey unless it exists (safe to run twice)."""
    from surveys.operations import get_survey, import_definition, publish

    survey = get_survey(YOUTH_SLUG)
    if survey is None:
        survey = import_definition(youth_voice_definition())
        publish(survey, ["en", "es", "vi"])
    db.session.commit()
    return survey
