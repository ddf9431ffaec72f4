"""Reminders: events (staff-added, storage ``events`` table) remind invited deputies a configurable time
before; consultations remind non-responders before the deadline. Due reminders become ordinary outbox
broadcasts, so they share the same delivery guarantees and survive restarts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from corpus.numbers import parse_cn_int
from storage.clock import BEIJING, utcnow
from storage.models import Event

from broadcasts import audience as aud
from broadcasts import consultation, service
from broadcasts.models import Reminder

DEFAULT_BEFORE = timedelta(days=1)
DEFAULT_START = time(9, 0)  # an event without a time of day is assumed to start at 09:00 Beijing
ATTACHMENT = "attachment"  # reminder kind: a scheduled briefing's file, taken into the knowledge base when due
NOTICE = "notice"  # reminder kind: a sent briefing's own text, taken into the knowledge base when it goes out
KB_KINDS = (ATTACHMENT, NOTICE)  # rows that are not messages: dispatch_due leaves them alone
_TIME_OF_DAY = re.compile(r"^(\d{1,2})[:：](\d{2})(?=\s|$)")


def parse_time_of_day(text: str) -> time | None:
    """"14:30" / "14：30" → time(14, 30); as people say it, "下午3点", "上午9点半", "15点30分", "晚上八点一刻",
    "下午3:30", "八点三十" too (Chinese numbers read by ``corpus.numbers.parse_cn_int``); else None."""
    t = text.strip()
    m = _TIME_OF_DAY.match(t)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
    elif s := _SPOKEN_TIME.fullmatch(t):
        hour, minute = _number(s["h"] or s["hh"]), _number(s["m"] or s["mm"] or "0")
        if s["half"]:
            minute = 30
        elif s["quarter"]:
            minute = 15 if s["quarter"] == "一刻" else 45
        if hour is None or minute is None:
            return None
        if s["part"] in ("晚上", "凌晨") and hour == 12:
            return None  # 晚上十二点 is midnight, the next day's 00:00: asked to be written as such, not read as noon
        if s["part"] in ("下午", "晚上", "傍晚") and hour < 12:
            hour += 12
        elif s["part"] == "中午" and hour < 6:
            hour += 12
    else:
        return None
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


_CN_NUMBER = r"\d{1,2}|[零〇一二两三四五六七八九十]{1,3}"
_SPOKEN_TIME = re.compile(
    r"(?P<part>凌晨|早上|早晨|上午|中午|下午|晚上|傍晚)?\s*"
    rf"(?:(?P<h>{_CN_NUMBER})[点时](?:(?P<half>半)|(?P<quarter>一刻|三刻)|整|(?P<m>{_CN_NUMBER})分?)?"
    r"|(?P<hh>\d{1,2})[:：](?P<mm>\d{2}))")


def _number(word: str | None) -> int | None:
    if not word:
        return None
    return int(word) if word.isdigit() else parse_cn_int(word)


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
                                Reminder.kind.not_in(KB_KINDS))
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


async def schedule_attachment(s: AsyncSession, broadcast_id: int, at: datetime, audience: dict,
                              kind: str = ATTACHMENT) -> None:
    """A scheduled briefing's file must not be searchable before the briefing goes out: record it as
    due at the send time (the reminder row is its durable marker: ``broadcast_id`` set = taken in).
    ``kind=NOTICE``: the same for the briefing's own text (recorded at every confirmation, due now when
    it is sent at once), so a text whose taking-in failed is retried by the background loop."""
    # A text's row keeps its send time (it dates the document) even if a failed attempt moves remind_at.
    s.add(Reminder(kind=kind, ref_id=broadcast_id, remind_at=at, audience=audience,
                   text=at.isoformat() if kind == NOTICE else ""))
    await s.flush()


async def due_attachments(s: AsyncSession, *, now: datetime | None = None, kind: str = ATTACHMENT) -> list[int]:
    """Broadcast ids whose attachment (``kind=NOTICE``: text) is due to be taken into the knowledge base."""
    now = now or utcnow()
    q = (select(Reminder.ref_id).where(Reminder.kind == kind, Reminder.broadcast_id.is_(None),
                                       Reminder.remind_at <= now).order_by(Reminder.remind_at))
    return list((await s.execute(q)).scalars())


async def _kb_row(s: AsyncSession, broadcast_id: int, kind: str) -> Reminder | None:
    return (await s.execute(select(Reminder).where(Reminder.kind == kind, Reminder.ref_id == broadcast_id))
            ).scalar_one_or_none()


async def attachment_taken_in(s: AsyncSession, broadcast_id: int, kind: str = ATTACHMENT) -> None:
    r = await _kb_row(s, broadcast_id, kind)
    if r is not None:
        r.broadcast_id = broadcast_id
        await s.flush()


async def notice_sent_at(s: AsyncSession, broadcast_id: int, *, open_only: bool = False) -> datetime | None:
    """When a briefing's text was (is to be) sent: it dates the knowledge-base document, the same on a retry.
    None without a row, or (``open_only``) when the text has already been dealt with."""
    r = await _kb_row(s, broadcast_id, NOTICE)
    if r is None or (open_only and r.broadcast_id is not None):
        return None
    try:
        return datetime.fromisoformat(r.text)
    except ValueError:
        return r.remind_at


async def postpone_notice(s: AsyncSession, broadcast_id: int, delay: timedelta, now: datetime | None = None) -> None:
    """Taking a text in failed: try again after ``delay`` instead of at the background loop's next second."""
    r = await _kb_row(s, broadcast_id, NOTICE)
    if r is not None and r.broadcast_id is None:
        r.remind_at = (now or utcnow()) + delay
        await s.flush()


async def next_attachment_due(s: AsyncSession) -> datetime | None:
    """The earliest file or text still to be taken in (the background loop wakes for it)."""
    return (await s.execute(select(func.min(Reminder.remind_at)).where(
        Reminder.kind.in_(KB_KINDS), Reminder.broadcast_id.is_(None)))).scalar_one()


async def notice_scopes(s: AsyncSession, user_id: int, staff: bool = False) -> set[str]:
    """``broadcast:<id>`` scopes of the briefings whose text this user received (staff: all of them): a text
    sent to a level, tag or list is readable by its recipients only (``audience.received_scopes`` does the
    same for attachments)."""
    from broadcasts.models import OutboxMessage

    q = select(Reminder.ref_id, Reminder.audience).where(Reminder.kind == NOTICE)
    if not staff:
        q = q.where(Reminder.ref_id.in_(select(OutboxMessage.broadcast_id).where(OutboxMessage.user_id == user_id)))
    scopes = {aud.AudienceSpec.from_json(audience).scope(bid) for bid, audience in (await s.execute(q)).all()}
    return {sc for sc in scopes if sc.startswith(aud.BROADCAST_SCOPE + ":")}
