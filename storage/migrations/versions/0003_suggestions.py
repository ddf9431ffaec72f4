"""suggestion tables: drafts, submitted suggestions and bills, status events, notification outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Databases that ran the interim ``suggestions.repository.create_tables`` (``create_all``) already
hold these tables: those are adopted as they are, the missing ones are created.
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _exists("sugg_drafts"):
        op.create_table(
            "sugg_drafts",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("author_id", sa.String(length=64), nullable=False),
            sa.Column("kind", sa.String(length=8), nullable=False),
            sa.Column("congress_level", sa.String(length=16), nullable=False),
            sa.Column("delegation", sa.String(length=64), nullable=False),
            sa.Column("content", sa.JSON(), nullable=False),
            sa.Column("step", sa.String(length=32), nullable=False),
            sa.Column("editing", sa.Boolean(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("suggestion_id", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_sugg_drafts_author_id"), "sugg_drafts", ["author_id"])
    if not _exists("sugg_outbox"):
        op.create_table(
            "sugg_outbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("kind", sa.String(length=48), nullable=False),
            sa.Column("recipient", sa.String(length=64), nullable=False),
            sa.Column("suggestion_id", sa.Integer(), nullable=True),
            sa.Column("draft_id", sa.Integer(), nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("payload", sa.JSON(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_sugg_outbox_pending", "sugg_outbox", ["delivered_at"])
    if not _exists("sugg_suggestions"):
        op.create_table(
            "sugg_suggestions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("author_id", sa.String(length=64), nullable=False),
            sa.Column("delegation", sa.String(length=64), nullable=False),
            sa.Column("congress_level", sa.String(length=16), nullable=False),
            sa.Column("kind", sa.String(length=8), nullable=False),
            sa.Column("title", sa.String(length=300), nullable=False),
            sa.Column("content", sa.JSON(), nullable=False),
            sa.Column("summary", sa.String(length=300), nullable=False),
            sa.Column("topic", sa.String(length=32), nullable=False),
            sa.Column("embedding", sa.LargeBinary(), nullable=True),
            sa.Column("recommended", sa.JSON(), nullable=False),
            sa.Column("units", sa.JSON(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("complex_case", sa.Boolean(), nullable=False),
            sa.Column("merged_into", sa.Integer(), nullable=True),
            sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("overdue_flagged_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("reply", sa.Text(), nullable=False),
            sa.Column("evaluation", sa.String(length=8), nullable=False),
            sa.Column("evaluation_note", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_sugg_suggestions_author_id"), "sugg_suggestions", ["author_id"])
        op.create_index(op.f("ix_sugg_suggestions_status"), "sugg_suggestions", ["status"])
    if not _exists("sugg_status_events"):
        op.create_table(
            "sugg_status_events",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("suggestion_id", sa.Integer(), nullable=False),
            sa.Column("from_status", sa.String(length=16), nullable=False),
            sa.Column("to_status", sa.String(length=16), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["suggestion_id"], ["sugg_suggestions.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_sugg_status_events_suggestion_id"), "sugg_status_events", ["suggestion_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sugg_status_events_suggestion_id"), table_name="sugg_status_events")
    op.drop_table("sugg_status_events")
    op.drop_index(op.f("ix_sugg_suggestions_status"), table_name="sugg_suggestions")
    op.drop_index(op.f("ix_sugg_suggestions_author_id"), table_name="sugg_suggestions")
    op.drop_table("sugg_suggestions")
    op.drop_index("ix_sugg_outbox_pending", table_name="sugg_outbox")
    op.drop_table("sugg_outbox")
    op.drop_index(op.f("ix_sugg_drafts_author_id"), table_name="sugg_drafts")
    op.drop_table("sugg_drafts")
