"""The migration the lead copies into storage's chain creates and drops exactly the broadcast tables."""

from __future__ import annotations

import importlib

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect

from storage.testing import isolated_database

pytestmark = pytest.mark.db


async def test_migration_creates_and_drops_broadcast_tables():
    import os

    mig = importlib.import_module("broadcasts.alembic_0002_broadcasts")
    url = os.environ.get("DEPUTY_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or None

    def run(conn, fn):
        with Operations.context(MigrationContext.configure(conn)):
            fn()
        return set(inspect(conn).get_table_names())

    async with isolated_database(url) as db:
        async with db.engine.begin() as conn:
            up = await conn.run_sync(run, mig.upgrade)
            down = await conn.run_sync(run, mig.downgrade)
    ours = {"bc_broadcasts", "bc_outbox", "bc_audience_profiles", "bc_consultations", "bc_draft_articles",
            "bc_opinions", "bc_reminders"}
    assert ours <= up and "users" in up
    assert not (ours & down) and "users" in down
