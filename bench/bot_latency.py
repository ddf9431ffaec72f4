"""Answer latency of a text question through the bot path, and 50 deputies asking at once.

Update in → reply out, through the real python-telegram-bot Application, the real core (SQLite or
PostgreSQL) and the real knowledge base over the built-in corpus. Two transports:

* ``fake``: updates fed to ``Application.process_update``; Telegram answered in process at the
  HTTP boundary (bot.testing.FakeTelegram) — measures the bot's own cost;
* ``emulator``: the bot long-polls the npm telegram-test-api emulator over real HTTP and users send
  through its client API — adds polling and HTTP round trips (what a deputy sees, minus the internet).

    python bench/bot_latency.py                       # both transports → bench/results/bot_latency.json
    python bench/bot_latency.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from telegram import Update  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.deps import BotDeps  # noqa: E402
from bot.testing import FakeTelegram, UpdateFactory  # noqa: E402
from storage.core import Core  # noqa: E402
from storage.testing import isolated_database  # noqa: E402

TOKEN = "123456:BENCH"
QUESTIONS = [
    "代表有哪些权利",
    "代表应当履行哪些义务",
    "代表建议应当在多长时间内答复",
    "代表在闭会期间可以开展哪些活动",
    "代表视察的程序是什么",
    "人大代表可以提出哪些议案",
    "代表的言论免责是怎么规定的",
    "代表执行职务的时间如何保障",
    "代表工作计划中有关自检自测的内容",
    "两摘两推是什么意思",
    "代表联系群众有什么要求",
    "罢免代表需要什么程序",
    "全国人大代表的选举由谁主持",
    "代表建议的办理如何督办",
    "代表履职学习培训怎么安排",
    "代表资格审查委员会的职责",
    "代表可以对哪些机关提出质询",
    "代表辞职的程序",
    "县乡人大换届选举的时间",
    "代表家站建设有什么要求",
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(lat_s: list[float]) -> dict:
    ms = [x * 1000 for x in lat_s]
    return {"n": len(ms), "p50_ms": round(pct(ms, 0.5), 1), "p95_ms": round(pct(ms, 0.95), 1),
            "max_ms": round(max(ms), 1), "mean_ms": round(statistics.fmean(ms), 1)}


def is_answer(text: str) -> bool:
    return text.startswith("<b>答：</b>") or text.startswith("没有找到") or "抱歉，没有找到相关资料" in text


async def _register(core: Core, n: int) -> list[int]:
    ids = []
    for i in range(n):
        code, _ = await core.access.create_invitation(name=f"代表{i}", delegation="宁夏代表团")
        uid = 10_000 + i
        assert (await core.access.redeem(code, uid)).status.value == "ok"
        ids.append(uid)
    return ids


def cold() -> None:
    """The questions repeat; drop the embedder's vector caches so each one is answered from scratch."""
    from retrieval.embedder import Embedder

    Embedder.shared().clear_cache()


async def bench_fake(core: Core, users: list[int], sequential: int) -> dict:
    tg = FakeTelegram()
    upd = UpdateFactory()
    app = build_application(BotDeps(core=core), token=TOKEN, request=tg, get_updates_request=tg)

    async def one(uid: int, q: str) -> tuple[float, bool]:
        cold()
        before = len(tg.calls)
        t0 = time.perf_counter()
        await app.process_update(Update.de_json(upd.text(uid, q), app.bot))
        dt = time.perf_counter() - t0
        replies = [c for c in tg.calls[before:] if c.method == "sendMessage" and c.params["chat_id"] == uid]
        return dt, any(is_answer(c.text) for c in replies)

    async with app:
        for q in QUESTIONS[:3]:  # warm-up: model load, first queries
            await one(users[0], q)
        seq = [await one(users[i % len(users)], QUESTIONS[i % len(QUESTIONS)]) for i in range(sequential)]
        t0 = time.perf_counter()
        conc = await asyncio.gather(*(one(uid, QUESTIONS[i % len(QUESTIONS)]) for i, uid in enumerate(users)))
        wall = time.perf_counter() - t0
    return _result("fake", seq, conc, wall)


async def bench_emulator(core: Core, users: list[int], sequential: int) -> dict:
    import httpx
    from emulator_client import EmulatedUser, Emulator

    emu = Emulator().start()
    try:
        app = build_application(BotDeps(core=core), token=TOKEN, base_url=f"{emu.url}/bot")
        async with app:
            await app.updater.start_polling(poll_interval=0.01, timeout=0)
            await app.start()
            try:
                async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as http:
                    people = {uid: EmulatedUser(http, emu.url, TOKEN, uid) for uid in users}

                    async def one(uid: int, q: str) -> tuple[float, bool]:
                        cold()
                        t0 = time.perf_counter()
                        await people[uid].send(q)
                        (reply,) = await people[uid].replies(1, timeout_s=60)
                        return time.perf_counter() - t0, is_answer(reply.get("text", ""))

                    for q in QUESTIONS[:3]:
                        await one(users[0], q)
                    seq = [await one(users[i % len(users)], QUESTIONS[i % len(QUESTIONS)]) for i in range(sequential)]
                    t0 = time.perf_counter()
                    conc = await asyncio.gather(*(one(uid, QUESTIONS[i % len(QUESTIONS)])
                                                  for i, uid in enumerate(users)))
                    wall = time.perf_counter() - t0
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        emu.stop()
    return _result("emulator", seq, conc, wall)


