"""Persistence of drafts, suggestions, status events and the outbox (SQLAlchemy 2, async).

Functions take an ``AsyncSession``; the caller owns the transaction (``async with sm.begin()``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from suggestions.models import DraftRow, OutboxRow, StatusEventRow, SuggestionRow


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def make_engine(url: str | None = None) -> AsyncEngine:
    if url is None:
        from deputy_assistant.config import get_settings

        url = get_settings().resolved_database_url
        if url.startswith("sqlite"):
            get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    return create_async_engine(url)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_tables(engine: AsyncEngine) -> None:
    """Bring the database behind ``engine`` to the Alembic head (storage's chain; the suggestion
    tables are revision 0003). Idempotent."""
    from storage.db import run_upgrade

    async with engine.begin() as conn:
        await conn.run_sync(run_upgrade, "head")


# -- drafts ---------------------------------------------------------------------------------------
async def add_draft(s: AsyncSession, row: DraftRow) -> DraftRow:
    s.add(row)
    await s.flush()
    return row


async def get_draft(s: AsyncSession, draft_id: int) -> DraftRow | None:
    return await s.get(DraftRow, draft_id)


async def active_drafts(s: AsyncSession, author_id: str) -> Sequence[DraftRow]:
    q = select(DraftRow).where(DraftRow.author_id == author_id, DraftRow.state == "active")
    return (await s.scalars(q.order_by(DraftRow.updated_at.desc()))).all()


async def stale_drafts(s: AsyncSession, before: datetime) -> Sequence[DraftRow]:
    """Active drafts untouched since ``before`` and not reminded since their last activity."""
    q = select(DraftRow).where(DraftRow.state == "active", DraftRow.updated_at < before)
    rows = (await s.scalars(q)).all()
    return [r for r in rows if r.reminded_at is None or as_utc(r.reminded_at) < as_utc(r.updated_at)]


# -- suggestions ----------------------------------------------------------------------------------
async def add_suggestion(s: AsyncSession, row: SuggestionRow) -> SuggestionRow:
    s.add(row)
    await s.flush()
    return row


async def get_suggestion(s: AsyncSession, suggestion_id: int) -> SuggestionRow | None:
    return await s.get(SuggestionRow, suggestion_id)


async def suggestions_of(s: AsyncSession, author_id: str) -> Sequence[SuggestionRow]:
    q = select(SuggestionRow).where(SuggestionRow.author_id == author_id)
    return (await s.scalars(q.order_by(SuggestionRow.submitted_at.desc()))).all()


async def all_suggestions(s: AsyncSession, statuses: Iterable[str] | None = None) -> Sequence[SuggestionRow]:
    q = select(SuggestionRow)
    if statuses is not None:
        q = q.where(SuggestionRow.status.in_(list(statuses)))
    return (await s.scalars(q.order_by(SuggestionRow.id))).all()


async def merged_into(s: AsyncSession, primary_id: int) -> Sequence[SuggestionRow]:
    """The items merged into ``primary_id`` (合并办理), whose authors hear its reply too."""
    q = select(SuggestionRow).where(SuggestionRow.merged_into == primary_id)
    return (await s.scalars(q.order_by(SuggestionRow.id))).all()


async def add_status_event(s: AsyncSession, row: StatusEventRow) -> None:
    s.add(row)


async def status_events(s: AsyncSession, suggestion_id: int) -> Sequence[StatusEventRow]:
    q = select(StatusEventRow).where(StatusEventRow.suggestion_id == suggestion_id).order_by(StatusEventRow.id)
    return (await s.scalars(q)).all()


# -- outbox ---------------------------------------------------------------------------------------
async def emit(
    s: AsyncSession,
    kind: str,
    recipient: str,
    text: str,
    *,
    suggestion_id: int | None = None,
    draft_id: int | None = None,
    payload: dict | None = None,
    now: datetime | None = None,
) -> OutboxRow:
    row = OutboxRow(
        kind=kind, recipient=recipient, text=text, suggestion_id=suggestion_id, draft_id=draft_id,
        payload=payload or {}, created_at=now or utcnow(),
    )
    s.add(row)
    await s.flush()
    return row


async def pending_events(s: AsyncSession, limit: int = 100) -> Sequence[OutboxRow]:
    q = select(OutboxRow).where(OutboxRow.delivered_at.is_(None)).order_by(OutboxRow.id).limit(limit)
    return (await s.scalars(q)).all()


async def mark_delivered(s: AsyncSession, ids: Sequence[int], now: datetime | None = None) -> None:
    if ids:
        await s.execute(update(OutboxRow).where(OutboxRow.id.in_(list(ids))).values(delivered_at=now or utcnow()))
