"""storage's Alembic chain carries every table (users …, bc_ broadcasts, sugg_ suggestions):
upgrade from empty, downgrade/upgrade round trips, no drift between models and migrations, and
adoption of tables made by the interim create_all helpers. SQLite, or PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from typer.testing import CliRunner

import broadcasts.models  # noqa: F401
import suggestions.models  # noqa: F401
from storage.db import Database, alembic_config
from storage.models import Base

pytestmark = pytest.mark.db

ALL_TABLES = set(Base.metadata.tables)
BC = {t for t in ALL_TABLES if t.startswith("bc_")}
SUGG = {t for t in ALL_TABLES if t.startswith("sugg_")}
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names())) - {"alembic_version"}


async def _version(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return (await conn.execute(text("select version_num from alembic_version"))).scalar_one_or_none()


def test_chain_is_linear():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == ["0004"]
    assert [r.revision for r in script.walk_revisions()] == ["0004", "0003", "0002", "0001"]
    assert len(BC) == 7 and len(SUGG) == 4


async def test_upgrade_from_empty_creates_every_table(db):
    assert await _tables(db) == ALL_TABLES
    assert await _version(db) == HEAD


async def test_downgrade_upgrade_round_trip(db):
    await db.downgrade("0002")
    assert await _tables(db) == ALL_TABLES - SUGG
    await db.downgrade("0001")
    assert await _tables(db) == ALL_TABLES - SUGG - BC
    await db.downgrade("base")
    assert await _tables(db) == set()
    await db.upgrade()
    assert await _tables(db) == ALL_TABLES and await _version(db) == HEAD
    await db.upgrade()  # idempotent at head
    assert await _version(db) == HEAD


async def test_models_and_migrations_agree(db):
    """What autogenerate would add: nothing (a model change without a migration fails here)."""

    def diff(conn):  # noqa: ANN001
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_tables_from_the_interim_create_all_are_adopted(db):
    """A database where ensure_tables/create_tables made the tables (then at 0001) upgrades cleanly."""
    await db.downgrade("0001")
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: Base.metadata.create_all(
            c, tables=[Base.metadata.tables[t] for t in sorted(BC | {"sugg_drafts", "sugg_suggestions"})]))
    await db.upgrade()
    assert await _tables(db) == ALL_TABLES and await _version(db) == HEAD


async def test_helpers_kept_for_old_callers_run_the_migrations(db):
    from broadcasts.schema import ensure_tables
    from suggestions.repository import create_tables

    await db.downgrade("base")
    await ensure_tables(db)
    assert await _tables(db) == ALL_TABLES
    await db.downgrade("base")
    await create_tables(db.engine)
    assert await _tables(db) == ALL_TABLES and await _version(db) == HEAD


def test_cli_db_upgrade_creates_everything(tmp_path, monkeypatch):
    from deputy_assistant.config import get_settings
    from storage.cli import app

    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 0, res.output

    async def check():
        db = Database(url)
        try:
            return await _tables(db), await _version(db)
        finally:
            await db.dispose()

    assert asyncio.run(check()) == (ALL_TABLES, HEAD)
