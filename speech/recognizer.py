"""Offline Mandarin recognition with Vosk (vosk-model-small-cn-0.22), off the event loop.

The model is loaded once per process. Recognitions run in a small thread pool (Kaldi decodes in C
and releases the GIL, so text queries on the event loop stay responsive); an admission counter
bounds how many jobs may wait, so a burst of voice notes cannot exhaust memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .decode import SAMPLE_RATE, AudioInput, Pcm, decode
from .errors import NoSpeech, RecognizerBusy

if TYPE_CHECKING:
    from .correction import Corrector

log = logging.getLogger(__name__)

MODEL_NAME = "vosk-model-small-cn-0.22"
MAX_WORKERS = 2
MAX_PENDING = 16  # running + queued; beyond this new jobs are refused with RecognizerBusy
MAX_ALTERNATIVES = 10
LOW_CONFIDENCE = 0.6  # below this the user is offered the alternatives to pick from
DENSITY_FLOOR, DENSITY_SPAN = 30.0, 50.0  # best-path score per second -> 0..1 (see _merge_segments)


@dataclass
class Transcript:
    text: str  # corrected and number-normalised: what search uses and the user sees
    raw_text: str  # what Vosk heard
    confidence: float  # 0..1: n-best word agreement, capped by the best path's score per second
    duration_s: float
    alternatives: list[str] = field(default_factory=list)  # distinct corrected n-best texts
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (heard, replaced by)
    # Seconds per stage, wall and CPU of the worker thread: decode, recognise, correct (diagnostics,
    # filled by transcribe_sync; not part of to_json).
    timings: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("timings", None)
        d["confidence"] = round(self.confidence, 4)
        d["duration_s"] = round(self.duration_s, 3)
        return d


@dataclass
class RawResult:
    """Vosk output before correction: n-best texts (words joined by spaces) and posteriors."""

    nbest: list[str]
    posteriors: list[float]
    confidence: float
    duration_s: float
    score: float = 0.0  # Vosk's total score of the best path (sum over segments)

    @property
    def text(self) -> str:
        return self.nbest[0] if self.nbest else ""


def _resolve_model_dir(model_dir: str | Path | None) -> Path:
    if model_dir is not None:
        return Path(model_dir)
    from deputy_assistant.models import model_path  # lazy: the app shell is not needed in tests

    return model_path(MODEL_NAME)


class Recognizer:
    """One Vosk model + a bounded worker pool. Use ``Recognizer.shared()`` in the application."""

    _shared: Recognizer | None = None
    _shared_lock = threading.Lock()

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        max_workers: int = MAX_WORKERS,
        max_pending: int = MAX_PENDING,
        max_alternatives: int = MAX_ALTERNATIVES,
    ):
        import vosk

        vosk.SetLogLevel(-1)
        self.model_dir = _resolve_model_dir(model_dir)
        self._model = vosk.Model(str(self.model_dir))
        self._vosk = vosk
        self.max_alternatives = max_alternatives
        self.max_pending = max_pending
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="vosk")
        self._pending = 0
        self._pending_lock = threading.Lock()
        # Idle Kaldi recognisers, kept for the next note. The small model's graph is composed on
        # the fly (HCLr o Gr), and each recogniser caches the part of the composition it has
        # visited: a new recogniser per note spent about two thirds of its CPU re-composing the
        # same graph. FinalResult() ends every utterance, so the next one starts with a fresh
        # feature pipeline (no CMVN / i-vector adaptation carried from one user to the next);
        # only the graph cache (bounded by OpenFst's cache GC) is shared.
        self._idle: list = []
        self._idle_lock = threading.Lock()
        self._max_idle = max(2, max_workers)

    @classmethod
    def shared(cls, model_dir: str | Path | None = None) -> Recognizer:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls(model_dir)
            return cls._shared

    # -- recognition -------------------------------------------------------------------------

    def _acquire(self):
        with self._idle_lock:
            if self._idle:
                return self._idle.pop()  # the most recently used: its graph cache is the warmest
        rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        rec.SetMaxAlternatives(self.max_alternatives)
        rec.SetWords(True)
        return rec

    def drop_idle(self) -> None:
        """Forget the idle Kaldi recognisers and their graph caches (benchmarks: time notes the
        way a freshly started process would, not on a cache warmed by the same sentences)."""
        with self._idle_lock:
            self._idle.clear()

    def _release(self, rec) -> None:
        with self._idle_lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(rec)

    def recognize_pcm(self, pcm: Pcm) -> RawResult:
        """Blocking: run Vosk over decoded PCM and return the n-best list."""
        rec = self._acquire()
        data = pcm.to_bytes()
        step = SAMPLE_RATE * 2 * 10  # 10-s blocks keep intermediate buffers small
        segments: list[dict] = []
        at_endpoint = False
        for i in range(0, len(data), step):
            at_endpoint = rec.AcceptWaveform(data[i : i + step])
            if at_endpoint:
                segments.append(json.loads(rec.Result()))
        if at_endpoint:
            # The note ended on an endpoint: Result() left the recogniser "at an endpoint", where
            # FinalResult() does nothing and the next AcceptWaveform would carry this note's
            # feature pipeline (CMVN, i-vector, leftover frames) into the next note. An empty
            # chunk reopens it and FinalResult() closes it for good; what that decodes (at most
            # the few frames held back for context) is dropped, as it always was.
            rec.AcceptWaveform(b"")
            rec.FinalResult()
        else:
            segments.append(json.loads(rec.FinalResult()))
        # Only a recogniser closed by FinalResult() is kept (an exception above drops it): its
        # next AcceptWaveform starts a new feature pipeline and decoder.
        self._release(rec)
        return _merge_segments(segments, pcm.duration_s)

    def recognize(self, audio: AudioInput | Pcm) -> RawResult:
        pcm = audio if isinstance(audio, Pcm) else decode(audio)
        return self.recognize_pcm(pcm)

    def transcribe_sync(self, audio: AudioInput | Pcm, corrector: Corrector | None = None) -> Transcript:
        """Blocking: decode, recognise and correct. Raises AudioError subclasses on bad input."""
        w0, c0 = time.perf_counter(), time.thread_time()
        pcm = audio if isinstance(audio, Pcm) else decode(audio)
        w1, c1 = time.perf_counter(), time.thread_time()
        raw = self.recognize_pcm(pcm)
        w2, c2 = time.perf_counter(), time.thread_time()
        transcript = finish(raw, corrector)
        w3, c3 = time.perf_counter(), time.thread_time()
        transcript.timings = {
            "decode_s": w1 - w0, "recognise_s": w2 - w1, "correct_s": w3 - w2,
            "decode_cpu_s": c1 - c0, "recognise_cpu_s": c2 - c1, "correct_cpu_s": c3 - c2,
        }
        return transcript

    async def transcribe(self, audio: AudioInput | Pcm, corrector: Corrector | None = None) -> Transcript:
        """Like ``transcribe_sync`` but in the worker pool; refuses with RecognizerBusy when full."""
        with self._pending_lock:
            if self._pending >= self.max_pending:
                raise RecognizerBusy()
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self.transcribe_sync, audio, corrector)
        finally:
            with self._pending_lock:
                self._pending -= 1

    @property
    def pending(self) -> int:
        return self._pending

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def finish(raw: RawResult, corrector: Corrector | None) -> Transcript:
    """Turn Vosk's n-best into a Transcript: correction toward the lexicon, numbers normalised."""
    from .correction import default_corrector  # lazy: avoids building the lexicon when not used

    raw_text = _join(raw.text)
    if len(raw_text) < 2:  # nothing, or one syllable heard in noise (“我”): not a question to answer
        raise NoSpeech()
    corrector = corrector or default_corrector()
    result = corrector.correct(raw.nbest, raw.posteriors)
    alternatives: list[str] = []
    for alt in raw.nbest[1:]:
        fixed = corrector.correct([alt], [1.0]).text
        if fixed and fixed != result.text and fixed not in alternatives:
            alternatives.append(fixed)
        if len(alternatives) >= 4:
            break
    return Transcript(
        text=result.text,
        raw_text=raw_text,
        confidence=raw.confidence,
        duration_s=raw.duration_s,
        alternatives=alternatives,
        corrections=result.replacements,
    )


