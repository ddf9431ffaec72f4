"""What a legal document's title says about it: its rank in the hierarchy of norms, and its short names.

Both are read off the title alone, so they work for any corpus (the bundled laws, STARD, a PDF staff
upload) without extra metadata.
"""

from __future__ import annotations

import re

CONSTITUTION = "constitution"
LAW = "law"  # 法律 and NPC / NPCSC decisions
JUDICIAL = "judicial_interpretation"  # 最高人民法院 / 最高人民检察院
REGULATION = "regulation"  # 行政法规, 部门规章 (not told apart by title)
LOCAL = "local_regulation"  # 地方性法规, 自治条例, 地方政府规章
OTHER = "other"  # plans, briefings, anything that is not a legal norm

# Province-level names as they open local regulations' titles ("宁夏回族自治区……条例").
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "内蒙古", "广西", "西藏", "宁夏", "新疆",
)  # not 香港 / 澳门 / 台湾: national laws (基本法) and regulations open with them
_LOCAL = re.compile(rf"^(?:{'|'.join(PROVINCES)})|^\S{{1,6}}?(?:省|自治区|自治州|自治县)|^\S{{1,5}}市人民代表大会")
_VERSION = re.compile(r"(?:[（(]\s*\d{4}(?:[-年.]\d{1,2}[-月.]\d{1,2}日?|年)?\s*[)）]\s*)+$")
_PRC = "中华人民共和国"


def base_title(title: str) -> str:
    """The title without its version date and the 中华人民共和国 prefix."""
    t = _VERSION.sub("", re.sub(r"\s|《|》", "", title))
    return t[len(_PRC):] if t.startswith(_PRC) else t


def is_local(title: str, history: str = "") -> bool:
    """A document of a province, region or city (its rules, and its plans and schedules as well):
    宁夏回族自治区人大常委会2026年度代表工作安排表, 北京市…条例."""
    national = re.sub(r"\s|《|》", "", title).startswith(_PRC)
    return (bool(_LOCAL.search(base_title(title))) and not national) or legal_level(title, history) == LOCAL


def legal_level(title: str, history: str = "") -> str:
    """``history``: the amendment history a law file carries above its text; a norm adopted by a local
    congress is a local rule even when its title names no place (北京市's 《关于议案的若干暂行规定》)."""
    level = _level_from_title(title)
    if level in (REGULATION, OTHER) and enacting_place(history):
        return LOCAL
    return level


def _level_from_title(title: str) -> str:
    t = re.sub(r"[（(][^）)]{1,6}[)）]$", "", base_title(title))  # （试行）, （一）
    if not t:
        return OTHER
    if t.startswith("宪法"):
        return CONSTITUTION
    if t.startswith(("最高人民法院", "最高人民检察院", "人民检察院")) or re.match(r"关于.*(审理|适用|办理).*解释$", t):
        return JUDICIAL
    if t.startswith("全国人民代表大会"):
        return LAW
    norm = re.search(r"(条例|规定|办法|细则|规则|决定|法典?)$", t)
    national = re.sub(r"\s|《|》", "", title).startswith(_PRC)  # 中华人民共和国海南自由贸易港法 is a national law
    if _LOCAL.search(t) and not national:
        return LOCAL if norm else OTHER
    if not norm:
        return OTHER
    return LAW if norm.group(1) in ("法", "法典", "决定") else REGULATION


def place_of(title: str, history: str = "") -> str | None:
    """The province or city a local norm belongs to, as people name it (浙江省…规定 → 浙江)."""
    if legal_level(title, history) != LOCAL:
        return None
    m = _LOCAL.search(base_title(title)) if _level_from_title(title) == LOCAL else None
    return _place_name(m.group(0)) if m else enacting_place(history)


# “1983年3月16日 北京市第八届人民代表大会第一次会议通过”: adopted by a local congress or its standing committee
_LOCAL_ADOPTION = re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日\s*(\S{2,12}?(?:省|市|自治区|自治州|自治县))第\S{1,4}届人民代表大会")


def enacting_place(history: str) -> str | None:
    """The place whose local congress adopted a norm, read off the first line of its amendment history."""
    m = _LOCAL_ADOPTION.match(history or "")
    return _place_name(m.group(1)) if m else None


def _place_name(prefix: str) -> str | None:
    return re.sub(r"(?:省|市|自治区|自治州|自治县|人民代表大会)+$", "", prefix) or None


def short_names(title: str) -> set[str]:
    """Names people use for a law: 中华人民共和国代表法 → {代表法}, and 人大 / 常委会 abbreviations.

    ``全国人民代表大会和地方各级人民代表大会代表法`` is called 代表法 (and 选举法, 组织法 likewise):
    the part after ``……人民代表大会`` is the name in everyday use when it is itself a name (≥ 3 chars).
    """
    t = base_title(title)
    if len(t) < 3:
        return set()
    names = {t}
    m = re.search(r"人民代表大会(?:常务委员会)?([^人的]{2,12}(?:法|条例|规则))$", t)
    if m and len(m.group(1)) >= 3 and not m.group(1).startswith(("关于", "议事", "常务")):
        names.add(m.group(1))
    for n in list(names):
        names.add(n.replace("人民代表大会", "人大").replace("常务委员会", "常委会"))
    return {n for n in names if len(n) >= 3}
