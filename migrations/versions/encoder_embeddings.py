"""sentence encoder: stored answer embeddings, theme example sentences, request flag

Revision ID: encoder_embeddings
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "encoder_embeddings"
down_revision = "yearround_pulses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_embedding",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("encoder", sa.String(length=40), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answer.id"], ondelete="CASCADE",
                                name=op.f("fk_answer_embedding_answer_id_answer")),
        sa.PrimaryKeyConstraint("answer_id", name=op.f("pk_answer_embedding")),
    )
    with op.batch_alter_table("theme") as batch:
        batch.add_column(sa.Column("examples", sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))
    # The default only fills existing rows: PostgreSQL's json type has no "=", so a JSON
    # server default cannot even be compared with the model's (the app writes {} itself).
    with op.batch_alter_table("theme") as batch:
        batch.alter_column("examples", existing_type=sa.JSON(), server_default=None)
    with op.batch_alter_table("answer_tag") as batch:
        batch.add_column(sa.Column("is_request", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("sentiment_confidence", sa.Double(), nullable=False,
                                   server_default=sa.text("0")))


def downgrade():
    with op.batch_alter_table("answer_tag") as batch:
        batch.drop_column("sentiment_confidence")
        batch.drop_column("is_request")
    with op.batch_alter_table("theme") as batch:
        batch.drop_column("examples")
    op.drop_table("answer_embedding")
