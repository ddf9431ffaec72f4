"""Handling status: 已提交 → 已交办 → 办理中 → 已答复 → 代表评价, with dates and deadlines.

代表法（2025）第五十一条: answer within three months of assignment (交办), six months for
wide-ranging or difficult items. Every change is recorded as a status event and notified through
the outbox (the bot delivers it).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from suggestions import repository as repo
from suggestions.models import StatusEventRow, SuggestionRow
from suggestions.draft import book_title
from suggestions.text import clip
from suggestions.types import KIND_BILL
from storage.clock import BEIJING

STATUS_SUBMITTED = "已提交"
STATUS_ASSIGNED = "已交办"
STATUS_IN_PROGRESS = "办理中"
STATUS_ANSWERED = "已答复"
STATUS_EVALUATED = "已评价"
STATUS_MERGED = "已合并"
STATUSES = (STATUS_SUBMITTED, STATUS_ASSIGNED, STATUS_IN_PROGRESS, STATUS_ANSWERED, STATUS_EVALUATED, STATUS_MERGED)
EVALUATIONS = ("满意", "基本满意", "不满意")

# Allowed transitions. 不满意 sends the item back to the units for re-handling (办理中).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    STATUS_SUBMITTED: (STATUS_ASSIGNED, STATUS_MERGED),
    STATUS_ASSIGNED: (STATUS_IN_PROGRESS, STATUS_ANSWERED, STATUS_ASSIGNED),
    STATUS_IN_PROGRESS: (STATUS_ANSWERED,),
    STATUS_ANSWERED: (STATUS_EVALUATED,),
    STATUS_EVALUATED: (STATUS_IN_PROGRESS,),
    STATUS_MERGED: (),
}
OPEN_STATUSES = (STATUS_ASSIGNED, STATUS_IN_PROGRESS)
STANDARD_MONTHS = 3
COMPLEX_MONTHS = 6
DUE_SOON = timedelta(days=14)
REASON_CHARS = 500  # a deputy's reason for 不满意, as staff read it in one notice
MERGED_REPLY_CHARS = 300  # the reply quoted to a merged item's author (the notice must fit one message)
LISTED_REPLY_CHARS = 100  # the reply's gist on a /mysuggestions line
LEGAL_BASIS = "《全国人民代表大会和地方各级人民代表大会代表法》第五十一条"


class StatusError(Exception):
    """A transition that is not allowed (message in Chinese); nothing has been changed."""


def add_months(dt: datetime, months: int) -> datetime:
    m = dt.month - 1 + months
    year, month = dt.year + m // 12, m % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def deadline(assigned_at: datetime, complex_case: bool = False) -> datetime:
    """Three (six) months on the calendar deputies live by: assigned at 06:50 on 1 December in Beijing (22:50 UTC
    on 30 November) is due on 1 March, whatever the server's clock zone."""
    local = repo.as_utc(assigned_at).astimezone(BEIJING)
    return add_months(local, COMPLEX_MONTHS if complex_case else STANDARD_MONTHS).astimezone(timezone.utc)


def beijing_day(dt: datetime) -> str:
    return f"{repo.as_utc(dt).astimezone(BEIJING):%Y年%m月%d日}"


def submitted_text(row: SuggestionRow) -> str:
    return f"您的{row.kind}{book_title(row.title)}已提交（编号 {row.id}），交办后会通知您。"


def assignee(recommendation: dict) -> str:
    """Whom a recommendation assigns to: the local office a local-level draft names (自治区民政厅) rather than its
    national counterpart (民政部), which the routing lists are written in."""
    return recommendation.get("local") or recommendation["name"]


def _check_move(row: SuggestionRow, to: str) -> None:
    if to not in TRANSITIONS[row.status]:
        raise StatusError(f"当前状态为“{row.status}”，不能变更为“{to}”。")


@dataclass
class OverdueItem:
    suggestion_id: int
    title: str
    units: list[str]
    due_at: datetime
    days_over: int  # negative: days left (due soon)
    complex_case: bool = False  # six-month deadline instead of three

    @property
    def months(self) -> int:
        return COMPLEX_MONTHS if self.complex_case else STANDARD_MONTHS


