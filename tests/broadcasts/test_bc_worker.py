"""The outbox state machine: every error class, backoff, RetryAfter, leases and crash recovery,
scheduling across a restart (a new Database on the same URL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storage.db import Database

from broadcasts import audience as aud
from broadcasts import service
from broadcasts.errors import BlockedError, PermanentError, RetryAfter, TransientError
from broadcasts.models import Broadcast, OutboxMessage, OutboxState
from broadcasts.ratelimit import SendLimiter, TokenBucket
from broadcasts.worker import OutboxWorker, WorkerConfig

pytestmark = pytest.mark.db


class ScriptedTelegram:
    """The send port: scripted outcomes per chat ("ok" or an exception), then "ok" forever."""

    def __init__(self, script: dict[int, list] | None = None) -> None:
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.delivered: list[tuple[int, str]] = []
        self.calls: list[int] = []
        self.buttons: dict[int, object] = {}

    async def __call__(self, chat_id, text, buttons):
        self.calls.append(chat_id)
        outcome = self.script.get(chat_id, []).pop(0) if self.script.get(chat_id) else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        self.delivered.append((chat_id, text))
        self.buttons[chat_id] = buttons
        return 10_000 + len(self.delivered)


def fast(**kw) -> WorkerConfig:
    return WorkerConfig(**{"rate": 1000.0, "progress_interval": 0.0, **kw})


async def make_broadcast(db, n_users: int | None, add_users, text="关于召开代表小组会议的通知", at=None, now=None):
    if n_users:
        await add_users([{"telegram_id": 100 + i, "name": f"代表{i}"} for i in range(n_users)])
    async with db.session() as s, s.begin():
        b = await service.create(s, text, aud.AudienceSpec())
        await service.confirm(s, b.id, at=at, now=now)
    return b.id


async def states(db, bid) -> dict[int, OutboxMessage]:
    async with db.session() as s:
        rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.broadcast_id == bid))).scalars()
        return {r.chat_id: r for r in rows}


async def test_happy_path_sends_each_recipient_once_with_read_button(db, add_users, clock):
    bid = await make_broadcast(db, 5, add_users, now=clock())
    tg = ScriptedTelegram()
    reports = []

    async def progress(rep, b):
        reports.append(rep)

    w = OutboxWorker(db, tg, fast(batch_size=2), now=clock, on_progress=progress)
    await w.drain()
    assert sorted(c for c, _ in tg.delivered) == [100, 101, 102, 103, 104]
    rows = await states(db, bid)
    assert {r.state for r in rows.values()} == {"sent"}
    assert all(r.telegram_message_id and r.attempts == 1 for r in rows.values())
    assert tg.buttons[100] == [[("已阅", f"rd:{rows[100].id}")]]
    assert reports[-1].sent == 5 and reports[-1].pending == 0 and reports[-1].state == "done"
    assert [r.done for r in reports] == sorted(r.done for r in reports)  # progress only grows
    async with db.session() as s:
        assert (await s.get(Broadcast, bid)).state == "done"


async def test_every_error_class(db, add_users, clock):
    bid = await make_broadcast(db, 5, add_users, now=clock())
    tg = ScriptedTelegram({
        100: [BlockedError("Forbidden: bot was blocked by the user")],
        101: [BlockedError("Bad Request: chat not found")],
        102: [PermanentError("Bad Request: message is too long")],
        103: [TransientError("502 Bad Gateway"), TransientError("timed out"), "ok"],
        104: [TransientError("500")] * 10,
    })
    w = OutboxWorker(db, tg, fast(max_attempts=4, backoff_base=2.0), now=clock)
    await w.run_once()
    rows = await states(db, bid)
    assert rows[100].state == rows[101].state == "blocked"
    assert rows[102].state == "failed" and "message is too long" in rows[102].last_error
    assert rows[103].state == "pending" and rows[103].attempts == 1
    assert rows[103].next_attempt_at == clock() + timedelta(seconds=1)  # backoff 2**0
    assert await w.run_once() == 0  # not due yet
    clock.advance(1)
    await w.run_once()
    rows = await states(db, bid)
    assert rows[103].next_attempt_at == clock() + timedelta(seconds=2)  # backoff doubles
    clock.advance(2)
    await w.run_once()
    clock.advance(4)
    await w.run_once()
    rows = await states(db, bid)
    assert rows[103].state == "sent" and rows[103].attempts == 3
    assert rows[104].state == "failed" and rows[104].attempts == 4 and "多次重试仍失败" in rows[104].last_error
    # Blocked and failed rows are never tried again.
    assert tg.calls.count(100) == tg.calls.count(101) == tg.calls.count(102) == 1
    async with db.session() as s:
        rep = await service.report(s, bid)
    assert (rep.sent, rep.blocked, rep.failed, rep.pending, rep.state) == (1, 2, 2, 0, "done")
    assert sum(rep.failures.values()) == 4
    assert "已屏蔽" in rep.render() and "发送已完成" in rep.render()


async def test_retry_after_pauses_everyone_and_does_not_count_as_attempt(db, add_users, clock):
    bid = await make_broadcast(db, 3, add_users, now=clock())
    tg = ScriptedTelegram({100: [RetryAfter(0.3)]})
    w = OutboxWorker(db, tg, fast(concurrency=1), now=clock)
    t0 = asyncio.get_running_loop().time()
    await w.run_once()
    # 101 and 102 were sent only after the pause
    assert asyncio.get_running_loop().time() - t0 >= 0.29
    rows = await states(db, bid)
    assert rows[100].state == "pending" and rows[100].attempts == 0 and "限流" in rows[100].last_error
    assert rows[101].state == rows[102].state == "sent"
    clock.advance(1)
    await w.run_once()
    assert (await states(db, bid))[100].state == "sent"


async def test_token_bucket_paces_to_rate():
    t = [0.0]

    async def sleep(d):
        t[0] += d

    b = TokenBucket(30.0, clock=lambda: t[0], sleep=sleep)
    stamps = []
    for _ in range(91):
        await b.acquire()
        stamps.append(t[0])
    assert stamps[-1] == pytest.approx(3.0)  # 90 intervals of 1/30 s
    assert max(sum(1 for x in stamps if s0 <= x < s0 + 1.0 - 1e-9) for s0 in stamps) <= 30
    b.pause(5.0)
    await b.acquire()
    assert t[0] >= stamps[-1] + 5.0


async def test_crash_recovery_releases_claimed_and_resolves_in_doubt(db, add_users, clock):
    bid = await make_broadcast(db, 4, add_users, now=clock())
    crashed = OutboxWorker(db, ScriptedTelegram(), fast(lease_seconds=30), now=clock, worker_id="dead")
    jobs = await crashed.claim()
    # The dead worker had started the request for 100 (sending) and not yet for the others (claimed).
    async with db.session() as s, s.begin():
        await s.execute(update(OutboxMessage).where(OutboxMessage.id == jobs[0].id)
                        .values(state=OutboxState.SENDING.value, attempts=1))
    tg = ScriptedTelegram()
    w = OutboxWorker(db, tg, fast(in_doubt="resend"), now=clock)
    r = await w.recover()
    assert (r.released, r.in_doubt) == (0, 0)  # leases still valid: a live worker may own them
    clock.advance(31)
    r = await w.recover()
    assert (r.released, r.in_doubt, r.in_doubt_ids) == (3, 1, [jobs[0].id])
    await w.drain()
    rows = await states(db, bid)
    assert {r.state for r in rows.values()} == {"sent"}
    assert sorted(tg.calls) == [100, 101, 102, 103]  # no one lost; the in-doubt one resent once


async def test_in_doubt_fail_policy_never_resends(db, add_users, clock):
    bid = await make_broadcast(db, 2, add_users, now=clock())
    dead = OutboxWorker(db, ScriptedTelegram(), fast(lease_seconds=10), now=clock, worker_id="dead")
    jobs = await dead.claim()
    async with db.session() as s, s.begin():
        await s.execute(update(OutboxMessage).where(OutboxMessage.id == jobs[0].id).values(state="sending"))
    clock.advance(11)
    tg = ScriptedTelegram()
    await OutboxWorker(db, tg, fast(in_doubt="fail"), now=clock).drain()
    rows = await states(db, bid)
    assert rows[100].state == "failed" and "不确定" in rows[100].last_error
    assert tg.calls == [101]


async def test_a_worker_that_lost_its_lease_does_not_send(db, add_users, clock):
    await make_broadcast(db, 1, add_users, now=clock())
    slow = OutboxWorker(db, ScriptedTelegram(), fast(lease_seconds=5), now=clock, worker_id="slow")
    jobs = await slow.claim()
    clock.advance(6)
    other_tg = ScriptedTelegram()
    other = OutboxWorker(db, other_tg, fast(), now=clock, worker_id="other")
    await other.recover()
    assert len(await other.claim()) == 1  # re-claimed by the other worker
    assert await slow._deliver(jobs[0]) == "lost-lease"


async def test_scheduled_send_survives_restart(db, add_users, clock, tmp_path):
    await add_users([{"telegram_id": 100 + i} for i in range(3)])
    at = clock() + timedelta(hours=2)
    async with db.session() as s, s.begin():
        b = await service.create(s, "明天上午九点集合出发视察", aud.AudienceSpec())
        assert await service.confirm(s, b.id, at=at, now=clock()) == 3
        with pytest.raises(service.BroadcastError, match="已确认过"):
            await service.confirm(s, b.id, now=clock())
    tg = ScriptedTelegram()
    assert await OutboxWorker(db, tg, fast(), now=clock).run_once() == 0  # not yet due
    # "Restart": a brand-new engine on the same database; nothing was kept in memory.
    await db.dispose()
    db2 = Database(db.url) if db.engine.dialect.name == "sqlite" else None
    if db2 is None:  # PostgreSQL: same schema via the original engine's search_path
        db2 = db
    clock.advance(2 * 3600)
    w = OutboxWorker(db2, tg, fast(), now=clock)
    assert await w.next_due_in() == 0
    await w.drain()
    assert sorted(c for c, _ in tg.delivered) == [100, 101, 102]
    async with db2.session() as s:
        assert (await s.get(Broadcast, b.id)).state == "done"
    if db2 is not db:
        await db2.dispose()


async def test_past_schedule_and_cancel(db, add_users, clock):
    await add_users([{"telegram_id": 100 + i} for i in range(2)])
    async with db.session() as s, s.begin():
        b = await service.create(s, "通知", aud.AudienceSpec())
        with pytest.raises(service.BroadcastError, match="已经过去"):
            await service.confirm(s, b.id, at=clock() - timedelta(minutes=1), now=clock())
        await service.confirm(s, b.id, at=clock() + timedelta(minutes=5), now=clock())
        assert await service.cancel(s, b.id) == 2
    clock.advance(600)
    tg = ScriptedTelegram()
    await OutboxWorker(db, tg, fast(), now=clock).drain()
    assert tg.calls == []
    async with db.session() as s:
        rep = await service.report(s, b.id)
    assert (rep.cancelled, rep.state) == (2, "cancelled")  # a fully cancelled broadcast is not "done"
    assert "发送已完成" not in rep.render() and "通知已取消，未发送" in rep.render()


async def test_read_receipts(db, add_users, clock):
    users = await add_users([{"telegram_id": 100 + i, "name": n, "delegation": "广东代表团"}
                             for i, n in enumerate(["甲", "乙", "丙"])])
    bid = await make_broadcast(db, None, add_users, now=clock())
    await OutboxWorker(db, ScriptedTelegram(), fast(), now=clock).drain()
    rows = await states(db, bid)
    async with db.session() as s, s.begin():
        assert await service.mark_read(s, rows[100].id, 100)
        assert not await service.mark_read(s, rows[100].id, 100)  # second press: no change
        assert not await service.mark_read(s, rows[101].id, 999)  # someone else's button
        st = await service.read_status(s, bid)
    assert (st.delivered, st.read) == (3, 1)
    assert [n for n, _ in st.unread] == ["乙", "丙"]
    assert "未阅 2 人" in st.render() and "乙（广东代表团）" in st.render()
    assert users


# ---- pacing, pipeline, crash resolution ---------------------------------------------------------

async def test_send_limiter_window_counts_in_flight_and_delivered_until_a_window_after_the_answer():
    lim = SendLimiter(50.0, burst=50, window=0.2, lead=0.0)  # at most 10 per 0.2 s, as the server counts
    loop = asyncio.get_running_loop()
    tickets = [await lim.acquire() for _ in range(10)]
    nxt = asyncio.create_task(lim.acquire())
    await asyncio.sleep(0.05)
    assert not nxt.done()  # 10 in flight: any of them may still be accepted inside the window
    lim.done(tickets[0], delivered=False)  # Telegram answered 5xx/403/429: it did not count, slot free at once
    last = await asyncio.wait_for(nxt, 0.1)
    answered = loop.time()
    for t in tickets[1:] + [last]:
        lim.done(t, delivered=True)
    await lim.acquire()
    # Delivered messages keep their slots until one window after their answer.
    assert loop.time() - answered >= 0.2 - 0.01
    lim.pause(0.1)  # RetryAfter: nobody starts until it is over, then sending resumes
    t0 = loop.time()
    await lim.acquire()
    assert loop.time() - t0 >= 0.09


async def test_a_delivered_message_frees_its_slot_one_window_after_its_answer_less_the_fastest_round_trip():
    """It was accepted at the latest one return trip before its answer, and a request started now is accepted at
    the earliest one outbound trip from now: the two trips together are about the fastest round trip seen."""
    now = [0.0]
    lim = SendLimiter(30.0, burst=30, clock=lambda: now[0])
    assert lim.lead == 0.0  # nothing measured yet: no assumption
    t = await lim.acquire()
    now[0] = 0.050
    lim.done(t, delivered=True)
    slow = await lim.acquire()
    now[0] = 0.070
    lim.done(slow, delivered=True)
    assert lim.lead == pytest.approx(0.9 * 0.020)  # the faster of the two, with a margin
    assert lim._occupied(0.050 + 1.0 - 0.018 - 0.001) == 2
    assert lim._occupied(0.050 + 1.0 - 0.018 + 0.001) == 1  # the first has left every window a new one can land in


class FlakyTelegram(ScriptedTelegram):
    """Answers after a random delay; some 5xx (not accepted) and one RetryAfter."""

    def __init__(self, seed: int = 7) -> None:
        super().__init__()
        import random

        self.rng = random.Random(seed)

    async def __call__(self, chat_id, text, buttons):
        self.calls.append(chat_id)
        nth = len(self.calls)  # before the sleep: requests run concurrently
        await asyncio.sleep(self.rng.uniform(0.0, 0.01))
        # exactly one RetryAfter, on the 20th request: a random draw could miss it (the draws interleave
        # with the sleeps differently from run to run)
        if nth == 20:
            raise RetryAfter(0.05)
        if self.rng.random() < 0.1:
            e = TransientError("Internal Server Error")
            e.maybe_delivered = False
            raise e
        self.delivered.append((chat_id, text))
        return 10_000 + len(self.delivered)


async def test_pipeline_delivers_everyone_exactly_once_with_errors_and_group_commits(db, add_users, clock):
    bid = await make_broadcast(db, 60, add_users, now=clock())
    tg = FlakyTelegram()
    w = OutboxWorker(db, tg, fast(batch_size=15, backoff_base=1.0), now=clock)  # claims overlap with sending
    task = asyncio.create_task(w.drain(max_idle_wait=0.05))
    while not task.done():  # retries are due one (fake) second later
        await asyncio.sleep(0.02)
        clock.advance(1)
    await task
    chats = [c for c, _ in tg.delivered]
    assert sorted(chats) == list(range(100, 160))  # nobody missed, nobody twice
    rows = await states(db, bid)
    assert {r.state for r in rows.values()} == {"sent"}
    assert w.stats["sent"] == 60 and w.stats["retry"] >= 1 and w.stats["retry-after"] == 1
    assert w.stats["commits"] < w.stats["statements"]  # marks and results share transactions
    async with db.session() as s:
        assert (await s.get(Broadcast, bid)).state == "done"


async def test_journal_resends_rows_whose_request_never_left_and_not_the_others(db, add_users, clock, tmp_path):
    bid = await make_broadcast(db, 3, add_users, now=clock())
    dead = OutboxWorker(db, ScriptedTelegram(), fast(journal_dir=str(tmp_path)), now=clock, worker_id="dead")
    jobs = await dead.claim()
    # All three committed as ``sending`` (rows are marked ahead of their slots) ...
    assert await dead._mark_sending(jobs) == {j.id for j in jobs}
    dead._journal(jobs[0].id)  # ... but only the first request was handed to the HTTP client
    tg = ScriptedTelegram()
    w = OutboxWorker(db, tg, fast(journal_dir=str(tmp_path)), now=clock)  # default: at most once
    r = await w.recover(all_leases=True)
    assert (r.never_left, r.in_doubt, r.in_doubt_ids) == (2, 1, [jobs[0].id])
    assert not list(tmp_path.glob(".bc-journal-*"))  # every lease resolved: journals removed
    await w.drain()
    assert tg.calls == [101, 102]  # 100 may have been delivered: not sent again
    rows = await states(db, bid)
    assert rows[100].state == "failed" and "不确定" in rows[100].last_error
    assert rows[101].state == rows[102].state == "sent" and rows[101].attempts == 1


async def test_journal_with_resend_policy_and_missing_journal(db, add_users, clock, tmp_path):
    await make_broadcast(db, 2, add_users, now=clock())
    dead = OutboxWorker(db, ScriptedTelegram(), fast(journal_dir=None), now=clock, worker_id="dead")
    await dead._mark_sending(await dead.claim())
    tg = ScriptedTelegram()
    w = OutboxWorker(db, tg, fast(journal_dir=str(tmp_path), in_doubt="resend"), now=clock)
    r = await w.recover(all_leases=True)
    assert (r.never_left, r.in_doubt) == (0, 2)  # no journal: cannot tell, the policy decides
    await w.drain()
    assert sorted(tg.calls) == [100, 101]  # at least once


async def test_run_stops_cleanly_and_hands_back_what_it_claimed(db, add_users, clock):
    bid = await make_broadcast(db, 40, add_users, now=clock())
    tg = ScriptedTelegram()
    w = OutboxWorker(db, tg, fast(rate=100.0, batch_size=20), now=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(w.run(stop, idle_sleep=0.05))
    while len(tg.delivered) < 5:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    rows = await states(db, bid)
    assert {r.state for r in rows.values()} <= {"sent", "pending"}  # nothing left claimed or in flight
    assert sum(r.state == "sent" for r in rows.values()) == len(tg.delivered) < 40
    await OutboxWorker(db, tg, fast(), now=clock).drain()
    assert sorted(c for c, _ in tg.delivered) == list(range(100, 140))


async def test_adapter_tells_answered_errors_from_possibly_delivered_ones():
    from telegram import error as tgerr

    from broadcasts.telegram_adapter import make_send

    class Bot:
        def __init__(self, exc):
            self.exc = exc

        async def send_message(self, *a, **kw):
            raise self.exc

    async def outcome(exc):
        with pytest.raises(Exception) as ei:
            await make_send(Bot(exc))(1, "x", None)
        return ei.value

    e = await outcome(tgerr.NetworkError("Bad Gateway"))  # an HTTP 5xx answer: not accepted
    assert isinstance(e, TransientError) and e.maybe_delivered is False
    try:
        raise tgerr.NetworkError("Unknown error in HTTP implementation") from OSError("reset")
    except tgerr.NetworkError as transport:
        e = await outcome(transport)
    assert e.maybe_delivered is True  # the connection broke: Telegram may have accepted it
    assert (await outcome(tgerr.TimedOut())).maybe_delivered is True
    assert isinstance(await outcome(tgerr.RetryAfter(3)), RetryAfter)
    assert isinstance(await outcome(tgerr.Forbidden("bot was blocked by the user")), BlockedError)


async def test_a_row_marked_ahead_is_not_sent_if_recovery_took_it_back_during_a_long_pause(db, add_users, clock):
    import time

    from broadcasts.worker import _Mark

    await make_broadcast(db, 2, add_users, now=clock())
    tg = ScriptedTelegram()
    w = OutboxWorker(db, tg, fast(lease_seconds=10), now=clock, worker_id="slow")
    jobs = await w.claim()
    mark = _Mark(w._mark_sending(jobs), at=time.monotonic() - 6)  # marked, then a RetryAfter longer than lease/2
    await mark.fut
    assert await w._deliver(jobs[0], mark=mark) == "sent"  # still ours: the lease is renewed, then sent
    clock.advance(11)
    await OutboxWorker(db, ScriptedTelegram(), fast(in_doubt="resend"), now=clock, worker_id="other").recover()
    assert await w._deliver(jobs[1], mark=mark) == "lost-lease"  # handed back meanwhile: not ours to send
    assert tg.calls == [100]
