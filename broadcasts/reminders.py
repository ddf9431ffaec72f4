"""Reminders: events (staff-added, storage ``events`` table) remind invited deputies a configurable time
before; consultations remind non-responders before the deadline. Due reminders become ordinary outbox
broadcasts, so they share the same delivery guarantees and survive restarts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import BEIJING, utcnow
from storage.models import Event

from broadcasts import audience as aud
from broadcasts import consultation, service
from broadcasts.models import Reminder

DEFAULT_BEFORE = timedelta(days=1)
DEFAULT_START = time(9, 0)  # an event without a time of day is assumed to start at 09:00 Beijing
ATTACHMENT = "attachment"  # reminder kind: a scheduled briefing's file, taken into the knowledge base when due
_TIME_OF_DAY = re.compile(r"^(\d{1,2})[:：](\d{2})(?=\s|$)")


def parse_time_of_day(text: str) -> time | None:
    """"14:30" / "14：30" → time(14, 30); as people say it, "下午3点", "上午9点半", "15点30分" too; else None."""
    t = text.strip()
    m = _TIME_OF_DAY.match(t)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
    elif s := _SPOKEN_TIME.fullmatch(t):
        hour = int(s["h"]) if s["h"].isdigit() else _CN_HOURS.get(s["h"], 99)
        minute = 30 if s["half"] else int(s["m"] or 0)
        if s["part"] in ("下午", "晚上", "傍晚") and hour < 12:
            hour += 12
        elif s["part"] == "中午" and hour < 6:
            hour += 12
    else:
        return None
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


_SPOKEN_TIME = re.compile(r"(?P<part>上午|早上|中午|下午|晚上|傍晚)?(?P<h>\d{1,2}|十[一二]?|[一二三四五六七八九十])[点时]"
                          r"(?:(?P<half>半)|(?P<m>\d{1,2})分?)?")
_CN_HOURS = {w: k for k, w in enumerate("零一二三四五六七八九十", start=0)} | {"十一": 11, "十二": 12}


def event_time(title: str) -> time | None:
    """The events table has a day only, so /addevent writes the time of day at the head of the title
    ("14:30 代表座谈会"), where /schedule shows it too."""
    return parse_time_of_day(title)


def event_start_utc(day, start: time = DEFAULT_START) -> datetime:
    return datetime.combine(day, start, tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)


async def schedule_event_reminders(s: AsyncSession, *, before: timedelta = DEFAULT_BEFORE,
                                   start: time = DEFAULT_START, now: datetime | None = None) -> int:
    """Create the missing reminder of each upcoming event (one per event). An event added after its
    reminder time but before it starts (short notice) is reminded at once."""
    now = now or utcnow()
    today = now.replace(tzinfo=UTC).astimezone(BEIJING).date()
    events = (await s.execute(select(Event).where(Event.day >= today))).scalars().all()
    existing = set((await s.execute(select(Reminder.ref_id).where(Reminder.kind == "event"))).scalars())
    added = 0
    for ev in events:
        begins = event_start_utc(ev.day, event_time(ev.title) or start)
        if begins <= now or ev.id in existing:
            continue
        at = max(begins - before, now)
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
    q = (select(Reminder).where(Reminder.broadcast_id.is_(None), Reminder.remind_at <= now,
                                Reminder.kind != ATTACHMENT)
         .order_by(Reminder.remind_at, Reminder.id))
    if s.bind.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    made: list[int] = []
    for r in (await s.execute(q)).scalars().all():
        spec = aud.AudienceSpec.from_json(r.audience)
        if r.kind == "consultation":
            todo = await consultation.non_responders(s, r.ref_id)
            spec = aud.AudienceSpec("list", user_ids=tuple(todo)) if todo else None
        # A consultation reminder carries the 查看草案并提意见 button (worker.buttons_for reads the ref).
        ref = f"consultation:{r.ref_id}" if r.kind == "consultation" else None
        b = await service.create(s, r.text, spec or aud.AudienceSpec(), kind="reminder", read_button=False,
                                 document_ref=ref)
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


async def schedule_attachment(s: AsyncSession, broadcast_id: int, at: datetime, audience: dict) -> None:
    """A scheduled briefing's file must not be searchable before the briefing goes out: record it as
    due at the send time (the reminder row is its durable marker: ``broadcast_id`` set = taken in)."""
    s.add(Reminder(kind=ATTACHMENT, ref_id=broadcast_id, remind_at=at, audience=audience, text=""))
    await s.flush()


async def due_attachments(s: AsyncSession, *, now: datetime | None = None) -> list[int]:
    """Broadcast ids whose attachment is due to be taken into the knowledge base."""
    now = now or utcnow()
    q = (select(Reminder.ref_id).where(Reminder.kind == ATTACHMENT, Reminder.broadcast_id.is_(None),
                                       Reminder.remind_at <= now).order_by(Reminder.remind_at))
    return list((await s.execute(q)).scalars())


async def attachment_taken_in(s: AsyncSession, broadcast_id: int) -> None:
    r = (await s.execute(select(Reminder).where(Reminder.kind == ATTACHMENT, Reminder.ref_id == broadcast_id))
         ).scalar_one_or_none()
    if r is not None:
        r.broadcast_id = broadcast_id
        await s.flush()


async def next_attachment_due(s: AsyncSession) -> datetime | None:
    return (await s.execute(select(func.min(Reminder.remind_at)).where(
        Reminder.kind == ATTACHMENT, Reminder.broadcast_id.is_(None)))).scalar_one()
