"""Incremental Okapi BM25 over a sparse term-frequency matrix (rows = chunk ids)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse


class BM25:
    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self._rows: list[int] = []  # chunk id of each row
        self._cols: list[np.ndarray] = []
        self._tfs: list[np.ndarray] = []
        self._alive: dict[int, int] = {}  # chunk id → row
        self._dirty = True
        self._matrix: sparse.csc_matrix | None = None
        self._df = np.zeros(0, dtype=np.float32)  # document frequency per vocab column, from _build

    def __len__(self) -> int:
        return len(self._alive)

    def add(self, chunk_id: int, tokens: list[str]) -> None:
        counts = Counter(tokens)
        cols = np.fromiter((self.vocab.setdefault(t, len(self.vocab)) for t in counts), dtype=np.int32, count=len(counts))
        self._alive[chunk_id] = len(self._rows)
        self._rows.append(chunk_id)
        self._cols.append(cols)
        self._tfs.append(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        self._dirty = True

    def remove(self, chunk_id: int) -> None:
        row = self._alive.pop(chunk_id, None)
        if row is not None:
            self._cols[row] = np.zeros(0, dtype=np.int32)  # a tombstone: the row scores nothing
            self._tfs[row] = np.zeros(0, dtype=np.float32)
            self._dirty = True

    def _build(self) -> None:
        n = len(self._rows)
        lengths = np.array([t.sum() for t in self._tfs], dtype=np.float32)
        alive = lengths > 0
        avgdl = float(lengths[alive].mean()) if alive.any() else 1.0
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(c) for c in self._cols], out=indptr[1:])
        cols = np.concatenate(self._cols) if n else np.zeros(0, dtype=np.int32)
        tfs = np.concatenate(self._tfs) if n else np.zeros(0, dtype=np.float32)
        row_of = np.repeat(np.arange(n), np.diff(indptr))
        norm = self.k1 * (1 - self.b + self.b * lengths[row_of] / avgdl)
        weights = tfs * (self.k1 + 1) / (tfs + norm)
        df = np.bincount(cols, minlength=len(self.vocab)).astype(np.float32)
        self._df = df
        n_alive = max(int(alive.sum()), 1)
        self.idf = np.log(1 + (n_alive - df + 0.5) / (df + 0.5)).astype(np.float32)
        self._matrix = sparse.csr_matrix((weights, cols, indptr), shape=(n, len(self.vocab))).tocsc()
        self._row_ids = np.array(self._rows, dtype=np.int64)
        self._dirty = False

    def knows(self, term: str) -> bool:
        """Does a live (not deleted) chunk contain ``term``?"""
        if self._dirty:
            self._build()
        col = self.vocab.get(term)
        return col is not None and col < len(self._df) and self._df[col] > 0

    def df(self, term: str) -> int:
        """How many live chunks contain ``term``."""
        if self._dirty:
            self._build()
        col = self.vocab.get(term)
        return int(self._df[col]) if col is not None and col < len(self._df) else 0

    def search(self, tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (chunk ids, scores) for the query tokens."""
        if self._dirty:
            self._build()
        q = Counter(t for t in tokens if t in self.vocab)
        if not q or self._matrix is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        cols = np.array([self.vocab[t] for t in q], dtype=np.int64)
        qw = self.idf[cols] * np.array(list(q.values()), dtype=np.float32)
        scores = np.asarray(self._matrix[:, cols] @ qw).ravel()
        nz = np.flatnonzero(scores)
        if nz.size > k:
            nz = nz[np.argpartition(-scores[nz], k)[:k]]
        order = nz[np.argsort(-scores[nz])]
        return self._row_ids[order], scores[order]

    def score_ids(self, chunk_ids: np.ndarray, tokens: list[str]) -> np.ndarray:
        """BM25 scores of given chunks (0 for unknown or deleted ones)."""
        if self._dirty:
            self._build()
        q = Counter(t for t in tokens if t in self.vocab)
        out = np.zeros(len(chunk_ids), dtype=np.float32)
        if not q or self._matrix is None:
            return out
        rows = np.array([self._alive.get(int(c), -1) for c in chunk_ids])
        ok = rows >= 0
        if not ok.any():
            return out
        cols = np.array([self.vocab[t] for t in q], dtype=np.int64)
        qw = self.idf[cols] * np.array(list(q.values()), dtype=np.float32)
        sub = self._matrix[:, cols].tocsr()[rows[ok]]
        out[ok] = np.asarray(sub @ qw).ravel()
        return out
