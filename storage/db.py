"""Async engine and session factory, plus programmatic Alembic migrations (no alembic.ini)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def make_engine(url: str, schema: str | None = None) -> AsyncEngine:
    if url.startswith("sqlite"):
        if ":///" in url and not url.endswith(":memory:"):
            Path(url.split(":///", 1)[1]).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Concurrent updates write at once: wait for the lock instead of failing.
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            # No fsync per commit; WAL stays consistent (power loss may drop the last commits).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    connect_args = {}
    if schema:  # isolates a test run (or a tenant) in its own PostgreSQL schema
        connect_args = {"server_settings": {"search_path": schema}}
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)


class Database:
    """Owns the engine; ``session()`` opens a unit of work."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, schema)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)

    @classmethod
    def from_settings(cls) -> "Database":
        from deputy_assistant.config import get_settings

        return cls(get_settings().resolved_database_url)

    async def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` through the Alembic migrations."""
        async with self.engine.begin() as conn:
            await conn.run_sync(run_upgrade, revision)

    async def downgrade(self, revision: str = "base") -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_run_downgrade, revision)

    async def dispose(self) -> None:
        await self.engine.dispose()


def run_upgrade(conn: Connection, revision: str = "head") -> None:
    """Alembic upgrade on an open (sync) connection: ``await aconn.run_sync(run_upgrade)``."""
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def _run_downgrade(conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.downgrade(cfg, revision)


def upgrade_sync(url: str, revision: str = "head") -> None:
    """For the CLI: run the migrations to ``revision`` and return."""

    async def _go() -> None:
        db = Database(url)
        try:
            await db.upgrade(revision)
        finally:
            await db.dispose()

    asyncio.run(_go())
