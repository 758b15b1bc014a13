"""opt-outs that outlive the contact: keyed hashes of opted-out numbers, and who opted out

Revision ID: consent_opt_out_hashes
Revises: crash_failed_handlings
"""
from alembic import op
import sqlalchemy as sa


revision = "consent_opt_out_hashes"
down_revision = "crash_failed_handlings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opt_out_hash",
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("opted_out_by", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("opted_out_by IN ('text', 'staff')",
                           name=op.f("ck_opt_out_hash_opted_out_by")),
        sa.PrimaryKeyConstraint("number_hash", name=op.f("pk_opt_out_hash")),
    )
    # Contacts opted out before this column existed keep NULL: read as a text opt-out, which
    # is how YES behaved for every opt-out until then.
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_by", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("opted_out_by")
    op.drop_table("opt_out_hash")
