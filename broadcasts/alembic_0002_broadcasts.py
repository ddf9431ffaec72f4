"""broadcast tables (outbox, consultations, reminders) — for the lead to copy into
storage/migrations/versions/ (adjust ``down_revision`` to the chain's head at that time).

Revision ID: 0002_broadcasts
Revises: 0001
"""

from alembic import op

revision = "0002_broadcasts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The models are the single source of truth; create exactly their tables (and indexes).
    from broadcasts.models import BROADCAST_TABLES, Base

    Base.metadata.create_all(op.get_bind(), tables=BROADCAST_TABLES, checkfirst=True)


def downgrade() -> None:
    from broadcasts.models import BROADCAST_TABLES, Base

    Base.metadata.drop_all(op.get_bind(), tables=list(reversed(BROADCAST_TABLES)), checkfirst=True)
