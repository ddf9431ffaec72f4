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


async def _worker(url: str, schema: str | None, api: str, rate: float, concurrency: int, in_doubt: str,
                  report: str | None, wait_go: bool = False) -> None:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from broadcasts.telegram_adapter import make_send
    from broadcasts.worker import OutboxWorker, WorkerConfig
    from storage.db import Database

    t_start = time.monotonic()
    db = Database(url, schema=schema)
    bot = Bot(TOKEN, base_url=api, request=HTTPXRequest(connection_pool_size=concurrency + 2, read_timeout=10))
    await bot.initialize()
    opts = {"rate": rate, "concurrency": concurrency, "lease_seconds": 60, "backoff_base": 2.0, "max_attempts": 10,
            "in_doubt": in_doubt, **json.loads(os.environ.get("BC_WORKER_OPTS") or "{}")}
    w = OutboxWorker(db, make_send(bot), WorkerConfig(**opts))
    t_ready, c0 = time.monotonic(), time.process_time()
    if wait_go:  # a running sender, as in the bot: the clock starts when it is handed the broadcast
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        t_ready = time.monotonic()
    await w.drain(max_idle_wait=0.5)
    t_end = time.monotonic()
    await bot.shutdown()
    await db.dispose()
    if report:  # what this process saw, for the profile in the result JSON
        rec = w.last_recovery
        with open(report, "a") as f:
            f.write(json.dumps({
                "process_start_t": t_start, "ready_t": t_ready, "end_t": t_end,
                "cpu_s": round(time.process_time() - c0, 2),
                "recovered": {"released": rec.released, "never_left": rec.never_left, "in_doubt": rec.in_doubt},
                "outcomes": dict(w.stats), "limiter": {k: round(v, 2) for k, v in w.limiter.stats.items()},
                "lead_s": round(w.limiter.lead, 4)}) + "\n")


async def _in_doubt_now(url: str, schema: str | None, bid: int) -> tuple[list[int], int]:
    """After the kill: chats whose row is 'sending' (request possibly in flight) and how many are 'claimed'."""
    from sqlalchemy import func, select

    from broadcasts.models import OutboxMessage
    from storage.db import Database

    db = Database(url, schema=schema)
    async with db.session() as s:
        sending = list((await s.execute(select(OutboxMessage.chat_id).where(
            OutboxMessage.broadcast_id == bid, OutboxMessage.state == "sending"))).scalars())
        claimed = (await s.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.broadcast_id == bid, OutboxMessage.state == "claimed"))).scalar_one()
    await db.dispose()
    return sending, int(claimed)


async def _db_counts(url: str, schema: str | None, bid: int) -> dict:
    from broadcasts import service
    from storage.db import Database

    db = Database(url, schema=schema)
    async with db.session() as s:
        rep = await service.report(s, bid)
    await db.dispose()
    return {"sent": rep.sent, "blocked": rep.blocked, "failed": rep.failed, "pending": rep.pending,
            "failures": rep.failures}


def _start_worker(url, schema, api, rate, concurrency, in_doubt, report, wait_go=False) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, __file__, "worker", "--db", url, "--schema", schema or "",
                          "--api", api, "--rate", str(rate), "--concurrency", str(concurrency),
                          "--in-doubt", in_doubt, "--report", report] + (["--wait-go"] if wait_go else []),
                         cwd=ROOT, stdin=subprocess.PIPE if wait_go else None,
                         stdout=subprocess.PIPE if wait_go else None, text=True)
    if wait_go:
        assert p.stdout.readline().startswith("ready")
    return p


def _delivered(log: Path) -> Counter:
    return Counter(int(line.split("\t")[0]) for line in log.read_text().splitlines() if line)


