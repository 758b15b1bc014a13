"""Free-text answers for the demo web responses: believable, varied, in three languages.

Sentences are grouped by question and tone so the seeder can match a youth's rating (an unsafe
rating gets worried text). Some Vietnamese is written without accents or in texting style, and
some English and Spanish is informal, because that is what real answers look like.
"""

from __future__ import annotations

#: What youth like most about the program, by locale and tone.
LIKE_MOST = {
    "en": {
        "positive": [
            "The staff actually listen to us and remember our names.",
            "Basketball after school and the coaches who push us.",
            "I like the homework help, my grades went up this year.",
            "Free snacks and dinner on Thursdays, honestly that helps my family.",
            "The music studio!! I recorded my first song here",
            "It's a safe place to be after school instead of the street.",
            "My friends are here and we do cool field trips.",
            "The job readiness class helped me get my first summer job.",
            "Ms. Tran is the best mentor, she checks on me every week.",
            "the art room and open mic nights",
            "Quiet space to study when home is too loud.",
            "They helped me fill out my FAFSA and college apps.",
        ],
        "neutral": [
            "It's ok. Mostly I come for the gym.",
            "Wifi and a place to charge my phone.",
            "idk, it's somewhere to go",
            "The computer lab, but some computers are really old.",
            "Cooking class is fine.",
        ],
        "negative": [
            "Not much honestly, there's nothing for older teens.",
            "It used to be better before they cut the evening hours.",
            "Too many rules and the younger kids are loud.",
        ],
    },
    "es": {
        "positive": [
            "Los consejeros me ayudan mucho con la escuela.",
            "Me gusta el fútbol y que los entrenadores nos tienen paciencia.",
            "La comida caliente, a veces es lo único que como en la tarde.",
            "Aquí puedo hablar en español y nadie se burla de mí.",
            "Las clases de arte y baile folklórico.",
            "Me ayudaron a encontrar un trabajo de medio tiempo.",
            "el grupo de jóvenes, somos como familia",
            "Que es un lugar seguro y tranquilo para hacer la tarea.",
        ],
        "neutral": [
            "Está bien, vengo porque mi mamá trabaja tarde.",
            "La biblioteca y las computadoras.",
            "pues nada especial, los amigos",
        ],
        "negative": [
            "Casi no hay actividades para los de mi edad.",
            "Cerraron los sábados y ya no tengo a dónde ir.",
        ],
    },
    "vi": {
        "positive": [
            "Em thích lớp học kèm, các anh chị giúp em làm bài tập rất nhiệt tình.",
            "Có nhiều bạn bè và các hoạt động vui sau giờ học.",
            "Cô chú ở đây rất tốt, em cảm thấy như ở nhà.",
            "em thich choi bong ro voi may ban",
            "lop nau an vui lam, co do an ngon nua",
            "Chương trình hướng nghiệp giúp em biết mình muốn làm gì sau này.",
            "Được nói tiếng Việt với mọi người, không thấy lạc lõng.",
        ],
        "neutral": [
            "Cũng được, em hay đến để dùng máy tính.",
            "binh thuong thoi, den cho vui",
            "ok, co wifi",
        ],
        "negative": [
            "Ít hoạt động cho tuổi của em quá.",
            "k co gi nhieu de lam, chan lam",
        ],
    },
}

#: What should change in the neighbourhood, by locale and tone.
CHANGE_NEIGHBOURHOOD = {
    "en": {
        "negative": [
            "The bus comes every 45 minutes and it's always late, I miss first period.",
            "Fix the street lights on our block, it's pitch dark walking home.",
            "The park by the school has broken glass and needles everywhere.",
            "Rent keeps going up and my family might have to move.",
            "Police stop my friends for nothing. We need respect not harassment.",
            "There are no jobs for teens around here unless you have a car.",
            "nothing to do at night so people get in trouble",
            "The grocery store closed, now it's only gas station food.",
            "Too many shootings this summer, I don't let my little brother outside.",
            "Kids need someone to talk to, lots of us are stressed and depressed.",
            "School bathrooms are gross and the heat doesn't work.",
        ],
        "neutral": [
            "More trash cans and someone to empty them.",
            "A rec center that stays open on weekends.",
            "Bike lanes and a safer crossing at the main road.",
            "More summer programs and paid internships.",
            "Counselors at school who aren't booked for weeks.",
            "more basketball courts pls",
        ],
        "positive": [
            "Honestly it's getting better, the new park is nice. Keep it up.",
            "The community garden is great, we need more of those.",
            "I like the new youth night at the library, do more of that.",
        ],
    },
    "es": {
        "negative": [
            "El autobús pasa muy tarde y no hay parada techada cuando llueve.",
            "Hay muchas casas abandonadas y da miedo caminar de noche.",
            "La renta está carísima, vivimos dos familias en un apartamento.",
            "La policía no viene cuando la llamamos, pero sí molesta a los jóvenes.",
            "No hay trabajos para jóvenes que no tienen papeles.",
            "el parque esta sucio y hay gente tomando todo el dia",
            "Falta una clínica donde hablen español para la salud mental.",
        ],
        "neutral": [
            "Más luces en las calles y banquetas arregladas.",
            "Un lugar para hacer deporte los fines de semana.",
            "Clases de inglés para los papás en la tarde.",
            "Más programas de verano gratis.",
        ],
        "positive": [
            "Me gusta mi barrio, solo pondría más árboles y bancas.",
            "Los vecinos se ayudan mucho, eso está bien.",
        ],
    },
    "vi": {
        "negative": [
            "Xe buýt chạy ít quá, em phải đợi gần một tiếng mới có chuyến.",
            "Đường tối lắm, cần thêm đèn đường gần trạm xe buýt.",
            "Công viên gần nhà có nhiều rác và người lạ, em không dám ra chơi.",
            "tien nha tang hoai, ba me em lo lam",
            "ko co viec lam cho hoc sinh o gan day",
            "Nhiều bạn bị căng thẳng, buồn chán nhưng không biết nói với ai.",
            "canh sat hay chan xe may ban em ma k noi ly do",
        ],
        "neutral": [
            "Cần thêm sân bóng và chỗ chơi cho thanh thiếu niên.",
            "Nên có lớp học tiếng Anh buổi tối cho người lớn.",
            "them thung rac va don dep duong pho",
            "Mở thêm chương trình hè miễn phí.",
        ],
        "positive": [
            "Khu phố em khá yên bình, chỉ cần thêm cây xanh thôi.",
            "Chợ nông sản cuối tuần rất tốt, nên giữ lại.",
        ],
    },
}

#: Why a youth feels unsafe at the site (asked only after a low safety rating).
WHY_UNSAFE = {
    "en": [
        "Older guys hang out by the door after dark.",
        "There was a fight in the parking lot last week.",
        "Nobody checks who comes in.",
        "The walk from the bus stop is scary at night.",
        "some kids bully me and staff don't see it",
    ],
    "es": [
        "Afuera hay gente peleando en la noche.",
        "Me han molestado camino a la parada del autobús.",
        "no hay nadie en la puerta revisando",
    ],
    "vi": [
        "Có mấy người lạ đứng ngoài cửa vào buổi tối.",
        "Đi bộ từ trạm xe buýt về rất tối và sợ.",
        "may dua lon hay bat nat tui em",
    ],
}
