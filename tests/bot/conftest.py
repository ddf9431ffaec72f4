"""Drives the real python-telegram-bot Application with real Update JSON; Telegram is faked only
at the HTTP boundary (bot.testing.FakeTelegram). The database comes from ``db_url`` (SQLite by
default, PostgreSQL when DEPUTY_TEST_DATABASE_URL / DATABASE_URL is set), fresh per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.app import build_application  # noqa: E402
from bot.deps import BotDeps  # noqa: E402
from bot.testing import FakeTelegram, UpdateFactory  # noqa: E402
from fixture_docs import kb, kb_index  # noqa: E402,F401  (shared fixtures)
from storage.core import Core  # noqa: E402
from botharness import TODAY, TOKEN  # noqa: E402
from storage.testing import database_url_for_tests, isolated_database  # noqa: E402


@pytest.fixture
def transcribe():
    return None


@pytest.fixture
async def core(db, kb):
    return Core.build(db, kb, rate_limit=5, rate_window_s=3600, today=lambda: TODAY)


@pytest.fixture
def tg() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def upd() -> UpdateFactory:
    return UpdateFactory()


@pytest.fixture
async def app(core, tg, transcribe):
    application = build_application(BotDeps(core=core, transcribe=transcribe), token=TOKEN, request=tg,
                                    get_updates_request=tg)
    async with application:
        tg.clear()
        yield application