@dataclass
class SuggestionDetail:
    """One item as staff see it when assigning, and as a reply notification shows it."""

    suggestion_id: int
    kind: str
    title: str
    author_id: str
    delegation: str
    status: str
    summary: str
    topic: str
    recommended: list[dict]  # routing output at submission: name, score, reasons
    units: list[str]
    submitted_at: datetime
    due_at: datetime | None
    complex_case: bool
    reply: str

    @classmethod
    def of(cls, r: SuggestionRow) -> "SuggestionDetail":
        return cls(r.id, r.kind, r.title, r.author_id, r.delegation, r.status, r.summary, r.topic,
                   list(r.recommended or []), list(r.units or []), repo.as_utc(r.submitted_at),
                   repo.as_utc(r.due_at), bool(r.complex_case), r.reply)


@dataclass
class StatusView:
    """What a deputy sees in /mysuggestions."""

    suggestion_id: int
    kind: str
    title: str
    status: str
    units: list[str]
    submitted_at: datetime
    due_at: datetime | None
    overdue: bool
    evaluation: str
    merged_into: int | None = None  # 合并办理: the item whose reply this one shares
    reply: str = ""

    def to_text(self) -> str:
        line = f"{self.suggestion_id}. {book_title(self.title)} {self.status}"
        if self.merged_into:
            line += f"（并入编号 {self.merged_into}）"
        if self.units:
            line += "｜承办：" + "、".join(self.units)
        if self.due_at and self.status in OPEN_STATUSES:
            line += f"｜答复期限 {self.due_at:%Y-%m-%d}" + ("（已逾期）" if self.overdue else "")
        if self.evaluation:
            line += f"｜评价：{self.evaluation}"
        if self.reply:
            line += f"\n   答复：{clip(self.reply, LISTED_REPLY_CHARS)}"
        return line