def _join(spaced: str) -> str:
    """Vosk separates Chinese words by spaces; the user expects none."""
    return "".join(spaced.split())


def _merge_segments(segments: list[dict], duration_s: float) -> RawResult:
    """Vosk may end an utterance early on a pause: concatenate segment n-bests (top-k aligned)."""
    seg_nbests: list[list[tuple[str, float, list[dict]]]] = []
    for seg in segments:
        alts = seg.get("alternatives") or []
        items = [(a.get("text", "").strip(), float(a.get("confidence", 0.0)), a.get("result") or []) for a in alts]
        items = [it for it in items if it[0]]
        if items:
            seg_nbests.append(items)
    if not seg_nbests:
        return RawResult(nbest=[], posteriors=[], confidence=0.0, duration_s=duration_s)
    confs: list[float] = []
    weights: list[int] = []
    for items in seg_nbests:
        confs.append(_word_posterior_confidence(items))
        weights.append(len(items[0][2]) or 1)
    agreement = sum(c * w for c, w in zip(confs, weights)) / sum(weights)
    # n-best agreement alone is overconfident when the model is surely wrong (noise, far-field,
    # dialect): then the best path's score per second of audio is low. Calibrated by eye on the
    # 25 recordings of ../shared/eval/speech and the dev questions: >= 80/s clean, < 60/s poor.
    density = sum(items[0][1] for items in seg_nbests) / max(duration_s, 0.1)
    acoustic = min(1.0, max(0.0, (density - DENSITY_FLOOR) / DENSITY_SPAN))
    confidence = min(agreement, acoustic)
    # n-best of the whole note: vary one segment at a time around the best path.
    best = [items[0][0] for items in seg_nbests]
    nbest = [" ".join(best)]
    posteriors = [1.0]
    for si, items in enumerate(seg_nbests):
        post = _softmax([s for _, s, _ in items])
        for (text, _, _), p in zip(items[1:], post[1:]):
            alt = best.copy()
            alt[si] = text
            nbest.append(" ".join(alt))
            posteriors.append(p)
    posteriors[0] = min((_softmax([s for _, s, _ in it])[0] for it in seg_nbests), default=1.0)
    score = sum(items[0][1] for items in seg_nbests)
    return RawResult(nbest=nbest, posteriors=posteriors, confidence=confidence, duration_s=duration_s, score=score)


def _softmax(scores: list[float]) -> list[float]:
    m = max(scores)
    exps = [math.exp(s - m) for s in scores]
    z = sum(exps)
    return [e / z for e in exps]


def _word_posterior_confidence(items: list[tuple[str, float, list[dict]]]) -> float:
    """Mean over the best path's words of the n-best posterior mass agreeing on that word
    (same word, about the same time): a cheap stand-in for lattice word confidences."""
    post = _softmax([s for _, s, _ in items])
    best_words = items[0][2]
    if not best_words:
        return post[0]
    total = 0.0
    for w in best_words:
        mass = 0.0
        for p, (_, _, words) in zip(post, items):
            if any(
                o.get("word") == w.get("word") and abs(o.get("start", 0) - w.get("start", 0)) < 0.15
                for o in words
            ):
                mass += p
        total += mass
    return total / len(best_words)
