"""End to end over real HTTP: the bot polls the npm telegram-test-api emulator, a user registers,
asks, and presses a button."""

from __future__ import annotations

import asyncio

import httpx

from bot.app import build_application
from bot.deps import BotDeps
from emulator_client import EmulatedUser, buttons
from storage.core import Core

TOKEN = "987654:E2E-TOKEN"


async def test_polling_registration_and_question_round_trip(emulator, db, kb):
    core = Core.build(db, kb)
    app = build_application(BotDeps(core=core), token=TOKEN, base_url=f"{emulator.url}/bot")
    async with app:
        await app.updater.start_polling(poll_interval=0.02, timeout=0, drop_pending_updates=False)
        await app.start()
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                user = EmulatedUser(http, emulator.url, TOKEN, 4242)

                await user.send("代表有哪些权利")
                (hint,) = await user.replies()
                assert "邀请码" in hint["text"]

                code, _ = await core.access.create_invitation(name="张三", delegation="宁夏代表团")
                await user.send(f"/start {code}")
                (welcome,) = await user.replies()
                assert "张三，欢迎使用代表履职助手" in welcome["text"]

                await user.send("代表享有哪些权利")
                (card,) = await user.replies()
                assert card["text"].startswith("<b>答：</b>") and "代表享有下列权利" in card["text"]
                assert card["parse_mode"] == "HTML"
                keys = buttons(card)
                assert {"原文1", "更多结果", "👍 有用", "👎 没用"} <= set(keys)

                await user.press(keys["原文1"], card["message_id"])
                (passage,) = await user.replies()
                assert "第三条" in passage["text"] and "罢免案" in passage["text"]

                await user.press(keys["👍 有用"], card["message_id"])
                await user.send("/help")
                (help_msg,) = await user.replies()
                assert "语音" in help_msg["text"]
            # updates run concurrently: the rating may land after the /help reply, so wait for it
            for _ in range(600):
                if await core.qa.rating_counts() == (1, 0):
                    break
                await asyncio.sleep(0.1)
            assert await core.qa.rating_counts() == (1, 0)
        finally:
            await app.updater.stop()
            await app.stop()
