from __future__ import annotations

import pytest

from storage.testing import database_url_for_tests, isolated_database


@pytest.fixture
def db_url() -> str | None:
    """Unset → SQLite; DATABASE_URL / DEPUTY_TEST_DATABASE_URL → that database (CI runs both)."""
    return database_url_for_tests()


@pytest.fixture
async def db(db_url):
    async with isolated_database(db_url) as database:
        yield database
