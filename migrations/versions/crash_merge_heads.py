"""merge the crash and sitesms heads (so `flask db upgrade` has one head on this branch)

Revision ID: crash_merge_heads
Revises: crash_rate_limit_counter, sitesms_site_survey
"""

revision = "crash_merge_heads"
down_revision = ("crash_rate_limit_counter", "sitesms_site_survey")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