class StatusService:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Callable[[], datetime] = repo.utcnow):
        self.sm = sessionmaker
        self.clock = clock

    async def _get(self, s: AsyncSession, suggestion_id: int) -> SuggestionRow:
        row = await repo.get_suggestion(s, suggestion_id)
        if row is None:
            raise StatusError(f"找不到编号为 {suggestion_id} 的建议。")
        return row

    async def _move(self, s: AsyncSession, row: SuggestionRow, to: str, actor: str, note: str, now: datetime,
                    notify: str) -> None:
        _check_move(row, to)
        await repo.add_status_event(s, StatusEventRow(
            suggestion_id=row.id, from_status=row.status, to_status=to, actor=actor, note=note, at=now))
        row.status = to
        await repo.emit(s, "suggestion.status", row.author_id, notify, suggestion_id=row.id,
                        payload={"status": to, "at": now.isoformat()}, now=now)

    async def assign(self, suggestion_id: int, units: Sequence[str], *, actor: str, complex_case: bool = False,
                     now: datetime | None = None) -> datetime:
        """交办 to one or more units; returns the answer deadline. Reassigning restarts the clock.

        Whether staff accepted the recommendation or overrode it is recorded in the event note;
        either way the assignment becomes routing history.
        """
        units = [u.strip() for u in units if u and u.strip()]
        if not units:
            raise StatusError("请至少指定一个承办单位。")
        now = now or self.clock()
        async with self.sm.begin() as s:
            row = await self._get(s, suggestion_id)
            recommended = [assignee(r) for r in (row.recommended or [])]
            accepted = bool(recommended) and units[0] == recommended[0]
            note = ("采纳推荐" if accepted else "人工指定") + "：" + "、".join(units)
            due = deadline(now, complex_case)
            verb = "交办给"
            if row.status == STATUS_ASSIGNED:  # 改派: said as such to the deputy and in the record
                old = list(row.units or [])
                if old == units and bool(row.complex_case) == complex_case:
                    raise StatusError(f"编号 {row.id} 已交办给{'、'.join(old)}，未重复交办；改派请指定其他承办单位。")
                note, verb = f"改派：{'、'.join(old)} → {'、'.join(units)}", "改派给"
            if row.kind == KIND_BILL:  # 代表法第五十一条's three months are for suggestions; a bill is deliberated
                text = (f"您的议案{book_title(row.title)}已{'改交' if verb == '改派给' else '交'}{'、'.join(units)}审议，"
                        f"审议结果将及时告知您（工作跟踪期限 {beijing_day(due)}）。")
            else:
                text = (f"您的{row.kind}{book_title(row.title)}已{verb}{'、'.join(units)}，"
                        f"依照{LEGAL_BASIS}应于 {beijing_day(due)} 前答复。")
            await self._move(s, row, STATUS_ASSIGNED, actor, note, now, text)
            row.units, row.assigned_at, row.due_at, row.complex_case = units, now, due, complex_case
            row.overdue_flagged_at = None
            return due

    async def start(self, suggestion_id: int, *, actor: str, now: datetime | None = None) -> None:
        now = now or self.clock()
        async with self.sm.begin() as s:
            row = await self._get(s, suggestion_id)
            await self._move(s, row, STATUS_IN_PROGRESS, actor, "", now, f"您的{row.kind}{book_title(row.title)}正在办理中。")
            row.started_at = now

    async def record_reply(self, suggestion_id: int, reply: str, *, actor: str, now: datetime | None = None) -> None:
        reply = (reply or "").strip()
        now = now or self.clock()
        async with self.sm.begin() as s:
            row = await self._get(s, suggestion_id)  # an unknown number or status is named before the reply's length
            _check_move(row, STATUS_ANSWERED)
            if len(reply) < 10:
                raise StatusError("答复内容过短，请录入承办单位的答复全文或要点。")
            text = f"您的{row.kind}{book_title(row.title)}已收到答复，请查看并评价（满意/基本满意/不满意）。"
            await self._move(s, row, STATUS_ANSWERED, actor, reply[:200], now, text)
            row.reply, row.answered_at = reply, now
            for dup in await repo.merged_into(s, row.id):  # 合并办理 promised them the reply (“答复将一并告知您”)
                dup.reply, dup.answered_at = reply, now
                await repo.emit(s, "suggestion.status", dup.author_id,
                                f"您的{dup.kind}{book_title(dup.title)}与{book_title(row.title)}（编号 {row.id}）合并办理，"
                                f"承办单位已答复：{clip(reply, MERGED_REPLY_CHARS)}",
                                suggestion_id=dup.id, payload={"status": dup.status, "at": now.isoformat()}, now=now)

    async def evaluate(self, suggestion_id: int, author_id: str, evaluation: str, note: str = "",
                       now: datetime | None = None) -> None:
        if evaluation not in EVALUATIONS:
            raise StatusError("评价只能是：满意、基本满意、不满意。")
        now = now or self.clock()
        async with self.sm.begin() as s:
            row = await self._get(s, suggestion_id)
            if row.author_id != author_id:
                raise StatusError("只有提出建议的代表本人可以评价。")
            await self._move(s, row, STATUS_EVALUATED, author_id, evaluation, now,
                             f"已记录您对{book_title(row.title)}答复的评价：{evaluation}。")
            row.evaluation, row.evaluation_note, row.evaluated_at = evaluation, note, now
            if evaluation == "不满意":
                await repo.emit(s, "suggestion.unsatisfied", "staff",
                                f"代表对{book_title(row.title)}（编号 {row.id}）的答复不满意，请督促承办单位重新办理。",
                                suggestion_id=row.id, now=now)

    async def unsatisfied_reason(self, suggestion_id: int, author_id: str, reason: str,
                                 now: datetime | None = None) -> None:
        """Why the deputy is not satisfied, kept with the evaluation and passed on to staff."""
        reason = reason.strip()[:REASON_CHARS]
        if not reason:
            raise StatusError("原因不能为空。")
        now = now or self.clock()
        async with self.sm.begin() as s:
            row = await self._get(s, suggestion_id)
            if row.author_id != author_id or row.evaluation != "不满意":
                raise StatusError("只有评价为“不满意”的代表本人可以补充原因。")
            row.evaluation_note = reason
            await repo.emit(s, "suggestion.unsatisfied", "staff",
                            f"代表对{book_title(row.title)}（编号 {row.id}）答复不满意的原因：{reason}",
                            suggestion_id=row.id, now=now)

    async def rehandle(self, suggestion_id: int, *, actor: str, now: datetime | None = None) -> None:
        """After 不满意: back to the units, with a fresh deadline."""
        now = now or self.clock()
        async with self.sm.begin() as s:
            row = await self._get(s, suggestion_id)
            if row.evaluation != "不满意":
                raise StatusError("只有评价为“不满意”的建议才需要重新办理。")
            due = deadline(now, row.complex_case)
            await self._move(s, row, STATUS_IN_PROGRESS, actor, "重新办理", now,
                             f"{book_title(row.title)}已退回承办单位重新办理，应于 {beijing_day(due)} 前重新答复。")
            row.due_at = due
            row.overdue_flagged_at = None

    async def merge(self, primary_id: int, duplicate_ids: Sequence[int], *, actor: str,
                    now: datetime | None = None) -> None:
        """对内容相同的合并办理: duplicates follow the primary item."""
        now = now or self.clock()
        async with self.sm.begin() as s:
            primary = await self._get(s, primary_id)
            for d in duplicate_ids:
                if d == primary_id:
                    continue
                row = await self._get(s, d)
                await self._move(s, row, STATUS_MERGED, actor, f"并入编号 {primary_id}", now,
                                 f"您的{row.kind}{book_title(row.title)}与内容相同的{book_title(primary.title)}合并办理，答复将一并告知您。")
                row.merged_into = primary_id

    async def flag_overdue(self, now: datetime | None = None) -> list[OverdueItem]:
        """Open items past their deadline, flagged once to staff (outbox); the list is returned each time."""
        now = now or self.clock()
        out: list[OverdueItem] = []
        async with self.sm.begin() as s:
            for row in await repo.all_suggestions(s, OPEN_STATUSES):
                due = repo.as_utc(row.due_at)
                if due is None or due >= now:
                    continue
                days = (now - due).days
                out.append(OverdueItem(row.id, row.title, list(row.units), due, days, bool(row.complex_case)))
                if row.overdue_flagged_at is None:
                    row.overdue_flagged_at = now
                    await repo.emit(s, "suggestion.overdue", "staff",
                                    f"{book_title(row.title)}（编号 {row.id}，承办：{'、'.join(row.units)}）已超过答复期限 {days} 天"
                                    f"（期限 {due:%Y-%m-%d}，{LEGAL_BASIS}）。",
                                    suggestion_id=row.id, now=now)
        return out

    async def due_soon(self, now: datetime | None = None, within: timedelta = DUE_SOON) -> list[OverdueItem]:
        now = now or self.clock()
        async with self.sm() as s:
            rows = await repo.all_suggestions(s, OPEN_STATUSES)
        out = []
        for row in rows:
            due = repo.as_utc(row.due_at)
            if due is not None and now <= due <= now + within:
                out.append(OverdueItem(row.id, row.title, list(row.units), due, -(due - now).days,
                                       bool(row.complex_case)))
        return out

    async def my_suggestions(self, author_id: str, now: datetime | None = None) -> list[StatusView]:
        now = now or self.clock()
        async with self.sm() as s:
            rows = await repo.suggestions_of(s, author_id)
        out = []
        for r in rows:
            due = repo.as_utc(r.due_at)
            out.append(StatusView(r.id, r.kind, r.title, r.status, list(r.units), repo.as_utc(r.submitted_at), due,
                                  bool(due and r.status in OPEN_STATUSES and due < now), r.evaluation,
                                  r.merged_into, r.reply or ""))
        return out

    async def detail(self, suggestion_id: int) -> SuggestionDetail:
        async with self.sm() as s:
            return SuggestionDetail.of(await self._get(s, suggestion_id))

    async def awaiting_assignment(self) -> list[SuggestionDetail]:
        """Submitted items no unit has been assigned yet (oldest first)."""
        async with self.sm() as s:
            return [SuggestionDetail.of(r) for r in await repo.all_suggestions(s, (STATUS_SUBMITTED,))]

    async def history(self, suggestion_id: int) -> list[tuple[str, str, datetime, str]]:
        async with self.sm() as s:
            return [(e.from_status, e.to_status, repo.as_utc(e.at), e.note) for e in await repo.status_events(s, suggestion_id)]
