"""Shared fixtures: the ../shared data folder, the real embedding model, small knowledge bases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def embedder():
    """The real e5 model (provisioned by `deputy-assistant models fetch`)."""
    from deputy_assistant.models import ModelMissingError

    try:
        from retrieval.embedder import Embedder

        return Embedder.shared()
    except ModelMissingError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


@pytest.fixture
def make_kb(tmp_path, embedder):
    from retrieval import KnowledgeBase

    def factory(name: str = "idx", **kw):
        return KnowledgeBase.open(tmp_path / name, embedder=embedder, **kw)

    return factory


@pytest.fixture
def db_url() -> str | None:
    """CI runs the suite once per database: unset → SQLite, DATABASE_URL=postgresql+asyncpg://… → PostgreSQL."""
    from storage.testing import database_url_for_tests

    return database_url_for_tests()


@pytest.fixture
async def db(db_url):
    """A fresh, migrated database (SQLite file or throwaway PostgreSQL schema) per test."""
    from storage.testing import isolated_database

    async with isolated_database(db_url) as database:
        yield database
