"""bc_outbox.user_id index: which briefings a user received (their attachments' read access)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a database whose tables came from the interim create_all (see 0002, 0003) may have it already
    if "ix_bc_outbox_user_id" not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("bc_outbox")}:
        op.create_index("ix_bc_outbox_user_id", "bc_outbox", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_bc_outbox_user_id", table_name="bc_outbox")
