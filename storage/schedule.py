"""What is planned this month and next: rows of the work schedule table in the knowledge base
(chunks whose locator is a month, e.g. "8月") plus events staff add to the database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from corpus.legal import PROVINCES
from storage.access import scopes_for
from storage.clock import today_beijing
from storage.db import Database
from storage.models import Event
from storage.repositories import EventRepo
from storage.views import EventView, UserView

_MONTH_LOCATOR = re.compile(r"^\s*(\d{1,2})\s*月\s*$")
_YEAR_ROUND = 0  # the table's 全年 rows, kept under month 0: they belong to every month and to none
_SCHEDULE_TITLE_HINT = ("安排", "计划表", "日程")
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
_SCHEDULE_WORDS = ("安排", "日程", "计划", "活动", "会议", "工作")
_RELATIVE = {"本月": 0, "这个月": 0, "这月": 0, "当月": 0, "下个月": 1, "下月": 1, "上个月": -1, "上月": -1,
             "近期": None, "最近": None}
# “下周有什么安排”: the month or two the week falls in (0 this week, 1 next, -1 last)
_RELATIVE_WEEKS = {"本周": 0, "这周": 0, "这个星期": 0, "这星期": 0, "下周": 1, "下个星期": 1, "下星期": 1, "下礼拜": 1,
                   "上周": -1, "上个星期": -1, "上星期": -1}


@dataclass(frozen=True)
class ScheduleRow:
    title: str  # the document it comes from, shown with it (the schedule table is one province's)
    text: str
    locator: str = ""  # a plan item's (“六、… / 20”); a table row's month says nothing more
    year: int | None = None  # the document's year (“2026年度…”): its months are not next year's
    scope: str = "all"


@dataclass
class MonthPlan:
    year: int
    month: int
    rows: list[ScheduleRow] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def schedule_months_in(text: str, today: date) -> list[tuple[int, int]] | None:
    """Months a natural question asks about ("本月有什么安排", "8月的工作安排", "明年1月的安排"), or None when
    the text is not a schedule question. A span of months (“4月至9月的督办计划”) asks about one task, which
    the question answerer finds better than a month's list."""
    t = text.strip()
    if not any(w in t for w in _SCHEDULE_WORDS) or len(t) > 60 or _MONTH_SPAN.search(t):
        return None
    if _WHOLE_YEAR.search(t):  # “全年常态化工作有哪些” → the 全年 rows alone; “今年全年的工作安排” → every month too
        return [] if _ROUTINE.search(t) else [(_year_named(t, today), mo) for mo in range(1, 13)]
    for word, weeks in _RELATIVE_WEEKS.items():
        if word in t:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
            return list(dict.fromkeys([_ym(monday), _ym(monday + timedelta(days=6))]))
    for word, delta in _RELATIVE.items():
        if word in t:
            if delta is None:
                return [(today.year, today.month), _ym(_add_months(today, 1))]
            return [_ym(_add_months(today, delta))]
    m = re.search(r"(\d{1,2})\s*月", t) or re.search(r"(十[一二]?|[一二三四五六七八九])月", t)
    rest = _REST_OF_YEAR.search(t)
    if m and ("安排" in t or "日程" in t or "计划" in t or rest or _WHATS_ON.search(t)):
        g = m.group(1)  # a month named wins: “今年还剩什么工作（11月）”, a follow-up “11月呢？”
        month = int(g) if g.isdigit() else _CN_MONTHS[g]
        if 1 <= month <= 12:
            return [(_year_named(t, today), month)]
    if rest:
        return [(today.year, mo) for mo in range(today.month, 13)]
    return None


def _year_named(text: str, today: date) -> int:
    if m := re.search(r"(20\d\d)\s*年", text):
        return int(m.group(1))
    return today.year + next((d for w, d in _RELATIVE_YEARS.items() if w in text), 0)


# “今年12月有什么活动”“8月份都有哪些工作”: what is on in a month, asked about nothing in particular (not “8月召开的推进会
# 有什么要求”, which asks about one task)
_WHATS_ON = re.compile(r"月份?(?:的|里|都|还|要|会)?(?:有|搞|办|开)(?:什么|哪些|啥)(?:活动|工作|会议?|事情?)[吗呢啊？?。！!\s]*$")
# “今年还剩什么工作”“年底前还有哪些安排”: this month to December
_REST_OF_YEAR = re.compile(r"(?:今年|年内|年底前?|年前)[^，。？?]{0,6}?(?:还)?(?:剩下?|剩余|余下|还有)(?:的)?(?:什么|哪些|啥)"
                           r"(?:工作|安排|活动|会议?|事情?)(?:要做|要办|没做|没办)?[吗呢啊？?。！!\s]*(?:[（(][^（）()]*[）)])?$")  # “（11月）”: a follow-up
