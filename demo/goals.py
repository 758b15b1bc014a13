"""Demo agenda (a seed-demo stage, after the tagging): five goals linked to the demo codebook's
themes, with indicators on the youth-voice survey's closed questions (demo/youth_survey.py), so
the dashboard shows two quarters of trends on first run. Idempotent: goals are found by key."""

from __future__ import annotations

import sqlalchemy as sa

from analysis.models import Theme
from analysis.review.goals import AgendaGoal, Indicator
from feedback.core.extensions import db

#: (key, names, descriptions, theme keys, [(labels, question key, rule, values)])
GOALS = [
    ("youth-feel-safe",
     {"en": "Youth feel safe", "es": "Los jóvenes se sienten seguros",
      "vi": "Thanh thiếu niên cảm thấy an toàn"},
     {"en": "At partner sites, on the way there and in their neighbourhood.",
      "es": "En los sitios asociados, en el camino y en su vecindario.",
      "vi": "Tại các địa điểm đối tác, trên đường đến đó và trong khu phố của các em."},
     ["safety", "police_justice", "police"],
     [({"en": "Feel safe at their site (4–5 of 5)", "es": "Se sienten seguros (4–5 de 5)",
        "vi": "Cảm thấy an toàn (4–5 trên 5)"}, "safe_at_site", "share_of_values", ["4", "5"]),
      ({"en": "Have an adult to talk to", "es": "Tienen un adulto con quien hablar",
        "vi": "Có người lớn để trò chuyện"}, "trusted_adult", "share_of_values", ["yes"])]),
    ("getting-around",
     {"en": "Reliable ways to get around", "es": "Formas confiables de moverse",
      "vi": "Phương tiện đi lại đáng tin cậy"},
     {"en": "Buses, safe routes and rides to programs.",
      "es": "Autobuses, rutas seguras y transporte a los programas.",
      "vi": "Xe buýt, đường đi an toàn và phương tiện đưa đón đến các chương trình."},
     ["transportation", "transport"], []),
    ("jobs-skills",
     {"en": "Jobs and skills for young people", "es": "Empleos y habilidades para jóvenes",
      "vi": "Việc làm và kỹ năng cho người trẻ"},
     {"en": "Summer jobs, internships and training.",
      "es": "Empleos de verano, prácticas y capacitación.",
      "vi": "Việc làm mùa hè, thực tập và đào tạo."},
     ["jobs"], []),
    ("healthy-minds-bodies",
     {"en": "Healthy minds and bodies", "es": "Mente y cuerpo sanos",
      "vi": "Tinh thần và thể chất khỏe mạnh"},
     {"en": "Health care, mental health support, food and places to play.",
      "es": "Atención médica, apoyo de salud mental, alimentos y lugares para jugar.",
      "vi": "Chăm sóc sức khỏe, hỗ trợ sức khỏe tâm thần, thực phẩm và nơi vui chơi."},
     ["health", "mental_health", "food", "parks_recreation", "parks"],
     [({"en": "Hours a week at the program (average)", "es": "Horas por semana (promedio)",
        "vi": "Số giờ mỗi tuần (trung bình)"}, "hours_per_week", "mean", [])]),
    ("welcoming-schools",
     {"en": "Welcoming schools", "es": "Escuelas acogedoras", "vi": "Trường học thân thiện"},
     {"en": "Schools where every family feels welcome.",
      "es": "Escuelas donde todas las familias se sienten bienvenidas.",
      "vi": "Trường học nơi mọi gia đình đều cảm thấy được chào đón."},
     ["schools", "youth_programs"], []),
]


def seed_demo_goals() -> None:
    """Create the demo goals once; later runs leave staff edits alone."""
    themes = {t.key: t for t in db.session.scalars(sa.select(Theme))}
    for position, (key, names, descriptions, theme_keys, indicators) in enumerate(GOALS):
        if db.session.scalar(sa.select(AgendaGoal.id).filter_by(key=key)) is not None:
            continue
        goal = AgendaGoal(key=key, names=names, descriptions=descriptions, position=position,
                          themes=[themes[k] for k in theme_keys if k in themes])
        goal.indicators = [
            Indicator(labels=labels, question_key=qkey, rule=rule, values=values, position=i)
            for i, (labels, qkey, rule, values) in enumerate(indicators)
        ]
        db.session.add(goal)
    db.session.commit()
