"""The outbox sender: claims due rows, sends them within Telegram's limits, records every outcome.

Delivery guarantee (Telegram has no idempotency key, so exactly-once cannot be promised in general):
  pending --claim--> claimed --(commit)--> sending --API call--> sent | pending(retry) | failed | blocked
* ``claimed`` rows were never handed to Telegram; after a crash (expired lease) they go back to
  ``pending`` — no loss, no duplicate.
* A row is committed as ``sending`` immediately before its API call and as ``sent`` immediately after.
  Only rows that were *in flight* at the moment of a crash (at most ``concurrency`` rows, each for one
  HTTP round trip plus one commit) are in doubt. ``in_doubt="resend"`` (default) re-sends them:
  nobody is missed, and a duplicate is possible only for a request Telegram accepted in that window.
  ``in_doubt="fail"`` marks them failed("发送结果不确定") instead: no duplicate, and staff see them
  in the report to follow up by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from storage.clock import utcnow
from storage.db import Database

from broadcasts import service
from broadcasts.errors import BlockedError, PermanentError, RetryAfter
from broadcasts.models import Broadcast, BroadcastState, OutboxMessage, OutboxState
from broadcasts.ratelimit import TokenBucket

log = logging.getLogger(__name__)

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data)
SendFn = Callable[[int, str, Buttons | None], Awaitable[int]]
ProgressFn = Callable[[service.DeliveryReport, Broadcast], Awaitable[None]]

READ_LABEL = "已阅"


def read_callback(outbox_id: int) -> str:
    return f"rd:{outbox_id}"


def buttons_for(b: Broadcast, outbox_id: int) -> Buttons | None:
    rows: Buttons = []
    if b.document_ref and b.document_ref.startswith("consultation:"):
        rows.append([("查看草案并提意见", f"cs:{b.document_ref.split(':', 1)[1]}")])
    if b.read_button:
        rows.append([(READ_LABEL, read_callback(outbox_id))])
    return rows or None


@dataclass
class WorkerConfig:
    rate: float = 30.0  # messages per second across this worker (split it between workers)
    burst: float = 1.0
    concurrency: int = 8  # requests in flight; also bounds the in-doubt window after a crash
    batch_size: int = 150  # ~5 s of sending: the pause between batches stays small
    lease_seconds: float = 120.0  # must exceed the HTTP timeout of ``send``
    max_attempts: int = 6
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    in_doubt: str = "resend"  # resend | fail
    progress_interval: float = 3.0
    exclusive: bool | None = None  # sole sender? None: yes on SQLite, no on PostgreSQL


@dataclass
class _Job:
    id: int
    broadcast_id: int
    chat_id: int
    attempts: int
    text: str
    buttons: Buttons | None


@dataclass
class RecoveryResult:
    released: int = 0  # claimed, never sent: back to pending
    in_doubt: int = 0  # sending at crash time
    in_doubt_ids: list[int] = field(default_factory=list)


class OutboxWorker:
    def __init__(self, db: Database, send: SendFn, config: WorkerConfig | None = None, *,
                 now: Callable[[], datetime] = utcnow, on_progress: ProgressFn | None = None,
                 bucket: TokenBucket | None = None, worker_id: str | None = None) -> None:
        self.db = db
        self.send = send
        self.cfg = config or WorkerConfig()
        self.now = now
        self.on_progress = on_progress
        self.bucket = bucket or TokenBucket(self.cfg.rate, self.cfg.burst)
        self.worker_id = worker_id or f"{os.getpid()}-{secrets.token_hex(3)}"
        self._is_pg = db.engine.dialect.name == "postgresql"
        self._last_progress: dict[int, float] = {}
        self.exclusive = (not self._is_pg) if self.cfg.exclusive is None else self.cfg.exclusive
        # SQLite has one writer at a time and its busy handler sleeps in growing steps (up to 100 ms):
        # concurrent send tasks queue on this lock instead, which is far faster. PostgreSQL needs none.
        self._write_lock = contextlib.nullcontext() if self._is_pg else asyncio.Lock()

    # ---- recovery -------------------------------------------------------------------------------
    async def recover(self, *, all_leases: bool = False) -> RecoveryResult:
        """Resolve expired leases (a crashed or stuck worker). Safe to run at any time, by any worker.
        ``all_leases``: this process is the only sender (SQLite), so every lease at startup belongs to a
        dead process and is resolved at once instead of after ``lease_seconds``."""
        now = self.now()
        cutoff = datetime.max if all_leases else now
        r = RecoveryResult()
        async with self._write_lock, self.db.session() as s, s.begin():
            res = await s.execute(update(OutboxMessage)
                                  .where(OutboxMessage.state == OutboxState.CLAIMED.value,
                                         OutboxMessage.lease_until < cutoff)
                                  .values(state=OutboxState.PENDING.value, lease_owner=None, lease_until=None))
            r.released = res.rowcount or 0
            ids = list((await s.execute(select(OutboxMessage.id).where(
                OutboxMessage.state == OutboxState.SENDING.value, OutboxMessage.lease_until < cutoff))).scalars())
            if ids:
                if self.cfg.in_doubt == "fail":
                    values = dict(state=OutboxState.FAILED.value, last_error="发送结果不确定（发送中断），请人工核实")
                else:
                    values = dict(state=OutboxState.PENDING.value, next_attempt_at=now,
                                  last_error="发送中断，已重新发送")
                await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                            OutboxMessage.state == OutboxState.SENDING.value)
                                .values(lease_owner=None, lease_until=None, **values))
            r.in_doubt, r.in_doubt_ids = len(ids), ids
        if r.released or r.in_doubt:
            log.warning("outbox recovery: %d released, %d in doubt (%s)", r.released, r.in_doubt, self.cfg.in_doubt)
        return r

    # ---- claiming -------------------------------------------------------------------------------
    async def claim(self) -> list[_Job]:
        now = self.now()
        async with self._write_lock, self.db.session() as s, s.begin():
            q = (select(OutboxMessage.id)
                 .where(OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(self.cfg.batch_size))
            if self._is_pg:  # several workers: each takes rows nobody else holds, without waiting
                q = q.with_for_update(skip_locked=True)
            ids = list((await s.execute(q)).scalars())
            if not ids:
                return []
            await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                            .values(state=OutboxState.CLAIMED.value, lease_owner=self.worker_id,
                                    lease_until=now + timedelta(seconds=self.cfg.lease_seconds)))
            rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                    .order_by(OutboxMessage.id))).scalars().all()
            bids = {r.broadcast_id for r in rows}
            bcs = {b.id: b for b in (await s.execute(select(Broadcast).where(Broadcast.id.in_(bids)))).scalars()}
            for b in bcs.values():
                if b.state == BroadcastState.SCHEDULED.value:
                    b.state = BroadcastState.SENDING.value
            return [_Job(r.id, r.broadcast_id, r.chat_id, r.attempts, bcs[r.broadcast_id].text,
                         buttons_for(bcs[r.broadcast_id], r.id)) for r in rows]

    # ---- sending --------------------------------------------------------------------------------
    async def _set(self, job_id: int, only_states: tuple[str, ...] | None = None, owned: bool = False,
                   **values) -> int:
        async with self._write_lock, self.db.session() as s, s.begin():
            q = update(OutboxMessage).where(OutboxMessage.id == job_id)
            if only_states:
                q = q.where(OutboxMessage.state.in_(only_states))
            if owned:
                q = q.where(OutboxMessage.lease_owner == self.worker_id)
            return (await s.execute(q.values(**values))).rowcount or 0

    def _backoff(self, attempts: int) -> float:
        return min(self.cfg.backoff_cap, self.cfg.backoff_base ** max(0, attempts - 1))

    async def _deliver(self, job: _Job) -> str:
        await self.bucket.acquire()
        now = self.now()
        # Open the in-doubt window only now, right before the request; the lease condition makes sure a
        # row another worker has re-claimed (after our lease expired) is not sent by us as well.
        ok = await self._set(job.id, state=OutboxState.SENDING.value, attempts=job.attempts + 1,
                             lease_until=now + timedelta(seconds=self.cfg.lease_seconds),
                             only_states=(OutboxState.CLAIMED.value,), owned=True)
        if not ok:
            return "lost-lease"
        attempts = job.attempts + 1
        try:
            mid = await self.send(job.chat_id, job.text, job.buttons)
        except RetryAfter as e:
            self.bucket.pause(e.seconds)
            # Not the recipient's fault: the attempt does not count towards max_attempts.
            await self._set(job.id, state=OutboxState.PENDING.value, attempts=job.attempts,
                            next_attempt_at=self.now() + timedelta(seconds=e.seconds),
                            last_error=f"限流，{e.seconds:g} 秒后重试", lease_owner=None, lease_until=None)
            return "retry-after"
        except BlockedError as e:
            await self._set(job.id, state=OutboxState.BLOCKED.value, last_error=_reason(e, "用户已屏蔽机器人或账号不存在"),
                            lease_owner=None, lease_until=None)
            return "blocked"
        except PermanentError as e:
            await self._set(job.id, state=OutboxState.FAILED.value, last_error=_reason(e, "请求被拒绝"),
                            lease_owner=None, lease_until=None)
            return "failed"
        except Exception as e:  # network, timeout, 5xx and anything unexpected: retry with backoff
            if attempts >= self.cfg.max_attempts:
                await self._set(job.id, state=OutboxState.FAILED.value,
                                last_error=f"多次重试仍失败：{_reason(e, '网络或服务器错误')}",
                                lease_owner=None, lease_until=None)
                return "failed"
            await self._set(job.id, state=OutboxState.PENDING.value,
                            next_attempt_at=self.now() + timedelta(seconds=self._backoff(attempts)),
                            last_error=_reason(e, "网络或服务器错误"), lease_owner=None, lease_until=None)
            return "retry"
        # Unconditional: even if recovery reset the row meanwhile, it was delivered; marking it sent
        # now prevents a second copy unless another worker already picked it up.
        await self._set(job.id, state=OutboxState.SENT.value, telegram_message_id=int(mid), sent_at=self.now(),
                        lease_owner=None, lease_until=None, last_error=None)
        return "sent"

    async def run_once(self) -> int:
        """Claim one batch and process it. Returns how many rows were claimed."""
        jobs = await self.claim()
        if not jobs:
            return 0
        sem = asyncio.Semaphore(self.cfg.concurrency)

        async def one(job: _Job) -> None:
            async with sem:
                try:
                    await self._deliver(job)
                except Exception:  # a DB hiccup must not kill the batch; the lease brings the row back
                    log.exception("outbox row %s: unexpected error", job.id)

        await asyncio.gather(*(one(j) for j in jobs))
        await self._after_batch({j.broadcast_id for j in jobs})
        return len(jobs)

    async def _after_batch(self, bids: set[int]) -> None:
        for bid in bids:
            async with self._write_lock, self.db.session() as s, s.begin():
                finished = await service.finish_if_done(s, bid, self.now())
                if self.on_progress is None:
                    continue
                t = time.monotonic()
                if not finished and t - self._last_progress.get(bid, 0.0) < self.cfg.progress_interval:
                    continue
                self._last_progress[bid] = t
                rep = await service.report(s, bid)
                b = await s.get(Broadcast, bid)
            try:
                await self.on_progress(rep, b)
            except Exception:  # a failed progress edit never stops delivery
                log.exception("progress callback failed")

    async def next_due_in(self) -> float | None:
        """Seconds until the earliest pending row is due (None: nothing pending)."""
        async with self.db.session() as s:
            t = (await s.execute(select(func.min(OutboxMessage.next_attempt_at))
                                 .where(OutboxMessage.state == OutboxState.PENDING.value))).scalar_one()
        return None if t is None else max(0.0, (t - self.now()).total_seconds())

    async def active_count(self) -> int:
        async with self.db.session() as s:
            return int((await s.execute(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.state.in_(service.ACTIVE_STATES)))).scalar_one())

    async def run(self, stop: asyncio.Event | None = None, *, idle_sleep: float = 1.0,
                  recover_every: float = 30.0) -> None:
        """The long-running loop (the bot starts it as a background task)."""
        stop = stop or asyncio.Event()
        await self.recover(all_leases=self.exclusive)
        last_recover = time.monotonic()
        while not stop.is_set():
            n = await self.run_once()
            if time.monotonic() - last_recover > recover_every:
                await self.recover()
                last_recover = time.monotonic()
            if n:
                continue
            due = await self.next_due_in()
            wait = idle_sleep if due is None else min(idle_sleep, max(due, 0.05))
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def drain(self, *, max_idle_wait: float = 5.0) -> None:
        """Run until no row is pending/claimed/sending (tests and the benchmark)."""
        await self.recover(all_leases=self.exclusive)
        while True:
            if await self.run_once():
                continue
            if not await self.active_count():
                return
            due = await self.next_due_in()
            await asyncio.sleep(min(max_idle_wait, due if due is not None else 0.1) + 0.01)
            await self.recover()


def _reason(e: Exception, default: str) -> str:
    msg = str(e).strip()
    return (f"{default}（{msg[:200]}）" if msg else default)[:500]
