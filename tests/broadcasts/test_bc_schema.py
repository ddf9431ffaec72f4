"""Revision 0002 of storage's Alembic chain creates and drops exactly the broadcast tables."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

pytestmark = pytest.mark.db

OURS = {"bc_broadcasts", "bc_outbox", "bc_audience_profiles", "bc_consultations", "bc_draft_articles",
        "bc_opinions", "bc_reminders"}


async def _tables(db) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migration_creates_and_drops_broadcast_tables(db):
    assert OURS <= await _tables(db)  # the fixture upgraded to head
    await db.downgrade("0001")
    down = await _tables(db)
    assert not (OURS & down) and "users" in down
    await db.upgrade("0002")
    up = await _tables(db)
    assert OURS <= up and "users" in up and not any(t.startswith("sugg_") for t in up)
