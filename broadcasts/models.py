"""Broadcast, outbox, consultation and reminder tables, on storage's DeclarativeBase (same metadata).

Timestamps are naive UTC, like the rest of storage.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class BroadcastState(str, enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # outbox rows exist, due at scheduled_at
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class OutboxState(str, enum.Enum):
    PENDING = "pending"
    CLAIMED = "claimed"  # taken by a worker, request NOT started yet: safe to hand back
    SENDING = "sending"  # request may have reached Telegram: the in-doubt state
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


TERMINAL = (OutboxState.SENT, OutboxState.FAILED, OutboxState.BLOCKED, OutboxState.CANCELLED)


class AudienceProfile(Base):
    """Audience facts the users table does not have: congress level (全国/省/市/县/乡) and free tags."""

    __tablename__ = "bc_audience_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    congress_level: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)


class Broadcast(Base):
    __tablename__ = "bc_broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="briefing")  # briefing | consultation | reminder
    text: Mapped[str] = mapped_column(Text)
    document_ref: Mapped[str | None] = mapped_column(String(300), nullable=True)  # KB doc_id or file id
    audience: Mapped[dict] = mapped_column(JSON)
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=BroadcastState.DRAFT.value, index=True)
    read_button: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Where the live progress message lives (chat of the sender), so a restarted process can keep editing it.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class OutboxMessage(Base):
    __tablename__ = "bc_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("bc_broadcasts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        # One message per recipient and broadcast, even if the audience is resolved twice.
        UniqueConstraint("broadcast_id", "chat_id", name="uq_bc_outbox_broadcast_chat"),
        Index("ix_bc_outbox_due", "state", "next_attempt_at"),
    )


class Consultation(Base):
    """A law draft put out for opinions (征求意见)."""

    __tablename__ = "bc_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    doc_id: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[datetime] = mapped_column(DateTime)
    audience: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("bc_broadcasts.id"), nullable=True)


class DraftArticle(Base):
    __tablename__ = "bc_draft_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("bc_consultations.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    chapter: Mapped[str] = mapped_column(String(300), default="")
    locator: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)


class Opinion(Base):
    __tablename__ = "bc_opinions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("bc_consultations.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("bc_draft_articles.id"), nullable=True)  # None: whole draft
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | voice
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Reminder(Base):
    """A message due at ``remind_at`` to an audience (event reminders, consultation deadlines)."""

    __tablename__ = "bc_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # event | consultation
    ref_id: Mapped[int] = mapped_column(Integer)
    remind_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict] = mapped_column(JSON)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("bc_broadcasts.id"), nullable=True)

    __table_args__ = (UniqueConstraint("kind", "ref_id", "remind_at", name="uq_bc_reminders_ref"),)


BROADCAST_TABLES = [
    AudienceProfile.__table__, Broadcast.__table__, OutboxMessage.__table__, Consultation.__table__,
    DraftArticle.__table__, Opinion.__table__, Reminder.__table__,
]
