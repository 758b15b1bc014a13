"""a respondent moving between groups forgets only the counts that group people

Revision ID: review_memo_groups
Revises: review_period_indexes

A respondent's new demographics marked every day they answered stale for everything: each
day's totals were recomputed and every remembered count over those days forgotten, though
only breakdowns and group filters can change. Stale marks, memos and forgotten spans now say
whether they concern group figures only (docs/analysis.md, "Speed with years of data").
"""
from alembic import op
import sqlalchemy as sa


revision = "review_memo_groups"
down_revision = "review_period_indexes"
branch_labels = None
depends_on = None

COLUMNS = (("review_stale_day", "groups_only"), ("review_memo", "by_group"),
           ("review_memo_forgotten", "groups_only"))


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
