"""Benchmark of the suggestions domain on ../shared/eval/proposals/jszx2019.csv.

436 real Jiangsu CPPCC 2019 proposals with 14 topic labels (no handling unit: the topic label is
the routing target). Even rows are history (what staff assigned before), odd rows are new drafts.

Reports:
- topic routing top-1 / top-3 accuracy on the odd rows (targets 0.65 / 0.90), per topic, with
  remit-only and history-only ablations, and the 4-fold cross-validation on the even rows that chose
  the method and weights (the odd rows were never used for tuning), plus a history-size curve;
- duplicate detection precision / recall on near-duplicates constructed from odd rows;
- not-a-suggestion false positives on the real proposals (all are legitimate proposals);
- self-check wall time for 3,000-character drafts (with similarity against the 218 history items).

    python bench/suggestions_bench.py [--out bench/results/suggestions.json] [--emb-cache /tmp/x.npz]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from suggestions.analysis import duplicate_pairs  # noqa: E402
from suggestions.routing import HistoryItem, Router, Weights, load_targets  # noqa: E402
from suggestions.selfcheck import ExistingItem, check  # noqa: E402
from suggestions.text import parse_draft_text, routing_chunks, routing_text, sentences  # noqa: E402

DATA = ROOT / ".." / "shared" / "eval" / "proposals" / "jszx2019.csv"


class CachedEmbedder:
    """Wraps the real embedder; query vectors for the corpus are computed once (optionally cached on disk)."""

    def __init__(self, real, cache: Path | None):
        self.real, self.cache, self.memo = real, cache, {}
        if cache and cache.exists():
            z = np.load(cache, allow_pickle=False)
            self.memo = dict(zip(z["keys"].tolist(), z["vecs"]))

    @staticmethod
    def _key(t: str) -> str:
        return hashlib.sha1(t.encode()).hexdigest()

    def encode_queries(self, texts):
        missing = [t for t in texts if self._key(t) not in self.memo]
        if missing:
            for t, v in zip(missing, self.real.encode_queries(missing)):
                self.memo[self._key(t)] = v
        return np.stack([self.memo[self._key(t)] for t in texts])

    def encode_passages(self, texts):
        return self.real.encode_passages(texts)

    def save(self):
        if self.cache:
            np.savez(self.cache, keys=np.array(list(self.memo)), vecs=np.stack(list(self.memo.values())))


def history_items(drafts, vecs, labels, idx, windows=None):
    return [HistoryItem(drafts[i].full_text(), labels[i], drafts[i].title, vecs[i],
                        None if windows is None else windows[i]) for i in idx]


def evaluate_routing(targets, emb, drafts, vecs, labels, hist_idx, eval_idx, weights, misses=None, windows=None):
    """windows[i]: vectors of draft i's body windows (None: the head-only router before issue 5)."""
    router = Router(targets, emb, history_items(drafts, vecs, labels, hist_idx, windows), weights)
    top1 = top3 = 0
    for i in eval_idx:
        q = vecs[i] if windows is None else np.vstack([vecs[i][None, :], windows[i]])
        names = [r.name for r in router.recommend(drafts[i], 3, q)]
        top1 += names[0] == labels[i]
        top3 += labels[i] in names
        if misses is not None:
            misses.append((labels[i], names))
    return top1 / len(eval_idx), top3 / len(eval_idx)


def cross_validate(targets, emb, drafts, vecs, labels, even, weights, history_size=None, windows=None):
    """4-fold CV on the history (even) rows only; optionally with the training history cut to a size."""
    folds = [even[k::4] for k in range(4)]
    res = []
    for k, f in enumerate(folds):
        train = [i for i in even if i not in f]
        if history_size is not None and history_size < len(train):
            train = random.Random(k).sample(train, history_size)
        res.append(evaluate_routing(targets, emb, drafts, vecs, labels, train, f, weights, windows=windows))
    return round(float(np.mean([r[0] for r in res])), 4), round(float(np.mean([r[1] for r in res])), 4)


def per_topic(misses) -> dict:
    """Per gold topic: items, top-1 and top-3 hits, and what the top-1 misses went to."""
    out: dict = {}
    for gold, names in misses:
        d = out.setdefault(gold, {"n": 0, "top1": 0, "top3": 0, "top1_misses_to": {}})
        d["n"] += 1
        d["top1"] += names[0] == gold
        d["top3"] += gold in names
        if names[0] != gold:
            d["top1_misses_to"][names[0]] = d["top1_misses_to"].get(names[0], 0) + 1
    for d in out.values():
        d["top1_misses_to"] = dict(sorted(d["top1_misses_to"].items(), key=lambda x: -x[1]))
    return dict(sorted(out.items(), key=lambda x: -x[1]["n"]))


