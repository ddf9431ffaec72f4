"""The only bridge between the delivery core and python-telegram-bot: wraps ``bot.send_message`` (or
``send_document`` for a briefing with an attachment) into the worker's ``send(chat_id, text, buttons) ->
message_id`` and maps telegram.error onto broadcasts.errors."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram import error as tg

from broadcasts.errors import BlockedError, PermanentError, RetryAfter, TransientError
from broadcasts.worker import Buttons, SendFn

_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked", "peer_id_invalid")


def markup(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in buttons])


def make_send(bot: Bot) -> SendFn:
    async def send(chat_id: int, text: str, buttons: Buttons | None, document: str | None = None) -> int:
        try:
            if document:  # a file Telegram already holds: re-sent by file_id, the text as its caption
                msg = await bot.send_document(chat_id, document, caption=text, reply_markup=markup(buttons))
            else:
                msg = await bot.send_message(chat_id, text, reply_markup=markup(buttons))
        except tg.RetryAfter as e:
            ra = e.retry_after
            raise RetryAfter(ra.total_seconds() if isinstance(ra, timedelta) else float(ra)) from e
        except tg.Forbidden as e:
            raise BlockedError(e.message) from e
        except tg.BadRequest as e:  # a subclass of NetworkError: must come before it
            if any(k in e.message.lower() for k in _GONE):
                raise BlockedError(e.message) from e
            raise PermanentError(e.message) from e
        except (tg.InvalidToken, tg.Conflict) as e:
            raise PermanentError(str(e)) from e
        except tg.TelegramError as e:  # TimedOut, NetworkError (incl. 5xx), anything else from the API
            err = TransientError(str(e))
            # PTB raises an HTTP error status (5xx) as a NetworkError with no cause: Telegram answered, it did
            # not accept the message. A timeout or a transport failure (raised *from* the httpx error) may
            # have been accepted: the rate window must keep counting it.
            err.maybe_delivered = isinstance(e, tg.TimedOut) or e.__cause__ is not None
            raise err from e
        return msg.message_id

    return send
