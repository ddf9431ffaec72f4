"""Delivers the suggestions outbox (``sugg_outbox``: status changes, submissions, overdue flags,
draft reminders) as Telegram messages, and the background loop that produces reminders and
overdue flags.

Handlers call ``deliver`` right after an action, so the deputy hears of a status change at once;
the loop picks up anything else (the CLI, another process, a failed send) within a minute.
Within one process a lock keeps two deliveries from sending a row twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot import suggestion_texts as t
from bot.formatting import TELEGRAM_LIMIT, e
from bot.suggestion_services import SuggestionServices
from bot.suggestion_views import evaluation_keyboard
from storage.models import Role, User, UserStatus
from suggestions import repository as repo
from suggestions.models import OutboxRow
from suggestions.status import STATUS_ANSWERED, StatusError

log = logging.getLogger(__name__)

DELIVER_EVERY_S = 60.0
HOUSEKEEPING_EVERY = timedelta(hours=1)  # draft reminders (after a day idle) and overdue flags
STAFF = "staff"
REPLY_CHARS = 1500


async def _chat_ids(svc: SuggestionServices, recipient: str) -> list[int]:
    active = User.status == UserStatus.ACTIVE.value
    async with svc.core.db.session() as s:
        if recipient == STAFF:
            q = select(User.telegram_id).where(active, User.role.in_([Role.STAFF.value, Role.ADMIN.value]))
        elif recipient.isdigit():
            q = select(User.telegram_id).where(active, User.id == int(recipient))
        else:
            return []
        return list((await s.execute(q)).scalars())


async def _render(svc: SuggestionServices, row: OutboxRow) -> tuple[str, InlineKeyboardMarkup | None]:
    text = e(row.text)
    if row.kind == "suggestion.status" and row.payload.get("status") == STATUS_ANSWERED and row.suggestion_id:
        try:
            detail = await svc.status.detail(row.suggestion_id)
        except StatusError:
            return text, None
        reply = detail.reply if len(detail.reply) <= REPLY_CHARS else detail.reply[:REPLY_CHARS] + "…"
        text += "\n\n" + e(t.REPLY_TEXT.format(reply=reply))
        return text[:TELEGRAM_LIMIT], evaluation_keyboard(row.suggestion_id)
    return text[:TELEGRAM_LIMIT], None


async def deliver(bot: Bot, svc: SuggestionServices, limit: int = 100) -> int:
    """Send pending outbox rows; returns how many rows were handled. A user who blocked the bot or
    a chat that no longer exists is logged and skipped; a network error leaves the row pending."""
    async with svc.outbox_lock:
        async with svc.sm() as s:
            rows = list(await repo.pending_events(s, limit))
        for row in rows:
            text, keyboard = await _render(svc, row)
            for chat_id in await _chat_ids(svc, row.recipient):
                try:
                    await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
                except (Forbidden, BadRequest) as exc:
                    log.info("outbox row=%s chat=%s not delivered: %s", row.id, chat_id, type(exc).__name__)
            async with svc.sm.begin() as s:
                await repo.mark_delivered(s, [row.id], svc.clock())
            log.info("outbox row=%s kind=%s delivered", row.id, row.kind)
        return len(rows)


async def housekeeping(svc: SuggestionServices) -> None:
    """Draft reminders and overdue flags; both go through the outbox (each at most once per period)."""
    await svc.drafts.due_reminders()
    await svc.status.flag_overdue()


def start_background(app: Application, svc: SuggestionServices) -> None:
    stop = asyncio.Event()

    async def loop() -> None:
        last_housekeeping = None
        while not stop.is_set():
            try:
                now = svc.clock()
                if last_housekeeping is None or now - last_housekeeping >= HOUSEKEEPING_EVERY:
                    await housekeeping(svc)
                    last_housekeeping = now
                await deliver(app.bot, svc)
            except Exception:  # keep the loop alive; the rows stay pending
                log.exception("suggestions outbox round failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=DELIVER_EVERY_S)
            except TimeoutError:
                pass

    app.bot_data["sugg_stop"] = stop
    app.bot_data["sugg_task"] = asyncio.create_task(loop(), name="sugg-outbox")


async def stop_background(app: Application) -> None:
    stop, task = app.bot_data.pop("sugg_stop", None), app.bot_data.pop("sugg_task", None)
    if stop is None or task is None:
        return
    stop.set()
    await asyncio.gather(task, return_exceptions=True)
