"""The codebook a new coalition starts from (staff can edit a copy of it).

Why these keywords: they are the words families and youth used in the project's example answers
for each area of a typical collective-impact agenda. Matching folds accents, so Vietnamese
keywords also match unaccented typing; that is also why short Vietnamese syllables are avoided
or kept inside phrases: folded, "súng" (gun) is "sung" as in "sung sướng" (happy), "thuốc"
(medicine) is "thuoc" as in "thuộc" (belong), and "lương" (wage) hides in "chất lượng"
(quality). English "park*" would catch "parking" (transportation), so park is a plain word.
"""

from __future__ import annotations

__all__ = ["DEFAULT_CODEBOOK"]

DEFAULT_CODEBOOK: dict[str, dict[str, dict[str, object]]] = {
    "safety": {
        "labels": {"en": "Safety", "es": "Seguridad", "vi": "An toàn"},
        "keywords": {
            "en": ["safe", "safety", "unsafe", "danger*", "violen*", "shooting", "got shot",
                   "shot at", "gun", "fight*", "gang*", "crime", "robbed", "robbery", "stolen",
                   "bull*", "scary", "scared", "afraid", "streetlight", "street light",
                   "jumped", "drug dealing", "drug dealer"],
            "es": ["seguridad", "inseguro*", "insegura*", "peligr*", "violen*", "balacera",
                   "balazo", "disparo", "tiroteo", "pistola", "armas", "pelea*", "pandilla",
                   "crimen", "delincuencia", "robo", "robaron", "asalt*", "acoso", "bullying",
                   "miedo", "luces de la calle", "alumbrado", "venden drogas"],
            "vi": ["an toàn", "nguy hiểm", "bạo lực", "đánh nhau", "nổ súng", "tiếng súng",
                   "bị bắn", "băng đảng", "trộm", "cướp", "bắt nạt", "lo sợ", "sợ hãi",
                   "đáng sợ", "đèn đường", "bán ma túy", "tội phạm", "chặn đánh"],
        },
    },
    "transportation": {
        "labels": {"en": "Transportation", "es": "Transporte", "vi": "Đi lại"},
        "keywords": {
            "en": ["bus", "buses", "school bus", "bus stop", "bus pass", "ride to school",
                   "transport*", "transit", "streetcar", "train", "traffic", "sidewalk",
                   "crosswalk", "bike lane", "bicycle", "commute", "bus driver", "parking",
                   "car", "driving"],
            "es": ["autobús", "camión", "bus", "transporte", "parada", "ruta", "tren",
                   "tranvía", "tráfico", "banqueta", "acera", "cruce peatonal", "bicicleta",
                   "chofer", "carro", "raite", "pasaje", "manejar"],
            "vi": ["xe buýt", "xe bus", "xe đưa rước", "đưa đón", "đi lại", "giao thông",
                   "xe đạp", "trạm xe", "bến xe", "tài xế", "phương tiện", "kẹt xe",
                   "vỉa hè", "xe điện", "vé xe", "qua đường", "xe hơi", "lái xe"],
        },
    },
    "jobs": {
        "labels": {"en": "Jobs", "es": "Empleo", "vi": "Việc làm"},
        "keywords": {
            "en": ["job", "employ*", "unemploy*", "hire", "hiring", "hired", "internship",
                   "career", "wage", "paycheck", "part time", "part-time", "work experience",
                   "job training", "income", "looking for work", "find work", "resume"],
            "es": ["trabajo", "empleo", "desempleo", "chamba", "contrat*", "pasantía",
                   "sueldo", "salario", "medio tiempo", "experiencia laboral", "capacitación",
                   "ingresos", "oficio", "currículum"],
            "vi": ["việc làm", "công việc", "tìm việc", "thất nghiệp", "tuyển dụng",
                   "thực tập", "tiền lương", "trả lương", "lương thấp", "đi làm",
                   "kiếm tiền", "làm thêm", "học nghề", "dạy nghề", "nghề nghiệp", "thu nhập",
                   "mất việc", "nhận việc"],
        },
        "exclude": {"en": ["good job", "great job", "nice job", "job well done"],
                    "es": ["buen trabajo", "gran trabajo", "excelente trabajo"]},
    },
    "schools": {
        "labels": {"en": "Schools", "es": "Escuelas", "vi": "Trường học"},
        "keywords": {
            "en": ["school", "teacher", "class", "classroom", "classmate", "homework",
                   "tutor*", "grade", "principal", "student", "education", "college",
                   "graduat*", "high school", "middle school", "report card", "substitute"],
            "es": ["escuela", "colegio", "maestr*", "profesor*", "clase", "salón", "salones",
                   "tarea", "tutoría", "calificaciones", "estudiante", "alumno*",
                   "educación", "prepa", "preparatoria", "secundaria", "primaria",
                   "universidad", "graduar*"],
            "vi": ["trường", "trường học", "nhà trường", "giáo viên", "thầy cô", "cô giáo",
                   "thầy giáo", "lớp học", "vào lớp", "bài tập", "học sinh", "điểm số",
                   "gia sư", "đại học", "trung học", "tiểu học", "đi học", "việc học",
                   "học kèm"],
        },
        "exclude": {"vi": ["trường hợp", "thị trường"]},
    },
    "health": {
        "labels": {"en": "Health", "es": "Salud", "vi": "Sức khỏe"},
        "keywords": {
            "en": ["health", "doctor", "clinic", "hospital",
                   "medic*", "insurance", "dentist", "dental", "sick", "illness", "asthma",
                   "vaccin*", "nurse", "healthcare", "pharmacy", "diabet*", "emergency room",
                   "checkup", "flu shot"],
            "es": ["salud", "médico", "doctor", "doctora", "clínica", "hospital", "medicina",
                   "seguro médico", "dentista", "enferm*", "vacuna*", "asma", "farmacia",
                   "diabetes", "emergencias"],
            "vi": ["sức khỏe", "sức khoẻ", "bác sĩ", "phòng khám", "bệnh viện",
                   "uống thuốc", "tiền thuốc", "mua thuốc", "thuốc men", "bảo hiểm y tế",
                   "nha sĩ", "bị bệnh", "bị ốm", "tiêm ngừa", "chích ngừa", "vắc xin",
                   "hen suyễn", "y tá", "khám bệnh", "y tế", "cấp cứu"],
        },
    },
    "housing": {
        "labels": {"en": "Housing", "es": "Vivienda", "vi": "Nhà ở"},
        "keywords": {
            "en": ["housing", "rent", "rental", "landlord", "apartment", "evict*",
                   "homeless*", "mold", "shelter", "affordable", "lease", "place to live",
                   "deposit", "utilities"],
            "es": ["vivienda", "renta", "alquiler", "casero", "dueño", "apartamento",
                   "departamento", "desaloj*", "sin hogar", "moho", "humedad", "albergue",
                   "depósito"],
            "vi": ["nhà ở", "tiền nhà", "thuê nhà", "tiền thuê", "chủ nhà", "căn hộ",
                   "nhà trọ", "vô gia cư", "đuổi nhà", "nấm mốc", "giá nhà", "chỗ ở",
                   "nhà tạm trú", "tiền cọc"],
        },
        "exclude": {"en": ["bus shelter"]},
    },
    "food": {
        "labels": {"en": "Food", "es": "Comida", "vi": "Thực phẩm"},
        "keywords": {
            "en": ["food", "lunch", "breakfast", "dinner", "meal", "hungry", "hunger",
                   "food bank", "food pantry", "food stamps", "snap", "wic", "grocer*",
                   "cafeteria", "nutrition", "vegetables", "eat", "eating", "starving"],
            "es": ["comida", "alimento", "almuerzo", "desayuno", "cena", "cenamos", "hambre",
                   "banco de comida", "despensa", "cafetería", "lonche", "estampillas",
                   "mandado", "verduras", "nutrición", "comer", "comemos", "wic"],
            "vi": ["thức ăn", "đồ ăn", "bữa ăn", "bữa trưa", "bữa sáng", "bữa tối",
                   "ăn trưa", "ăn sáng", "đói bụng", "bị đói", "thực phẩm", "căng tin",
                   "phiếu thực phẩm", "dinh dưỡng", "rau tươi", "ăn cơm", "đi chợ"],
        },
    },
    "youth_programs": {
        "labels": {"en": "Youth programs", "es": "Programas juveniles",
                   "vi": "Chương trình thanh thiếu niên"},
        "keywords": {
            "en": ["youth program", "after school", "after-school", "program", "camp",
                   "summer camp", "mentor*", "club", "youth center", "activity",
                   "things to do", "nothing to do", "somewhere to go", "nowhere to go",
                   "volunteer*", "youth council"],
            "es": ["programa", "campamento", "después de clases", "después de la escuela",
                   "actividades", "mentor*", "club", "centro juvenil", "juvenil",
                   "voluntari*", "nada que hacer", "a dónde ir"],
            "vi": ["chương trình", "sinh hoạt", "câu lạc bộ", "trại hè", "hoạt động",
                   "ngoại khóa", "sau giờ học", "trung tâm thanh thiếu niên",
                   "trung tâm thanh niên", "cố vấn", "tình nguyện", "không có gì để làm",
                   "người hướng dẫn"],
        },
    },
    "mental_health": {
        "labels": {"en": "Mental health", "es": "Salud mental", "vi": "Sức khỏe tâm thần"},
        "keywords": {
            "en": ["mental health", "stress*", "anxiety", "anxious", "depress*", "counsel*",
                   "therap*", "psycholog*", "lonely", "loneliness", "alone", "suicid*",
                   "self harm", "overwhelm*", "grief", "trauma*", "someone to talk to",
                   "nobody to talk to", "panic attack"],
            "es": ["salud mental", "estrés", "estresad*", "ansiedad", "ansios*", "depresión",
                   "deprimid*", "consejer*", "terapia", "terapeuta", "psicólog*", "soledad",
                   "suicid*", "agobiad*", "trauma*", "con quién hablar", "ataques de pánico"],
            "vi": ["sức khỏe tâm thần", "tâm lý", "căng thẳng", "lo âu", "trầm cảm",
                   "cô đơn", "tư vấn", "áp lực", "tự tử", "stress", "khủng hoảng",
                   "tâm sự", "hoảng loạn"],
        },
    },
    "police_justice": {
        "labels": {"en": "Police and justice", "es": "Policía y justicia",
                   "vi": "Cảnh sát và tư pháp"},
        "keywords": {
            "en": ["police", "cop", "cops", "officer", "arrest*", "jail", "prison", "court",
                   "juvenile justice", "probation", "detention", "sheriff", "deport*",
                   "immigration", "criminal record", "911", "racial profiling"],
            "es": ["policía", "policías", "patrulla", "arrest*", "detenid*", "cárcel",
                   "prisión", "juzgado", "libertad condicional", "migra", "inmigración",
                   "deport*", "oficiales"],
            "vi": ["cảnh sát", "công an", "bắt giữ", "bị bắt", "nhà tù", "ở tù", "đi tù",
                   "tòa án", "di trú", "trục xuất", "quản chế", "lục soát"],
        },
        "exclude": {"en": ["basketball court", "tennis court", "food court"],
                    "vi": ["bị bắt nạt"]},
    },
    "parks_recreation": {
        "labels": {"en": "Parks and recreation", "es": "Parques y recreación",
                   "vi": "Công viên và giải trí"},
        "keywords": {
            "en": ["park", "playground", "basketball court", "tennis court", "pool", "swimming",
                   "swim", "field", "sport", "soccer", "basketball", "football", "baseball",
                   "gym", "recreation", "rec center", "trail", "green space", "swing",
                   "skate park", "hoop"],
            "es": ["parque", "área de juegos", "juegos del parque", "cancha", "alberca",
                   "piscina", "natación", "deporte", "fútbol", "básquetbol", "basquet",
                   "centro recreativo", "recreación", "espacios verdes", "columpio",
                   "gimnasio", "aros"],
            "vi": ["công viên", "sân chơi", "sân bóng", "bóng rổ", "bóng đá", "đá bóng",
                   "hồ bơi", "dạy bơi", "thể thao", "khu vui chơi", "nhà văn hóa",
                   "tập thể dục", "trung tâm giải trí", "xích đu", "trượt ván", "phòng tập"],
        },
    },
}


