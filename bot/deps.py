"""What the handlers need, injected once when the Application is built."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from storage.core import Core

if TYPE_CHECKING:
    from bot.suggestion_services import SuggestionServices

# data -> speech.recognizer.Transcript (text, raw_text, confidence, alternatives, duration_s)
Transcriber = Callable[[bytes], Awaitable[Any]]


@dataclass
class BotDeps:
    core: Core
    transcribe: Transcriber | None = None
    invite_ttl: timedelta = timedelta(hours=72)
    # Drafting, self-check, handling status (suggestions/); built from ``core`` when not given.
    suggestions: SuggestionServices | None = None


def default_transcriber() -> Transcriber | None:
    """The Vosk recogniser from ``speech``, loaded lazily on the first voice note; None when the
    speech package is unavailable (the bot then asks for text)."""
    try:
        from speech.recognizer import Recognizer
    except ImportError:
        return None

    async def transcribe(data: bytes) -> Any:
        rec = await asyncio.to_thread(Recognizer.shared)  # model load is blocking: keep it off the loop
        return await rec.transcribe(data)

    return transcribe
