"""Staff document upload: which files are accepted, how a scope is written, ingestion."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from storage.kb import KnowledgeBaseLike

ALLOWED_SUFFIXES = (".pdf", ".docx", ".md", ".txt")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
UPLOAD_COLLECTION = "uploads"

_SCOPE_ALIASES = {"all": "all", "全部": "all", "公开": "all", "所有人": "all",
                  "staff": "staff", "工作人员": "staff", "内部": "staff"}
_PREFIXES = {"delegation": "delegation", "代表团": "delegation", "committee": "committee", "委员会": "committee",
             "专委会": "committee"}


def parse_scope(text: str | None) -> str | None:
    """"全部" → "all"; "代表团:宁夏代表团" / "delegation:宁夏代表团" → "delegation:宁夏代表团"; else None."""
    if not text:
        return None
    t = text.strip()
    t = re.sub(r"^(范围|scope)\s*[:：=]?\s*", "", t, flags=re.I)
    if t.lower() in _SCOPE_ALIASES:
        return _SCOPE_ALIASES[t.lower()]
    m = re.match(r"^([^:：=\s]+)\s*[:：=]\s*(\S.*)$", t)
    if m and m.group(1).lower() in _PREFIXES and m.group(2).strip():
        return f"{_PREFIXES[m.group(1).lower()]}:{m.group(2).strip()}"
    return None


def upload_problem(file_name: str | None, size: int | None) -> str | None:
    """Why a file cannot be taken, as a machine code ("type", "size") or None."""
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return "type"
    if size is not None and size > MAX_UPLOAD_BYTES:
        return "size"
    return None


@dataclass
class UploadSummary:
    file_name: str
    scope: str
    documents: int = 0
    chunks: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UploadedDocument:
    doc_id: str  # “调研方案-1a2b3c4d”: the file's stem and a hash of its folder and name (corpus.loaders.doc_id_for)
    title: str
    scope: str
    chunks: int

    @property
    def code(self) -> str:
        """What staff type to delete it: the id's hash part, stable while the document stays."""
        return self.doc_id.rsplit("-", 1)[-1]


class UploadService:
    def __init__(self, kb: KnowledgeBaseLike) -> None:
        self.kb = kb

    async def ingest_bytes(self, file_name: str, data: bytes, scope: str, *, key: str | None = None) -> UploadSummary:
        """``key`` names the document apart from its file name (a briefing's attachment: its broadcast),
        so two files called 通知.docx for two audiences both stay; without it re-sending replaces."""
        summary = UploadSummary(_safe_name(file_name), scope)
        with _staged(summary.file_name, data, folder=_safe_key(key)) as path:
            report = await self.kb.aingest_paths([path], collection=UPLOAD_COLLECTION, scope=scope)
        summary.documents = int(getattr(report, "documents", 0))
        summary.chunks = int(getattr(report, "chunks", 0))
        summary.pages = int(getattr(report, "pages", 0) or 0)
        summary.errors = [str(reason) for _p, reason in getattr(report, "skipped", [])]
        return summary

    async def listed(self) -> list[UploadedDocument]:
        """The staff-uploaded documents (briefings' attachments included), newest ids last."""
        docs = await asyncio.to_thread(self.kb.documents)
        return [UploadedDocument(d["doc_id"], d["title"], d["scope"], int(d["n_chunks"] or 0))
                for d in docs if d["collection"] == UPLOAD_COLLECTION]

    async def delete(self, code: str) -> UploadedDocument | None:
        """Remove the uploaded document whose code (``UploadedDocument.code``) is ``code``; None when there is none.
        Only uploads: the built-in corpus and the laws an operator indexed cannot be removed from the bot."""
        code = code.strip().lower()
        doc = next((d for d in await self.listed() if d.code == code), None)
        if doc is None or not await asyncio.to_thread(self.kb.delete_document, doc.doc_id):
            return None
        return doc

    async def check_bytes(self, file_name: str, data: bytes, scope: str) -> UploadSummary:
        """What ``ingest_bytes`` would take in (documents, chunks, or why not), without touching the
        knowledge base, so a preview that is then cancelled leaves nothing behind. Parsing runs off
        the event loop (a large PDF takes seconds)."""
        summary = UploadSummary(_safe_name(file_name), scope)

        def parse() -> None:
            from corpus import LoadError, chunk_document, load_path

            with _staged(summary.file_name, data) as path:
                try:
                    docs = load_path(path, collection=UPLOAD_COLLECTION, scope=scope)
                except LoadError as exc:
                    summary.errors.append(str(exc))
                    return
            summary.documents = len(docs)
            summary.pages = sum(len(d.pages or []) for d in docs)
            summary.chunks = sum(len(chunk_document(d)) for d in docs)

        await asyncio.to_thread(parse)
        return summary


def _safe_name(file_name: str) -> str:
    return Path(file_name).name or "upload.txt"


def _safe_key(key: str | None) -> str:
    return UPLOAD_COLLECTION if not key else f"{UPLOAD_COLLECTION}-" + re.sub(r"[^\w-]", "_", key)


@contextmanager
def _staged(safe_name: str, data: bytes, folder: str = UPLOAD_COLLECTION) -> Iterator[Path]:
    """The bytes as a file the loaders can read. The parent folder's name is part of the document id
    (``corpus.loaders.doc_id_for``): a fixed one keeps it stable, so re-sending a file replaces it."""
    with tempfile.TemporaryDirectory(prefix="deputy-upload-") as tmp:
        folder = Path(tmp) / folder
        folder.mkdir()
        path = folder / safe_name
        path.write_bytes(data)
        yield path
