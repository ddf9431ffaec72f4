"""Plain value objects handed out of storage (detached from sessions, safe to pass around)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from storage.models import Role, User, UserStatus


@dataclass(frozen=True)
class UserView:
    id: int
    telegram_id: int
    name: str
    role: Role
    status: UserStatus
    delegation: str | None = None
    committees: tuple[str, ...] = ()
    created_at: datetime | None = None

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @classmethod
    def of(cls, u: User) -> "UserView":
        return cls(
            id=u.id,
            telegram_id=u.telegram_id,
            name=u.name,
            role=Role(u.role),
            status=UserStatus(u.status),
            delegation=u.delegation,
            committees=tuple(u.committees or ()),
            created_at=u.created_at,
        )


@dataclass(frozen=True)
class QueryView:
    id: int
    user_id: int
    kind: str
    question: str
    alternatives: list[str] = field(default_factory=list)
    answer_text: str = ""
    hits: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class EventView:
    id: int
    day: date
    title: str
    scope: str
