"""inbound message: how many of its handlings failed

Revision ID: crash_failed_handlings
Revises: encoder_embeddings
"""
from alembic import op
import sqlalchemy as sa


revision = "crash_failed_handlings"
down_revision = "encoder_embeddings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_handlings", sa.Integer(), server_default="0",
                                      nullable=False))


def downgrade():
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("failed_handlings")
