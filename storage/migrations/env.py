"""Alembic environment. Runs on a connection handed in by ``storage.db`` (async engines)
or, when invoked from the alembic CLI, on an engine built from ``sqlalchemy.url``."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

import broadcasts.models  # noqa: F401  (registers the bc_ tables on storage's metadata)
import suggestions.models  # noqa: F401  (registers the sugg_ tables)
from storage.models import Base

config = context.config
# Every table of the application: autogenerate (`alembic revision --autogenerate`) and the
# model/migration drift test compare against this.
target_metadata = Base.metadata


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from deputy_assistant.config import get_settings

        url = get_settings().resolved_database_url
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
