"""Webhook mode over real HTTP: Telegram's POST comes in, the reply goes out via the fake API."""

from __future__ import annotations

import asyncio
import socket

import httpx

from botharness import register


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_receives_updates_and_checks_secret(app, core, tg, upd):
    await register(core, app, upd, tg, 400)
    port = _free_port()
    await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="telegram",
                                    webhook_url="https://bot.example.org/telegram", secret_token="s3cret")
    await app.start()
    try:
        (hook,) = tg.sent("setWebhook")
        assert hook.params["url"] == "https://bot.example.org/telegram" and hook.params["secret_token"] == "s3cret"
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as http:
            bad = await http.post(url, json=upd.text(400, "代表享有哪些权利"),
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            assert bad.status_code == 403
            ok = await http.post(url, json=upd.text(400, "代表享有哪些权利"),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert ok.status_code == 200
        for _ in range(1200):  # up to a minute: answering runs the real model on a possibly busy CPU
            if tg.sent("sendMessage"):
                break
            await asyncio.sleep(0.05)
        (card,) = tg.sent("sendMessage")
        assert card.text.startswith("<b>答：</b>")
    finally:
        await app.updater.stop()
        await app.stop()
