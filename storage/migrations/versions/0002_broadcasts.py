"""broadcast tables: audience profiles, broadcasts and their outbox, consultations, reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Databases that ran the interim ``broadcasts.schema.ensure_tables`` (``create_all``) already hold
some of these tables: those are adopted as they are, the missing ones are created.
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _exists("bc_audience_profiles"):
        op.create_table(
            "bc_audience_profiles",
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("congress_level", sa.String(length=32), nullable=True),
            sa.Column("tags", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            sa.PrimaryKeyConstraint("user_id"),
        )
        op.create_index(op.f("ix_bc_audience_profiles_congress_level"), "bc_audience_profiles", ["congress_level"])
    if not _exists("bc_broadcasts"):
        op.create_table(
            "bc_broadcasts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("document_ref", sa.String(length=300), nullable=True),
            sa.Column("audience", sa.JSON(), nullable=False),
            sa.Column("scheduled_at", sa.DateTime(), nullable=True),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("read_button", sa.Boolean(), nullable=False),
            sa.Column("created_by", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("finished_at", sa.DateTime(), nullable=True),
            sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
            sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
            sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_bc_broadcasts_state"), "bc_broadcasts", ["state"])
    if not _exists("bc_consultations"):
        op.create_table(
            "bc_consultations",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=300), nullable=False),
            sa.Column("doc_id", sa.String(length=200), nullable=False),
            sa.Column("deadline", sa.DateTime(), nullable=False),
            sa.Column("audience", sa.JSON(), nullable=False),
            sa.Column("created_by", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("broadcast_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["broadcast_id"], ["bc_broadcasts.id"]),
            sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
    if not _exists("bc_outbox"):
        op.create_table(
            "bc_outbox",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("broadcast_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column("chat_id", sa.BigInteger(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
            sa.Column("lease_until", sa.DateTime(), nullable=True),
            sa.Column("lease_owner", sa.String(length=64), nullable=True),
            sa.Column("last_error", sa.String(length=500), nullable=True),
            sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
            sa.Column("sent_at", sa.DateTime(), nullable=True),
            sa.Column("read_at", sa.DateTime(), nullable=True),
            sa.ForeignKeyConstraint(["broadcast_id"], ["bc_broadcasts.id"]),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("broadcast_id", "chat_id", name="uq_bc_outbox_broadcast_chat"),
        )
        op.create_index(op.f("ix_bc_outbox_broadcast_id"), "bc_outbox", ["broadcast_id"])
        op.create_index("ix_bc_outbox_due", "bc_outbox", ["state", "next_attempt_at"])
    if not _exists("bc_reminders"):
        op.create_table(
            "bc_reminders",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("ref_id", sa.Integer(), nullable=False),
            sa.Column("remind_at", sa.DateTime(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("audience", sa.JSON(), nullable=False),
            sa.Column("broadcast_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["broadcast_id"], ["bc_broadcasts.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("kind", "ref_id", "remind_at", name="uq_bc_reminders_ref"),
        )
        op.create_index(op.f("ix_bc_reminders_remind_at"), "bc_reminders", ["remind_at"])
    if not _exists("bc_draft_articles"):
        op.create_table(
            "bc_draft_articles",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("consultation_id", sa.Integer(), nullable=False),
            sa.Column("ordinal", sa.Integer(), nullable=False),
            sa.Column("chapter", sa.String(length=300), nullable=False),
            sa.Column("locator", sa.String(length=100), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["consultation_id"], ["bc_consultations.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_bc_draft_articles_consultation_id"), "bc_draft_articles", ["consultation_id"])
    if not _exists("bc_opinions"):
        op.create_table(
            "bc_opinions",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("consultation_id", sa.Integer(), nullable=False),
            sa.Column("article_id", sa.Integer(), nullable=True),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["article_id"], ["bc_draft_articles.id"]),
            sa.ForeignKeyConstraint(["consultation_id"], ["bc_consultations.id"]),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_bc_opinions_consultation_id"), "bc_opinions", ["consultation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bc_opinions_consultation_id"), table_name="bc_opinions")
    op.drop_table("bc_opinions")
    op.drop_index(op.f("ix_bc_draft_articles_consultation_id"), table_name="bc_draft_articles")
    op.drop_table("bc_draft_articles")
    op.drop_index(op.f("ix_bc_reminders_remind_at"), table_name="bc_reminders")
    op.drop_table("bc_reminders")
    op.drop_index("ix_bc_outbox_due", table_name="bc_outbox")
    op.drop_index(op.f("ix_bc_outbox_broadcast_id"), table_name="bc_outbox")
    op.drop_table("bc_outbox")
    op.drop_table("bc_consultations")
    op.drop_index(op.f("ix_bc_broadcasts_state"), table_name="bc_broadcasts")
    op.drop_table("bc_broadcasts")
    op.drop_index(op.f("ix_bc_audience_profiles_congress_level"), table_name="bc_audience_profiles")
    op.drop_table("bc_audience_profiles")
