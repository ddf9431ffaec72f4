"""The knowledge base over the built-in corpus (corpus/data), built on first use."""

from __future__ import annotations

import threading

from corpus import BUILTIN_DIR
from deputy_assistant.config import get_settings

from .index import KnowledgeBase

_LOCK = threading.Lock()
_KB: KnowledgeBase | None = None


def builtin_kb(progress: bool = False) -> KnowledgeBase:
    """Open (and if needed build or refresh) the index of the built-in corpus."""
    global _KB
    with _LOCK:
        if _KB is None:
            kb = KnowledgeBase.open(get_settings().resolved_index_dir)
            kb.ingest_paths([BUILTIN_DIR], collection="builtin", progress=progress)  # no-op when unchanged
            _KB = kb
        return _KB
