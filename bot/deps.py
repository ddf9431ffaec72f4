"""What the handlers need, injected once when the Application is built."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from storage.core import Core

if TYPE_CHECKING:
    from bot.suggestion_services import SuggestionServices

log = logging.getLogger(__name__)

# Asked once at start-up (answer thrown away): loads the e5 embedder, the index, jieba and the answer composer.
WARM_UP_QUESTION = "代表建议交办会在几月开？"

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


def warm_up_speech() -> None:
    """Blocking: load the shared Vosk model, run one recogniser over half a second of silence and build the
    transcript corrector (its lexicon), which the first voice note would otherwise pay for."""
    import numpy as np

    from speech.correction import default_corrector
    from speech.decode import Pcm
    from speech.recognizer import Recognizer

    rec = Recognizer.shared()
    rec.recognize_pcm(Pcm(np.zeros(8000, dtype=np.int16)))
    default_corrector()


def warm_up_models(kb: Any, *, speech: bool = True) -> dict[str, float]:
    """Blocking, for a worker thread at bot start: load what the first question and the first voice note
    would otherwise load while a deputy waits (9–15 s). A failure is logged and the bot starts anyway (the
    model then loads on first use, as before). Returns the seconds each part took (failed parts omitted)."""
    took: dict[str, float] = {}
    parts: list[tuple[str, Callable[[], object]]] = [("retrieval", lambda: kb.answer(WARM_UP_QUESTION))]
    if speech:
        parts.append(("speech", warm_up_speech))
    for name, load in parts:
        t0 = time.perf_counter()
        try:
            load()
        except Exception:  # noqa: BLE001 - a warm-up must never keep the bot from starting
            log.warning("warm-up %s failed; it will load on first use", name, exc_info=True)
            continue
        took[name] = time.perf_counter() - t0
        log.info("warm-up %s ms=%.0f", name, took[name] * 1000)
    return took
