"""Voice question -> transcript -> answer with sources. Domain code: knows nothing of Telegram."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from .correction import Corrector, corrector_for_index, default_corrector
from .decode import AudioInput
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


def corrector_for(index_dir: str | Path | None) -> Corrector:
    """Correction toward the given index's lexicon, else the built-in corpus's."""
    if index_dir is None:
        return default_corrector()
    return corrector_for_index(index_dir)


def open_kb(index_dir: str | Path | None):
    if index_dir is None:
        from retrieval.builtin import builtin_kb

        return builtin_kb()
    from retrieval import KnowledgeBase

    return KnowledgeBase.open(Path(index_dir))


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
    transcript = recognizer.transcribe_sync(file, corrector_for(index_dir))
    kb = kb if kb is not None else open_kb(index_dir)
    return VoiceAnswer(transcript, kb.answer(transcript.search_text, top_k=top_k))


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
    corrector = await asyncio.to_thread(corrector_for, index_dir)  # first call builds the lexicon
    transcript = await recognizer.transcribe(audio, corrector)
    if kb is None:
        kb = await asyncio.to_thread(open_kb, index_dir)
    answer = await kb.aanswer(transcript.search_text, top_k=top_k, filters=filters)
    return VoiceAnswer(transcript, answer)