def near_duplicate(d, rng: random.Random, heavy: bool):
    """An edited copy: drop sentences, reorder items, reword the title (light) or keep ~45% (heavy)."""
    import dataclasses

    def edit(text: str) -> str:
        s = sentences(text)
        keep = 0.45 if heavy else 0.8
        s = [x for x in s if rng.random() < keep] or s[:1]
        if len(s) > 3:
            i = rng.randrange(len(s) - 1)
            s[i], s[i + 1] = s[i + 1], s[i]
        return "".join(s)

    title = d.title.replace("关于", "有关", 1).replace("的提案", "的建议")
    if heavy:
        title = title.replace("加强", "强化").replace("完善", "健全").replace("推进", "推动")
    return dataclasses.replace(d, title=title, problem=edit(d.problem), cause=edit(d.cause), measures=edit(d.measures))


def pr(pred: set, gold: set) -> dict:
    tp = len(pred & gold)
    return {"precision": round(tp / len(pred), 4) if pred else None, "recall": round(tp / len(gold), 4),
            "predicted_pairs": len(pred), "gold_pairs": len(gold)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "suggestions.json")
    ap.add_argument("--emb-cache", type=Path, default=None, help="npz cache of corpus query vectors")
    ap.add_argument("--dups", type=int, default=80, help="near-duplicates constructed per difficulty")
    ap.add_argument("--selfcheck-runs", type=int, default=20)
    ap.add_argument("--selfcheck-only", action="store_true",
                    help="re-measure only the self-check time, keeping the other sections of --out")
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"找不到评测数据：{DATA}")

    from suggestions.embedding import default_embedder

    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    drafts = [parse_draft_text(r["reason"] + "\n" + r["content"]) for r in rows]
    labels = [r["type"] for r in rows]
    emb = CachedEmbedder(default_embedder(), args.emb_cache)
    t0 = time.perf_counter()
    chunks = [routing_chunks(d) for d in drafts]  # routing_text first, then the body windows
    flat = emb.encode_queries([c for cs in chunks for c in cs])
    embed_s = time.perf_counter() - t0
    starts = np.cumsum([0] + [len(cs) for cs in chunks])
    vecs = flat[starts[:-1]]  # routing_text's vectors (the stored embedding; similarity, duplicates)
    windows = [flat[a + 1:b] for a, b in zip(starts[:-1], starts[1:])]
    emb.save()
    even, odd = list(range(0, len(rows), 2)), list(range(1, len(rows), 2))
    targets = load_targets("topics")
    result: dict = {
        "dataset": "jszx2019.csv (436 proposals, 14 topic labels); history = even rows (218), evaluation = odd rows (218)",
        "machine": {"cores": __import__("os").cpu_count(), "python": platform.python_version()},
        "corpus_embedding_s": round(embed_s, 1),
    }

    if args.selfcheck_only and args.out.exists():
        result = json.loads(args.out.read_text(encoding="utf-8"))
    else:
        run_quality(args, result, drafts, labels, vecs, windows, emb, even, odd, targets)
    run_selfcheck(args, result, drafts, vecs, emb, even)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("wrote", args.out)


