"""Helpers shared by the bot tests (imported by name: conftest modules are not importable)."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.testing import FakeTelegram, UpdateFactory
from storage.core import Core
from storage.models import Role

TODAY = date(2026, 8, 10)
TOKEN = "123456:TEST-TOKEN"


async def feed(app, payload: dict) -> None:
    await app.process_update(Update.de_json(payload, app.bot))


async def register(core: Core, app, upd: UpdateFactory, tg: FakeTelegram, uid: int, *, role: Role = Role.DEPUTY,
                   delegation: str | None = None) -> None:
    code, _ = await core.access.create_invitation(name=f"用户{uid}", role=role, delegation=delegation)
    await feed(app, upd.text(uid, f"/start {code}"))
    assert "欢迎使用" in tg.texts()[-1]
    tg.clear()
