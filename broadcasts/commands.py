"""The staff commands' arguments: audiences (全体, 代表团:…, 名单:2,6), send times (@2026-03-05 08:30), profiles."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Sequence


from corpus.numbers import parse_cn_int
from storage.clock import BEIJING, utcnow
from storage.schedule import parse_day
from suggestions.status import beijing_day

from broadcasts import audience as aud
from broadcasts import service
from broadcasts.consultation import ConsultationError
from broadcasts.reminders import DEFAULT_START, parse_time_of_day


USAGE = ("用法：只发送 /broadcast，按提示一步步选择范围、填写内容和时间；或一次写全：\n"
         "/broadcast 范围 [@YYYY-MM-DD HH:MM] 通知内容\n"
         "范围：全体 | 代表团:名称 | 委员会:名称 | 层级:全国/省/市/县/乡 | 标签:名称 | 名单:用户编号,用户编号\n"
         "定时（北京时间）也可写 @明天 8:30、@明天上午9点、@12月5日 14:30、@下周一 9:00、@今晚8点；不写 @ 即确认后立即发送。\n"
         "例：/broadcast 代表团:广东代表团 @2026-03-05 08:30 请于九点前到驻地大厅集合。\n"
         "带附件：先上传文件（PDF/DOCX 等），再回复该文件发送 /broadcast 范围 说明文字；"
         "附件随通知发出，并收入资料库供代表提问。")
_KIND_WORDS = {"代表团": "delegation", "委员会": "committee", "层级": "level", "标签": "tag", "名单": "list"}
# A list's ids may be written with spaces around the commas ("名单:2, 6"): one audience word.
_LIST_WORD = re.compile(r"^名单\s*[:：]\s*\d+(?:\s*[,，、]\s*\d+)*")


def split_audience(rest: str) -> tuple[str, str]:
    """"名单:2, 6 @… 内容" → ("名单:2,6", "@… 内容"); otherwise the first word and the rest."""
    rest = rest.strip()
    m = _LIST_WORD.match(rest)
    if m:
        return re.sub(r"\s+", "", m.group(0)), rest[m.end():].strip()
    word, _, tail = rest.partition(" ") if " " in rest else rest.partition("\n")
    return word, tail.strip()


def broadcast_number(args: list[str] | None) -> int | None:
    """"2" or "#2" (as /bcreport lists them) → 2."""
    word = (args or [""])[0].lstrip("#＃")
    return int(word) if word.isdigit() else None


def parse_audience(word: str) -> aud.AudienceSpec:
    if word in ("全体", "全部", "all"):
        return aud.AudienceSpec()
    kind, _, value = word.partition(":") if ":" in word else word.partition("：")
    if kind not in _KIND_WORDS:
        raise aud.AudienceError(f"无法识别接收范围“{word}”。\n{USAGE}")
    if _KIND_WORDS[kind] == "list":
        try:
            ids = tuple(dict.fromkeys(int(x) for x in re.split(r"[,，、]", value) if x.strip()))
        except ValueError as e:
            raise aud.AudienceError("名单应为以逗号分隔的用户编号，例如 名单:3,8,15") from e
        return aud.AudienceSpec("list", user_ids=ids)
    return aud.AudienceSpec(_KIND_WORDS[kind], value.strip())


WHEN_HINT = ("定时格式：{at}2026-12-05 14:30，或 {at}明天 8:30、{at}明天上午9点、{at}12月5日 14:30、{at}下周一 9:00、"
             "{at}今晚8点（北京时间；只写日期按 09:00）")
DEFAULT_SEND = DEFAULT_START  # a send time given as a day only: 09:00 Beijing, as an event without a time
# The day words people lead a time with: 今晚8点 = 今天 晚上8点.
_DAY_PART = {"今晚": "今天晚上", "今夜": "今天晚上", "今早": "今天早上", "今晨": "今天早上", "明晚": "明天晚上",
             "明早": "明天早上", "明晨": "明天早上", "昨晚": "昨天晚上"}
_PAST_DAYS = {"昨天": 1, "昨日": 1, "前天": 2}
_CN_DATE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]{1,3}(?=[月日号])")
# What reads as an attempt at a time ("@明天下午", "@周末", "@3号", "@下个月"): refused, never sent as text.
_TIMEISH = re.compile(r"^(?:\d|[零〇一二两三四五六七八九十]+[点时月号日天周]|[今明昨][天日晚早晨夜]|前天|大?后天"
                      r"|[上下本这]{1,2}(?:周|星期|礼拜|个?月)|周[一二三四五六日天末]|星期|礼拜"
                      r"|凌晨|早上|早晨|上午|中午|下午|晚上|傍晚|月[初中底末]|年[初底])")


def _day(word: str, today: date) -> date | None:
    """The day a send-time word names (Beijing calendar), as /consult deadlines read them (deadline_day: 明天, 下周一,
    12月5日, 2026-12-05, 3天后…), plus 十二月五日, 12月5号 and the past days 昨天/前天 (to be refused as past)."""
    w = _CN_DATE_NUMBER.sub(lambda m: str(parse_cn_int(m.group(0))), word).replace("号", "日")
    if w in _PAST_DAYS:
        return today - timedelta(days=_PAST_DAYS[w])
    return deadline_day(w, today)


def _read(expr: str, today: date) -> tuple[date | None, time | None] | None:
    """"明天上午9点" / "12月5日14:30" / "今晚8点" / "下周一" / "8:30" (no spaces) → (day, time of day), either may
    be None (not written); None when it is not a day and/or a time of day."""
    for short, long in _DAY_PART.items():
        if expr.startswith(short):
            expr = long + expr[len(short):]
    for i in range(len(expr) + 1):
        head, tail = expr[:i], expr[i:]
        day = _day(head, today) if head else None
        if head and day is None:
            continue
        at = parse_time_of_day(tail) if tail else None
        if tail and at is None:
            continue
        return day, at
    return None


def read_day(words: Sequence[str], today: date) -> tuple[date, time | None, int] | None:
    """The day (and time of day) the first one or two words write as staff do (“明天 10:00”, “下周三 下午3点”,
    “12月8日15:00”): (day, time or None, words used), or None without a day. For /addevent, which shares
    /broadcast's words for days and times."""
    for n in (2, 1):
        if len(words) >= n and (read := _read("".join(words[:n]), today)) and read[0] is not None:
            return read[0], read[1], n
    return None


