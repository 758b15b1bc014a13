"""inbound message: the conversation and question open when it arrived

Revision ID: crash_awaited_question
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "crash_awaited_question"
down_revision = "privacy_padding"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaited_conversation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("awaited_question_key", sa.String(length=64),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("awaited_question_key")
        batch_op.drop_column("awaited_conversation_id")
