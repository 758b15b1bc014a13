"""Demo replies for the family SMS survey, as families really text them, in three languages.

Data only (used by demo.sms); varied on purpose so the analysis stage has themes,
sentiment and languages to find.
"""

from __future__ import annotations

#: (code, name) of the demo neighbourhoods (names are the same in every language).
NEIGHBOURHOODS = [
    ("eastside", "Eastside"),
    ("riverside", "Riverside"),
    ("new_orleans_east", "New Orleans East"),
    ("gentilly", "Gentilly"),
    ("central_city", "Central City"),
]

ANSWER_BANK = {
    "en": {
        "scale": ["5", "4", "4", "3", "4", "2", "5", "3", "1", "four", "4!"],
        "yes": ["yes", "Yes", "y", "yeah", "yes please", "Yep"],
        "no": ["no", "No", "nope", "not really"],
        "race": ["2", "2", "3", "1", "6", "2 and 3", "7"],
    },
    "es": {
        "scale": ["5", "4", "3", "4", "cuatro", "2", "5", "3", "tres"],
        "yes": ["sí", "si", "Sí claro", "si gracias"],
        "no": ["no", "No", "no gracias"],
        "race": ["3", "3", "3", "3 y 2", "6", "7"],
    },
    "vi": {
        "scale": ["5", "4", "3", "4", "bốn", "2", "5", "3"],
        "yes": ["có", "co", "Có ạ", "vâng"],
        "no": ["không", "ko", "khong"],
        "race": ["1", "1", "1", "1", "6", "7"],
    },
}

FREE_TEXT = {
    "en": [
        "More tutoring after school, my son is falling behind in math",
        "Longer hours at the center so I can pick up after work",
        "A safe way for kids to get home, the bus stop is dark",
        "Summer programs that don't cost so much",
        "Help finding a job that works with school hours",
        "Healthy snacks, my kids come home starving",
        "Honestly the staff are great, just keep doing what you're doing",
        "Information in time, we found out about the field trip the day before",
        "Transportation!! We don't have a car",
        "Mental health support for teens, my daughter is struggling",
        "Weekend activities for the little ones too",
        "Help with rent, it went up again",
        "More sports, the waitlist for basketball is too long",
        "Internet at home so they can do homework",
        "Parents meetings in the evening not at 3pm",
        "Nothing really, we are happy with the program",
        "A quieter room for homework, it is very loud",
        "Help with college applications for my oldest",
    ],
    "es": [
        "Más tutoría en inglés para mi hija",
        "Transporte para llegar al centro, no tenemos carro",
        "Que la información llegue en español, a veces no entiendo las cartas",
        "Programas de verano más baratos",
        "Ayuda para encontrar trabajo con horario flexible",
        "Clases para padres de cómo ayudar con la tarea",
        "Todo muy bien, los maestros son muy amables",
        "Más actividades los sábados",
        "Comida saludable en el programa",
        "Apoyo con la renta, está muy cara",
        "Que abran más temprano, entro a trabajar a las 7",
        "Un lugar seguro para jugar, el parque no está bien",
        "Atención médica y dental para los niños",
        "Ayuda con el internet para las tareas",
    ],
    "vi": [
        "Cần thêm lớp học kèm môn toán cho con",
        "Cần xe đưa đón vì gia đình không có xe",
        "Thông tin bằng tiếng Việt để ông bà hiểu được",
        "Chương trình hè rẻ hơn",
        "Giúp tìm việc làm có giờ giấc linh hoạt",
        "Các thầy cô rất tốt, cảm ơn nhiều",
        "Thêm hoạt động cuối tuần cho các cháu nhỏ",
        "Hỗ trợ tiền nhà, giá thuê tăng quá",
        "Cần chỗ yên tĩnh để con làm bài tập",
        "Họp phụ huynh buổi tối thì tiện hơn",
        "Hỗ trợ sức khỏe tinh thần cho thanh thiếu niên",
        "Internet ở nhà để con học",
    ],
}
