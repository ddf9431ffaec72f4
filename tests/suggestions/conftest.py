"""Fixtures: real databases (SQLite file and an isolated PostgreSQL schema), the real embedder."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from suggestions.repository import create_tables, make_sessionmaker

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PG_URL = os.environ.get("DEPUTY_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc)


@dataclass
class Db:
    """One isolated database; ``engine()`` opens a fresh engine on it (a "restart")."""

    url: str
    schema: str | None = None

    def engine(self) -> AsyncEngine:
        if self.schema:
            return create_async_engine(self.url, connect_args={"server_settings": {"search_path": self.schema}})
        return create_async_engine(self.url)


async def _pg_schema() -> str | None:
    import asyncpg

    dsn = PG_URL.replace("postgresql+asyncpg", "postgresql")
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL 不可用：{exc}")
    schema = f"sugg_test_{uuid.uuid4().hex[:10]}"
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.close()
    return schema


async def _drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg", "postgresql"), timeout=3)
    await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request, tmp_path):
    if request.param == "sqlite":
        d = Db(f"sqlite+aiosqlite:///{tmp_path / 'sugg.db'}")
    else:
        d = Db(PG_URL, await _pg_schema())
    engine = d.engine()
    await create_tables(engine)
    await engine.dispose()
    yield d
    if d.schema:
        await _drop_schema(d.schema)


@pytest.fixture
async def sm(db):
    engine = db.engine()
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def embedder():
    from deputy_assistant.models import ModelMissingError
    from suggestions.embedding import default_embedder

    try:
        return default_embedder()
    except ModelMissingError as exc:
        pytest.skip(f"需要已准备好的 e5 模型：{exc}")


class Clock:
    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()
