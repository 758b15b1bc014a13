"""responses by completion time, covering what the review counts from them

Revision ID: response_completed_index
Revises: review_memo
"""
from alembic import op


revision = "response_completed_index"
down_revision = "review_memo"
branch_labels = None
depends_on = None

COVERED = ["respondent_id", "survey_id", "site_id", "channel", "locale", "origin"]


def upgrade():
    op.create_index("ix_response_completed", "response", ["completed_at"],
                    postgresql_include=COVERED)


def downgrade():
    op.drop_index("ix_response_completed", table_name="response")
