"""The demo tagging seeder: the shipped codebook, every seeded comment tagged, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from analysis.models import AnswerTag, AnswerTheme, Theme
from demo.analysis import seed_demo_analysis


def test_demo_seeder_tags_everything_once(app, db, people):
    people(3, comment="I feel unsafe walking home, there was a fight near the store")
    people(2, comment="La comida del programa es deliciosa", locale="es")
    people(2, safe=True)
    seed_demo_analysis()
    themes = db.session.scalar(sa.select(sa.func.count()).select_from(Theme))
    assert themes > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnswerTag)) == 5
    safety = db.session.scalar(db.select(Theme).filter_by(key="safety"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnswerTheme)
                             .where(AnswerTheme.theme_id == safety.id)) == 3
    before = {t.answer_id: t.analyzed_at for t in db.session.scalars(db.select(AnswerTag))}
    seed_demo_analysis()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == themes
    after = {t.answer_id: t.analyzed_at for t in db.session.scalars(db.select(AnswerTag))}
    assert after == before  # nothing re-tagged: the tags are current
