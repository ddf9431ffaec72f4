"""Reminders: events (staff-added, storage ``events`` table) remind invited deputies a configurable time
before; consultations remind non-responders before the deadline. Due reminders become ordinary outbox
broadcasts, so they share the same delivery guarantees and survive restarts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import BEIJING, utcnow
from storage.models import Event

from broadcasts import audience as aud
from broadcasts import consultation, service
from broadcasts.models import Reminder

DEFAULT_BEFORE = timedelta(days=1)
DEFAULT_START = time(9, 0)  # events carry only a day; assume a 09:00 Beijing start


def event_start_utc(day, start: time = DEFAULT_START) -> datetime:
    return datetime.combine(day, start, tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)


async def schedule_event_reminders(s: AsyncSession, *, before: timedelta = DEFAULT_BEFORE,
                                   start: time = DEFAULT_START, now: datetime | None = None) -> int:
    """Create missing reminders for upcoming events (idempotent: unique on kind, event, time)."""
    now = now or utcnow()
    today = now.replace(tzinfo=UTC).astimezone(BEIJING).date()
    events = (await s.execute(select(Event).where(Event.day >= today))).scalars().all()
    existing = set((await s.execute(select(Reminder.ref_id, Reminder.remind_at)
                                    .where(Reminder.kind == "event"))).all())
    added = 0
    for ev in events:
        at = event_start_utc(ev.day, start) - before
        if at <= now or (ev.id, at) in existing:
            continue
        spec = aud.AudienceSpec.from_scope(ev.scope)
        s.add(Reminder(kind="event", ref_id=ev.id, remind_at=at, audience=spec.to_json(),
                       text=f"【活动提醒】{ev.day.month}月{ev.day.day}日：{ev.title}"))
        added += 1
    await s.flush()
    return added


async def dispatch_due(s: AsyncSession, *, now: datetime | None = None) -> list[int]:
    """Turn due reminders into outbox broadcasts, once each (the reminder row records its broadcast in the
    same transaction; on PostgreSQL concurrent dispatchers skip rows another one holds)."""
    now = now or utcnow()
    q = (select(Reminder).where(Reminder.broadcast_id.is_(None), Reminder.remind_at <= now)
         .order_by(Reminder.remind_at, Reminder.id))
    if s.bind.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    made: list[int] = []
    for r in (await s.execute(q)).scalars().all():
        spec = aud.AudienceSpec.from_json(r.audience)
        if r.kind == "consultation":
            todo = await consultation.non_responders(s, r.ref_id)
            spec = aud.AudienceSpec("list", user_ids=tuple(todo)) if todo else None
        b = await service.create(s, r.text, spec or aud.AudienceSpec(), kind="reminder", read_button=False)
        r.broadcast_id = b.id
        try:
            if spec is None:
                raise service.BroadcastError("no recipients")
            await service.confirm(s, b.id, now=now)
        except service.BroadcastError:  # nobody left to remind: keep the record, send nothing
            b.state = "cancelled"
        made.append(b.id)
    await s.flush()
    return made


async def tick(s: AsyncSession, *, before: timedelta = DEFAULT_BEFORE, now: datetime | None = None) -> list[int]:
    """One scheduler step (the bot calls it every minute): plan event reminders, dispatch due ones."""
    await schedule_event_reminders(s, before=before, now=now)
    return await dispatch_due(s, now=now)
