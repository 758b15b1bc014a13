"""partner_site.survey_id: the survey a site runs, which its posters advertise

Revision ID: sitesms_site_survey
Revises: 0001
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "sitesms_site_survey"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("partner_site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_partner_site_survey_id"), ["survey_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_site_survey_id_survey"), "survey", ["survey_id"], ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("partner_site", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_partner_site_survey_id_survey"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_partner_site_survey_id"))
        batch_op.drop_column("survey_id")
