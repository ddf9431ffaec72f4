"""Test and benchmark helpers: an isolated, migrated database for a given URL.

SQLite gets a fresh file; PostgreSQL gets a fresh schema (dropped afterwards), so runs never
touch each other's tables even in a shared database.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from storage.db import Database

TEST_DB_ENV = ("DEPUTY_TEST_DATABASE_URL", "DATABASE_URL")


def database_url_for_tests() -> str | None:
    """The database the tests run on: an env URL (CI sets one per run) or None for SQLite."""
    for name in TEST_DB_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return None


@asynccontextmanager
async def isolated_database(url: str | None = None) -> AsyncIterator[Database]:
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="deputy-db-") as tmp:
            db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'test.db'}")
            try:
                await db.upgrade()
                yield db
            finally:
                await db.dispose()
        return
    schema = f"t_{secrets.token_hex(6)}"
    admin = Database(url)
    from sqlalchemy import text

    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url, schema=schema)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()
