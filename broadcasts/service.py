"""Staff-side operations on broadcasts: compose, preview, confirm (now or scheduled), cancel, report,
read receipts. Every function works inside a caller-owned AsyncSession (like storage's repositories)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import BEIJING, utcnow
from storage.models import User, UserStatus

from broadcasts import audience as aud
from broadcasts.models import Broadcast, BroadcastState, OutboxMessage, OutboxState

MAX_TEXT = 4000  # Telegram's limit is 4096; keep room for the header
MAX_CAPTION = 1024  # Telegram's limit for a document's caption
FILE_REF = "file:"  # document_ref of a briefing with an attachment: "file:<file_id>|<file name>"
ACTIVE_STATES = (OutboxState.PENDING.value, OutboxState.CLAIMED.value, OutboxState.SENDING.value)


class BroadcastError(ValueError):
    """Bad request from staff; the message is user-facing (Simplified Chinese)."""


@dataclass
class Preview:
    broadcast_id: int
    audience: str
    recipients: int
    text: str
    scheduled_at: datetime | None


@dataclass
class DeliveryReport:
    broadcast_id: int
    state: str
    total: int = 0
    pending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0
    read: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    scheduled_at: datetime | None = None  # a scheduled broadcast's due time (UTC), said in /bcreport

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.blocked + self.cancelled

    def render(self) -> str:
        lines = [f"通知 #{self.broadcast_id} 发送情况：共 {self.total} 人",
                 f"已送达 {self.sent}，待发送 {self.pending}，失败 {self.failed}，已屏蔽/注销 {self.blocked}"]
        if self.cancelled:
            lines.append(f"已取消 {self.cancelled}")
        if self.sent:
            lines.append(f"已阅 {self.read}/{self.sent}")
        for reason, n in sorted(self.failures.items(), key=lambda kv: -kv[1])[:5]:
            lines.append(f"· {reason}：{n} 人")
        if self.state == BroadcastState.DONE.value:
            lines.append("发送已完成。")
        elif self.state == BroadcastState.CANCELLED.value:
            lines.append("已停止发送，剩余未发出的不再发送。" if self.sent or self.failed or self.blocked
                         else "通知已取消，未发送。")
        return "\n".join(lines)


def validate_text(text: str, *, caption: bool = False) -> str:
    """``caption``: the text goes out as an attachment's caption, which Telegram keeps shorter."""
    text = (text or "").strip()
    if not text:
        raise BroadcastError("通知内容为空，请输入要发送的文字")
    if caption and len(text) > MAX_CAPTION:
        raise BroadcastError(f"带附件的通知正文会作为附件说明发送，请控制在 {MAX_CAPTION} 字以内（现 {len(text)} 字）")
    if len(text) > MAX_TEXT:
        raise BroadcastError(f"通知内容过长（{len(text)} 字），请控制在 {MAX_TEXT} 字以内或改为附件发送")
    return text


def attachment_ref(file_id: str, file_name: str) -> str:
    return f"{FILE_REF}{file_id}|{file_name}"


def attachment_file_id(document_ref: str | None) -> str | None:
    """The Telegram file_id of a briefing's attachment."""
    if not document_ref or not document_ref.startswith(FILE_REF):
        return None
    return document_ref[len(FILE_REF):].partition("|")[0]


def attachment_name(document_ref: str | None) -> str:
    """The attachment's file name as uploaded (it also names the knowledge-base document)."""
    return (document_ref or "").partition("|")[2] or "附件.txt"


NOTICE_MIN_CHARS = 15  # a Chinese text with this many characters (digits in dates count, punctuation not)
NOTICE_TITLE_CHARS = 20
_HAN = re.compile(r"[\u3400-\u9fff]")
_CONTENT_CHAR = re.compile(r"[\u3400-\u9fff0-9A-Za-z０-９]")


def notice_is_substantive(text: str | None) -> bool:
    """Worth taking into the knowledge base: “请于12月10日前报送年度履职报告。” (17), unlike “请查收会议材料。” or
    “明天九点在驻地大厅集合” (11)."""
    text = text or ""
    return _HAN.search(text) is not None and len(_CONTENT_CHAR.findall(text)) >= NOTICE_MIN_CHARS


def notice_title(text: str, sent_at: datetime) -> str:
    """«通知（2026-12-01）：请于12月10日前报送年度履职报告»: the send day (Beijing) and the text's first
    line, clipped, so the answer card's citation says which notice it was."""
    day = sent_at.replace(tzinfo=UTC).astimezone(BEIJING).date().isoformat()
    head = re.sub(r"\s+", " ", next((ln.strip() for ln in text.splitlines() if ln.strip()), "")).lstrip("#").strip()
    head = head[:NOTICE_TITLE_CHARS] + "…" if len(head) > NOTICE_TITLE_CHARS else head.rstrip("。；，、！.;,")
    return f"通知（{day}）：{head}"


