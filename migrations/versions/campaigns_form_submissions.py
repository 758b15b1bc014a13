"""once-only tokens of the campaign and pulse forms in a table of their own

Revision ID: campaigns_form_submissions
Revises: consent_opt_out_hashes
"""
from alembic import op
import sqlalchemy as sa


revision = "campaigns_form_submissions"
down_revision = "consent_opt_out_hashes"
branch_labels = None
depends_on = None


def upgrade():
    # Tokens kept in audit entries until now are not copied: a token matters for the seconds
    # of a double click.
    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submission")),
    )


def downgrade():
    op.drop_table("form_submission")
