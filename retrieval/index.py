"""KnowledgeBase: a persisted hybrid index (FAISS + BM25 + chunk store) with incremental updates."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
from filelock import FileLock, Timeout
from tqdm import tqdm

from corpus import Chunk, Document, LoadError, chunk_document, iter_files, load_path
from corpus.chunking import CHUNKING_VERSION
from corpus.cleaning import to_simplified
from corpus.numbers import search_text

from .bm25 import BM25
from .dense import HNSW_THRESHOLD, DenseIndex
from .facets import all_facet_ids, facet_ids, facet_texts, owner
from .query import content_words, is_topic_word, lay_terms, question_words, rewrite_query, spell_out
from .ranking import (
    RankConfig, add_actor_prior, add_adoption_prior, add_group_scores, add_locator_prior, add_object_prior,
    add_quoted_prior, add_session_prior, add_title_priors, fuse,
)
from .titles import QueryTitles, TitleCatalog, repealed_by
from .tokenize import frequency, tokenize
from .types import Answer, Hit, SearchFilters
from .typos import fix_homophones

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")  # “2027年…”
# … as the period of a plan, report or budget (“2027年代表工作计划”, “2027年度的安排”)
_PLAN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?的?[^，。？?\d]{0,8}?(?:计划|安排|要点|报告|预算|决算|规划)")

FORMAT = 1
# A word used by at most this share of the chunks names what a question is about (see ``rare_words``): 20 of the
# 4,421 chunks of the built-in corpus with the laws. A small corpus (the built-in one alone, ~200 chunks) has
# no such words: there nearly every word is in a few chunks, and ``unseen_share`` judges its questions.
RARE_SHARE = 0.0045
UNKNOWN_EVERYDAY_FREQ = 5000  # an unknown word this common in general Chinese (出去 9,979; 受伤 2,402) names no topic
MANIFEST = "manifest.json"
CHECKPOINT_SECONDS = 60.0  # a long build saves what it has finished at most this often
EMBED_BATCH = 2048


class IndexMismatchError(RuntimeError):
    pass


@dataclass
class IngestReport:
    documents: int = 0  # added or replaced
    unchanged: int = 0
    chunks: int = 0
    pages: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what was left out of a file that was read)

    def summary(self) -> str:
        s = f"文档 {self.documents} 篇（未变化 {self.unchanged} 篇），片段 {self.chunks} 个"
        if self.pages:
            s += f"，PDF 页 {self.pages} 页"
        if self.skipped:
            s += f"，跳过 {len(self.skipped)} 个文件"
        return s


def fingerprint(doc: Document) -> str:
    h = hashlib.sha256(f"chunking {CHUNKING_VERSION}\0".encode())
    for part in (doc.title, doc.text, doc.doc_type, doc.collection, doc.scope,
                 json.dumps(doc.pages, ensure_ascii=False), json.dumps([b.__dict__ for b in doc.blocks or []],
                                                                      ensure_ascii=False, default=str)):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class KnowledgeBase:
    def __init__(self, root: Path, embedder=None, read_only: bool = False, rank: RankConfig | None = None):
        self.root = Path(root)
        self.read_only = read_only
        self.rank = rank or RankConfig()
        self._embedder = embedder
        self._lock = threading.RLock()
        self._generation = -1
        self._load()

    # -- lifecycle -----------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str, embedder=None, read_only: bool = False, rank: RankConfig | None = None) -> "KnowledgeBase":
        return cls(Path(root), embedder, read_only, rank)

    @property
    def embedder(self):
        if self._embedder is None:
            from .embedder import Embedder

            self._embedder = Embedder.shared()
        return self._embedder

    def _manifest(self) -> dict | None:
        path = self.root / MANIFEST
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def _load(self) -> None:
        from .store import ChunkStore

        manifest = self._manifest()
        if manifest is None and self.read_only:
            raise FileNotFoundError(f"索引目录 {self.root} 中没有索引（缺少 {MANIFEST}），请先运行 deputy-assistant index build")
        if manifest is not None:
            if manifest.get("format") != FORMAT:
                raise IndexMismatchError(f"索引格式版本 {manifest.get('format')} 与程序（{FORMAT}）不符，请重建索引")
            model = manifest["model"]
            if self._embedder is not None and (model != self.embedder.model_id or manifest["dim"] != self.embedder.dim):
                raise IndexMismatchError(
                    f"索引由模型 {model}（{manifest['dim']} 维）构建，当前模型为 {self.embedder.model_id}"
                    f"（{self.embedder.dim} 维）：请用 deputy-assistant index build 重建索引"
                )
        self.root.mkdir(parents=True, exist_ok=True)
        self.store = ChunkStore(self.root / "chunks.sqlite", read_only=self.read_only)
        dim = manifest["dim"] if manifest else None
        kind = manifest.get("index_type", "flat") if manifest else "flat"
        self.dense = DenseIndex.load(self.root / "dense.faiss", dim, kind) if manifest else None
        self.bm25 = BM25()
        for cid, toks in self.store.iter_tokens():
            self.bm25.add(cid, toks)
        self._catalog: TitleCatalog | None = None
        self._generation = manifest["generation"] if manifest else 0
        # indexes built before facets existed have none; they keep working (and stay without) until rebuilt
        self._facets = bool(manifest.get("facets", False)) if manifest else True
        self._manifest_mtime = (self.root / MANIFEST).stat().st_mtime_ns if manifest else 0

    def maybe_reload(self) -> bool:
        """Readers (several bot workers) pick up a rebuilt index when its manifest changes."""
        path = self.root / MANIFEST
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return False
        if mtime == self._manifest_mtime:
            return False
        with self._lock:
            manifest = self._manifest()
            if manifest and manifest["generation"] != self._generation:
                self.store.close()
                self._load()
                return True
            self._manifest_mtime = mtime
        return False

    @contextmanager
    def _writing(self, progress: bool = False):
        """One writer per index directory across processes (two CLI runs refreshing the built-in index at
        once, a bot and an `index build`): the second waits for the first, then reloads what it wrote, so
        it neither fails on a locked database nor overwrites the first's work with its older state."""
        if self.read_only:
            raise PermissionError("只读索引不能修改")
        lock = FileLock(str(self.root / "write.lock"))
        # the file lock first, without the in-process lock: searches in this process (a bot answering while
        # an `index build` runs) go on while it waits
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if progress:
                tqdm.write("索引正在被另一个进程更新，等待其完成……", file=sys.stderr)
            lock.acquire()
        try:
            with self._lock:
                manifest = self._manifest()
                if manifest and manifest["generation"] != self._generation:
                    self.store.close()
                    self._load()
                yield
        finally:
            lock.release()

    def save(self) -> None:
        if self.read_only:
            raise PermissionError("只读索引不能修改")
        with self._lock:
            if self.dense is None:
                self.store.commit()
                return
            if self.dense.kind == "flat" and len(self.dense) > HNSW_THRESHOLD:
                self._switch_to_hnsw()
            # vectors written first, chunks committed, then the vectors renamed into place: a crash leaves
            # the store and the vectors of one save or of the other, not chunks without vectors
            tmp = self.dense.write_tmp(self.root / "dense.faiss")
            self.store.commit()
            tmp.replace(self.root / "dense.faiss")
            docs, chunks = self.store.counts()
            self._generation += 1
            manifest = {
                "format": FORMAT, "model": self.embedder.model_id, "dim": self.embedder.dim,
                "index_type": self.dense.kind, "generation": self._generation, "documents": docs, "chunks": chunks,
                "facets": self._facets,
                "corpus_fingerprint": self.store.corpus_fingerprint(),
                "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            tmp = self.root / (MANIFEST + ".tmp")
            tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            tmp.replace(self.root / MANIFEST)  # written last: readers never see a half-saved index
            self._manifest_mtime = (self.root / MANIFEST).stat().st_mtime_ns

    def _switch_to_hnsw(self) -> None:
        ids = faiss.vector_to_array(self.dense.index.id_map).astype(np.int64)  # chunks and their facets
        vecs = self.dense.vectors(ids)
        hnsw = DenseIndex(self.dense.dim, "hnsw")
        hnsw.add(ids, vecs)
        self.dense = hnsw

    @property
    def manifest(self) -> dict | None:
        return self._manifest()

    # -- ingestion -----------------------------------------------------------------------------
    def ingest_paths(self, paths: list[Path | str], collection: str = "default", scope: str = "all",
                     progress: bool = False) -> IngestReport:
        report = IngestReport()
        docs: list[Document] = []
        for path in iter_files([Path(p) for p in paths]):
            try:
                loaded = load_path(path, collection=collection, scope=scope)
            except LoadError as exc:
                report.skipped.append((str(path), str(exc)))
                continue
            report.pages += sum(len(d.pages or []) for d in loaded)
            if bad := max(d.metadata.get("jsonl_bad_lines", 0) for d in loaded):
                report.notes.append((str(path), f"{bad} 行格式错误（每行需要 id、title、text 字段），已跳过"))
            docs.extend(loaded)
        self.ingest_documents(docs, report, progress=progress)
        return report

    def ingest_documents(self, docs: list[Document], report: IngestReport | None = None,
                         progress: bool = False) -> IngestReport:
        report = report or IngestReport()
        fps = [fingerprint(d) for d in docs]
        with self._lock:
            unchanged = bool(docs) and all(self.store.fingerprint(d.doc_id) == fp for d, fp in zip(docs, fps))
        if unchanged:
            report.unchanged += len(docs)  # nothing to write: no file lock, no save, no reload for the readers
            return report
        with self._writing(progress):
            pending: list[tuple[dict, list[Chunk]]] = []
            for doc, fp in zip(docs, fps):
                old = self.store.fingerprint(doc.doc_id)
                if old == fp:
                    report.unchanged += 1
                    continue
                # a replaced document's old chunks go in the batch that adds its new ones (_add_chunks), so a
                # checkpoint never publishes the index with the old ones gone and the new ones not there yet
                meta = {"doc_id": doc.doc_id, "title": doc.title, "source": doc.source, "fingerprint": fp,
                        "doc_type": doc.doc_type, "collection": doc.collection, "scope": doc.scope,
                        "metadata": doc.metadata, "replaces": old is not None}
                pending.append((meta, chunk_document(doc)))
                report.documents += 1
            total = sum(len(c) for _, c in pending)
            report.chunks += total
            if total:
                self._add_chunks(pending, total, progress)
            for meta, cs in pending:
                if meta["replaces"] and not cs:  # replaced by a version that makes no chunks
                    self._delete_locked(meta["doc_id"])
            if pending:
                self.save()
        return report

    def _add_chunks(self, pending: list[tuple[dict, list[Chunk]]], total: int, progress: bool) -> None:
        if self.dense is None:
            self.dense = DenseIndex(self.embedder.dim)
        self._catalog = None
        next_id = self.store.next_id()
        bar = tqdm(total=total, desc="向量化", unit="片段", disable=not progress)
        pool = ThreadPoolExecutor(1)  # jieba (GIL-bound) overlaps with torch (releases the GIL)
        last_save = time.monotonic()
        try:
            batch: list[tuple[dict, list[Chunk]]] = []
            size = 0
            for item in pending + [None]:
                if item is not None:
                    batch.append(item)
                    size += len(item[1])
                if batch and (item is None or size >= EMBED_BATCH):
                    flat = [c for _, cs in batch for c in cs]
                    texts = [c.index_text() for c in flat]
                    toks_future = pool.submit(lambda ts: [tokenize(t) for t in ts], texts)
                    ids = np.arange(next_id, next_id + len(flat), dtype=np.int64)
                    extra_ids: list[int] = []
                    extra: list[str] = []
                    if self._facets:
                        for cid, c in zip(ids, flat):
                            ft = facet_texts(c)
                            extra_ids += facet_ids(int(cid), len(ft))
                            extra += ft
                    # one call, batched by length together; the bar moves by chunk-equivalents as slices finish
                    all_texts = texts + extra
                    done = [0, 0]  # texts encoded, chunks shown

                    def moved(n: int, done=done, share=len(flat) / max(len(all_texts), 1)) -> None:
                        done[0] += n
                        shown = min(len(flat), int(done[0] * share))
                        bar.update(shown - done[1])
                        done[1] = shown

                    vecs = self.embedder.encode_passages(all_texts, on_progress=moved)
                    toks = toks_future.result()
                    self.dense.add(np.concatenate([ids, np.array(extra_ids, dtype=np.int64)]), vecs)
                    pos = 0
                    for meta, cs in batch:
                        if meta["replaces"]:
                            self._delete_locked(meta["doc_id"])
                        rows = [(int(ids[pos + i]), c, toks[pos + i]) for i, c in enumerate(cs)]
                        self.store.add({k: v for k, v in meta.items() if k != "replaces"}, rows)
                        for cid, _, tk in rows:
                            self.bm25.add(cid, tk)
                        pos += len(cs)
                    next_id += len(flat)
                    bar.update(len(flat) - done[1])
                    batch, size = [], 0
                    if item is not None and time.monotonic() - last_save > CHECKPOINT_SECONDS:
                        # a long build interrupted keeps what it finished: the next run skips those files
                        self.save()
                        last_save = time.monotonic()
        finally:
            pool.shutdown()
            bar.close()

    def delete_document(self, doc_id: str) -> bool:
        with self._writing():
            found = self._delete_locked(doc_id)
            if found:
                self.save()
            return found

    @property
    def catalog(self) -> TitleCatalog:
        if self._catalog is None:
            self._catalog = TitleCatalog(self.store.titles(), self.store.histories(),
                                         repealed_by(self.store.repealing_texts()))
        return self._catalog

    def _delete_locked(self, doc_id: str) -> bool:
        self._catalog = None
        ids = self.store.delete(doc_id)
        for cid in ids:
            self.bm25.remove(cid)
        if self.dense is not None:
            self.dense.remove(ids + all_facet_ids(ids) if self._facets else ids)
        return bool(ids)

    def iter_chunks(self) -> Iterator[Chunk]:
        for _, chunk in self.store.iter_chunks():
            yield chunk

    def documents(self) -> list[dict]:
        return self.store.documents()

    # -- search --------------------------------------------------------------------------------
    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None,
               rank: RankConfig | None = None) -> list[Hit]:
        query = fix_homophones(to_simplified((query or "").strip()))
        if not query or self.dense is None:
            return []
        self.maybe_reload()
        cfg = rank or self.rank
        rewritten = rewrite_query(query)
        tokens = tokenize(rewritten)
        # The encoder understands paraphrase itself; the appended synonyms and number forms are for BM25.
        qvec = self._query_vector(query) if cfg.mode != "bm25" else None
        n_cand = cfg.candidates
        with self._lock:
            asked = self.catalog.read(query, named=bool(cfg.w_named), placed=bool(cfg.w_authority),
                                      other_level=bool(cfg.other_level_penalty))
            while True:
                hits = self._search_locked(tokens, qvec, top_k, filters, cfg, n_cand, asked, rewritten)
                total = len(self.bm25)
                if len(hits) >= top_k or filters is None or n_cand >= total:
                    return hits
                n_cand *= 4  # restrictive filter: look deeper

    def _query_vector(self, query: str) -> np.ndarray:
        """The dense query reads the short names of bodies spelled out as statutes write them (全国人大常委会 →
        全国人民代表大会常务委员会; see ``query.spell_out``): e5-small did not tie “全国人大常委会多久开一次会” to
        常委会议事规则 第六条. BM25 keeps the question's own words too (see ``rewrite_query``), so plans that write
        常委会 still match them."""
        return self.embedder.encode_queries([spell_out(query)])[0]

    def _search_locked(self, tokens, qvec, top_k, filters, cfg: RankConfig, n_cand: int,
                       asked: QueryTitles, qtext: str = "") -> list[Hit]:
        cand: list[np.ndarray] = []
        if asked.named or asked.placed:  # the documents the question names are candidates even if no retriever found them
            cand.append(np.array(self.store.ids_with_titles(asked.named | asked.placed), dtype=np.int64))
        if cfg.mode != "dense":
            cand.append(self.bm25.search(tokens, n_cand)[0])
        if cfg.mode != "bm25":
            cand.append(owner(self.dense.search(qvec, n_cand)[0]))
        ids = np.unique(np.concatenate(cand)) if cand else np.zeros(0, np.int64)
        chunks = self.store.get(int(i) for i in ids)  # deleted chunks (HNSW tombstones) drop out here
        ids = np.array([i for i in ids if int(i) in chunks and
                        (filters is None or filters.admits(chunks[int(i)].collection, chunks[int(i)].doc_type,
                                                           chunks[int(i)].scope))], dtype=np.int64)
        if not len(ids):
            return []
        vecs = self.dense.vectors(ids, missing_ok=True) if qvec is not None else None
        dense = vecs @ qvec if vecs is not None else np.zeros(len(ids), np.float32)
        if vecs is not None and self._facets:
            dense = self._best_facet(ids, chunks, qvec, dense)
        lex = self.bm25.score_ids(ids, tokens) if cfg.mode != "dense" else np.zeros(len(ids), np.float32)
        scores = fuse(dense, lex, cfg)
        if cfg.prf_weight > 0 and vecs is not None:
            # Rocchio feedback: layperson wording drifts from statute wording; the best first-round
            # hits are in statute wording, so blending them into the query closes part of the gap.
            top = np.argsort(-scores)[: cfg.prf_docs]
            q2 = qvec + cfg.prf_weight * vecs[top].mean(axis=0)
            q2 /= np.linalg.norm(q2)
            dense = vecs @ q2
            scores = fuse(dense, lex, cfg)
        titles = [chunks[int(i)].title for i in ids]
        scores = add_group_scores(scores, titles, cfg)
        scores = add_title_priors(scores, titles, self.catalog, asked, cfg)
        scores = add_locator_prior(scores, [chunks[int(i)].locator for i in ids], qtext, cfg)
        texts = [chunks[int(i)].text for i in ids]
        scores = add_adoption_prior(scores, texts, titles, asked.named, qtext, cfg)
        scores = add_session_prior(scores, texts, qtext, cfg)
        scores = add_quoted_prior(scores, texts, qtext, cfg)
        scores = add_object_prior(scores, texts, qtext, cfg)
        scores = add_actor_prior(scores, texts, qtext, cfg)
        order = np.argsort(-scores)[:top_k]
        return [_hit(int(ids[j]), chunks[int(ids[j])], float(scores[j])) for j in order]

    def _best_facet(self, ids: np.ndarray, chunks: dict, qvec: np.ndarray, dense: np.ndarray) -> np.ndarray:
        """A chunk's dense score is the best of its own vector's and its facets' (see retrieval.facets).
        The facet count is re-derived from the chunk's text; ids the index lacks (built when the facet
        rules differed) are skipped."""
        out = dense.copy()
        for j, cid in enumerate(ids):
            n = len(facet_texts(chunks[int(cid)]))
            fv = self.dense.present(facet_ids(int(cid), n)) if n else None
            if fv is not None and len(fv):
                out[j] = max(float(out[j]), float((fv @ qvec).max()))
        return out

    async def asearch(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        return await asyncio.to_thread(self.search, query, top_k, filters)

    def unseen_share(self, query: str) -> float:
        """Share of the question's content words that no indexed text contains (0 when it has none):
        “个人所得税的起征点是多少” asked of the deputy-work documents is mostly words they never use.
        Over the whole index, whatever a search's filters: it judges the question, not what a user may see."""
        with self._lock:
            n, n_known = content_words(query, self.bm25.knows)
        return (n - n_known) / n if n else 0.0

    def answer(self, query: str, top_k: int = 5, filters: SearchFilters | None = None):
        from .answer import compose_answer
        from .fact_kinds import NOTES

        query = fix_homophones(to_simplified(query or ""))  # the composer reads the question's words too
        hits = self.search(query, top_k=top_k, filters=filters)
        if hits and (years := self.unseen_years(query)):  # “2027年代表工作计划”: the 2026 plan does not answer it
            return Answer(question=query, hits=hits, reason="year", note=NOTES["year"].format(years="、".join(years)))
        return compose_answer(query, hits, self.embedder, unseen=self.unseen_share(query) if hits else 0.0,
                              rare=self.rare_words(query) if hits else (),
                              unknown=self.unknown_words(query) if hits else ())

    def rare_words(self, query: str) -> list[str]:
        """The question's content words that only a few indexed texts use (RARE_SHARE of the chunks at most):
        what it is about, in most questions (“天气”, “护照”, “会场”). Over the whole index, like ``unseen_share``."""
        with self._lock:
            limit = RARE_SHARE * len(self.bm25)
            words = [w for w in question_words(query, self.bm25.knows) if 0 < self.bm25.df(w) <= limit]
        return [w for w in words if is_topic_word(w)]

    def unknown_words(self, query: str) -> list[str]:
        """The question's topic words that no indexed text uses, but for lay words the rewriting spells out (脱产 →
        脱离生产) and everyday words (出去: jieba frequency 9,979): “追究”“法律责任” asked of the deputy-work plans.
        Over the whole index, like ``rare_words``."""
        with self._lock:
            words = [w for w in question_words(query, self.bm25.knows) if not self.bm25.knows(w)]
        # A lay word is excused only when the rewriting spells it out in other words: 被追究 → 不受法律追究 keeps 追究
        lay = lay_terms(search_text(query))
        return [w for w in words if is_topic_word(w) and frequency(w) < UNKNOWN_EVERYDAY_FREQ
                and not any((w in k or k in w) and w not in v for k, v in lay)]

    def unseen_years(self, query: str) -> list[str]:
        """The years a question asks about (“2027年代表工作计划”, “二〇二七年的安排”) that no indexed text mentions, when
        it names no year that one does: “我2027年才满十八周岁” asks about voting, and “2026年和2027年…” is answered
        from 2026's documents."""
        q = search_text(query)
        with self._lock:
            named = list(dict.fromkeys(_YEAR.findall(q)))
            if any(self.bm25.knows(y) for y in named):
                return []
            return [y for y in dict.fromkeys(_PLAN_YEAR.findall(q)) if not self.bm25.knows(y)]

    async def aanswer(self, query: str, top_k: int = 5, filters: SearchFilters | None = None):
        return await asyncio.to_thread(self.answer, query, top_k, filters)

    async def aingest_paths(self, paths: list[Path | str], collection: str = "default", scope: str = "all") -> IngestReport:
        return await asyncio.to_thread(self.ingest_paths, paths, collection, scope)


def _hit(cid: int, c: Chunk, score: float) -> Hit:
    return Hit(chunk_id=cid, doc_id=c.doc_id, title=c.title, locator=c.locator, text=c.text, score=score,
               page=c.page, doc_type=c.doc_type, collection=c.collection, scope=c.scope)
