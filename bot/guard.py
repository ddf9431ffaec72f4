"""Access checks at the edge: ask the core who the sender is and reply the refusal when needed."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.deps import BotDeps
from storage.access import AccessStatus
from storage.views import UserView

_REFUSALS = {
    AccessStatus.UNREGISTERED: texts.NOT_REGISTERED,
    AccessStatus.SUSPENDED: texts.SUSPENDED,
    AccessStatus.FORBIDDEN: texts.STAFF_ONLY,
}


async def require_user(update: Update, deps: BotDeps, *, staff: bool = False,
                       forbidden: str | None = None) -> UserView | None:
    """``forbidden``: what a deputy is told instead of the bare staff-only line, where there is a way on."""
    tg = update.effective_user
    if tg is None:
        return None
    res = await deps.core.access.check(tg.id, staff_only=staff)
    if res.ok:
        return res.user
    text = forbidden if forbidden and res.status is AccessStatus.FORBIDDEN else _REFUSALS[res.status]
    await refuse(update, text)
    return None


async def refuse(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
