"""Per-user sliding-window rate limit on questions and voice notes, counted in the database
so several bot processes (or a restart) share one budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.clock import utcnow
from storage.db import Database
from storage.repositories import RateEventRepo, window_start


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int = 0


class RateLimiter:
    def __init__(self, db: Database, *, limit: int = 20, window_s: float = 60.0,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.limit = limit
        self.window_s = window_s
        self.now = now

    async def hit(self, user_id: int) -> RateDecision:
        """Count one action; refuse (without counting) once ``limit`` actions fall in the window."""
        now = self.now()
        since = window_start(now, self.window_s)
        async with self.db.session() as s, s.begin():
            repo = RateEventRepo(s)
            await repo.prune(user_id, since)
            if await repo.count_since(user_id, since) >= self.limit:
                return RateDecision(False, max(1, int(self.window_s)))
            await repo.add(user_id, now)
        return RateDecision(True)
