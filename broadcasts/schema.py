"""Creates the broadcast tables until storage's Alembic chain carries them (see docs/broadcasts.md)."""

from __future__ import annotations

from storage.db import Database

from broadcasts.models import BROADCAST_TABLES, Base


async def ensure_tables(db: Database) -> None:
    """Idempotent: creates only the missing broadcast tables (after ``db.upgrade()``)."""
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: Base.metadata.create_all(c, tables=BROADCAST_TABLES, checkfirst=True))
