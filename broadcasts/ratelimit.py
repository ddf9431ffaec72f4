"""Global send pacing: a token bucket, a sliding window over confirmed deliveries, and a shared pause for
Telegram's RetryAfter.

Why both: Telegram (and bench/tg_emulator.py, strictly) counts messages per sliding second at the moment
*it* accepts them, which is somewhere between our request and its response. Pacing request *starts*
30/s apart is therefore not enough: a slow request followed by a fast one lands two acceptances closer
than 1/30 s, and 31 in one second cost a RetryAfter pause (≥ 1 s). ``SendLimiter`` only starts a request
when fewer than ``rate`` messages can possibly be inside the server's current window: requests still in
flight count, and a delivered message counts until ``window`` seconds after its *response*, less the
fastest round trip (its return trip and the next request's outbound trip, see ``lead``). Requests
that Telegram answered with an error (5xx, 403, 429) were not accepted and stop counting at once. The
bucket in front keeps the requests evenly spaced (and lets a late wake-up catch up by ``burst``).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` stored. burst=1 means strict pacing (1/rate apart);
    a larger burst lets the sender make up for an event loop that woke late, without ever exceeding
    ``burst`` back-to-back requests."""

    def __init__(self, rate: float, burst: float = 1.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst)
        self.clock = clock
        self.sleep = sleep
        self._tokens = self.burst
        self._last = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """RetryAfter: nobody sends until now + seconds; the bucket is emptied so sending resumes gently."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
        self._tokens = 0.0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self.clock())

    async def acquire(self) -> None:
        async with self._lock:  # FIFO: one waiter at a time computes its slot
            while True:
                now = self.clock()
                if now < self._paused_until:
                    await self.sleep(self._paused_until - now)
                    self._last = self.clock()
                    continue
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1.0 - 1e-9:  # float slack: never spin on rounding
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                await self.sleep((1.0 - self._tokens) / self.rate)


@dataclass
class Ticket:
    """One granted request; hand it back with ``SendLimiter.done``."""

    started: float
    requested: bool = False  # the request was handed to the HTTP client (so it may have been accepted)
    finished: bool = False


class SendLimiter:
    """The sender's gate: RetryAfter pause, token-bucket pacing, then the delivery window (see module doc).

    ``lead``: how much shorter than ``window`` a delivered message keeps its slot after its answer. The
    old message was accepted at the latest one return trip before its answer, and a request started now
    is accepted at the earliest one outbound trip from now; together the two trips are about the fastest
    round trip seen. ``None`` (default) estimates it as ``LEAD_SHARE`` of that round trip (the margin is
    for the fastest outbound and return trips not having been the same request's); 0 makes no
    assumption at all. A wrong guess costs a RetryAfter, never a lost or doubled message.
    """

    LEAD_SHARE = 0.9

    def __init__(self, rate: float, burst: float = 1.0, *, window: float = 1.0, lead: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.bucket = TokenBucket(rate, burst, clock=clock, sleep=sleep)
        self.rate = rate
        self.window = window
        self.capacity = max(1, int(rate * window + 1e-9))
        self.clock = clock
        self._fixed_lead = lead
        self._min_rtt: float | None = None
        self._inflight = 0
        self._delivered: collections.deque[float] = collections.deque()  # response times, ascending
        self._wake: asyncio.Future | None = None
        self._lock = asyncio.Lock()
        self.stats = collections.Counter()  # waits, for the benchmark's profile

    # ---- the RetryAfter pause is the bucket's ---------------------------------------------------
    def pause(self, seconds: float) -> None:
        before = self.bucket.paused_for
        self.bucket.pause(seconds)
        self.stats["pauses"] += 1
        self.stats["pause_s"] += max(0.0, self.bucket.paused_for - before)  # overlapping pauses count once
        self._poke()

    @property
    def paused_for(self) -> float:
        return self.bucket.paused_for

    @property
    def lead(self) -> float:
        if self._fixed_lead is not None:
            return self._fixed_lead
        return 0.0 if self._min_rtt is None else min(self._min_rtt * self.LEAD_SHARE, 0.25)

    @property
    def in_flight(self) -> int:
        return self._inflight

    def _poke(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    def _occupied(self, now: float) -> int:
        horizon = now + self.lead - self.window  # delivered at or before this cannot share our window
        while self._delivered and self._delivered[0] <= horizon:
            self._delivered.popleft()
        return self._inflight + len(self._delivered)

    async def acquire(self) -> Ticket:
        async with self._lock:
            while True:
                await self.bucket.acquire()
                t0 = self.clock()
                while self._occupied(now := self.clock()) >= self.capacity and not self.bucket.paused_for:
                    # Wait for the oldest delivery to leave the window or for an in-flight request to end.
                    delay = (self._delivered[0] + self.window - self.lead - now) if self._delivered else 1.0
                    loop = asyncio.get_running_loop()
                    self._wake = loop.create_future()
                    handle = loop.call_later(max(delay, 0.0005), self._poke)
                    try:
                        await self._wake
                    finally:
                        handle.cancel()
                        self._wake = None
                self.stats["window_wait_s"] += self.clock() - t0
                if self.bucket.paused_for:  # a RetryAfter arrived while we waited: the bucket waits it out
                    continue
                self._inflight += 1
                self.stats["granted"] += 1
                return Ticket(self.clock())

    def done(self, ticket: Ticket, *, delivered: bool) -> None:
        """The request ended. ``delivered``: Telegram accepted it, or may have (timeout, connection lost)."""
        if ticket.finished:
            return
        ticket.finished = True
        self._inflight -= 1
        now = self.clock()
        if delivered:
            rtt = now - ticket.started
            self.stats["delivered_rtt_s"] += rtt
            self._min_rtt = rtt if self._min_rtt is None else min(self._min_rtt, rtt)
            if self._delivered and now < self._delivered[-1]:  # clock oddity: keep ascending order
                now = self._delivered[-1]
            self._delivered.append(now)
        self._poke()
