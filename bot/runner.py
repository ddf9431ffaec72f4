"""Process start-up for ``deputy-assistant bot run``: migrations, knowledge base, polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.app import COMMANDS, build_application
from bot.deps import BotDeps, default_transcriber, warm_up_models
from storage.core import Core
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    webhook: bool = False
    webhook_url: str = ""
    listen: str = "0.0.0.0"
    port: int = 8443
    secret: str = ""
    rate_limit: int = 20
    # Load the embedding and speech models before the first update (DEPUTY_BOT_WARM_UP).
    warm_up: bool = True

    @classmethod
    def from_settings(cls, webhook: bool = False) -> RunOptions:
        from deputy_assistant.config import get_settings

        s = get_settings()
        return cls(webhook=webhook, webhook_url=s.webhook_url, listen=s.webhook_listen, port=s.webhook_port,
                   secret=s.webhook_secret, rate_limit=s.rate_limit_per_minute, warm_up=s.bot_warm_up)


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def load_knowledge_base():  # noqa: ANN201
    from retrieval.builtin import builtin_kb

    return builtin_kb()


def build(opts: RunOptions, *, request: BaseRequest | None = None) -> Application:
    """``request``: the HTTP transport for the Bot API (tests pass bot.testing.FakeTelegram)."""
    from deputy_assistant.config import get_settings

    settings = get_settings()
    if not settings.telegram_bot_token:
        raise SystemExit("未设置 TELEGRAM_BOT_TOKEN")
    kb = load_knowledge_base()  # blocking, once, before the event loop starts
    db = Database(settings.resolved_database_url)
    core = Core.build(db, kb, rate_limit=opts.rate_limit)
    deps = BotDeps(core=core, transcribe=default_transcriber())
    app = build_application(deps, token=settings.telegram_bot_token, base_url=settings.telegram_api_base_url,
                            request=request, get_updates_request=request)

    async def post_init(application: Application) -> None:
        await db.upgrade()
        try:
            await application.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:  # cosmetic (the command menu); some local API servers lack it
            log.warning("setMyCommands failed: %s", exc)
        from broadcasts.bot_handlers import start_background

        await start_background(application, deps)  # outbox sender + event reminders, state in the DB
        from bot.suggestion_outbox import start_background as start_suggestions

        start_suggestions(application, deps.suggestions)  # status notifications, draft reminders, overdue flags
        if opts.warm_up:
            # Before polling starts, in a worker thread (the loop keeps serving the background senders): the
            # first deputy no longer waits 9–15 s for the embedder and Vosk. Failures are logged, never fatal.
            await asyncio.to_thread(warm_up_models, kb, speech=deps.transcribe is not None)
        log.info("bot ready mode=%s", "webhook" if opts.webhook else "polling")

    async def post_shutdown(application: Application) -> None:
        from broadcasts.bot_handlers import stop_background
        from bot.suggestion_outbox import stop_background as stop_suggestions

        await stop_suggestions(application)
        await stop_background(application)
        await db.dispose()

    app.post_init = post_init
    app.post_shutdown = post_shutdown
    return app


def run(opts: RunOptions) -> None:
    configure_logging()
    app = build(opts)
    if opts.webhook:
        if not opts.webhook_url:
            raise SystemExit("webhook 模式需要设置 DEPUTY_WEBHOOK_URL（Telegram 可访问的 https 地址）")
        app.run_webhook(
            listen=opts.listen,
            port=opts.port,
            url_path="telegram",
            webhook_url=opts.webhook_url.rstrip("/") + "/telegram",
            secret_token=opts.secret or secrets.token_urlsafe(24),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