def run_quality(args, result, drafts, labels, vecs, windows, emb, even, odd, targets) -> None:
    # -- routing ----------------------------------------------------------------------------------------
    # The method (signals, weights) was fixed by cross-validation on the even rows only; the odd rows
    # are scored once, below, with the chosen weights.
    default = Weights()
    cands = {
        "chosen": default,
        "knn_0.3": Weights(knn=0.3),
        "no_embedding_model": Weights(embedding=0.0),
        "no_lexical_model": Weights(lexical=0.0),
        "history_half_10": Weights(history_half=10),
        "history_half_40": Weights(history_half=40),
    }
    cv = [{"name": name, "weights": w.__dict__,
           "cv_top1_top3": cross_validate(targets, emb, drafts, vecs, labels, even, w, windows=windows)}
          for name, w in cands.items()]
    # the router before issue 5: the embedding model saw only routing_text's vector (~400 characters)
    cv.append({"name": "head_only_embedding", "weights": default.__dict__,
               "cv_top1_top3": cross_validate(targets, emb, drafts, vecs, labels, even, default)})
    cv_cold = cross_validate(targets, emb, drafts, vecs, labels, even, default, history_size=0, windows=windows)
    curve = {n: cross_validate(targets, emb, drafts, vecs, labels, even, default, history_size=n, windows=windows)
             for n in (10, 20, 40, 80)}
    print("cv on even rows", cv[0]["cv_top1_top3"], "history-size curve", curve)

    t0 = time.perf_counter()
    Router(targets, emb, history_items(drafts, vecs, labels, even, windows), default)
    build_s = time.perf_counter() - t0
    misses: list = []
    t0 = time.perf_counter()
    top1, top3 = evaluate_routing(targets, emb, drafts, vecs, labels, even, odd, default, misses, windows)
    route_s = (time.perf_counter() - t0 - build_s) / len(odd)
    remit_only = evaluate_routing(targets, emb, drafts, vecs, labels, [], odd, default, windows=windows)
    hist_only = evaluate_routing(targets, emb, drafts, vecs, labels, even, odd, Weights(remit=1e-9, keywords=0.0),
                                 windows=windows)
    result["routing"] = {
        "top1": round(top1, 4), "top3": round(top3, 4), "targets": {"top1": 0.65, "top3": 0.90},
        "met": {"top1": top1 >= 0.65, "top3": top3 >= 0.90},
        "method": "weighted mixture of per-target distributions: remit e5 similarity (softmax T=0.02), remit keywords, "
                  "class-balanced logistic regression on e5 vectors of history with each remit as one more example "
                  "and every item read whole (routing_text + ~380-character body windows, each an example; a draft's "
                  "distribution is the mean over its windows), "
                  "class-balanced logistic regression on TF-IDF of jieba words of history (full text); history "
                  "signals scaled by n/(n+history_half); kNN of history shown as evidence in the reasons (weight 0)",
        "remit_only_top1_top3": [round(x, 4) for x in remit_only],
        "history_only_top1_top3": [round(x, 4) for x in hist_only],
        "per_topic_odd_rows": per_topic(misses),
        "router_build_s_218_history": round(build_s, 2),
        "seconds_per_item_excluding_embedding": round(route_s, 4),
        "weights": default.__dict__,
        "weight_selection_cv_on_even_rows": {
            "folds": "4 folds of the even rows (even[k::4]); train on 3, score the 4th; odd rows never used",
            "candidates": cv,
            "remit_only": cv_cold,
            "history_size_curve": {str(n): v for n, v in curve.items()},
            "previous_router_same_folds": {"cv_top1_top3": [0.642, 0.913],
                                           "note": "char 1-2-gram TF-IDF LR + kNN (weights 0.5/0.3/0.3/0.7), commit 0fc0648"},
            "issue_5_exploration": {
                "folds": "the 4 folds above plus 4 random 4-fold splits of the even rows (1,090 predictions); "
                         "top-1 / top-3 / mean reciprocal rank; odd rows never used",
                "head_only_embedding (before)": [0.6697, 0.922, 0.7992],
                "windows_as_examples (chosen)": [0.6817, 0.9303, 0.8072],
                "mean_of_window_vectors_one_vector": [0.6752, 0.9183, 0.8026],
                "mean_of_window_vectors_C30": [0.678, 0.9275, 0.8057],
                "lr_tempered_T2 / T0.5": [[0.6587, 0.9009, 0.7866], [0.6661, 0.9156, 0.7963]],
                "log_prob_combination": [0.6541, 0.9018, 0.7822],
                "rank_combination": [0.6495, 0.9055, 0.7826],
                "char_1_3gram_tfidf_instead_of_words": [0.656, 0.9211, 0.7906],
                "lexical_C_1 / 3 / 30 / 100": [[0.6752, 0.8927, 0.7909], [0.6688, 0.9138, 0.7942],
                                               [0.6761, 0.9248, 0.8033], [0.6716, 0.9211, 0.8008]],
                "embedding_C_1 / 3 / 30 / 100": [[0.6587, 0.9147, 0.7924], [0.6679, 0.9165, 0.7971],
                                                 [0.6761, 0.922, 0.8029], [0.6761, 0.9257, 0.8021]],
                "windows_vs_before_top3_per_item": "14 gained, 5 lost",
            },
        },
    }
    print("routing", result["routing"]["top1"], result["routing"]["top3"], "remit-only", remit_only, "history-only", hist_only)

    # -- duplicates -------------------------------------------------------------------------------------
    rng = random.Random(20260324)
    dup = {}
    base = [drafts[i] for i in odd]
    for heavy in (False, True):
        picked = rng.sample(range(len(base)), args.dups)
        variants = [near_duplicate(base[i], rng, heavy) for i in picked]
        pool = base + variants
        texts = [d.title + "\n" + d.body() for d in pool]
        pv = np.vstack([vecs[odd], emb.encode_queries([routing_text(v) for v in variants])])
        gold = {(i, len(base) + k) for k, i in enumerate(picked)}
        configs = {
            "combined_default": dict(),
            "shingles_only": dict(embed_threshold=2.0),
            "embedding_only_0.95": dict(shingle_threshold=2.0, embed_threshold=0.95),
            "embedding_only_0.97": dict(shingle_threshold=2.0, embed_threshold=0.97),
        }
        res = {}
        for name, kw in configs.items():
            pred = {(i, j) for i, j, _ in duplicate_pairs(texts, pv, **kw)}
            res[name] = pr(pred, gold)
            if name == "combined_default":
                # pairs among the real proposals themselves: not constructed, reported for inspection
                real = sorted((i, j) for i, j in pred - gold if j < len(base))
                res[name]["flagged_real_pairs"] = [[base[i].title, base[j].title] for i, j in real[:10]]
        dup["heavy" if heavy else "light"] = res
    dup["construction"] = ("light: ~80% of sentences kept, one adjacent swap, title 关于→有关; heavy: ~45% kept, "
                           "title synonyms (加强→强化, 完善→健全, 推进→推动); pool = 218 odd-row originals + variants; "
                           "every predicted pair that is not (original, its variant) counts as a false positive")
    result["duplicates"] = dup
    print("duplicates", json.dumps({k: v["combined_default"] for k, v in dup.items() if k != "construction"}, ensure_ascii=False))



