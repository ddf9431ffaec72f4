"""The slice of ``retrieval.KnowledgeBase`` the core uses (typed as a Protocol so tests and
deployments can hand in any compatible knowledge base)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from retrieval.types import Answer, Hit, SearchFilters


class KnowledgeBaseLike(Protocol):
    async def asearch(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[Hit]: ...

    async def aanswer(self, query: str, top_k: int = 5, filters: SearchFilters | None = None) -> Answer: ...

    async def aingest_paths(
        self, paths: Sequence[Path], collection: str = "default", scope: str = "all"
    ) -> Any: ...

    def iter_chunks(self) -> Iterable[Any]: ...

    def documents(self) -> list[dict]: ...

    def delete_document(self, doc_id: str) -> bool: ...


def hit_to_dict(h: Hit) -> dict:
    return {
        "chunk_id": int(h.chunk_id),
        "doc_id": h.doc_id,
        "title": h.title,
        "locator": h.locator,
        "text": h.text,
        "score": round(float(h.score), 6),
        "page": h.page,
        "scope": h.scope,
    }


def citation_of(d: dict) -> str:
    parts = [f"《{d['title']}》"]
    if d.get("locator"):
        parts.append(d["locator"])
    if d.get("page") is not None:
        parts.append(f"第{d['page']}页")
    return " ".join(parts)
