"""/start CODE registration, /help, and the reply to anything the bot cannot handle."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import texts
from bot.deps import BotDeps
from bot.guard import require_user
from storage.access import AccessStatus, RedeemStatus

log = logging.getLogger(__name__)

_REDEEM_REPLIES = {
    RedeemStatus.INVALID: texts.CODE_INVALID,
    RedeemStatus.EXPIRED: texts.CODE_EXPIRED,
    RedeemStatus.USED: texts.CODE_USED,
}


class AccountHandlers:
    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps
        self.core = deps.core

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        tg = update.effective_user
        args = context.args or []
        if not args:
            res = await self.core.access.check(tg.id)
            if res.status is AccessStatus.OK:
                await msg.reply_text(texts.ALREADY_REGISTERED.format(name=res.user.name))
            elif res.status is AccessStatus.SUSPENDED:
                await msg.reply_text(texts.SUSPENDED)
            else:
                await msg.reply_text(texts.NOT_REGISTERED + "\n\n" + texts.CODE_MISSING)
            return
        result = await self.core.access.redeem(args[0], tg.id)
        log.info("redeem telegram_user=%s status=%s", tg.id, result.status.value)
        if result.status is RedeemStatus.OK:
            u = result.user
            await msg.reply_text(texts.WELCOME.format(name=u.name, role=texts.ROLE_NAMES[u.role.value]))
        elif result.status is RedeemStatus.ALREADY_REGISTERED:
            active = result.user.active
            await msg.reply_text(texts.ALREADY_REGISTERED.format(name=result.user.name) if active else texts.SUSPENDED)
        else:
            await msg.reply_text(_REDEEM_REPLIES[result.status])

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        res = await self.core.access.check(update.effective_user.id)
        if res.status is not AccessStatus.OK:
            await update.effective_message.reply_text(
                texts.SUSPENDED if res.status is AccessStatus.SUSPENDED else texts.NOT_REGISTERED
            )
            return
        text = texts.HELP + (texts.HELP_STAFF if res.user.is_staff else "")
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, locations, unknown commands...: say what works instead."""
        if update.effective_message is None:
            return
        user = await require_user(update, self.deps)
        if user is None:
            return
        await update.effective_message.reply_text(texts.UNSUPPORTED)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)
