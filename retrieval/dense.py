"""FAISS vector index keyed by chunk id: exact inner product, HNSW once the corpus is large."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_THRESHOLD = 200_000  # exact search stays under ~30 ms per query below this many vectors (384-d)


class DenseIndex:
    def __init__(self, dim: int, kind: str = "flat", index: faiss.Index | None = None):
        self.dim, self.kind = dim, kind
        if index is None:
            if kind == "hnsw":
                base = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
                base.hnsw.efConstruction = 80
                base.hnsw.efSearch = 128
            else:
                base = faiss.IndexFlatIP(dim)
            index = faiss.IndexIDMap2(base)
        self.index = index

    def __len__(self) -> int:
        return self.index.ntotal

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))

    def remove(self, ids: list[int]) -> None:
        """Exact indexes drop the vectors; HNSW cannot, so the caller filters deleted ids (tombstones)."""
        if ids and self.kind == "flat":
            self.index.remove_ids(np.array(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.index.ntotal == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, self.index.ntotal))
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def vectors(self, ids: np.ndarray, missing_ok: bool = False) -> np.ndarray:
        """``missing_ok``: an id without a vector (a chunk whose vectors a crash kept from being saved) gets
        zeros, so it scores nothing densely instead of failing every search that meets it."""
        if not len(ids):
            return np.zeros((0, self.dim), np.float32)
        if not missing_ok:
            return np.vstack([self.index.reconstruct(int(i)) for i in ids])
        zero = np.zeros(self.dim, np.float32)
        return np.vstack([v if (v := self._vector(i)) is not None else zero for i in ids])

    def _vector(self, i: int) -> np.ndarray | None:
        try:
            return self.index.reconstruct(int(i))
        except RuntimeError:  # faiss: id not found
            return None

    def present(self, ids: list[int]) -> np.ndarray:
        """The vectors of those ``ids`` that are in the index (absent ones are skipped, not an error)."""
        out = [v for i in ids if (v := self._vector(i)) is not None]
        return np.vstack(out) if out else np.zeros((0, self.dim), np.float32)

    def save(self, path: Path) -> None:
        self.write_tmp(path).replace(path)

    def write_tmp(self, path: Path) -> Path:
        """Written beside ``path``; the caller renames it into place once the chunk store has committed."""
        tmp = path.with_suffix(".tmp")
        faiss.write_index(self.index, str(tmp))
        return tmp

    @classmethod
    def load(cls, path: Path, dim: int, kind: str, mmap: bool = False) -> "DenseIndex":
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        return cls(dim, kind, faiss.read_index(str(path), flags))
