from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta

import pytest

from storage.models import Role, User
from storage.testing import isolated_database

from broadcasts.schema import ensure_tables


@pytest.fixture
async def db():
    """SQLite in a temp dir, or DATABASE_URL / DEPUTY_TEST_DATABASE_URL (a fresh PostgreSQL schema)."""
    url = os.environ.get("DEPUTY_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or None
    async with isolated_database(url) as database:
        await ensure_tables(database)
        yield database


class Clock:
    """A hand-moved UTC clock for backoff and scheduling."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = start or datetime(2026, 3, 1, 8, 0, 0)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _add_users(db, specs: list[dict]) -> list[User]:
    """specs: dicts of User fields; telegram_id defaults to 1000+i, role to deputy."""
    out = []
    async with db.session() as s, s.begin():
        for i, spec in enumerate(specs):
            u = User(telegram_id=spec.pop("telegram_id", 1000 + i), name=spec.pop("name", f"代表{i}"),
                     role=spec.pop("role", Role.DEPUTY.value), committees=spec.pop("committees", []), **spec)
            s.add(u)
            out.append(u)
        await s.flush()
    return out


@pytest.fixture
def add_users(db):
    async def go(specs: list[dict]) -> list[User]:
        return await _add_users(db, [dict(x) for x in specs])

    return go


class NoKB:
    """Broadcasts never search; Core only needs something with iter_chunks."""

    def iter_chunks(self):
        return iter(())


@pytest.fixture
def bot_app(db):
    """The broadcast handlers on a real Application over ``db``, Telegram faked at HTTP (``app.tg``; the
    handlers' ``BotDeps`` as ``app.deps``)."""
    from telegram.ext import Application

    from bot.deps import BotDeps
    from bot.testing import FakeTelegram
    from storage.core import Core

    from broadcasts.bot_handlers import register_broadcast_handlers

    @contextlib.asynccontextmanager
    async def make(transcribe=None):
        tg = FakeTelegram()
        application = Application.builder().token("1:T").request(tg).get_updates_request(tg).build()
        deps = BotDeps(core=Core.build(db, NoKB()), transcribe=transcribe)
        register_broadcast_handlers(application, deps)
        async with application:
            tg.clear()
            application.tg, application.deps = tg, deps
            yield application

    return make


@pytest.fixture
def add_staff_and_deputies(add_users):
    """The bot tests' three users: staff 500 and two deputies, 100 (广东代表团) and 101 (四川代表团); each module
    names them STAFF, DEP1, DEP2. ``dep1``: more fields for the first deputy (committees…)."""
    async def go(**dep1) -> list[User]:
        return await add_users([{"telegram_id": 500, "name": "秘书", "role": Role.STAFF.value},
                                {"telegram_id": 100, "name": "张三", "delegation": "广东代表团", **dep1},
                                {"telegram_id": 101, "name": "李四", "delegation": "四川代表团"}])

    return go


@pytest.fixture
async def app(add_staff_and_deputies, bot_app):
    """The broadcast bot with those three users (a module needing a recogniser makes its own)."""
    await add_staff_and_deputies()
    async with bot_app() as application:
        yield application
