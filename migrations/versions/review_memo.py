"""the review's remembered people counts, and the spans a refresh forgot

Revision ID: review_memo
Revises: campaigns_form_submissions
"""
from alembic import op
import sqlalchemy as sa


revision = "review_memo"
down_revision = "campaigns_form_submissions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_memo",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("span_start", sa.Date(), nullable=False),
        sa.Column("span_end", sa.Date(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_review_memo")),
    )
    op.create_index(op.f("ix_review_memo_span_start"), "review_memo", ["span_start"])
    op.create_index(op.f("ix_review_memo_created_at"), "review_memo", ["created_at"])
    op.create_table(
        "review_memo_forgotten",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Date(), nullable=False),
        sa.Column("span_end", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_memo_forgotten")),
    )
    op.create_index(op.f("ix_review_memo_forgotten_at"), "review_memo_forgotten", ["at"])


def downgrade():
    op.drop_table("review_memo_forgotten")
    op.drop_table("review_memo")