def run_case(n: int, kill: bool, url: str | None, rate: float, concurrency: int, p429: float, p5xx: float,
             seed: int, send_rate: float | None = None, trace: str | None = None, in_doubt: str = "fail",
             kill_at: float | None = None) -> dict:
    send_rate = send_rate or rate
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="bcbench-") as tmp:
        url = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        log = Path(tmp) / "delivered.tsv"
        report = str(Path(tmp) / "worker.jsonl")
        port = 18000 + rng.randint(0, 999)
        emu = subprocess.Popen([sys.executable, str(ROOT / "bench" / "tg_emulator.py"), "--port", str(port),
                                "--log", str(log), "--rate", str(rate), "--p429", str(p429), "--p5xx", str(p5xx),
                                "--seed", str(seed)] + (["--trace", trace] if trace else []),
                               stdout=subprocess.PIPE, text=True)
        try:
            assert emu.stdout.readline().startswith("ready")
            ts = time.monotonic()
            bid, schema = asyncio.run(_setup(url, n))
            setup_s = time.monotonic() - ts
            api = f"http://127.0.0.1:{port}/bot"
            # The sender process is started (imports, bot and database connections) before the clock
            # starts, as in the bot where it is always running; a restart after the kill is on the clock.
            ts = time.monotonic()
            w = _start_worker(url, schema, api, send_rate, concurrency, in_doubt, report, wait_go=True)
            startup_s = time.monotonic() - ts
            t0 = time.monotonic()
            w.stdin.write("go\n")
            w.stdin.flush()
            crash = None
            if kill:
                kill_at = kill_at or rng.uniform(5.0, max(6.0, n / rate * 0.8))
                try:
                    w.wait(timeout=kill_at)
                except subprocess.TimeoutExpired:
                    w.send_signal(signal.SIGKILL)
                    w.wait()
                    sending, claimed = asyncio.run(_in_doubt_now(url, schema, bid))
                    before = _delivered(log)
                    crash = {"rows_sending": len(sending), "rows_claimed": claimed, "sending_chats": sending,
                             # in flight at the kill AND already accepted by "Telegram": a resend duplicates these
                             "sending_already_delivered": sum(1 for c in sending if before[c]),
                             "delivered_before_kill": sum(before.values())}
                w = _start_worker(url, schema, api, send_rate, concurrency, in_doubt, report)
            rc = w.wait()
            elapsed = time.monotonic() - t0
            stats = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats").read())
            counts = _delivered(log)
            if crash:  # what "Telegram" finally got of the rows that were 'sending' at the kill
                chats = crash.pop("sending_chats")
                crash["sending_delivered_once"] = sum(1 for c in chats if counts[c] == 1)
                crash["sending_delivered_twice"] = sum(1 for c in chats if counts[c] > 1)
                crash["sending_never_delivered"] = sum(1 for c in chats if not counts[c])
            db_counts = asyncio.run(_db_counts(url, schema, bid))
            workers = [json.loads(line) for line in Path(report).read_text().splitlines() if line] \
                if Path(report).exists() else []
        finally:
            emu.terminate()
            emu.wait()
    blocked = {CHAT0 + i for i in range(n) if (CHAT0 + i) % 97 == 0}
    expected = {CHAT0 + i for i in range(n)} - blocked
    deliverable = len(expected)
    minimum = deliverable / rate
    first, last = stats.pop("first_request_t", 0.0), stats.pop("last_delivery_t", 0.0)
    mandated = stats.get("retry_after_s", 0)
    for wk in workers:
        for k in ("process_start_t", "ready_t", "end_t"):
            wk[k.replace("_t", "_at_s")] = round(wk.pop(k) - t0, 2)
    return {
        "recipients": n, "deliverable": deliverable, "blocked_by_emulator": len(blocked),
        "db": "sqlite" if url.startswith("sqlite") else "postgresql",
        "rate_limit": rate, "sender_rate": send_rate, "concurrency": concurrency, "p429": p429, "p5xx": p5xx,
        "in_doubt_policy": in_doubt, "killed_after_s": round(kill_at, 1) if crash else None, "crash": crash,
        "worker_rc": rc, "setup_s": round(setup_s, 1), "sender_startup_s": round(startup_s, 1),
        "elapsed_s": round(elapsed, 1),  # broadcast handed to the running sender -> sender done
        "first_request_at_s": round(first - t0, 2), "last_delivery_at_s": round(last - t0, 2),
        "send_span_s": round(last - first, 1),  # the emulator's first request to its last delivery
        "limit_bound_min_s": round(minimum, 1),
        "ratio_to_min": round(elapsed / minimum, 3),
        "ratio_to_issue_min": round(elapsed / (n / rate), 3),  # the 3,000 / 30 = 100 s
        "retry_after_demanded_s": mandated,  # RetryAfter seconds the emulator asked for (overlaps counted)
        "ratio_to_min_plus_pauses": round(elapsed / (minimum + mandated), 3),
        "duplicates": sum(c - 1 for c in counts.values() if c > 1),
        "losses": len(expected - set(counts)),
        "delivered_to_blocked": len(blocked & set(counts)),
        "emulator": stats, "outbox": db_counts, "workers": workers,
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
    wk.add_argument("--in-doubt", default="fail")
    wk.add_argument("--report", default=None)
    wk.add_argument("--wait-go", action="store_true")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--kill", action="store_true")
    ap.add_argument("--db", default=None)
    ap.add_argument("--rate", type=float, default=30.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--send-rate", type=float, default=None, help="sender's pacing (default: --rate)")
    ap.add_argument("--p429", type=float, default=0.001)
    ap.add_argument("--p5xx", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--in-doubt", choices=("resend", "fail"), default="fail",
                    help="what the restarted sender does with rows in flight at the kill")
    ap.add_argument("--kill-at", type=float, default=None, help="seconds after start (default: random)")
    ap.add_argument("--worker-opts", default=None, help='extra WorkerConfig fields as JSON, e.g. {"mark_ahead": 0}')
    ap.add_argument("--trace", default=None, help="emulator trace file (time, status, chat per request)")
    ap.add_argument("--name", default=None, help="result key (default: derived from the arguments)")
    a = ap.parse_args()
    if a.cmd == "worker":
        asyncio.run(_worker(a.db, a.schema or None, a.api, a.rate, a.concurrency, a.in_doubt, a.report, a.wait_go))
        return
    if a.worker_opts:
        os.environ["BC_WORKER_OPTS"] = a.worker_opts
    res = run_case(a.n, a.kill, a.db, a.rate, a.concurrency, a.p429, a.p5xx, a.seed, a.send_rate, a.trace,
                   a.in_doubt, a.kill_at)
    res["seed"] = a.seed
    if a.worker_opts:
        res["worker_opts"] = json.loads(a.worker_opts)
    key = a.name or (f"n{a.n}_rate{a.rate:g}" + (f"_send{a.send_rate:g}" if a.send_rate else "")
                     + f"{'_kill' if a.kill else ''}{'_resend' if a.in_doubt == 'resend' else ''}_{res['db']}")
    print(json.dumps({key: res}, ensure_ascii=False, indent=1))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    allres = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    allres[key] = res
    RESULTS.write_text(json.dumps(allres, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
