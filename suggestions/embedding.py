"""Access to the shared sentence embedder (one e5 model per process, owned by retrieval)."""

from __future__ import annotations

import sys

import numpy as np

from suggestions.types import EmbedderLike

# A stored embedding is either one vector (older rows) or several: the vector of routing_text (what
# similarity and duplicate detection compare) followed by the body windows' vectors (what routing's
# embedding model also reads). Several rows are marked by a NaN header, which no unit vector holds.
_ROWS_MARK = np.array([np.nan], dtype=np.float32).tobytes()


def default_embedder() -> EmbedderLike:
    """The process-wide embedder (raises ModelMissingError if the model is not provisioned)."""
    from retrieval.embedder import Embedder

    return Embedder.shared()


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


class LazyEmbedder:
    """The shared embedder, loaded on first use: a one-off ``suggestion check`` whose words settle every question
    (no e5 coherence check, nothing submitted to compare with) does not pay the ~9 s of importing and loading it."""

    def __init__(self, loading_note: str | None = None) -> None:
        """``loading_note``: said on stderr just before the model is loaded (the command line's “正在载入语义模型……”),
        and only to a terminal: a person waiting learns why, while a script's captured stderr and a piped --json
        stay as they were. Not said when the model is already in memory."""
        from deputy_assistant.models import E5_NAME, model_path
        from retrieval.embedder import Embedder

        self._loading_note = loading_note
        self._embedder: EmbedderLike | None = default_embedder() if Embedder.loaded() else None
        if self._embedder is None:
            model_path(E5_NAME)  # a missing model is reported now (ModelMissingError), not halfway through a check

    def _get(self) -> EmbedderLike:
        if self._embedder is None:
            if self._loading_note and _stderr_is_terminal():
                print(self._loading_note, file=sys.stderr, flush=True)
            self._embedder = default_embedder()
        return self._embedder

    def encode_queries(self, texts):  # noqa: ANN001, ANN201 - the EmbedderLike protocol's
        return self._get().encode_queries(texts)

    def encode_passages(self, texts, **kwargs):  # noqa: ANN001, ANN003, ANN201
        return self._get().encode_passages(texts, **kwargs)

    def __getattr__(self, name: str):  # noqa: ANN204 - anything else the embedder offers
        return getattr(self._get(), name)

    @property
    def loaded(self) -> bool:
        return self._embedder is not None


def to_blob(vec: np.ndarray) -> bytes:
    """One vector, or rows (routing_text's vector first)."""
    vec = np.asarray(vec, dtype=np.float32)
    if vec.ndim == 1:
        return vec.tobytes()
    return _ROWS_MARK + np.array([vec.shape[0]], dtype=np.float32).tobytes() + vec.tobytes()


def rows_from_blob(blob: bytes | None) -> np.ndarray | None:
    """All stored vectors as rows (one row for older blobs)."""
    if not blob:
        return None
    if blob[:4] == _ROWS_MARK:
        head = np.frombuffer(blob[:8], dtype=np.float32)
        return np.frombuffer(blob[8:], dtype=np.float32).reshape(int(head[1]), -1)
    return np.frombuffer(blob, dtype=np.float32)[None, :]


def from_blob(blob: bytes | None) -> np.ndarray | None:
    """The routing_text vector (the one similarity compares)."""
    rows = rows_from_blob(blob)
    return None if rows is None else rows[0]
