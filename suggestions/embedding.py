"""Access to the shared sentence embedder (one e5 model per process, owned by retrieval)."""

from __future__ import annotations

import numpy as np

from suggestions.types import EmbedderLike


def default_embedder() -> EmbedderLike:
    """The process-wide embedder (raises ModelMissingError if the model is not provisioned)."""
    from retrieval.embedder import Embedder

    return Embedder.shared()


def to_blob(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float32).tobytes()


def from_blob(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    return np.frombuffer(blob, dtype=np.float32)
