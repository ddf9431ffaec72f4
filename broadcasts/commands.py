"""The staff commands' arguments: audiences (全体, 代表团:…, 名单:2,6), send times (@2026-03-05 08:30), profiles."""

from __future__ import annotations

import re
from datetime import UTC, datetime


from storage.clock import BEIJING

from broadcasts import audience as aud
from broadcasts import service


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
