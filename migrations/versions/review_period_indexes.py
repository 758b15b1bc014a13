"""a period's answers and responses read from their indexes alone

Revision ID: review_period_indexes
Revises: review_memo

The review counts a period's answers joined to their responses: the answers' index on
completion time now carries ``response_id`` and the responses get one of their own, so both
sides of the join are read from an index (docs/analysis.md, "Speed with years of data").
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
    if op.get_bind().dialect.name == "postgresql":  # SQLite has no INCLUDE: nothing changes
        op.drop_index("ix_answer_completed", table_name="answer")
        op.create_index("ix_answer_completed", "answer", ["completed_at"],
                        postgresql_include=ANSWER_AFTER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_answer_completed", table_name="answer")
        op.create_index("ix_answer_completed", "answer", ["completed_at"],
                        postgresql_include=ANSWER_BEFORE)
    op.drop_index("ix_response_completed", table_name="response")