def notice_document(broadcast_id: int, text: str, sent_at: datetime) -> tuple[str, bytes]:
    """(file name, Markdown bytes) of a sent briefing's text as a knowledge-base document: the title is its
    H1. The same broadcast always gives the same name and bytes, so taking it in again changes nothing."""
    body = f"# {notice_title(text, sent_at)}\n\n{text.strip()}\n"
    return f"通知-{broadcast_id}.md", body.encode("utf-8")


async def create(s: AsyncSession, text: str, spec: aud.AudienceSpec, *, created_by: int | None = None,
                 document_ref: str | None = None, read_button: bool = True, kind: str = "briefing") -> Broadcast:
    spec.validate()
    text = validate_text(text, caption=attachment_file_id(document_ref) is not None)
    b = Broadcast(kind=kind, text=text, audience=spec.to_json(), created_by=created_by,
                  document_ref=document_ref, read_button=read_button, state=BroadcastState.DRAFT.value)
    s.add(b)
    await s.flush()
    return b


async def _get(s: AsyncSession, broadcast_id: int) -> Broadcast:
    b = await s.get(Broadcast, broadcast_id)
    if b is None:
        raise BroadcastError(f"找不到通知 #{broadcast_id}")
    return b


async def preview(s: AsyncSession, broadcast_id: int) -> Preview:
    b = await _get(s, broadcast_id)
    spec = aud.AudienceSpec.from_json(b.audience)
    return Preview(b.id, spec.describe(), await aud.count(s, spec), b.text, b.scheduled_at)


async def confirm(s: AsyncSession, broadcast_id: int, *, at: datetime | None = None,
                  now: datetime | None = None) -> int:
    """Write one outbox row per recipient (due at ``at`` or now). The rows ARE the schedule: a restart
    loses nothing because the worker only ever reads the database. Returns the recipient count."""
    now = now or utcnow()
    b = await _get(s, broadcast_id)
    if b.state != BroadcastState.DRAFT.value:
        raise not_a_draft(b)
    if at is not None and at < now:
        raise BroadcastError("定时发送的时间已经过去，请选择将来的时间")
    recipients = await aud.resolve(s, aud.AudienceSpec.from_json(b.audience))
    if not recipients:
        raise BroadcastError("按所选范围没有找到任何接收人，请调整接收范围")
    state = (BroadcastState.SCHEDULED if at and at > now else BroadcastState.SENDING).value
    # Compare-and-set: of two presses of 确认发送 at once only the one that moves the draft goes on
    # (the other would hit the outbox's unique key).
    if not await _move_from_draft(s, b.id, state=state, scheduled_at=at):
        await s.refresh(b)
        raise not_a_draft(b)
    due = at or now
    rows = [{"broadcast_id": b.id, "user_id": r.user_id, "chat_id": r.chat_id, "state": OutboxState.PENDING.value,
             "attempts": 0, "next_attempt_at": due} for r in recipients]
    for i in range(0, len(rows), 5000):
        await s.execute(insert(OutboxMessage), rows[i:i + 5000])
    await s.flush()
    return len(rows)


STATE_LABELS = {BroadcastState.DRAFT.value: "待确认", BroadcastState.SCHEDULED.value: "定时待发",
                BroadcastState.SENDING.value: "发送中", BroadcastState.DONE.value: "已完成",
                BroadcastState.CANCELLED.value: "已取消"}


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def not_a_draft(b: Broadcast) -> BroadcastError:
    if b.state == BroadcastState.CANCELLED.value:
        return BroadcastError(f"通知 #{b.id} 已取消，不会发送")
    return BroadcastError(f"通知 #{b.id} 已确认过（{state_label(b.state)}），不会重复发送")


async def _move_from_draft(s: AsyncSession, broadcast_id: int, **values) -> bool:
    """UPDATE … WHERE state='draft': True only for the one caller that changed the row."""
    res = await s.execute(update(Broadcast)
                          .where(Broadcast.id == broadcast_id, Broadcast.state == BroadcastState.DRAFT.value)
                          .values(**values).execution_options(synchronize_session=False))
    return (res.rowcount or 0) == 1


async def cancel_draft(s: AsyncSession, broadcast_id: int) -> None:
    """The preview's 取消: only a draft (compare-and-set, so a late press cannot touch a confirmed one)."""
    b = await _get(s, broadcast_id)
    if not await _move_from_draft(s, b.id, state=BroadcastState.CANCELLED.value, finished_at=utcnow()):
        await s.refresh(b)
        if b.state == BroadcastState.CANCELLED.value:
            raise BroadcastError(f"通知 #{b.id} 已取消")
        if b.state == BroadcastState.DONE.value:
            raise BroadcastError(f"通知 #{b.id} 已发送完毕，无法取消")
        raise BroadcastError(f"通知 #{b.id} 已确认（{state_label(b.state)}），不能在预览里取消；"
                             f"如需停止请发送 /bccancel {b.id}")
    await s.refresh(b)


