"""Repositories: one class per aggregate, each working inside a caller-owned ``AsyncSession``."""

from __future__ import annotations

import secrets

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatState, Event, Invitation, QueryRecord, RateEvent, Rating, User


class UserRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        return (await self.s.execute(select(User).where(User.telegram_id == telegram_id))).scalar_one_or_none()

    async def by_id(self, user_id: int) -> User | None:
        return await self.s.get(User, user_id)

    async def all(self) -> list[User]:
        return list((await self.s.execute(select(User).order_by(User.id))).scalars())

    async def add(self, user: User) -> User:
        self.s.add(user)
        await self.s.flush()
        return user


class InvitationRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def add(self, inv: Invitation) -> Invitation:
        self.s.add(inv)
        await self.s.flush()
        return inv

    async def by_hash(self, code_hash: str) -> Invitation | None:
        return (await self.s.execute(select(Invitation).where(Invitation.code_hash == code_hash))).scalar_one_or_none()

    async def by_id(self, inv_id: int) -> Invitation | None:
        return await self.s.get(Invitation, inv_id)

    async def open(self, now: datetime) -> list[Invitation]:
        return list((await self.s.execute(
            select(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at > now)
            .order_by(Invitation.id.desc()))).scalars())

    async def withdraw(self, inv_id: int, now: datetime) -> bool:
        """Expire an unused code now, in one conditional UPDATE (a redemption racing it keeps its claim)."""
        res = await self.s.execute(
            update(Invitation).where(Invitation.id == inv_id, Invitation.used_at.is_(None), Invitation.expires_at > now)
            .values(expires_at=now))
        return res.rowcount == 1

    async def claim(self, inv_id: int, telegram_id: int, now: datetime) -> bool:
        """Mark used in one conditional UPDATE so two concurrent redemptions cannot both win."""
        res = await self.s.execute(
            update(Invitation)
            .where(Invitation.id == inv_id, Invitation.used_at.is_(None), Invitation.expires_at > now)
            .values(used_at=now, used_by_telegram_id=telegram_id)
        )
        return res.rowcount == 1


class QueryRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def add(self, rec: QueryRecord) -> QueryRecord:
        self.s.add(rec)
        await self.s.flush()
        return rec

    async def get(self, query_id: int) -> QueryRecord | None:
        return await self.s.get(QueryRecord, query_id)


class RatingRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def upsert(self, query_id: int, user_id: int, useful: bool) -> None:
        existing = (
            await self.s.execute(select(Rating).where(Rating.query_id == query_id, Rating.user_id == user_id))
        ).scalar_one_or_none()
        if existing is None:
            self.s.add(Rating(query_id=query_id, user_id=user_id, useful=useful))
        else:
            existing.useful = useful
        await self.s.flush()

    async def counts(self) -> tuple[int, int]:
        rows = (await self.s.execute(select(Rating.useful, func.count()).group_by(Rating.useful))).all()
        d = {bool(k): int(v) for k, v in rows}
        return d.get(True, 0), d.get(False, 0)


class EventRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def add(self, ev: Event) -> Event:
        self.s.add(ev)
        await self.s.flush()
        return ev

    async def between(self, start: date, end: date) -> list[Event]:
        q = select(Event).where(Event.day >= start, Event.day < end).order_by(Event.day, Event.id)
        return list((await self.s.execute(q)).scalars())


class RateEventRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def count_since(self, user_id: int, since: datetime) -> int:
        q = select(func.count()).select_from(RateEvent).where(RateEvent.user_id == user_id, RateEvent.at > since)
        return int((await self.s.execute(q)).scalar_one())

    async def add(self, user_id: int, at: datetime) -> None:
        self.s.add(RateEvent(user_id=user_id, at=at))
        await self.s.flush()

    async def prune(self, user_id: int, before: datetime) -> None:
        await self.s.execute(delete(RateEvent).where(RateEvent.user_id == user_id, RateEvent.at <= before))


class StateRepo:
    def __init__(self, s: AsyncSession) -> None:
        self.s = s

    async def get(self, user_id: int, key: str) -> dict | None:
        row = await self.s.get(ChatState, (user_id, key))
        return None if row is None else dict(row.value)

    async def put(self, user_id: int, key: str, value: dict) -> None:
        row = await self.s.get(ChatState, (user_id, key))
        if row is None:
            self.s.add(ChatState(user_id=user_id, key=key, value=value))
        else:
            row.value = value
        await self.s.flush()

    async def drop(self, user_id: int, key: str, token: str | None = None) -> None:
        """Forget the value (only the one held behind ``token`` when given)."""
        q = delete(ChatState).where(ChatState.user_id == user_id, ChatState.key == key)
        if token is not None:
            q = q.where(ChatState.value["token"].as_string() == token)
        await self.s.execute(q)

    # An item held until a button decides (a /consult preview, an opinion or a question awaiting 确认): one per
    # user and key, a newer one replacing the older, whose buttons then find nothing.
    async def hold(self, user_id: int, key: str, value: dict) -> str:
        """Keep ``value`` for the user's next button press; returns the token its buttons carry."""
        token = secrets.token_hex(4)
        await self.put(user_id, key, {**value, "token": token})
        return token

    async def take(self, user_id: int, key: str, token: str | None = None) -> dict | None:
        """Compare-and-set: the held value (if it is still the one behind ``token``), deleted by a statement
        conditioned on it, so of two taps at once only one gets it (the other's DELETE matches nothing). In
        the caller's transaction: a failure after it rolls the deletion back."""
        value = await self.get(user_id, key)
        if not value or (token is not None and value.get("token") != token):
            return None
        q = delete(ChatState).where(ChatState.user_id == user_id, ChatState.key == key)
        if value.get("token") is not None:
            q = q.where(ChatState.value["token"].as_string() == value["token"])
        res = await self.s.execute(q)
        return value if res.rowcount == 1 else None


def window_start(now: datetime, seconds: float) -> datetime:
    return now - timedelta(seconds=seconds)
