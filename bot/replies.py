"""Sending multi-part HTML replies: the keyboard goes on the last part."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode


async def send_pages(
    message: Message, pages: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    sent = []
    for i, page in enumerate(pages):
        markup = keyboard if i == len(pages) - 1 else None
        sent.append(await message.reply_text(page, parse_mode=ParseMode.HTML, reply_markup=markup))
    return sent


async def edit_then_send(
    status: Message, pages: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Turn a placeholder ("识别中…") into the first page; further pages follow as new messages."""
    first, rest = pages[0], pages[1:]
    await status.edit_text(first, parse_mode=ParseMode.HTML, reply_markup=None if rest else keyboard)
    for i, page in enumerate(rest):
        markup = keyboard if i == len(rest) - 1 else None
        await status.chat.send_message(page, parse_mode=ParseMode.HTML, reply_markup=markup)
