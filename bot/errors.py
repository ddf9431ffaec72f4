"""Global error handler: the user gets an apology with an incident id, the log gets the trace."""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts

log = logging.getLogger(__name__)


def new_incident_id() -> str:
    return secrets.token_hex(4).upper()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    incident = new_incident_id()
    user_id = getattr(getattr(update, "effective_user", None), "id", None)
    log.error("incident=%s telegram_user=%s unhandled error", incident, user_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = texts.ERROR.format(incident=incident)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the apology itself failed (network): the trace above is what matters
        log.warning("incident=%s apology not delivered", incident, exc_info=True)
    # One reply per update: without this a later handler group (the catch-all button handler, the question
    # answerer after a failed draft step) would answer the same update again.
    raise ApplicationHandlerStop