def read_when(expr: str, now: datetime | None = None, *, at_sign: str = "@") -> datetime:
    """A send time as staff write it (Beijing time) → naive UTC: "2026-12-05 14:30", "明天 8:30", "明天上午9点",
    "12月5日 14:30", "下周一 9:00", "今晚8点"; a day alone means 09:00 (refused if that has passed, with the
    hint to write the time), a time alone today. BroadcastError (shown as it is) when unreadable. A written
    time that has passed is returned: the callers refuse it, saying which time they read."""
    now = now or utcnow()
    today = now.replace(tzinfo=UTC).astimezone(BEIJING).date()
    words = expr.split()
    read = _read("".join(words), today) if 0 < len(words) <= 3 else None
    if read is None or read == (None, None):
        raise service.BroadcastError(f"无法识别发送时间“{at_sign}{' '.join(words)}”。" + WHEN_HINT.format(at=at_sign))
    day, at = read
    local = datetime.combine(day or today, at or DEFAULT_SEND, tzinfo=BEIJING)
    when = local.astimezone(UTC).replace(tzinfo=None)
    if at is None and when <= now:
        said = " ".join(words)
        passed = (f"“{said}”未写时间，按 09:00 发送，但今天的 09:00 已经过去" if day == today
                  else f"“{said}”（{day.year}年{day.month}月{day.day}日）已经过去")
        raise service.BroadcastError(f"{passed}，请写一个将来的时间。" + WHEN_HINT.format(at=at_sign))
    return when


def parse_when(text: str, now: datetime | None = None) -> tuple[datetime | None, str]:
    """"@2026-03-05 08:30 rest", "@明天 8:30 rest", "@今晚8点 rest" (Beijing time) -> (naive UTC, rest).
    Without a leading "@" (or "@" and a word that is no time, "@各位代表") the text is all content: (None, text).
    An "@" followed by a time-like word that cannot be read is refused (BroadcastError), never sent as text."""
    if not text.startswith(("@", "＠")):  # a Chinese keyboard's full-width ＠ too
        return None, text
    body = text[1:].lstrip()
    m = re.match(r"(\S+)(?:\s+(\S+))?", body)
    if m is None or not _TIMEISH.match(m.group(1)):
        return None, text
    first, second = m.group(1), m.group(2)
    now = now or utcnow()
    today = now.replace(tzinfo=UTC).astimezone(BEIJING).date()
    read = _read(first, today)
    # "@明天 8:30 内容", "@明早 7:30 内容": the second word belongs to the time only when it is a time of day
    # and the first word is no time of its own (a day, or a day and a part of it)
    if second is not None and (read is None or read[1] is None) and parse_time_of_day(second) \
            and _read(first + second, today) is not None:
        return read_when(f"{first} {second}", now), body[m.end():].lstrip()
    if read is None and (cut := _timed_prefix(first, today)):  # “@明天8:30请各位代表…”: no space after the time
        return read_when(first[:cut], now), body[cut:].lstrip()
    return read_when(first, now), body[m.end(1):].lstrip()


