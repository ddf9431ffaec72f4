"""Voice notes and audio files: "识别中…" edited into the transcript and the answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import formatting, keyboards, texts
from bot.deps import BotDeps
from bot.guard import require_user
from bot.qa_handlers import QAHandlers
from bot.replies import edit_then_send, send_pages

log = logging.getLogger(__name__)

# Same limits as speech.decode; checked on Telegram's metadata so nothing oversized is downloaded.
MAX_VOICE_SECONDS = 60
MAX_VOICE_BYTES = 20 * 1024 * 1024


def _audio_error_types() -> tuple[type[BaseException], ...]:
    try:
        from speech.errors import AudioError
    except ImportError:
        return ()
    return (AudioError,)


async def transcribe_message(
    deps: BotDeps,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    user_id: int,
    allowed: Callable[[], Awaitable[bool]],
) -> tuple[Message, Any] | None:
    """The voice pipeline shared by questions and drafting: limits checked on Telegram's metadata,
    ``allowed()`` (the rate limit), "识别中…", download, recognition. Returns the status message and
    the transcript, or None once the user has been told why not."""
    msg = update.effective_message
    media = msg.voice or msg.audio or msg.document
    duration = getattr(media, "duration", None)
    if duration is not None and duration > MAX_VOICE_SECONDS:
        await msg.reply_text(texts.VOICE_TOO_LONG.format(s=MAX_VOICE_SECONDS))
        return None
    if media.file_size is not None and media.file_size > MAX_VOICE_BYTES:
        await msg.reply_text(texts.VOICE_TOO_LARGE)
        return None
    if deps.transcribe is None:
        await msg.reply_text(texts.VOICE_UNAVAILABLE)
        return None
    if not await allowed():
        return None
    status = await msg.reply_text(texts.VOICE_WORKING)
    try:
        data = bytes(await (await context.bot.get_file(media.file_id)).download_as_bytearray())
    except TelegramError as exc:  # file gone or too big for the Bot API, network: say so on the status line
        log.info("voice download failed user=%s reason=%s", user_id, type(exc).__name__)
        await status.edit_text(texts.VOICE_DOWNLOAD_FAILED)
        return None
    if len(data) > MAX_VOICE_BYTES:  # metadata can be missing or wrong
        await status.edit_text(texts.VOICE_TOO_LARGE)
        return None
    try:
        tr = await deps.transcribe(data)
    except _audio_error_types() as exc:
        log.info("voice rejected user=%s reason=%s", user_id, type(exc).__name__)
        if hasattr(exc, "message_for"):  # NotAudio: a damaged voice note is not "send a voice note instead"
            text = exc.message_for(voice_note=msg.voice is not None)
        else:
            text = getattr(exc, "user_message", texts.VOICE_UNAVAILABLE)
        await status.edit_text(text)
        return None
    log.info("voice transcribed user=%s duration_s=%.1f confidence=%.2f",
             user_id, float(getattr(tr, "duration_s", 0.0)), float(getattr(tr, "confidence", 0.0)))
    return status, tr


class VoiceHandlers:
    def __init__(self, deps: BotDeps, qa: QAHandlers) -> None:
        self.deps = deps
        self.core = deps.core
        self.qa = qa

    async def voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        # A voice note is told of the rate limit every time: unlike a burst of typed lines, each one was spoken
        # on purpose, and without a reply the deputy cannot tell whether it arrived.
        got = await transcribe_message(self.deps, update, context, user.id,
                                       lambda: self.qa.allowed(update, user, tell_always=True))
        if got is None:
            return
        status, tr = got
        alternatives = [a for a in (getattr(tr, "alternatives", None) or []) if a and a != tr.text]
        if getattr(tr, "low_confidence", False) and alternatives:
            await self._answer_unsure(user, status, tr.text, alternatives)
            return
        query, lead = await self.qa.read_on(user, tr.text)  # “那宁夏呢？” spoken after a question reads on from it
        result = await self.qa.ask(user, query, kind="voice", alternatives=alternatives)
        await edit_then_send(status, formatting.answer_card(result, heard=tr.text, lead=lead), self.qa.card_keyboard(result))

    async def _answer_unsure(self, user, status: Message, text: str, alternatives: list[str]) -> None:  # noqa: ANN001
        """Answer the best guess, and offer the other readings as buttons on the transcript."""
        choices = alternatives[:4]
        result = await self.qa.ask(user, text, kind="voice", alternatives=choices)
        await status.edit_text(
            formatting.e(texts.VOICE_UNSURE.format(text=text)),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.alternatives_keyboard(result.query_id, choices),
        )
        await send_pages(status, formatting.answer_card(result), self.qa.card_keyboard(result))

    async def alternative(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The user picked another reading of an unsure voice note: answer that one."""
        cq = update.callback_query
        cb = keyboards.decode(cq.data)
        if cb is None or cb.action != "a":
            return
        user = await require_user(update, self.deps)
        if user is None:
            return
        q = await self.core.qa.get(user, cb.query_id)
        if q is not None and cb.arg == keyboards.TYPE_INSTEAD:
            await cq.answer()
            try:  # the readings are settled: their buttons go, so a second tap cannot ask again
                await cq.edit_message_reply_markup(reply_markup=None)
            except TelegramError:
                log.info("voice alternatives keyboard not removed", exc_info=True)
            await cq.message.chat.send_message(texts.VOICE_TYPE_INSTEAD)
            return
        if q is None or not 0 <= cb.arg < len(q.alternatives):
            await cq.answer(texts.EXPIRED_BUTTON, show_alert=True)
            return
        decision = await self.core.limiter.hit(user.id)
        if not decision.allowed:
            await cq.answer(texts.RATE_LIMITED.format(s=decision.retry_after_s), show_alert=True)
            return
        await cq.answer()
        text = q.alternatives[cb.arg]
        result = await self.qa.ask(user, text, kind="voice")
        pages = formatting.answer_card(result, heard=text)
        kb = self.qa.card_keyboard(result)
        for i, page in enumerate(pages):
            await cq.message.chat.send_message(page, parse_mode=ParseMode.HTML,
                                               reply_markup=kb if i == len(pages) - 1 else None)
