"""Chunk and document metadata of an index, in SQLite inside the index directory."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus.document import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT, source TEXT, fingerprint TEXT, doc_type TEXT,
    collection TEXT, scope TEXT, n_chunks INTEGER, metadata TEXT);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER, title TEXT, locator TEXT, text TEXT,
    context TEXT, page INTEGER, kind TEXT, doc_type TEXT, collection TEXT, scope TEXT, tokens TEXT);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_title ON chunks(title);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

_COLS = "id, doc_id, ordinal, title, locator, text, context, page, kind, doc_type, collection, scope"


class ChunkStore:
    def __init__(self, path: Path, read_only: bool = False):
        uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        if not read_only:
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def fingerprint(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT fingerprint FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def next_id(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='next_id'").fetchone()
        return int(row[0]) if row else 0

    def add(self, doc: dict, chunks: list[tuple[int, Chunk, list[str]]]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (doc["doc_id"], doc["title"], doc["source"], doc["fingerprint"], doc["doc_type"], doc["collection"],
             doc["scope"], len(chunks), json.dumps(doc.get("metadata", {}), ensure_ascii=False, default=str)),
        )
        self.db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(cid, c.doc_id, c.ordinal, c.title, c.locator, c.text, json.dumps(c.context, ensure_ascii=False),
              c.page, c.kind, c.doc_type, c.collection, c.scope, " ".join(toks)) for cid, c, toks in chunks],
        )
        if chunks:
            nid = max(cid for cid, _, _ in chunks) + 1
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('next_id', ?)", (str(max(nid, self.next_id())),))

    def delete(self, doc_id: str) -> list[int]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]
        self.db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        return ids

    def commit(self) -> None:
        self.db.commit()

    def get(self, ids: Iterable[int]) -> dict[int, Chunk]:
        ids = list(ids)
        out: dict[int, Chunk] = {}
        for i in range(0, len(ids), 900):
            part = ids[i : i + 900]
            q = f"SELECT {_COLS} FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            for row in self.db.execute(q, part):
                out[row[0]] = _chunk(row)
        return out

    def titles(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT title FROM chunks")]

    def histories(self) -> dict[str, str]:
        """Title → the amendment history a law file carries above its text (``metadata.history``)."""
        out = {}
        for title, meta in self.db.execute("SELECT title, metadata FROM documents WHERE metadata LIKE '%\"history\"%'"):
            if history := json.loads(meta).get("history"):
                out[title] = history
        return out

    def repealing_texts(self) -> list[tuple[str, str]]:
        """(title, text) of the chunks that repeal something (“…同时废止”): the last articles of laws, a handful."""
        return list(self.db.execute("SELECT title, text FROM chunks WHERE text LIKE '%废止%'"))

    def ids_with_titles(self, titles: Iterable[str], limit: int = 5000) -> list[int]:
        titles = list(titles)[:900]
        q = f"SELECT id FROM chunks WHERE title IN ({','.join('?' * len(titles))}) LIMIT ?"
        return [r[0] for r in self.db.execute(q, [*titles, limit])] if titles else []

    def iter_chunks(self) -> Iterator[tuple[int, Chunk]]:
        for row in self.db.execute(f"SELECT {_COLS} FROM chunks ORDER BY id"):
            yield row[0], _chunk(row)

    def iter_tokens(self) -> Iterator[tuple[int, list[str]]]:
        for cid, toks in self.db.execute("SELECT id, tokens FROM chunks ORDER BY id"):
            yield cid, toks.split()

    def counts(self) -> tuple[int, int]:
        d = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        c = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return d, c

    def documents(self) -> list[dict]:
        rows = self.db.execute("SELECT doc_id, title, source, doc_type, collection, scope, n_chunks FROM documents")
        keys = ("doc_id", "title", "source", "doc_type", "collection", "scope", "n_chunks")
        return [dict(zip(keys, r)) for r in rows]

    def corpus_fingerprint(self) -> str:
        import hashlib

        h = hashlib.sha256()
        for (fp,) in self.db.execute("SELECT fingerprint FROM documents ORDER BY doc_id"):
            h.update(fp.encode())
        return h.hexdigest()


def _chunk(row: tuple) -> Chunk:
    _, doc_id, ordinal, title, locator, text, context, page, kind, doc_type, collection, scope = row
    return Chunk(doc_id=doc_id, ordinal=ordinal, title=title, locator=locator, text=text,
                 context=tuple(json.loads(context or "[]")), page=page, kind=kind, doc_type=doc_type,
                 collection=collection, scope=scope)
