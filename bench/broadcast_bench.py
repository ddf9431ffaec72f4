"""Broadcast delivery benchmark against bench/tg_emulator.py (a separate process on 127.0.0.1).

    python bench/broadcast_bench.py --n 3000                # one clean run, SQLite
    python bench/broadcast_bench.py --n 3000 --kill         # SIGKILL the sender at a random point, restart
    python bench/broadcast_bench.py --n 3000 --db postgresql+asyncpg://postgres@127.0.0.1:5432/test

The sender runs as its own process (``worker`` sub-command) so it can really be SIGKILLed; the emulator
logs every delivered message, so duplicates and losses are counted from what "Telegram" received.
Results are merged into bench/results/broadcast.json under a key per case.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "broadcast.json"
TOKEN = "123456:BENCH"
CHAT0 = 10_000_000


async def _setup(url: str, n: int) -> tuple[int, str | None]:
    from sqlalchemy import insert, text

    from broadcasts import audience as aud
    from broadcasts import service
    from broadcasts.schema import ensure_tables
    from storage.db import Database
    from storage.models import User

    schema = None
    if not url.startswith("sqlite"):
        schema = f"bench_{os.getpid()}"
        admin = Database(url)
        async with admin.engine.begin() as c:
            await c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await c.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
    db = Database(url, schema=schema)
    await db.upgrade()
    await ensure_tables(db)
    async with db.session() as s, s.begin():
        rows = [{"telegram_id": CHAT0 + i, "name": f"代表{i}", "role": "deputy", "status": "active",
                 "delegation": f"代表团{i % 35}", "committees": []} for i in range(n)]
        for i in range(0, n, 5000):
            await s.execute(insert(User), rows[i:i + 5000])
        b = await service.create(s, "【会议通知】请各位代表于明日上午九时到人民大会堂出席全体会议。", aud.AudienceSpec())
        await service.confirm(s, b.id)
    await db.dispose()
    return b.id, schema


async def _worker(url: str, schema: str | None, api: str, rate: float, concurrency: int) -> None:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from broadcasts.telegram_adapter import make_send
    from broadcasts.worker import OutboxWorker, WorkerConfig
    from storage.db import Database

    db = Database(url, schema=schema)
    bot = Bot(TOKEN, base_url=api, request=HTTPXRequest(connection_pool_size=concurrency + 2, read_timeout=10))
    await bot.initialize()
    w = OutboxWorker(db, make_send(bot), WorkerConfig(rate=rate, concurrency=concurrency, lease_seconds=60,
                                                       backoff_base=2.0, max_attempts=10))
    await w.drain(max_idle_wait=0.5)
    await bot.shutdown()
    await db.dispose()


async def _db_counts(url: str, schema: str | None, bid: int) -> dict:
    from broadcasts import service
    from storage.db import Database

    db = Database(url, schema=schema)
    async with db.session() as s:
        rep = await service.report(s, bid)
    await db.dispose()
    return {"sent": rep.sent, "blocked": rep.blocked, "failed": rep.failed, "pending": rep.pending,
            "failures": rep.failures}


def _start_worker(url, schema, api, rate, concurrency) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "worker", "--db", url, "--schema", schema or "",
                             "--api", api, "--rate", str(rate), "--concurrency", str(concurrency)], cwd=ROOT)


def run_case(n: int, kill: bool, url: str | None, rate: float, concurrency: int, p429: float, p5xx: float,
             seed: int, send_rate: float | None = None) -> dict:
    send_rate = send_rate or rate
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="bcbench-") as tmp:
        url = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        log = Path(tmp) / "delivered.tsv"
        port = 18000 + rng.randint(0, 999)
        emu = subprocess.Popen([sys.executable, str(ROOT / "bench" / "tg_emulator.py"), "--port", str(port),
                                "--log", str(log), "--rate", str(rate), "--p429", str(p429), "--p5xx", str(p5xx),
                                "--seed", str(seed)], stdout=subprocess.PIPE, text=True)
        try:
            assert emu.stdout.readline().startswith("ready")
            bid, schema = asyncio.run(_setup(url, n))
            api = f"http://127.0.0.1:{port}/bot"
            t0 = time.monotonic()
            w = _start_worker(url, schema, api, send_rate, concurrency)
            kill_at = None
            if kill:
                kill_at = rng.uniform(5.0, max(6.0, n / rate * 0.8))
                try:
                    w.wait(timeout=kill_at)
                except subprocess.TimeoutExpired:
                    w.send_signal(signal.SIGKILL)
                    w.wait()
                w = _start_worker(url, schema, api, send_rate, concurrency)
            rc = w.wait()
            elapsed = time.monotonic() - t0
            stats = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats").read())
            counts = Counter(int(line.split("\t")[0]) for line in log.read_text().splitlines() if line)
            db_counts = asyncio.run(_db_counts(url, schema, bid))
        finally:
            emu.terminate()
            emu.wait()
    blocked = {CHAT0 + i for i in range(n) if (CHAT0 + i) % 97 == 0}
    expected = {CHAT0 + i for i in range(n)} - blocked
    deliverable = len(expected)
    return {
        "recipients": n, "deliverable": deliverable, "blocked_by_emulator": len(blocked),
        "db": "sqlite" if url.startswith("sqlite") else "postgresql",
        "rate_limit": rate, "sender_rate": send_rate, "concurrency": concurrency, "p429": p429, "p5xx": p5xx,
        "killed_after_s": round(kill_at, 1) if kill_at else None, "worker_rc": rc,
        "elapsed_s": round(elapsed, 1), "limit_bound_min_s": round(deliverable / rate, 1),
        "ratio_to_min": round(elapsed / (deliverable / rate), 3),
        "duplicates": sum(c - 1 for c in counts.values() if c > 1),
        "losses": len(expected - set(counts)),
        "delivered_to_blocked": len(blocked & set(counts)),
        "emulator": stats, "outbox": db_counts,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd")
    wk = sub.add_parser("worker")
    wk.add_argument("--db", required=True)
    wk.add_argument("--schema", default="")
    wk.add_argument("--api", required=True)
    wk.add_argument("--rate", type=float, default=30.0)
    wk.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--kill", action="store_true")
    ap.add_argument("--db", default=None)
    ap.add_argument("--rate", type=float, default=30.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--send-rate", type=float, default=None, help="sender's pacing (default: --rate)")
    ap.add_argument("--p429", type=float, default=0.001)
    ap.add_argument("--p5xx", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--name", default=None, help="result key (default: derived from the arguments)")
    a = ap.parse_args()
    if a.cmd == "worker":
        asyncio.run(_worker(a.db, a.schema or None, a.api, a.rate, a.concurrency))
        return
    res = run_case(a.n, a.kill, a.db, a.rate, a.concurrency, a.p429, a.p5xx, a.seed, a.send_rate)
    res["seed"] = a.seed
    key = a.name or (f"n{a.n}_rate{a.rate:g}" + (f"_send{a.send_rate:g}" if a.send_rate else "")
                     + f"{'_kill' if a.kill else ''}_{res['db']}")
    print(json.dumps({key: res}, ensure_ascii=False, indent=1))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    allres = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    allres[key] = res
    RESULTS.write_text(json.dumps(allres, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
