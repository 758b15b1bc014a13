"""Standard demographic questions in English, Spanish and Vietnamese.

Each helper returns a question dict (the shape of surveys.definitions) with
``settings["demographic"]`` set, so feedback.responses.intake copies the answer onto the respondent
and
analysis can disaggregate by it (equity practice: every figure by the groups it concerns).
Race/ethnicity is multiple choice and its "prefer not to say" excludes the other choices.
"""

from __future__ import annotations


def _t(en: str, es: str, vi: str) -> dict:
    return {"en": en, "es": es, "vi": vi}


PREFER_NOT = _t("Prefer not to say", "Prefiero no decir", "Không muốn trả lời")


def _choices(items, prefer_not: bool = True, exclusive: bool = False) -> list[dict]:
    choices = [{"code": code, "label": label, "exclusive": False} for code, label in items]
    if prefer_not:
        choices.append({"code": "prefer_not", "label": PREFER_NOT, "exclusive": exclusive})
    return choices


def _question(key, qtype, demographic, text, choices=None, help=None, **settings) -> dict:
    return {
        "key": key, "type": qtype, "required": False, "text": text, "help": help or {},
        "settings": {"demographic": demographic, **settings},
        "ask_if_key": None, "ask_if_values": None, "choices": choices or [],
    }


def age_group(key: str = "age_group") -> dict:
    return _question(key, "single_choice", "age_group",
                     _t("How old are you?", "¿Cuántos años tiene?", "Bạn bao nhiêu tuổi?"),
                     _choices([
                         ("12_under", _t("12 or younger", "12 o menos", "12 tuổi trở xuống")),
                         ("13_15", _t("13 to 15", "13 a 15", "13 đến 15 tuổi")),
                         ("16_18", _t("16 to 18", "16 a 18", "16 đến 18 tuổi")),
                         ("19_24", _t("19 to 24", "19 a 24", "19 đến 24 tuổi")),
                         ("25_over", _t("25 or older", "25 o más", "25 tuổi trở lên")),
                     ]))


def race_ethnicity(key: str = "race_ethnicity") -> dict:
    return _question(
        key, "multiple_choice", "race_ethnicity",
        _t("How do you describe your race or ethnicity?",
           "¿Cómo describe su raza u origen étnico?",
           "Bạn mô tả chủng tộc hoặc sắc tộc của mình như thế nào?"),
        _choices([
            ("asian", _t("Asian or Asian American", "Asiático/a o asiático-americano/a",
                         "Người châu Á hoặc người Mỹ gốc Á")),
            ("black", _t("Black or African American", "Negro/a o afroamericano/a",
                         "Người da đen hoặc người Mỹ gốc Phi")),
            ("hispanic_latino", _t("Hispanic or Latino/a", "Hispano/a o latino/a",
                                   "Người gốc Tây Ban Nha hoặc Mỹ La-tinh")),
            ("native_american", _t("American Indian or Alaska Native",
                                   "Indígena americano/a o nativo/a de Alaska",
                                   "Người Mỹ bản địa hoặc thổ dân Alaska")),
            ("middle_eastern", _t("Middle Eastern or North African",
                                  "De Medio Oriente o del norte de África",
                                  "Người Trung Đông hoặc Bắc Phi")),
            ("pacific_islander", _t("Native Hawaiian or Pacific Islander",
                                    "Nativo/a de Hawái o de las islas del Pacífico",
                                    "Người Hawaii bản địa hoặc người các đảo Thái Bình Dương")),
            ("white", _t("White", "Blanco/a", "Người da trắng")),
            ("another", _t("Another race or ethnicity", "Otra raza u origen étnico",
                           "Chủng tộc hoặc sắc tộc khác")),
        ], exclusive=True),
        help=_t("Choose all that apply.", "Elija todas las que correspondan.",
                "Chọn tất cả các câu phù hợp."),
    )


def gender(key: str = "gender") -> dict:
    return _question(key, "single_choice", "gender",
                     _t("What is your gender?", "¿Cuál es su género?",
                        "Giới tính của bạn là gì?"),
                     _choices([
                         ("girl_woman", _t("Girl or woman", "Chica o mujer", "Nữ")),
                         ("boy_man", _t("Boy or man", "Chico u hombre", "Nam")),
                         ("nonbinary", _t("Non-binary", "No binario", "Phi nhị nguyên giới")),
                         ("another", _t("Another gender", "Otro género", "Giới tính khác")),
                     ]))


def neighbourhood(places: list[tuple[str, str]], key: str = "neighbourhood") -> dict:
    """``places``: (code, name) pairs; place names stay as they are in every language."""
    items = [(code, _t(name, name, name)) for code, name in places]
    items.append(("other", _t("Somewhere else", "En otro lugar", "Nơi khác")))
    return _question(key, "single_choice", "neighbourhood",
                     _t("Which neighborhood do you live in?", "¿En qué vecindario vive?",
                        "Bạn sống ở khu phố nào?"),
                     _choices(items))


def zip_code(key: str = "zip_code") -> dict:
    return _question(key, "short_text", "zip_code",
                     _t("What is your ZIP code?", "¿Cuál es su código postal?",
                        "Mã bưu điện (ZIP code) của bạn là gì?"), max_length=10)


def role(key: str = "role") -> dict:
    return _question(key, "single_choice", "role",
                     _t("Which best describes you?", "¿Qué le describe mejor?",
                        "Điều nào mô tả đúng nhất về bạn?"),
                     _choices([
                         ("youth", _t("Youth participant", "Joven participante",
                                      "Thanh thiếu niên tham gia chương trình")),
                         ("parent", _t("Parent or caregiver", "Madre, padre o cuidador/a",
                                       "Phụ huynh hoặc người chăm sóc")),
                         ("staff", _t("Staff or volunteer", "Personal o voluntario/a",
                                      "Nhân viên hoặc tình nguyện viên")),
                         ("community", _t("Community member", "Miembro de la comunidad",
                                          "Thành viên cộng đồng")),
                     ], prefer_not=False))


#: The shared demographic question bank: every survey asks these with these codes (a survey's
#: own neighbourhood list aside), so figures from different surveys add up.
BANK = ("age_group", "race_ethnicity", "gender", "role")


def bank() -> list[dict]:
    """The bank's questions (fixed codes, labels in every language)."""
    return [age_group(), race_ethnicity(), gender(), role()]


def bank_question(demographic: str) -> dict | None:
    """The bank's question for one demographic (e.g. "gender"), None if not in the bank."""
    return next((q for q in bank() if q["settings"]["demographic"] == demographic), None)


def bank_codes(demographic: str) -> set[str]:
    """The fixed choice codes of one bank question (e.g. "gender")."""
    question = bank_question(demographic)
    return {c["code"] for c in question["choices"]} if question else set()
