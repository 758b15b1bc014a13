"""a period's answers, responses, tags and themes read from indexes alone

Revision ID: review_period_indexes
Revises: review_memo

The review counts a period's answers joined to their responses, tags and themes: the
answers' index on completion time now carries ``response_id``, and responses, tags and themes
get indexes carrying what those counts read, so every side of the join is read from an index
(docs/analysis.md, "Speed with years of data").
"""
from alembic import op


revision = "review_period_indexes"
down_revision = "review_memo"
branch_labels = None
depends_on = None

ANSWER_BEFORE = ["id", "question_key", "survey_id", "site_id", "channel", "locale",
                 "value_number"]
ANSWER_AFTER = ["id", "response_id", "question_key", "survey_id", "site_id", "channel",
                "locale", "value_number"]
RESPONSE = ["respondent_id", "survey_id", "site_id", "channel", "locale", "origin"]


def upgrade():
    op.create_index("ix_response_completed", "response", ["completed_at"],
                    postgresql_include=RESPONSE)
    op.create_index("ix_answer_tag_sentiment", "answer_tag", ["answer_id"],
                    postgresql_include=["sentiment_label"])
    op.create_index("ix_answer_theme_answer", "answer_theme", ["answer_id"],
                    postgresql_include=["theme_id", "source"])
    if op.get_bind().dialect.name == "postgresql":  # SQLite has no INCLUDE: nothing changes
        op.drop_index("ix_answer_completed", table_name="answer")
        op.create_index("ix_answer_completed", "answer", ["completed_at"],
                        postgresql_include=ANSWER_AFTER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_answer_completed", table_name="answer")
        op.create_index("ix_answer_completed", "answer", ["completed_at"],
                        postgresql_include=ANSWER_BEFORE)
    op.drop_index("ix_answer_theme_answer", table_name="answer_theme")
    op.drop_index("ix_answer_tag_sentiment", table_name="answer_tag")
    op.drop_index("ix_response_completed", table_name="response")
