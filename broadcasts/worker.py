"""The outbox sender: claims due rows, sends them within Telegram's limits, records every outcome.

State machine (Telegram has no idempotency key, so exactly-once cannot be promised in general):
  pending --claim--> claimed --(commit)--> sending --API call--> sent | pending(retry) | failed | blocked
* ``claimed`` rows were never handed to Telegram; after a crash they go back to ``pending``: no loss,
  no duplicate.
* A row is committed as ``sending`` before its request leaves (the commit runs while the sender waits
  for the row's rate slot), the row id is appended to a local journal the instant before the request is
  handed to the HTTP client, and the outcome is committed right after the answer. After a crash,
  recovery resends ``sending`` rows that are not in the dead sender's journal (their request never left:
  no loss, no duplicate). The rest, at most ``concurrency`` and in practice rate x round trip ~ 2 at
  30 msg/s, were in flight: Telegram has almost certainly delivered them, unless it answered 5xx/429.
  ``in_doubt="fail"`` (default, at most once): not resent, listed in the report as failed
  "发送结果不确定" for staff to check; nobody gets a second copy, and the rare one Telegram had refused
  is missed (but listed). ``in_doubt="resend"`` (at least once): nobody is missed, and those few
  almost always get a second copy.

Throughput: requests leave in claim order, each when ``SendLimiter`` allows (RetryAfter pause, pacing,
and a sliding window over confirmed deliveries so that Telegram never counts more than ``rate`` in a
second), with up to ``concurrency`` in flight. The next batch is claimed while the current one is sent,
and all state changes go through one group-commit writer (one transaction per round, not per row).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import itertools
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, update

from storage.clock import utcnow
from storage.db import Database

from broadcasts import service
from broadcasts.errors import BlockedError, PermanentError, RetryAfter
from broadcasts.models import Broadcast, BroadcastState, OutboxMessage, OutboxState
from broadcasts.ratelimit import SendLimiter, Ticket

log = logging.getLogger(__name__)

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data)
# send(chat_id, text, buttons[, document=file_id]) -> message_id; ``document`` is passed only for a
# broadcast with an attachment (then ``text`` is its caption).
SendFn = Callable[..., Awaitable[int]]
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
    burst: float = 4.0  # pacing slack: a late wake-up may catch up by this many back-to-back requests
    window: float = 1.0  # Telegram counts ``rate`` messages per sliding ``window`` seconds
    concurrency: int = 8  # requests in flight at most; also bounds the in-doubt rows after a crash
    mark_ahead: int = 8  # rows committed as ``sending`` ahead of their slot (with a journal; else 0)
    batch_size: int = 150  # rows per claim; the next batch is claimed while this one is still sending
    lease_seconds: float = 120.0  # must exceed the HTTP timeout of ``send``
    max_attempts: int = 6
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    # Rows whose request had left when the sender died (see the module doc): "fail" = at most once (not
    # resent, reported as uncertain), "resend" = at least once (nobody missed, a duplicate is likely).
    in_doubt: str = "fail"
    # Request journal (one line per request handed to the HTTP client, appended right before it): lets
    # recovery resend rows marked ``sending`` whose request never left. "auto": next to a SQLite file.
    journal_dir: str | None = "auto"
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
    document: str | None = None  # Telegram file_id sent with ``text`` as its caption


@dataclass
class _Mark:
    fut: asyncio.Future  # the ids the ``sending`` commit actually marked
    at: float = field(default_factory=time.monotonic)


@dataclass
class RecoveryResult:
    released: int = 0  # claimed, never sent: back to pending
    never_left: int = 0  # marked sending, but the journal shows the request was never made: back to pending
    in_doubt: int = 0  # sending at crash time, request (possibly) made: handled by ``in_doubt``
    in_doubt_ids: list[int] = field(default_factory=list)


class OutboxWorker:
    def __init__(self, db: Database, send: SendFn, config: WorkerConfig | None = None, *,
                 now: Callable[[], datetime] = utcnow, on_progress: ProgressFn | None = None,
                 limiter: SendLimiter | None = None, worker_id: str | None = None) -> None:
        self.db = db
        self.send = send
        self.cfg = config or WorkerConfig()
        self.now = now
        self.on_progress = on_progress
        self.limiter = limiter or SendLimiter(self.cfg.rate, self.cfg.burst, window=self.cfg.window)
        self.worker_id = worker_id or f"{os.getpid()}-{secrets.token_hex(3)}"
        self._is_pg = db.engine.dialect.name == "postgresql"
        self._last_progress: dict[int, float] = {}
        self.exclusive = (not self._is_pg) if self.cfg.exclusive is None else self.cfg.exclusive
        # SQLite has one writer at a time and its busy handler sleeps in growing steps (up to 100 ms):
        # this process's writers queue on this lock instead, which is far faster. PostgreSQL needs none.
        self._write_lock = contextlib.nullcontext() if self._is_pg else asyncio.Lock()
        self._journal_dir = _journal_dir(self.cfg.journal_dir, db)
        self._journal_fd: int | None = None
        self.last_recovery = RecoveryResult()
        self._pending_writes: list[tuple[Any, dict | None, bool, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self.stats: collections.Counter = collections.Counter()  # commits, statements, outcomes

    # ---- group commit ---------------------------------------------------------------------------
    def _submit(self, stmt, params: dict | None = None, *, fetch: bool = False) -> asyncio.Future:
        """Queue one UPDATE; it commits together with whatever else was queued meanwhile (one transaction
        per round instead of one per statement). The future gives, once committed, the rowcount or, with
        ``fetch``, the set of first columns of the rows returned."""
        fut = asyncio.get_running_loop().create_future()
        self._pending_writes.append((stmt, params, fetch, fut))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_loop())
        return fut

    async def _write_loop(self) -> None:
        while self._pending_writes:
            batch, self._pending_writes = self._pending_writes, []
            await self._apply(batch)

    async def _apply(self, batch: list) -> None:
        results: list = []
        try:
            async with self._write_lock, self.db.engine.begin() as conn:
                for stmt, params, fetch, _ in batch:
                    res = await conn.execute(stmt, params)
                    results.append({row[0] for row in res} if fetch else (res.rowcount or 0))
            self.stats["commits"] += 1
            self.stats["statements"] += len(batch)
        except Exception as e:
            if len(batch) > 1:  # one bad statement must not sink the others: apply them one by one
                for item in batch:
                    await self._apply([item])
                return
            results = []
            if not batch[0][3].done():
                batch[0][3].set_exception(e)
        finally:
            for i, (*_, fut) in enumerate(batch):
                if fut.done():
                    continue
                if i < len(results):
                    fut.set_result(results[i])
                else:  # cancelled mid-commit (shutdown): the caller must not assume it was written
                    fut.set_exception(RuntimeError("outbox write interrupted"))

    def _mark_sending(self, jobs: list[_Job]) -> asyncio.Future:
        """Open the in-doubt window: ``sending``, committed before the requests leave. The lease condition
        makes sure a row another worker has re-claimed (after our lease expired) is not sent by us too.
        The future gives the ids actually marked."""
        return self._submit(_MARK_SENDING, {
            "b_ids": [j.id for j in jobs], "b_owner": self.worker_id,
            "v_lease_until": self.now() + timedelta(seconds=self.cfg.lease_seconds)}, fetch=True)

    async def _record(self, job: _Job, **values) -> None:
        params = {"b_id": job.id, **{f"v_{k}": v for k, v in values.items()}}
        await self._submit(_update_by_id(tuple(sorted(values))), params)

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
            rows = (await s.execute(select(OutboxMessage.id, OutboxMessage.lease_owner).where(
                OutboxMessage.state == OutboxState.SENDING.value, OutboxMessage.lease_until < cutoff))).all()
            never_left, ids = self._split_by_journal(rows)
            if never_left:  # like a claimed row: nobody was sent anything
                await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(never_left),
                                                            OutboxMessage.state == OutboxState.SENDING.value)
                                .values(state=OutboxState.PENDING.value, attempts=OutboxMessage.attempts - 1,
                                        lease_owner=None, lease_until=None))
            if ids:
                if self.cfg.in_doubt == "fail":
                    values = dict(state=OutboxState.FAILED.value, last_error=IN_DOUBT_ERROR)
                else:
                    values = dict(state=OutboxState.PENDING.value, next_attempt_at=now,
                                  last_error="发送中断，已重新发送")
                await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                            OutboxMessage.state == OutboxState.SENDING.value)
                                .values(lease_owner=None, lease_until=None, **values))
            r.never_left, r.in_doubt, r.in_doubt_ids = len(never_left), len(ids), ids
        # The dead senders' journals have served their purpose; with ``all_leases`` every sender but this
        # one is dead and nothing of ours is in flight, so all journals go.
        self._journal_cleanup({o for _, o in rows if o}, everyone=all_leases)
        if r.released or r.never_left or r.in_doubt:
            log.warning("outbox recovery: %d released, %d never sent, %d in doubt (%s)",
                        r.released, r.never_left, r.in_doubt, self.cfg.in_doubt)
            self.last_recovery = r
        return r

    # ---- request journal ------------------------------------------------------------------------
    def _journal_file(self, owner: str) -> Path | None:
        return None if self._journal_dir is None else self._journal_dir / f"{JOURNAL_PREFIX}{owner}"

    def _journal(self, job_id: int) -> None:
        """Record that this row's request is being handed to the HTTP client. A plain write(2): it
        survives the process being killed (the page cache is the kernel's), and costs microseconds."""
        if self._journal_dir is None:
            return
        try:
            if self._journal_fd is None:
                self._journal_dir.mkdir(parents=True, exist_ok=True)
                self._journal_fd = os.open(self._journal_file(self.worker_id),
                                           os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.write(self._journal_fd, b"%d\n" % job_id)
        except OSError:
            # Without a complete journal recovery must not trust it: remove it, fall back to ``in_doubt``.
            log.exception("outbox journal unusable; in-doubt rows will follow in_doubt=%s", self.cfg.in_doubt)
            self._journal_cleanup({self.worker_id})
            self._journal_dir = None

    def _journal_cleanup(self, owners: set[str], *, everyone: bool = False) -> None:
        """Remove the journals of ``owners`` (their rows are resolved), any older than a day, or all."""
        if (everyone or self.worker_id in owners) and self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if self._journal_dir is None or not self._journal_dir.is_dir():
            return
        old = time.time() - 86400
        for f in self._journal_dir.glob(f"{JOURNAL_PREFIX}*"):
            with contextlib.suppress(OSError):
                if everyone or f.name[len(JOURNAL_PREFIX):] in owners or f.stat().st_mtime < old:
                    f.unlink()

    def _split_by_journal(self, rows) -> tuple[list[int], list[int]]:
        """(rows whose request provably never left, rows in doubt)."""
        never_left, in_doubt = [], []
        journals: dict[str, set[int] | None] = {}
        for row_id, owner in rows:
            if owner not in journals:
                f = self._journal_file(owner) if owner else None
                try:
                    journals[owner] = {int(x) for x in f.read_text().split()} if f is not None else None
                except (OSError, ValueError):  # no journal (another host, or disabled): cannot tell
                    journals[owner] = None
            seen = journals[owner]
            (never_left if seen is not None and row_id not in seen else in_doubt).append(row_id)
        return never_left, in_doubt

    # ---- claiming -------------------------------------------------------------------------------
    def _claim_limit(self) -> int:
        # A claimed row must be sent well within its lease, even at a low rate.
        by_lease = int(self.cfg.rate * self.cfg.lease_seconds / 4)
        return max(1, min(self.cfg.batch_size, max(self.cfg.concurrency, by_lease)))

    async def claim(self) -> list[_Job]:
        now = self.now()
        async with self._write_lock, self.db.session() as s, s.begin():
            q = (select(OutboxMessage.id)
                 .where(OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(self._claim_limit()))
            if self._is_pg:  # several workers: each takes rows nobody else holds, without waiting
                q = q.with_for_update(skip_locked=True)
            ids = list((await s.execute(q)).scalars())
            if not ids:
                return []
            await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                            .values(state=OutboxState.CLAIMED.value, lease_owner=self.worker_id,
                                    lease_until=now + timedelta(seconds=self.cfg.lease_seconds)))
            rows = (await s.execute(select(OutboxMessage.id, OutboxMessage.broadcast_id, OutboxMessage.chat_id,
                                           OutboxMessage.attempts).where(OutboxMessage.id.in_(ids))
                                    .order_by(OutboxMessage.id))).all()
            bids = {r.broadcast_id for r in rows}
            bcs = {b.id: b for b in (await s.execute(select(Broadcast).where(Broadcast.id.in_(bids)))).scalars()}
            for b in bcs.values():
                if b.state == BroadcastState.SCHEDULED.value:
                    b.state = BroadcastState.SENDING.value
            return [_Job(r.id, r.broadcast_id, r.chat_id, r.attempts, bcs[r.broadcast_id].text,
                         buttons_for(bcs[r.broadcast_id], r.id),
                         service.attachment_file_id(bcs[r.broadcast_id].document_ref))
                    for r in rows]

    async def _release(self, jobs: list[_Job]) -> None:
        """Hand rows we will not send (shutdown) straight back instead of waiting for the lease: claimed
        ones, and those marked ``sending`` ahead whose request was never made."""
        if not jobs:
            return
        ids = [j.id for j in jobs]
        async with self._write_lock, self.db.session() as s, s.begin():
            mine = (OutboxMessage.id.in_(ids), OutboxMessage.lease_owner == self.worker_id)
            await s.execute(update(OutboxMessage).where(*mine, OutboxMessage.state == OutboxState.CLAIMED.value)
                            .values(state=OutboxState.PENDING.value, lease_owner=None, lease_until=None))
            await s.execute(update(OutboxMessage).where(*mine, OutboxMessage.state == OutboxState.SENDING.value)
                            .values(state=OutboxState.PENDING.value, attempts=OutboxMessage.attempts - 1,
                                    lease_owner=None, lease_until=None))

    async def _wind_down(self, queue: collections.deque[_Job], marks: dict[int, _Mark],
                         tasks: set[asyncio.Task]) -> None:
        """Let the requests in flight finish and be recorded; hand back the rows not started."""
        for fut in {m.fut for m in marks.values()}:  # a mark still being committed must land first
            with contextlib.suppress(Exception):
                await fut
        await self._release(list(queue))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        # Every row we marked is now recorded or handed back (a row whose outcome could not be recorded
        # really is in doubt): the journal has nothing left to tell.
        self._journal_cleanup({self.worker_id})

    # ---- sending --------------------------------------------------------------------------------
    def _backoff(self, attempts: int) -> float:
        return min(self.cfg.backoff_cap, self.cfg.backoff_base ** max(0, attempts - 1))

    async def _deliver(self, job: _Job, ticket: Ticket | None = None, mark: _Mark | None = None) -> str:
        ticket = ticket or await self.limiter.acquire()
        try:
            return await self._deliver_granted(job, ticket, mark or _Mark(self._mark_sending([job])))
        finally:  # every outcome below hands the slot back itself; this covers errors and cancellation
            self.limiter.done(ticket, delivered=ticket.requested)

    async def _deliver_granted(self, job: _Job, ticket: Ticket, mark: _Mark) -> str:
        if job.id not in await mark.fut:
            return self._count("lost-lease")
        if time.monotonic() - mark.at > self.cfg.lease_seconds / 2:  # marked ahead, then a long RetryAfter:
            # renew the lease, unless recovery has meanwhile handed the row back (then it is not ours to send)
            if not await self._submit(_RENEW_LEASE, {"b_id": job.id, "b_owner": self.worker_id, "v_lease_until":
                                                     self.now() + timedelta(seconds=self.cfg.lease_seconds)}):
                return self._count("lost-lease")
        attempts = job.attempts + 1
        self._journal(job.id)
        ticket.requested = True
        self.stats["slot_to_request_s"] += time.monotonic() - ticket.started
        try:
            if job.document:  # the keyword only when needed: plain senders take three arguments
                mid = await self.send(job.chat_id, job.text, job.buttons, document=job.document)
            else:
                mid = await self.send(job.chat_id, job.text, job.buttons)
        except RetryAfter as e:
            self.limiter.done(ticket, delivered=False)
            self.limiter.pause(e.seconds)
            # Not the recipient's fault: the attempt does not count towards max_attempts.
            await self._record(job, state=OutboxState.PENDING.value, attempts=job.attempts,
                               next_attempt_at=self.now() + timedelta(seconds=e.seconds),
                               last_error=f"限流，{e.seconds:g} 秒后重试", lease_owner=None, lease_until=None)
            return self._count("retry-after")
        except BlockedError as e:
            self.limiter.done(ticket, delivered=False)
            await self._record(job, state=OutboxState.BLOCKED.value, last_error=_reason(e, "用户已屏蔽机器人或账号不存在"),
                               lease_owner=None, lease_until=None)
            return self._count("blocked")
        except PermanentError as e:
            self.limiter.done(ticket, delivered=False)
            await self._record(job, state=OutboxState.FAILED.value, last_error=_reason(e, "请求被拒绝"),
                               lease_owner=None, lease_until=None)
            return self._count("failed")
        except Exception as e:  # network, timeout, 5xx and anything unexpected: retry with backoff
            # A 5xx answer was not accepted; a timeout or a broken connection may have been.
            self.limiter.done(ticket, delivered=getattr(e, "maybe_delivered", True))
            if attempts >= self.cfg.max_attempts:
                await self._record(job, state=OutboxState.FAILED.value,
                                   last_error=f"多次重试仍失败：{_reason(e, '网络或服务器错误')}",
                                   lease_owner=None, lease_until=None)
                return self._count("failed")
            await self._record(job, state=OutboxState.PENDING.value,
                               next_attempt_at=self.now() + timedelta(seconds=self._backoff(attempts)),
                               last_error=_reason(e, "网络或服务器错误"), lease_owner=None, lease_until=None)
            return self._count("retry")
        self.limiter.done(ticket, delivered=True)
        # Recorded at once (the next group commit): the in-doubt window closes a few ms after Telegram's
        # answer. Unconditional: even if recovery reset the row meanwhile, it was delivered; marking it
        # sent now prevents a second copy unless another worker already picked it up.
        await self._record(job, state=OutboxState.SENT.value, telegram_message_id=int(mid), sent_at=self.now(),
                           lease_owner=None, lease_until=None, last_error=None)
        return self._count("sent")

    def _count(self, outcome: str) -> str:
        self.stats[outcome] += 1
        return outcome

    def _mark_for(self, job: _Job, queue: collections.deque[_Job], marks: dict[int, _Mark]) -> _Mark | None:
        """The ``sending`` mark of ``job``. With a journal, rows are marked ``mark_ahead`` at a time, well
        before their slot, so the commit never delays a request; a row marked but never sent is resent
        after a crash (the journal shows it never left). Without a journal a mark would make such a row
        "in doubt", so each row is marked only once it has its slot (None here)."""
        k = self.cfg.mark_ahead if self._journal_dir is not None else 0
        if k <= 1:
            return marks.pop(job.id, None)
        upcoming = list(itertools.islice(queue, k - 1))
        if job.id not in marks or sum(j.id in marks for j in upcoming) < k // 2:
            todo = [j for j in [job, *upcoming] if j.id not in marks]
            mark = _Mark(self._mark_sending(todo))
            for j in todo:
                marks[j.id] = mark
        return marks.pop(job.id)

    async def _launch(self, queue: collections.deque[_Job], marks: dict[int, _Mark],
                      sem: asyncio.Semaphore, tasks: set[asyncio.Task]) -> None:
        """Take the next row, wait for a request slot (concurrency, RetryAfter pause, pacing, rate window),
        then send it in the background. Requests leave in claim order."""
        job = queue.popleft()
        mark = self._mark_for(job, queue, marks)
        try:
            await sem.acquire()
            try:
                ticket = await self.limiter.acquire()
            except BaseException:
                sem.release()
                raise
        except BaseException:  # shutdown while waiting: not sent, put it back for _release
            queue.appendleft(job)
            if mark is not None:
                marks[job.id] = mark
            raise

        async def one() -> None:
            try:
                await self._deliver(job, ticket, mark)
            except Exception:  # a DB hiccup must not stop the others; the lease brings the row back
                log.exception("outbox row %s: unexpected error", job.id)
            finally:
                sem.release()

        t = asyncio.create_task(one())
        tasks.add(t)
        t.add_done_callback(tasks.discard)

    async def run_once(self) -> int:
        """Claim one batch and process it completely. Returns how many rows were claimed."""
        jobs = await self.claim()
        if not jobs:
            return 0
        sem, tasks, queue, marks = asyncio.Semaphore(self.cfg.concurrency), set(), collections.deque(jobs), {}
        try:
            while queue:
                await self._launch(queue, marks, sem, tasks)
        finally:
            await self._wind_down(queue, marks, tasks)
        await self._after_batch({j.broadcast_id for j in jobs})
        return len(jobs)

    async def _after_batch(self, bids: set[int]) -> set[int]:
        """Close finished broadcasts and report progress (at most every ``progress_interval`` unless
        finished). Returns the broadcasts still in progress."""
        unfinished: set[int] = set()
        for bid in sorted(bids):
            async with self.db.session() as s:  # count outside the write lock: senders keep recording
                left = (await s.execute(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.broadcast_id == bid, OutboxMessage.state.in_(service.ACTIVE_STATES)))).scalar_one()
            finished = False
            if left:
                unfinished.add(bid)
            else:
                async with self._write_lock, self.db.session() as s, s.begin():
                    finished = await service.finish_if_done(s, bid, self.now())
            if self.on_progress is None:
                continue
            t = time.monotonic()
            if not finished and (not left or t - self._last_progress.get(bid, 0.0) < self.cfg.progress_interval):
                continue
            self._last_progress[bid] = t
            async with self.db.session() as s:
                rep = await service.report(s, bid)
                b = await s.get(Broadcast, bid)
            try:
                await self.on_progress(rep, b)
            except Exception:  # a failed progress edit never stops delivery
                log.exception("progress callback failed")
        return unfinished

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

    # ---- the pipeline ---------------------------------------------------------------------------
    async def _pump(self, stop: asyncio.Event, *, until_idle: bool, idle_sleep: float,
                    recover_every: float) -> None:
        """Send continuously: the next batch is claimed while the current one is being sent, requests
        leave as soon as the limiter allows (up to ``concurrency`` in flight), outcomes are group-committed.
        Returns when ``stop`` is set (after the requests in flight are recorded) or, with ``until_idle``,
        when nothing is pending/claimed/sending any more."""
        await self.recover(all_leases=self.exclusive)
        last_recover = last_progress = time.monotonic()
        queue: collections.deque[_Job] = collections.deque()
        claiming: asyncio.Task | None = None
        progress: asyncio.Task | None = None
        sem, tasks, bids, marks = asyncio.Semaphore(self.cfg.concurrency), set(), set(), {}
        low_water = max(self.cfg.concurrency, self._claim_limit() // 3)
        try:
            while not stop.is_set():
                if claiming is None and len(queue) <= low_water:
                    claiming = asyncio.create_task(self.claim())
                if claiming is not None and (claiming.done() or not queue):
                    jobs = await claiming
                    claiming = None
                    queue.extend(jobs)
                    bids.update(j.broadcast_id for j in jobs)
                if queue:
                    await self._launch(queue, marks, sem, tasks)
                    t = time.monotonic()
                    if (self.on_progress is not None and t - last_progress >= self.cfg.progress_interval
                            and (progress is None or progress.done())):
                        last_progress = t
                        progress = asyncio.create_task(self._after_batch(set(bids)))
                    if t - last_recover > recover_every:
                        await self.recover()
                        last_recover = time.monotonic()
                    continue
                if tasks:  # nothing claimable now; an answer may make a row due again (or end the run)
                    await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
                    continue
                if progress is not None:
                    await progress
                    progress = None
                bids = await self._after_batch(bids)
                if until_idle and not await self.active_count():
                    return
                due = await self.next_due_in()
                wait = idle_sleep if due is None else min(idle_sleep, max(due, 0.05))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=wait)
                except TimeoutError:
                    pass
                if until_idle or time.monotonic() - last_recover > recover_every:
                    await self.recover()
                    last_recover = time.monotonic()
        finally:
            if claiming is not None:
                with contextlib.suppress(Exception):
                    queue.extend(await claiming)
            await self._wind_down(queue, marks, tasks)
            if progress is not None:
                with contextlib.suppress(Exception):
                    await progress

    async def run(self, stop: asyncio.Event | None = None, *, idle_sleep: float = 1.0,
                  recover_every: float = 30.0) -> None:
        """The long-running loop (the bot starts it as a background task)."""
        await self._pump(stop or asyncio.Event(), until_idle=False, idle_sleep=idle_sleep,
                         recover_every=recover_every)

    async def drain(self, *, max_idle_wait: float = 5.0, recover_every: float = 30.0) -> None:
        """Run until no row is pending/claimed/sending (tests and the benchmark)."""
        await self._pump(asyncio.Event(), until_idle=True, idle_sleep=max_idle_wait, recover_every=recover_every)


IN_DOUBT_ERROR = "发送结果不确定（发送中断，可能已送达），请人工核实"
JOURNAL_PREFIX = ".bc-journal-"


def _journal_dir(setting: str | None, db: Database) -> Path | None:
    """"auto": next to a SQLite file; for PostgreSQL this host's temp dir (a worker on another host finds
    no journal for a dead worker's rows and falls back to ``in_doubt`` for all of them)."""
    if setting != "auto":
        return Path(setting) if setting else None
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            return Path(url.database).expanduser().resolve().parent
        return None
    return Path(tempfile.gettempdir()) / "deputy-assistant-outbox"


_T = OutboxMessage.__table__
# Pre-built Core statements with bind parameters: compiled once, no ORM work per message.
_MARK_SENDING = (update(_T).where(_T.c.id.in_(bindparam("b_ids", expanding=True)),
                                  _T.c.state == OutboxState.CLAIMED.value, _T.c.lease_owner == bindparam("b_owner"))
                 .values(state=OutboxState.SENDING.value, attempts=_T.c.attempts + 1,
                         lease_until=bindparam("v_lease_until"))
                 .returning(_T.c.id))


_RENEW_LEASE = (update(_T).where(_T.c.id == bindparam("b_id"), _T.c.state == OutboxState.SENDING.value,
                                 _T.c.lease_owner == bindparam("b_owner"))
                .values(lease_until=bindparam("v_lease_until")))


@functools.lru_cache(maxsize=64)
def _update_by_id(columns: tuple[str, ...]):
    return update(_T).where(_T.c.id == bindparam("b_id")).values({c: bindparam(f"v_{c}") for c in columns})


def _reason(e: Exception, default: str) -> str:
    msg = str(e).strip()
    return (f"{default}（{msg[:200]}）" if msg else default)[:500]