def run_selfcheck(args, result, drafts, vecs, emb, even) -> None:
    """Rule-based false positives and self-check wall time (cheap: rerun with --selfcheck-only)."""
    import os

    # -- not-a-suggestion false positives -----------------------------------------------------------------
    fp = [d.title for d in drafts if check(d).by_code("not_a_suggestion")]
    result["not_a_suggestion_false_positives"] = {"count": len(fp), "of": len(drafts), "titles": fp}

    # -- self-check time -----------------------------------------------------------------------------------
    kb, kb_note = None, "retrieval.builtin not available: legal-basis search excluded from timing"
    try:
        from retrieval.builtin import builtin_kb  # type: ignore[import-not-found]

        kb, kb_note = builtin_kb(), "builtin knowledge base included"
        kb.search("代表建议 答复期限", top_k=3)  # warm-up (index load)
    except Exception as exc:  # noqa: BLE001 - reported in the result
        kb_note = f"knowledge base unavailable ({exc.__class__.__name__}): legal-basis search excluded"
    existing = [ExistingItem(i, drafts[i].title, "x", vecs[i]) for i in even]
    import dataclasses

    long_ones = [d for d in drafts if len(d.body()) >= 3000][: args.selfcheck_runs]
    samples: list[float] = []
    cpu: list[float] = []
    route_embed: list[float] = []
    for d in long_ones:
        # exactly 3,000 characters of body, as real parts
        body_len = len(d.body())
        scale = 3000 / body_len
        d3 = dataclasses.replace(d, problem=d.problem[: int(len(d.problem) * scale)],
                                 cause=d.cause[: int(len(d.cause) * scale)], measures=d.measures[: int(len(d.measures) * scale)])
        real_emb = emb.real  # no cache: the draft is new
        t, c = time.perf_counter(), time.process_time()
        check(d3, kb=kb, embedder=real_emb, existing=existing)
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        # what a submission adds for routing: routing_text + body windows, one batch (the
        # history's vectors are stored in the DB)
        if hasattr(real_emb, "clear_cache"):
            real_emb.clear_cache()
        t = time.perf_counter()
        real_emb.encode_queries(routing_chunks(d3))
        route_embed.append(time.perf_counter() - t)
    samples.sort()
    route_embed.sort()
    result["selfcheck_time"] = {
        "load_average_1_5_15": [round(x, 2) for x in __import__("os").getloadavg()],
        "note": "wall time includes one e5 query embedding for similarity and the knowledge base's own query "
                "embedding + search; the machine is shared, so contention inflates the tail",
        "drafts": len(samples), "chars": 3000, "median_s": round(statistics.median(samples), 3),
        "p95_s": round(samples[int(0.95 * (len(samples) - 1))], 3), "max_s": round(samples[-1], 3), "target_s": 2.0,
        "median_cpu_s_all_threads": round(statistics.median(cpu), 3),
        "existing_items_compared": len(existing), "knowledge_base": kb_note,
        "torch_threads": os.environ.get("DEPUTY_TORCH_THREADS", "default (all cores)"),
    }
    result["submission_routing_embedding_time"] = {
        "drafts": len(route_embed), "chars": 3000, "texts_per_draft": len(routing_chunks(d3)),
        "median_s": round(statistics.median(route_embed), 3),
        "p95_s": round(route_embed[int(0.95 * (len(route_embed) - 1))], 3),
    }
    print("selfcheck", result["selfcheck_time"], "submission routing embedding", result["submission_routing_embedding_time"])


if __name__ == "__main__":
    main()
