"""the review views staff opened lately, which the worker counts ahead too

Revision ID: review_view_opened
Revises: review_memo_groups

A combination of filters the worker's round did not list (two at once, a group with a
breakdown, a custom range, a partner viewer's filters) was counted whole at every opening
after a write forgot its counts. The views opened are now noted, without who opened them,
and counted ahead like the round's own (docs/analysis.md, "Counting ahead").
"""
from alembic import op
import sqlalchemy as sa


revision = "review_view_opened"
down_revision = "review_memo_groups"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_view_opened",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("recipe", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_review_view_opened")),
    )
    op.create_index(op.f("ix_review_view_opened_opened_at"), "review_view_opened",
                    ["opened_at"])


def downgrade():
    op.drop_table("review_view_opened")
