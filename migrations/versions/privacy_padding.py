"""anti-padding: response origin, flag and held time; the daily submission tally

Revision ID: privacy_padding
Revises: 0001
Create Date: 2026-12-04 23:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = "privacy_padding"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=12),
                                      server_default="respondent", nullable=False))
        batch_op.add_column(sa.Column("flag", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("held_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_held_at"), ["held_at"], unique=False)
    op.create_table(
        "submission_tally",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "day", name=op.f("pk_submission_tally")),
    )


def downgrade():
    op.drop_table("submission_tally")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_held_at"))
        batch_op.drop_column("held_at")
        batch_op.drop_column("flag")
        batch_op.drop_column("origin")
