"""The staff commands' arguments: audiences (全体, 代表团:…, 名单:2,6), send times (@2026-03-05 08:30), profiles."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta


from corpus.numbers import parse_cn_int
from storage.clock import BEIJING, utcnow
from storage.schedule import parse_day
from suggestions.status import beijing_day

from broadcasts import audience as aud
from broadcasts import service
from broadcasts.consultation import ConsultationError


USAGE = ("用法：只发送 /broadcast，按提示一步步选择范围、填写内容和时间；或一次写全：\n"
         "/broadcast 范围 [@YYYY-MM-DD HH:MM] 通知内容\n"
         "范围：全体 | 代表团:名称 | 委员会:名称 | 层级:全国/省/市/县/乡 | 标签:名称 | 名单:用户编号,用户编号\n"
         "例：/broadcast 代表团:广东代表团 @2026-03-05 08:30 请于九点前到驻地大厅集合。\n"
         "带附件：先上传文件（PDF/DOCX 等），再回复该文件发送 /broadcast 范围 说明文字；"
         "附件随通知发出，并收入资料库供代表提问。")
_KIND_WORDS = {"代表团": "delegation", "委员会": "committee", "层级": "level", "标签": "tag", "名单": "list"}
_AT = re.compile(r"^@(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s+(\d{1,2})[:：](\d{2})\s*")
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


def parse_when(text: str) -> tuple[datetime | None, str]:
    """"@2026-03-05 08:30 rest" (Beijing time) -> (naive UTC, rest)."""
    m = _AT.match(text)
    if not m:
        if re.match(r"^@\s*\d", text):  # meant as a time but unreadable: never sent as part of the text
            raise service.BroadcastError("定时格式应为 @年-月-日 时:分，例如 @2026-03-05 08:30")
        return None, text
    try:
        local = datetime(*(int(g) for g in m.groups()), tzinfo=BEIJING)
    except ValueError as e:
        raise service.BroadcastError("定时格式应为 @年-月-日 时:分，例如 @2026-03-05 08:30") from e
    return local.astimezone(UTC).replace(tzinfo=None), text[m.end():]


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