# “全年有哪些常态化工作”“今年全年的工作安排”“宁夏全年都有什么活动”: the whole year, asked about nothing in particular
_WHOLE_YEAR = re.compile(r"^[^，,。？?]{0,12}?全年(?:的|都|还|要|有|里)*(?:什么|哪些|啥)?(?:常态化|经常性|日常|长期)?(?:的)?"
                         r"(?:代表)?(?:工作|活动|会议?)?(?:安排|计划)?(?:有|是)?(?:什么|哪些|啥)?[吗呢啊？?。！!\s]*$")
_ROUTINE = re.compile(r"常态化|经常性|日常|长期")
_MONTH_SPAN = re.compile(r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?\s*(?:至|到|—|-)\s*(?:\d{1,2}|十[一二]?|[一二三四五六七八九])月")
_RELATIVE_YEARS = {"明年": 1, "下一年": 1, "来年": 1, "去年": -1, "今年": 0}
_DOC_YEAR = re.compile(r"(20\d\d)\s*年")
# A plan's dated task: “8月，召开代表建议办理工作推进会，…。” or “1月至2月，…集中视察…。” (months of the plan's year)
_DATED = re.compile(r"(?:^|(?<=[。；\n]))\s*(\d{1,2})月(?:(?:至|到)(\d{1,2})月)?[，,]([^。；\n]*[。；]?)")
_CONTENT = re.compile(r"主要内容[：:](.*?)(?:；?\s*(?:相关部门|承办单位)[：:]|$)", re.S)


_ASKS_WHEN_WHERE = re.compile(r"哪天|哪一天|什么时候|啥时候|几号|几点|几月|什么时间|哪个时间|时间是|日期|在哪|什么地方|地点|哪里")
# Words that name no event in particular (every event is a deputies' activity) and the question's own words.
_NOT_EVENT_WORDS = frozenset(
    "代表 代表团 人大 人大代表 活动 会议 工作 安排 履职 时间 时候 什么 啥时候 哪天 哪一天 几号 几点 几月 日期 地点 哪里 在哪 在哪里"
    " 地方 哪个 那个 这个 这次 那次 上次 下次 今年 明年 本月 下月 下个月 本周 下周 这周 上周 今天 明天 后天 举行 召开 开始 出发"
    " 集合 参加 组织 具体 一下 请问 知道 还是 是不是 我们 咱们 大家 一起".split())


def _event_words(question: str) -> list[str]:
    import jieba  # loaded by the knowledge base already

    return [w for w in dict.fromkeys(jieba.lcut(question)) if len(w) >= 2 and not w.isascii()
            and w not in _NOT_EVENT_WORDS and not re.fullmatch(r"[\d一二三四五六七八九十]+[月日号点]?", w)]


def _row_content(text: str) -> str:
    """A table row chunk reads "时间：8月；主要内容：…；相关部门：…": keep what is planned."""
    m = _CONTENT.search(text)
    return (m.group(1) if m else text).strip().rstrip("；")


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


class ScheduleService:
    def __init__(
        self,
        db: Database,
        chunks: Callable[[], Iterable[Any]] | None = None,
        today: Callable[[], date] = today_beijing,
    ) -> None:
        self.db = db
        self._chunks = chunks
        self.today = today
        self._table: dict[int, list[ScheduleRow]] | None = None

    def _month_rows(self) -> dict[int, list[ScheduleRow]]:
        # The documents do not change at run time: scan the chunks once. Rows of a schedule table (locator
        # “8月”) and a plan's dated tasks (“8月，召开…推进会”) both say what happens in a month.
        if self._table is None:
            table: dict[int, list[ScheduleRow]] = {}
            for c in self._chunks() if self._chunks else ():
                locator = getattr(c, "locator", "") or ""
                title = getattr(c, "title", "") or ""
                year = int(y.group(1)) if (y := _DOC_YEAR.search(title)) else None
                scope = getattr(c, "scope", "all") or "all"
                m = _MONTH_LOCATOR.match(locator)
                if m or locator.strip() == "全年":
                    if any(h in title for h in _SCHEDULE_TITLE_HINT):
                        table.setdefault(int(m.group(1)) if m else _YEAR_ROUND, []).append(
                            ScheduleRow(title, _row_content(c.text), year=year, scope=scope))
                    continue
                if year is None or getattr(c, "doc_type", "") == "law":
                    continue  # a dated task needs the year its document plans for
                for d in _DATED.finditer(c.text or ""):
                    first, last = int(d.group(1)), int(d.group(2) or d.group(1))
                    text = f"{d.group(0).strip().rstrip('；')}"
                    for month in range(first, last + 1) if 1 <= first <= last <= 12 else ():
                        table.setdefault(month, []).append(ScheduleRow(title, text, locator, year, scope))
            self._table = table
        return self._table

    async def add_event(self, user: UserView, day: date, title: str, scope: str = "all") -> EventView:
        async with self.db.session() as s, s.begin():
            ev = await EventRepo(s).add(Event(day=day, title=title.strip(), scope=scope, created_by=user.id))
            return EventView(ev.id, ev.day, ev.title, ev.scope)

    async def plan(self, user: UserView, months: list[tuple[int, int]] | None = None) -> list[MonthPlan]:
        """This month and next by default."""
        if months is None:
            t = self.today()
            months = [_ym(t), _ym(_add_months(t, 1))]
        scopes = scopes_for(user)
        rows = self._month_rows()
        plans = []
        async with self.db.session() as s:
            repo = EventRepo(s)
            for y, m in months:
                start = date(y, m, 1)
                end = _add_months(start, 1)
                events = [
                    EventView(e.id, e.day, e.title, e.scope)
                    for e in await repo.between(start, end)
                    if scopes is None or e.scope in scopes
                ]
                plans.append(MonthPlan(y, m, _visible(rows.get(m, []), y, scopes), events))
        return plans

    async def events_named(self, user: UserView, question: str) -> list[EventView]:
        """Events staff registered that a short when/where question names (“中卫视察是哪天”, “座谈会在哪开”):
        every content word of the question must be in the event's title, so that “代表建议什么时候答复” is not
        answered by a 建议督办座谈会. Events of the last month and the coming year, as the user may see them."""
        words = await asyncio.to_thread(_event_words, question)  # jieba: not on the event loop
        if not words or len(question.strip()) > 40 or not _ASKS_WHEN_WHERE.search(question):
            return []
        today, scopes = self.today(), scopes_for(user)
        async with self.db.session() as s:
            events = await EventRepo(s).between(today - timedelta(days=31), today + timedelta(days=366))
        return [EventView(ev.id, ev.day, ev.title, ev.scope) for ev in events
                if (scopes is None or ev.scope in scopes) and all(w in ev.title for w in words)]

    def year_round(self, user: UserView, years: Iterable[int]) -> list[ScheduleRow]:
        """The schedule's 全年 rows (“邀请代表列席常委会会议…”) for the years shown, as the user may see them."""
        scopes = scopes_for(user)
        rows = self._month_rows().get(_YEAR_ROUND, [])
        return [r for y in sorted(set(years)) for r in _visible(rows, y, scopes)]


def _visible(rows: list[ScheduleRow], year: int, scopes: set[str] | None) -> list[ScheduleRow]:
    return [r for r in rows if (r.year is None or r.year == year) and (scopes is None or r.scope in scopes)]


def named_first(plans: list[MonthPlan], question: str) -> list[MonthPlan]:
    """The rows of the documents a question names come first: “全国人大8月有什么工作安排” lists the national
    plan's tasks before a province's table, “宁夏8月…” the other way round. Otherwise the order stays."""
    places = [p for p in PROVINCES if p in question] + (["自治区"] if "自治区" in question else [])
    national = "全国" in question

    def named(row: ScheduleRow) -> bool:
        return any(p in row.title for p in places) or (national and "全国" in row.title)

    for p in plans:
        p.rows.sort(key=lambda r: not named(r))  # stable: the rest keep their order
    return plans


def parse_day(text: str, today: date) -> date | None:
    """"2026-12-05", "2026/12/5", "12-05", "12月5日" → date."""
    t = text.strip()
    for pat in (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$", r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"):
        m = re.match(pat, t)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    for pat in (r"^(\d{1,2})[-/.](\d{1,2})$", r"^(\d{1,2})月(\d{1,2})日?$"):
        m = re.match(pat, t)
        if m:
            try:
                d = date(today.year, int(m.group(1)), int(m.group(2)))
            except ValueError:
                return None
            return d if d >= today - timedelta(days=31) else date(d.year + 1, d.month, d.day)
    return None