#: English example sentences per theme: matched by meaning in every language (the encoder places
#: "the bus never comes" next to "el autobús nunca llega"), so they need no translation.
_EXAMPLES_EN: dict[str, list[str]] = {
    "safety": ["I don't feel safe walking home at night", "there are fights outside the school",
               "the older kids bully us", "the street is dark and scary"],
    "transportation": ["the bus never comes on time", "there is no way to get to school",
                       "the bus stop is too far from my house"],
    "jobs": ["I can't find a job", "we need more jobs for teenagers",
             "my parents work two jobs and still can't pay bills"],
    "schools": ["the teachers don't help us with homework", "my school has too many students",
                "classes are boring and the school is old"],
    "health": ["the clinic is too far away", "we can't afford to see a doctor"],
    "housing": ["the rent is too high", "our apartment has mold and the landlord won't fix it"],
    "food": ["there is no grocery store near us", "we don't have enough food at home"],
    "youth_programs": ["there is nothing for kids to do after school",
                       "we need more after-school programs for youth"],
    "mental_health": ["I feel stressed and anxious all the time",
                      "kids need someone to talk to when they are depressed"],
    "police_justice": ["the police stop us for no reason", "officers don't listen to us"],
    "parks_recreation": ["we need more basketball courts", "the park is dirty and has no lights"],
}
for _key, _sentences in _EXAMPLES_EN.items():
    if _key in DEFAULT_CODEBOOK:
        DEFAULT_CODEBOOK[_key]["examples"] = {"en": list(_sentences)}
