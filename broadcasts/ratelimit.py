"""Global send pacing: a token bucket plus a shared pause for Telegram's RetryAfter."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` stored. burst=1 means strict pacing (1/rate apart),
    which keeps any 1-second window at <= rate requests, as Telegram counts them."""

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
        async with self._lock:  # FIFO-ish: one waiter at a time computes its slot
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
