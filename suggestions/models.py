"""SQLAlchemy 2 models of the suggestions domain, on storage's DeclarativeBase (one metadata).

The tables are created by storage's Alembic chain (``storage/migrations/versions/0003_suggestions.py``);
names are prefixed ``sugg_``. ``author_id`` is the storage user id as text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

SuggestionsBase = Base  # the name the package used before its tables joined storage's metadata


class DraftRow(SuggestionsBase):
    """A draft in progress: the answers so far and where the conversation stands."""

    __tablename__ = "sugg_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    congress_level: Mapped[str] = mapped_column(String(16), default="national")
    delegation: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    step: Mapped[str] = mapped_column(String(32))  # current step, "preview", or "done"
    editing: Mapped[bool] = mapped_column(default=False)  # editing from the preview: return there next
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | submitted | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    suggestion_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SuggestionRow(SuggestionsBase):
    """A submitted suggestion or bill and its handling."""

    __tablename__ = "sugg_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[str] = mapped_column(String(64), index=True)
    delegation: Mapped[str] = mapped_column(String(64), default="")
    congress_level: Mapped[str] = mapped_column(String(16), default="national")
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(300), default="")
    topic: Mapped[str] = mapped_column(String(32), default="")
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    recommended: Mapped[list] = mapped_column(JSON, default=list)  # routing output at submission
    units: Mapped[list] = mapped_column(JSON, default=list)  # assigned by staff
    status: Mapped[str] = mapped_column(String(16), index=True)
    complex_case: Mapped[bool] = mapped_column(default=False)  # 涉及面广、处理难度大: 6-month deadline
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[str] = mapped_column(String(8), default="")
    evaluation_note: Mapped[str] = mapped_column(Text, default="")


class StatusEventRow(SuggestionsBase):
    __tablename__ = "sugg_status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("sugg_suggestions.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(SuggestionsBase):
    """Domain events for the bot to deliver (notifications to deputies and staff)."""

    __tablename__ = "sugg_outbox"
    __table_args__ = (Index("ix_sugg_outbox_pending", "delivered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(48))
    recipient: Mapped[str] = mapped_column(String(64))  # an author_id, or "staff"
    suggestion_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
