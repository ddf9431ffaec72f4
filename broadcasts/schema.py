"""Kept for callers written before the broadcast tables joined storage's Alembic chain
(revision 0002): it now simply runs the migrations."""

from __future__ import annotations

from storage.db import Database


async def ensure_tables(db: Database) -> None:
    """Idempotent: brings the schema to the Alembic head (which includes the broadcast tables)."""
    await db.upgrade()
