"""What the broadcast and consultation handlers share: access checks, inline keyboards, Beijing time, waking
the sender, and answering a button exactly once."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from storage.clock import beijing_minute


log = logging.getLogger(__name__)


class HandlerBase:
    def __init__(self, deps) -> None:  # bot.deps.BotDeps
        self.deps = deps
        self.db = deps.core.db

    async def _staff(self, update: Update):
        from bot.guard import require_user

        return await require_user(update, self.deps, staff=True)

    async def _user(self, update: Update):
        from bot.guard import require_user

        return await require_user(update, self.deps)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


beijing_time = beijing_minute  # the name the broadcast modules use


def wake_sender(app: Application) -> None:
    ev = app.bot_data.get("bc_wake")
    if ev is not None:
        ev.set()


def answered(callback):
    """A button handled here is not also seen by the bot's catch-all button handler (group 0), which
    would answer the same query a second time (“该按钮已失效”, refused by Telegram)."""
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception:
            # Answered here, as bot.errors.on_error would: an exception escaping a handler only ends its
            # group in PTB, so the catch-all of group 0 would answer the same query a second time.
            from bot import texts
            from bot.errors import new_incident_id

            incident = new_incident_id()
            log.exception("incident=%s button %r failed", incident, update.callback_query.data)
            try:
                await update.callback_query.answer(texts.ERROR.format(incident=incident), show_alert=True)
            except TelegramError:
                log.warning("incident=%s apology not delivered", incident)
        raise ApplicationHandlerStop

    return run