def _result(transport: str, seq: list[tuple[float, bool]], conc: list[tuple[float, bool]], wall: float) -> dict:
    return {
        "transport": transport,
        "sequential": {**summary([d for d, _ in seq]), "failed": sum(1 for _, ok in seq if not ok)},
        "concurrent": {**summary([d for d, _ in conc]), "users": len(conc), "wall_s": round(wall, 2),
                       "throughput_qps": round(len(conc) / wall, 1), "failed": sum(1 for _, ok in conc if not ok)},
    }


def load_kb():
    """(kb, label): the real built-in KnowledgeBase, or an interim stand-in while it is missing."""
    try:
        from retrieval.builtin import builtin_kb
    except ImportError:
        return InterimKB.over_builtin_corpus(), "interim: e5 + brute-force cosine over corpus/data (retrieval.builtin missing)"
    return builtin_kb(), "retrieval.builtin.builtin_kb (built-in corpus)"


class InterimKB:
    """Only for benchmarking before ``retrieval.KnowledgeBase`` lands: the same e5 query encoding
    and a brute-force search over the built-in corpus chunks, first sentence of the best hit as
    the answer. Costs are of the same order as the real thing (one query embedding + a search)."""

    def __init__(self, chunks, vectors) -> None:  # noqa: ANN001
        self.chunks, self.vectors = chunks, vectors

    @classmethod
    def over_builtin_corpus(cls) -> "InterimKB":
        from corpus import BUILTIN_DIR, chunk_document, iter_files, load_path
        from retrieval.embedder import Embedder

        chunks = [c for f in iter_files([BUILTIN_DIR]) for d in load_path(f) for c in chunk_document(d)]
        vectors = Embedder.shared().encode_passages([c.index_text() for c in chunks])
        return cls(chunks, vectors)

    def iter_chunks(self):  # noqa: ANN201
        return iter(self.chunks)

    def search(self, query: str, top_k: int = 10, filters=None):  # noqa: ANN001, ANN201
        from retrieval.embedder import Embedder
        from retrieval.types import Hit

        q = Embedder.shared().encode_queries([query])[0]
        scores = self.vectors @ q
        hits = []
        for i in scores.argsort()[::-1]:
            c = self.chunks[i]
            if filters is None or filters.admits(c.collection, c.doc_type, c.scope):
                hits.append(Hit(int(i), c.doc_id, c.title, c.locator, c.text, float(scores[i]), c.page,
                                c.doc_type, c.collection, c.scope))
            if len(hits) >= top_k:
                break
        return hits

    async def asearch(self, query: str, top_k: int = 10, filters=None):  # noqa: ANN001, ANN201
        return await asyncio.to_thread(self.search, query, top_k, filters)

    async def aanswer(self, query: str, top_k: int = 5, filters=None):  # noqa: ANN001, ANN201
        from retrieval.types import Answer, AnswerSentence

        hits = await self.asearch(query, top_k, filters)
        sentences = [AnswerSentence(hits[0].text.split("。")[0] + "。", 0)] if hits else []
        return Answer(query, sentences, hits)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--sequential", type=int, default=60)
    ap.add_argument("--transport", choices=["fake", "emulator", "both"], default="both")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "bot_latency.json")
    args = ap.parse_args()

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    kb, kb_label = await asyncio.to_thread(load_kb)
    kb_load_s = time.perf_counter() - t0
    # The same questions straight to the knowledge base: the part of the latency that is retrieval's.
    from retrieval.types import SearchFilters

    direct = []
    flt = SearchFilters(scopes=frozenset({"all", "delegation:宁夏代表团"}))
    for i in range(args.sequential):
        cold()
        t1 = time.perf_counter()
        await kb.aanswer(QUESTIONS[i % len(QUESTIONS)], top_k=5, filters=flt)
        direct.append(time.perf_counter() - t1)
    print(json.dumps({"kb_direct": summary(direct)}, ensure_ascii=False))
    runs = []
    transports = ["fake", "emulator"] if args.transport == "both" else [args.transport]
    for transport in transports:
        async with isolated_database(args.database_url) as db:
            core = Core.build(db, kb, rate_limit=10_000)
            users = await _register(core, args.users)
            fn = bench_fake if transport == "fake" else bench_emulator
            runs.append(await fn(core, users, args.sequential))
            print(json.dumps(runs[-1], ensure_ascii=False))
    db_kind = "postgresql" if (args.database_url or "").startswith("postgresql") else "sqlite"
    result = {
        "benchmark": "bot_latency",
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    # other jobs share these cores: the load average says how busy they were
                    "loadavg_1m_before": round(load_before[0], 2), "loadavg_1m_after": round(os.getloadavg()[0], 2)},
        "database": db_kind,
        "knowledge_base": kb_label,
        "kb_load_s": round(kb_load_s, 2),
        "kb_direct_aanswer": summary(direct),
        "target": {"p95_ms": 500, "failed": 0},
        "runs": runs,
        "meets_target": all(r["sequential"]["p95_ms"] <= 500 and r["sequential"]["failed"] == 0
                            and r["concurrent"]["failed"] == 0 for r in runs),
        "command": "python bench/bot_latency.py " + " ".join(sys.argv[1:]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
