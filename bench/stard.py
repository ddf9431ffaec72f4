"""STARD statute retrieval benchmark (../shared/eval/stard).

  python bench/stard.py build            # index the 58,860 latest articles (JSONL documents)
  python bench/stard.py eval [--split dev|train] [--configs hybrid,bm25,dense]

Tune only on dev (308 questions). train (1,235) is the held-out test: report it, never tune on it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CACHE, SHARED, peak_rss_mb, pct, write_result  # noqa: E402

STARD = SHARED / "eval" / "stard"
JSONL = CACHE / "stard_articles.jsonl"
INDEX = CACHE / "stard_index"


def norm_name(name: str) -> str:
    return re.sub(r"\s|《|》|中华人民共和国", "", name)


def prepare() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(STARD / "articles_national_derived.jsonl.gz", "rt", encoding="utf-8") as src, \
            open(JSONL, "w", encoding="utf-8") as out:
        for line in src:
            r = json.loads(line)
            if not r["is_latest"]:
                continue
            rec = {"id": str(r["id"]), "title": r["law"], "text": r["content"], "locator": r["article"],
                   "doc_type": "law", "kind": "article"}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    print(f"{n} articles → {JSONL}")


def build(scale: int = 1, index: Path = INDEX) -> dict:
    from retrieval import KnowledgeBase

    if not JSONL.exists():
        prepare()
    src = JSONL
    if scale > 1:  # duplicated articles with new ids, to see how cost grows
        src = CACHE / f"stard_articles_x{scale}.jsonl"
        if not src.exists():
            lines = JSONL.read_text(encoding="utf-8").splitlines()
            with open(src, "w", encoding="utf-8") as out:
                for k in range(scale):
                    for ln in lines:
                        r = json.loads(ln)
                        r["id"] = f"{r['id']}-{k}" if k else r["id"]
                        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    kb = KnowledgeBase.open(index)
    kb.embedder  # load the model before timing
    t0 = time.perf_counter()
    report = kb.ingest_paths([src], collection="stard", progress=True)
    secs = time.perf_counter() - t0
    out = {"documents": report.documents, "chunks": report.chunks, "build_seconds": round(secs, 1),
           "peak_rss_mb": round(peak_rss_mb())}
    print(out)
    return out


def load_queries(split: str) -> list[tuple[str, str, list[str]]]:
    qs = {str(q["query_id"]): q for q in json.load(open(STARD / "queries.json", encoding="utf-8"))}
    out = []
    for line in open(STARD / "example" / f"{split}.query.txt", encoding="utf-8"):
        qid, text = line.rstrip("\n").split("\t", 1)
        out.append((qid, text, [norm_name(n) for n in qs[qid]["match_name"]]))
    return out


def evaluate(kb, queries, rank, k_max: int = 100) -> dict:
    r10, r100, mrr, lat = [], [], [], []
    kb.embedder.clear_cache()  # every config pays for its own query encoding
    for _, text, gold in queries:
        t = time.perf_counter()
        hits = kb.search(text, top_k=k_max, rank=rank)
        lat.append((time.perf_counter() - t) * 1000)
        names = [norm_name(h.title + h.locator) for h in hits]
        g = set(gold)
        r10.append(len(g & set(names[:10])) / len(g))
        r100.append(len(g & set(names[:100])) / len(g))
        first = next((i for i, n in enumerate(names[:10]) if n in g), None)
        mrr.append(0 if first is None else 1 / (first + 1))
    n = len(queries)
    return {"recall@10": round(sum(r10) / n, 4), "recall@100": round(sum(r100) / n, 4),
            "mrr@10": round(sum(mrr) / n, 4), "latency_ms_p50": round(pct(lat, 50), 1),
            "latency_ms_p95": round(pct(lat, 95), 1), "queries": n}


OFFSET = 10_000_000  # scale copies get ids base_id + k * OFFSET


def scale(factors=(1, 3, 10), n_queries: int = 100) -> dict:
    """Search latency and memory at k× the corpus: duplicated articles (vectors with a little noise,
    same tokens) under new ids, no re-embedding. Exact FAISS below the HNSW threshold, HNSW above."""
    import gc

    import numpy as np

    from retrieval import KnowledgeBase
    from retrieval.bm25 import BM25
    from retrieval.dense import HNSW_THRESHOLD, DenseIndex

    base = KnowledgeBase.open(INDEX, read_only=True)
    base.search("预热", top_k=10)
    ids = np.array([cid for cid, _ in base.store.iter_tokens()], dtype=np.int64)
    vecs = base.dense.vectors(ids)
    toks = [t for _, t in base.store.iter_tokens()]
    queries = [q for _, q, _ in load_queries("dev")][:n_queries]
    rng = np.random.default_rng(0)
    out = {}
    for f in factors:
        n = len(ids) * f
        kind = "hnsw" if n > HNSW_THRESHOLD else "flat"
        dense = DenseIndex(vecs.shape[1], kind)
        bm = BM25()
        t0 = time.perf_counter()
        for k in range(f):
            noisy = vecs if k == 0 else vecs + rng.normal(0, 0.01, vecs.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            dense.add(ids + k * OFFSET, noisy)
            for cid, t in zip(ids, toks):
                bm.add(int(cid) + k * OFFSET, t)
        kb = KnowledgeBase.__new__(KnowledgeBase)
        kb.__dict__.update(base.__dict__)
        kb.dense, kb.bm25 = dense, bm
        kb.store = _ModStore(base.store)
        kb.search("预热", top_k=10)
        build_s = time.perf_counter() - t0
        lat = []
        for q in queries:
            t = time.perf_counter()
            kb.search(q, top_k=100)
            lat.append((time.perf_counter() - t) * 1000)
        out[f"{f}x"] = {"chunks": n, "faiss": kind, "latency_ms_p50": round(pct(lat, 50), 1),
                        "latency_ms_p95": round(pct(lat, 95), 1), "peak_rss_mb": round(peak_rss_mb()),
                        "in_memory_build_s": round(build_s, 1)}
        print(f, out[f"{f}x"], flush=True)
        write_result("stard_scale", {"results": out, "note": "k x corpus by duplicated articles (noisy vectors, same tokens)"})
        del kb, dense, bm
        gc.collect()
    return out


class _ModStore:
    """Chunk store view that maps scale-copy ids back to the original chunk."""

    def __init__(self, store):
        self.store = store

    def get(self, ids):
        ids = list(ids)
        base = self.store.get({i % OFFSET for i in ids})
        return {i: base[i % OFFSET] for i in ids if i % OFFSET in base}


PURE = dict(group_weight=0.0, w_authority=0.0, w_named=0.0)  # a retriever or fusion on its own, no priors
CONFIGS = {  # every row but "hybrid" changes one thing from the default RankConfig
    "bm25": dict(mode="bm25", **PURE),
    "dense": dict(mode="dense", **PURE),
    "rrf": dict(fusion="rrf", **PURE),
    "weighted_raw": dict(fusion="weighted", w_dense=0.7, w_bm25=0.3, **PURE),
    "zscore_plain": dict(**PURE),
    "zscore_no_group": dict(group_weight=0.0),
    "no_authority": dict(w_authority=0.0),
    "hybrid": dict(),  # the default: z-score fusion 0.8/0.2 + law-level score 0.3 + hierarchy-of-norms prior 1.0
    "hybrid_prf": dict(prf_weight=0.5),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["prepare", "build", "eval", "scale"])
    ap.add_argument("--split", default="dev", choices=["dev", "train"])
    ap.add_argument("--configs", default="bm25,dense,rrf,zscore_plain,no_authority,hybrid")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    if not STARD.exists():
        sys.exit(f"STARD data not found at {STARD}")
    if args.cmd == "prepare":
        prepare()
    elif args.cmd == "build":
        res = build()
        (CACHE / "stard_build.json").write_text(json.dumps(res))
    elif args.cmd == "scale":
        res = scale()
        print(write_result("stard_scale", {"results": res, "note": "k x corpus by duplicated articles"}))
    elif args.cmd == "eval":
        from retrieval import KnowledgeBase, RankConfig

        kb = KnowledgeBase.open(INDEX, read_only=True)
        kb.search("预热", top_k=10)  # load the model and caches before timing
        queries = load_queries(args.split)
        if args.limit:
            queries = queries[: args.limit]
        rows = {}
        for name in args.configs.split(","):
            rows[name] = evaluate(kb, queries, RankConfig(**CONFIGS[name]))
            print(name, rows[name], flush=True)
        build_info = json.loads((CACHE / "stard_build.json").read_text()) if (CACHE / "stard_build.json").exists() else {}
        payload = {"split": args.split, "build": build_info, "results": rows, "peak_rss_mb_eval": round(peak_rss_mb())}
        print(write_result(args.out or f"stard_{args.split}", payload))


if __name__ == "__main__":
    main()