def _timed_prefix(word: str, today: date) -> int | None:
    """Length of the longest head of ``word`` that is a day and a written time of day (“明天8:30” of
    “明天8:30请…”), the text running on without a space. A day alone (“今天下午的会议…”) is too ambiguous."""
    for i in range(len(word) - 1, 0, -1):
        if word[i].isdigit() or word[i] in ":：点时分半钟刻整":
            continue  # never cut inside the time itself
        read = _read(word[:i], today)
        if read is not None and read[1] is not None:
            return i
    return None


LEVELS = ("全国", "省", "市", "县", "乡")
PROFILE_USAGE = ("用法：/profile 用户编号 [层级:全国/省/市/县/乡] [标签:名称,名称]\n"
                 "例：/profile 12 层级:省 标签:教育,农业农村（标签:无 清空标签）")


def parse_profile(args: list[str]) -> tuple[int, str | None, list[str] | None]:
    """["12", "层级:省", "标签:教育,医疗"] -> (12, "省", ["教育", "医疗"]); unset parts are None."""
    if not args or not args[0].isdigit() or len(args) == 1:
        raise aud.AudienceError(PROFILE_USAGE)
    level, tags = None, None
    for word in args[1:]:
        key, _, value = word.replace("：", ":").partition(":")
        if key == "层级" and value in LEVELS:
            level = value
        elif key == "标签" and value:
            tags = [] if value == "无" else [t for t in re.split(r"[,，、]", value) if t.strip()]
        else:
            raise aud.AudienceError(f"无法识别“{word}”。\n{PROFILE_USAGE}")
    return int(args[0]), level, tags


# ---- /consult deadlines -------------------------------------------------------------------------------------

DEADLINE_HINT = "无法识别截止日期“{word}”，请写成 2026-03-20、3月20日、明天、下周五或 10天后。"
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEK_WORD = re.compile(r"^(下下|下|本|这)?(?:周|星期|礼拜)([一二三四五六日天])$")
_DAYS_LATER = re.compile(r"^(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*天(?:后|以后|之后)$")
def deadline_day(word: str, today: date) -> date | None:
    """The day a /consult deadline names, Beijing calendar: the dates /addevent reads (2026-03-20, 2026年3月20日,
    3月20日, 3-20) and 今天/明天/后天/大后天, 下周五 (Friday of next week), 本周五, 周五 (the coming Friday, today
    included), 10天后/三天后. None when unreadable."""
    w = re.sub(r"\s+", "", word)
    if w in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[w])
    m = _WEEK_WORD.match(w)
    if m:
        which, target = m.group(1), _WEEKDAY[m.group(2)]
        monday = today - timedelta(days=today.weekday())
        if which in ("下", "下下"):
            return monday + timedelta(days=7 * len(which) + target)
        if which in ("本", "这"):
            return monday + timedelta(days=target)
        return today + timedelta(days=(target - today.weekday()) % 7)
    m = _DAYS_LATER.match(w)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else parse_cn_int(m.group(1))
        return today + timedelta(days=n) if n is not None and 0 < n <= 366 else None
    return parse_day(w, today)


def parse_deadline(word: str, now: datetime | None = None) -> datetime:
    """A /consult deadline word → naive UTC of 23:59 Beijing time on that day. ConsultationError (shown to the
    user as it is) when unreadable or already past."""
    now = now or utcnow()
    today = now.replace(tzinfo=UTC).astimezone(BEIJING).date()
    day = deadline_day(word, today)
    if day is None:
        raise ConsultationError(DEADLINE_HINT.format(word=word))
    deadline = datetime(day.year, day.month, day.day, 23, 59, tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)
    if deadline <= now:
        raise ConsultationError(f"截止时间 {beijing_day(deadline)} 已经过去，请写一个将来的日期。")
    return deadline
