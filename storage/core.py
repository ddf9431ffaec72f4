"""The core the bot talks to: one object bundling the services over one database and one
knowledge base. Built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from storage.access import AccessService
from storage.clock import today_beijing
from storage.db import Database
from storage.kb import KnowledgeBaseLike
from storage.qa import QAService
from storage.ratelimit import RateLimiter
from storage.schedule import ScheduleService
from storage.state import StateService
from storage.uploads import UploadService


@dataclass
class Core:
    db: Database
    kb: KnowledgeBaseLike
    access: AccessService
    limiter: RateLimiter
    qa: QAService
    schedule: ScheduleService
    uploads: UploadService
    state: StateService

    @classmethod
    def build(
        cls,
        db: Database,
        kb: KnowledgeBaseLike,
        *,
        rate_limit: int = 20,
        rate_window_s: float = 60.0,
        today: Callable[[], date] = today_beijing,
    ) -> "Core":
        return cls(
            db=db,
            kb=kb,
            access=AccessService(db),
            limiter=RateLimiter(db, limit=rate_limit, window_s=rate_window_s),
            qa=QAService(db, kb),
            schedule=ScheduleService(db, chunks=kb.iter_chunks, today=today),
            uploads=UploadService(kb),
            state=StateService(db),
        )
