"""Voice question -> transcript -> answer with sources. Domain code: knows nothing of Telegram."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from pathlib import Path

from .correction import Corrector, corrector_for_index, default_corrector
from .decode import AudioInput, decode
from .recognizer import Recognizer, Transcript


@dataclass
class VoiceAnswer:
    transcript: Transcript
    answer: object  # retrieval.Answer

    def to_json(self) -> dict:
        a = self.answer
        return {
            "transcript": self.transcript.to_json(),
            "question": a.question,
            "answer": a.text,
            "found": a.found,
            "sources": [h.to_json() | {"citation": h.citation} for h in a.hits],
        }


def corrector_for(index_dir: str | Path | None, kb=None) -> Corrector:
    """Correction toward the given index's lexicon, else the built-in corpus's. ``kb``: that index
    already opened (its lexicon is then read from it instead of opening it a second time)."""
    if index_dir is None:
        return default_corrector()
    return corrector_for_index(index_dir, kb)


_KBS: dict[str, object] = {}
_KB_LOCK = threading.Lock()


def open_kb(index_dir: str | Path | None):
    """The knowledge base of ``index_dir`` (built-in if None), opened once per process: opening
    loads the whole BM25 index, far more than answering one question costs. A rebuilt index is
    picked up by the knowledge base itself (``maybe_reload``)."""
    if index_dir is None:
        from retrieval.builtin import builtin_kb

        return builtin_kb()
    from retrieval import KnowledgeBase

    key = str(Path(index_dir).resolve())
    with _KB_LOCK:
        kb = _KBS.get(key)
        if kb is None:
            # read-only: a mistyped --index must fail, not leave an empty index behind and answer from it
            kb = _KBS[key] = KnowledgeBase.open(Path(key), read_only=True)
        return kb


def ask_voice(
    file: AudioInput,
    index_dir: str | Path | None = None,
    *,
    top_k: int = 5,
    recognizer: Recognizer | None = None,
    kb=None,
) -> VoiceAnswer:
    """Blocking: transcribe ``file`` and answer the question from the index (built-in if None).
    Raises ``speech.errors.AudioError`` subclasses (with ``user_message``) on unusable audio."""
    recognizer = recognizer or Recognizer.shared()
    pcm = decode(file)  # unusable audio is refused here, before any index is opened
    kb = kb if kb is not None else open_kb(index_dir)
    transcript = recognizer.transcribe_sync(pcm, corrector_for(index_dir, kb))
    return VoiceAnswer(transcript, kb.answer(transcript.text, top_k=top_k))


async def aask_voice(
    audio: AudioInput,
    index_dir: str | Path | None = None,
    *,
    top_k: int = 5,
    filters=None,
    recognizer: Recognizer | None = None,
    kb=None,
) -> VoiceAnswer:
    """Async: recognition in the bounded worker pool, search through ``kb.aanswer``."""
    recognizer = recognizer or Recognizer.shared()
    corrector = await asyncio.to_thread(corrector_for, index_dir, kb)  # the first call builds the lexicon
    transcript = await recognizer.transcribe(audio, corrector)
    if kb is None:
        kb = await asyncio.to_thread(open_kb, index_dir)
    answer = await kb.aanswer(transcript.text, top_k=top_k, filters=filters)
    return VoiceAnswer(transcript, answer)
