"""/start CODE registration, /help, and the reply to anything the bot cannot handle."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import texts
from bot.deps import BotDeps
from bot.guard import require_user
from storage.access import CODE_LENGTH, AccessStatus, RedeemStatus, code_shaped, normalize_code

log = logging.getLogger(__name__)

_REDEEM_REPLIES = {
    RedeemStatus.INVALID: texts.CODE_INVALID,
    RedeemStatus.EXPIRED: texts.CODE_EXPIRED,
    RedeemStatus.USED: texts.CODE_USED,
}


# An invitation code sent on its own (“ABCD2345EF”, “邀请码：abcd-2345-ef”), as people paste what they were given.
BARE_CODE = re.compile(r"^\s*(?:邀请码\s*[:：]?\s*)?[A-Za-z0-9][A-Za-z0-9 \-]{%d,%d}[A-Za-z0-9]\s*$"
                       % (CODE_LENGTH - 2, CODE_LENGTH + 4))
# A run of letters and digits (dashes inside) as long as a code, anywhere in a sentence: “…给了我一个码 FVRH5RQSQD”.
CODE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{%d,}[A-Za-z0-9]" % (CODE_LENGTH - 2))
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def code_in_sentence(text: str) -> str | None:
    """The one invitation-code-shaped token of a sentence (right length, only the code alphabet), normalised;
    None when there is none or more than one (then which one was meant is a guess)."""
    found = {normalize_code(t) for t in _TOKEN.findall(text)}
    codes = [c for c in found if code_shaped(c)]
    return codes[0] if len(codes) == 1 else None


def _command(update: Update) -> str:
    text = (update.effective_message.text or "") if update.effective_message else ""
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower() if text.startswith("/") else ""


def known_commands(app: Application) -> set[str]:
    return {c for group in app.handlers.values() for h in group if isinstance(h, CommandHandler) for c in h.commands}


class AccountHandlers:
    def __init__(self, deps: BotDeps, qa=None) -> None:  # qa: bot.qa_handlers.QAHandlers, for bare_code
        self.deps = deps
        self.core = deps.core
        self.qa = qa

    async def bare_code(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message that is, or contains, something shaped like an invitation code: from someone not yet
        registered the code is taken as “/start CODE”; from anyone else it is an ordinary question."""
        raw = update.effective_message.text or ""
        text = raw.replace("邀请码", "")
        res = await self.core.access.check(update.effective_user.id)
        if res.status is AccessStatus.UNREGISTERED:
            code = normalize_code(text) if BARE_CODE.match(raw) else code_in_sentence(raw)
            if code is not None and len(code) == CODE_LENGTH:
                context.args = [code]
                await self.start(update, context)
                return
        if self.qa is not None:
            await self.qa.text(update, context)

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
                await msg.reply_text(texts.NOT_REGISTERED)  # it already says how to send the code
            return
        result = await self.core.access.redeem(args[0], tg.id)
        log.info("redeem telegram_user=%s status=%s", tg.id, result.status.value)
        if result.status is RedeemStatus.OK:
            u = result.user
            delegation = f"，{u.delegation}" if u.delegation else ""
            await msg.reply_text(texts.WELCOME.format(name=u.name, role=texts.ROLE_NAMES[u.role.value],
                                                      delegation=delegation))
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
        if _command(update) in known_commands(context.application):
            return  # handled in another handler group (e.g. the broadcast commands)
        user = await require_user(update, self.deps)
        if user is None:
            return
        await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)
