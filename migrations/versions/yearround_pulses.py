"""recurring pulses: the pulse table, and each campaign's pulse and staff-written texts

Revision ID: yearround_pulses
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "yearround_pulses"
down_revision = "crash_rate_limit_counter"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pulse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=80), nullable=False),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("first_local", sa.DateTime(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("quiet_start", sa.Integer(), nullable=False),
        sa.Column("quiet_end", sa.Integer(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("cadence IN ('weekly', 'monthly', 'quarterly')",
                           name=op.f("ck_pulse_cadence")),
        sa.CheckConstraint("quiet_start BETWEEN 0 AND 23 AND quiet_end BETWEEN 0 AND 23",
                           name=op.f("ck_pulse_quiet_hours")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_user.id"],
                                name=op.f("fk_pulse_created_by_id_staff_user")),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_pulse_survey_id_survey")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pulse_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("texts", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_campaign_pulse_id"), ["pulse_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_campaign_pulse_id_pulse"), "pulse",
                                    ["pulse_id"], ["id"], ondelete="SET NULL")
    op.execute("UPDATE campaign SET texts = '{}' WHERE texts IS NULL")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.alter_column("texts", existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_campaign_pulse_id_pulse"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_campaign_pulse_id"))
        batch_op.drop_column("texts")
        batch_op.drop_column("pulse_id")
    op.drop_table("pulse")