async def cancel(s: AsyncSession, broadcast_id: int, now: datetime | None = None) -> int:
    """Stop a draft, a scheduled or a sending broadcast: rows not yet claimed by the sender are not sent;
    rows already handed to Telegram cannot be recalled. Returns the number of rows stopped."""
    b = await _get(s, broadcast_id)
    if b.state in (BroadcastState.DONE.value, BroadcastState.CANCELLED.value):
        raise BroadcastError(f"通知 #{b.id} {state_label(b.state)}，无需取消")
    res = await s.execute(update(OutboxMessage)
                          .where(OutboxMessage.broadcast_id == b.id,
                                 OutboxMessage.state == OutboxState.PENDING.value)
                          .values(state=OutboxState.CANCELLED.value))
    b.state = BroadcastState.CANCELLED.value
    b.finished_at = now or utcnow()
    await s.flush()
    return res.rowcount or 0


async def report(s: AsyncSession, broadcast_id: int) -> DeliveryReport:
    b = await _get(s, broadcast_id)
    r = DeliveryReport(b.id, b.state, scheduled_at=b.scheduled_at)
    rows = (await s.execute(select(OutboxMessage.state, func.count()).where(OutboxMessage.broadcast_id == b.id)
                            .group_by(OutboxMessage.state))).all()
    for state, n in rows:
        r.total += n
        if state in ACTIVE_STATES:
            r.pending += n
        elif state == OutboxState.SENT.value:
            r.sent += n
        elif state == OutboxState.FAILED.value:
            r.failed += n
        elif state == OutboxState.BLOCKED.value:
            r.blocked += n
        elif state == OutboxState.CANCELLED.value:
            r.cancelled += n
    r.read = int((await s.execute(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.broadcast_id == b.id, OutboxMessage.read_at.is_not(None)))).scalar_one())
    errs = (await s.execute(select(OutboxMessage.last_error).where(
        OutboxMessage.broadcast_id == b.id,
        OutboxMessage.state.in_([OutboxState.FAILED.value, OutboxState.BLOCKED.value])))).scalars()
    r.failures = dict(Counter(e or "未知错误" for e in errs))
    return r


async def finish_if_done(s: AsyncSession, broadcast_id: int, now: datetime | None = None) -> bool:
    b = await s.get(Broadcast, broadcast_id)
    # A cancelled broadcast stays cancelled while the rows claimed before the stop are delivered.
    if b is None or b.state in (BroadcastState.DONE.value, BroadcastState.DRAFT.value,
                                BroadcastState.CANCELLED.value):
        return False
    left = (await s.execute(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.state.in_(ACTIVE_STATES)))).scalar_one()
    if left:
        return False
    b.state = BroadcastState.DONE.value
    b.finished_at = now or utcnow()
    await s.flush()
    return True


async def mark_read(s: AsyncSession, outbox_id: int, telegram_id: int, now: datetime | None = None) -> bool:
    """"已阅" pressed. Only the recipient's own press counts, and only while the account is active;
    pressing twice keeps the first time."""
    active = select(User.id).where(User.telegram_id == telegram_id, User.status == UserStatus.ACTIVE.value)
    res = await s.execute(update(OutboxMessage)
                          .where(OutboxMessage.id == outbox_id, OutboxMessage.chat_id == telegram_id,
                                 OutboxMessage.user_id.in_(active), OutboxMessage.read_at.is_(None))
                          .values(read_at=now or utcnow()))
    return (res.rowcount or 0) == 1


@dataclass
class ReadStatus:
    broadcast_id: int
    delivered: int
    read: int
    unread: list[tuple[str, str | None]]  # (name, delegation) of delivered-but-unread recipients

    def render(self, limit: int = 50) -> str:
        lines = [f"通知 #{self.broadcast_id}：已送达 {self.delivered} 人，已阅 {self.read} 人，未阅 {len(self.unread)} 人"]
        for name, delegation in self.unread[:limit]:
            lines.append(f"· {name}" + (f"（{delegation}）" if delegation else ""))
        if len(self.unread) > limit:
            lines.append(f"……另有 {len(self.unread) - limit} 人未阅")
        return "\n".join(lines)


async def read_status(s: AsyncSession, broadcast_id: int) -> ReadStatus:
    await _get(s, broadcast_id)
    rows = (await s.execute(
        select(OutboxMessage.read_at, User.name, User.delegation)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.state == OutboxState.SENT.value)
        .order_by(User.delegation, User.id))).all()
    unread = [(name or "（未知）", deleg) for read_at, name, deleg in rows if read_at is None]
    return ReadStatus(broadcast_id, len(rows), len(rows) - len(unread), unread)


async def list_recent(s: AsyncSession, limit: int = 10) -> list[Broadcast]:
    return list((await s.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))).scalars())
