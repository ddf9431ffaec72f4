"""Access to the shared sentence embedder.

The project-wide one is ``retrieval.embedder.Embedder.shared()``. Until that module lands this
falls back to loading the same provisioned e5 model directly (same prefixes, same normalisation),
so that the suggestions package runs on its own; the fallback goes away once retrieval ships it.
"""

from __future__ import annotations

import threading

import numpy as np

from suggestions.types import EmbedderLike

_lock = threading.Lock()
_fallback: "_LocalE5 | None" = None


class _LocalE5:
    def __init__(self) -> None:
        from sentence_transformers import SentenceTransformer

        from deputy_assistant.config import get_settings
        from deputy_assistant.models import model_path

        settings = get_settings()
        if settings.torch_threads:
            import torch

            torch.set_num_threads(settings.torch_threads)
        self._model = SentenceTransformer(str(model_path("multilingual-e5-small")), device="cpu")
        self._model.max_seq_length = settings.embedding_max_seq_length
        self._batch = settings.embedding_batch_size

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        out = self._model.encode(texts, batch_size=self._batch, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(out, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([f"query: {t}" for t in texts])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([f"passage: {t}" for t in texts])


def default_embedder() -> EmbedderLike:
    """The process-wide embedder (raises ModelMissingError if the model is not provisioned)."""
    global _fallback
    try:
        from retrieval.embedder import Embedder  # type: ignore[import-not-found]
    except ImportError:
        with _lock:
            if _fallback is None:
                _fallback = _LocalE5()
            return _fallback
    return Embedder.shared()


def to_blob(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float32).tobytes()


def from_blob(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    return np.frombuffer(blob, dtype=np.float32)
