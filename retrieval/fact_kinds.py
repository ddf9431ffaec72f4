"""The kind of fact a question asks for (a count, an amount, a span of time, a day, a figure, an office holder), and
whether the sentences an answer would be taken from hold one.

The nearest sentence of a knowledge base always reads as an answer; for these questions it often says nothing
about what was asked (“人大代表每个月工资多少钱” → a plan item on 代表履职补贴 without a sum). The composer then
declines, or answers with a caveat, and says why (``Verdict.note``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpus.numbers import search_text

from .tokenize import tagged

# a count or a share; not an article number (第十条), a date (2025年3月11日) nor a session (十四届全国人大四次会议)
QUANTITY = re.compile(r"(?<![第\d年月“.零〇一二三四五六七八九十百千万亿两大届])(?:[零〇一二三四五六七八九十百千万亿两]+|\d{1,3}(?:\.\d+)?)(?![\d.])"
                      r"(?:分之[一二三四五六七八九十]+|[个名位人次票天周成年日期件元块万亿户]|个月|分钟|小时|以上|以下|以内)"
                      r"|(?<![\d.])\d{4,}(?:\.\d+)?(?:[个名位人次件元块万亿户]|余|多)|过半数|半数")
# a span of months (“4月至9月，专门委员会…开展督办工作”)
SPAN = re.compile(r"\d{1,2}月(?:[上中下]旬)?(?:至|到|—|－|-)\d{1,2}月")
# A count (“一共有多少人”“每个月工资多少钱”“开几次会”) that no considered sentence holds is not answered: the
# nearest sentence would be answered with confidence but say nothing about the number.
# (round 12: “议案要多少代表联名才能提” was answered by a plan item on 沟通联系, with no number)
# 好几个: several; “多拿几个项目”: more of them, not how many
_ASKS_COUNT = re.compile(r"多少(?:钱|元|人|名|个|位|次|期|件|代表|委员|选民|票)|(?<!多.)(?<![多近这那前哪第好])几[个名位人次期件](?!月)")
# … and an amount of money (“补贴能拿多少钱”) is not answered by a count of anything else (“过半数”“十人以上”).
_ASKS_MONEY = re.compile(r"多少钱|多少元|几块钱|几元|多少万(?:元|块)?(?![人名个户位件余])")
_MONEY = re.compile(r"(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十百千万亿两]+)(?:元|块|万元|亿元)|标准|数额|金额")
# Likewise a question for a number of days or years or how long (“离婚冷静期是多少天”“多久答复”“集中视察多长时间”)
# that no considered sentence answers with a span of time; not how often (“多久开一次会”: “每年”“每两个月”).
_ASKS_DAYS = re.compile(r"多少(?:个工作日|个月|天|日|年|周)|(?<![近这那前哪第])几(?:个工作日|个月|天|日|年|周)(?![前后])"
                        r"|(?:多长时间|多久|多少时间)(?:之?内|(?![^，。？?]{0,4}一次))|期限")  # how long, not how often
# 〇 is left out: it writes years (二〇二五年), not spans; 周岁 is an age; after 年 only “每年二十天”“一年十五天”
_TIME_SPAN = re.compile(r"(?<![第\d月“.零〇一二三四五六七八九十百千两])(?<!(?<![每一])年)(?:[零一二三四五六七八九十百千两]+|\d{1,3})"
                         r"(?:个工作日|个月|工作日|日|天|年|个小时|小时|分钟|秒|个星期|星期|周(?!岁))")
# “宁夏人大常委会主任是谁”“谁是县长”: laws and work plans name offices, not the people holding them; answered only
# when a considered sentence says who holds the office asked about (an uploaded notice: “李飞跃当选为…主任”). Not
# “是谁任命的”, nor “…的负责人是谁”, which a schedule row's 承办单位 answers.
_OFFICE = (r"(?:主任委员|副主任|主任|副主席|主席|委员长|总理|副书记|书记|支书|副省长|省长|副市长|市长|州长|副县长|县长|区长|乡长|镇长"
           r"|局长|厅长|部长|院长|检察长|秘书长|站长)")
_ASKS_PERSON = re.compile(rf"^(?:请问)?谁是[^，。？?]{{0,24}}?(?P<a>{_OFFICE})"
                          rf"|(?P<b>{_OFFICE})(?:现在|目前|现任)?(?:是谁|叫什么名字|叫什么|叫啥名?字?|是哪一?位)"
                          r"[啊呀呢吗哈？?。！!\s]*(?:谢谢|多谢)?[啊呀呢吗哈？?。！!\s]*$")
_APPOINTED = re.compile(r"当选为|当选|任命|担任|出任|兼任|任职|为.{0,20}?(?:主任|主席|长)")
# “…几号开幕”“哪天召开”: a day, which plans by month and laws mostly do not give. Not “第几号主席令”, “几号文件”.
_ASKS_DAY = re.compile(r"(?<!第)几号(?!文件|令|楼|线|车|门|窗口|字)|哪一?天|几月几[日号]|具体日期|什么日子")
_DAY = re.compile(r"月\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]|之日|日期|季度|每[年月]|每两个月|\d{1,2}月[上中下]旬"
                  r"|(?:周|星期|礼拜)[一二三四五六日天](?![年岁次回遍个])|节假日|双休日|周末")  # “每周三下午值班”
_MONTH = re.compile(r"(?<!\d)(?:1[0-2]|[1-9])月|[一二三四五六七八九十]{1,2}月")
# “…标准是多少”“财政收入是多少”“今年涨了多少”: a figure, which only a sentence holding one answers; a sentence that is
# close (FIGURE_CLOSE) and states the rule (“由本级财政给予适当补贴”) is answered with a caveat.
_ASKS_FIGURE = re.compile(r"(?:是|有|为|涨了?|增长了?|达到|提高了?|降了?|定为?|需要|给)多少[？?啊呀呢吗\s]*$|多少岁|多少[%％]"
                          r"|百分之多少|[率额]多少")
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之|分之")
_ASKS_RATE = re.compile(r"率(?:是|有|为)?多少|比例(?:是|有|为)?多少|百分之多少|多少[%％]|占比多少|占多少比例")
FIGURE_CLOSE = 0.89  # above the everyday “是多少” questions' best sentences on bench/answers.py (0.866–0.888)

# “交办会在北京哪个会场开”“学习班在哪里办”“住哪个酒店”: a place, which plans and laws mostly do not give; answered only by
# a sentence that names one (a place name, 地点, 会场…).
# “视察去哪些地方” asks where; not “建议交到哪里”“去哪提交”, which a body answers (常务委员会, 主席团)
_ASKS_PLACE = re.compile(r"在哪里|在哪儿|在哪(?:开|办|举行|召开|举办)|哪个(?:会场|酒店|宾馆|地方|城市|场馆)|什么地方|什么地点|地点在哪"
                         r"|[去到]哪些(?:地方|地点|城市)")
# a room or floor of a building names a venue too (“在自治区人大常委会机关3楼会议室召开代表座谈会”: a notice a tester
# asked “在哪开” about had been declined)
_PLACE_WORD = re.compile(r"地点|会场|场所|宾馆|酒店|驻地|所在地|会议室|礼堂|会堂|报告厅|多功能厅|大厦|号楼|[\d一二三四五六七八九十]+(?:楼|层)(?!次)")

# Why, in the user's words; ``reason`` codes are what callers test (the CLI's hint to index the laws).
NOTES = {
    "person": "资料中没有具体人员的任职信息。",
    "year": "资料中没有{years}年的内容。",
    "day": "资料中没有写明具体日期。",
    "month_only": "资料只写明月份，没有具体日期。",
    "figure": "资料中没有写明这个数字。",
    "figure_rule": "资料中没有写明具体数字，相关规定如下。",
    "money": "资料中没有写明具体金额。",
    "span": "资料中没有写明期限或时长。",
    "unmentioned": "最接近的内容没有提到“{word}”。",
    "place": "资料中没有写明地点。",
    "when": "资料中没有写明具体时间，相关内容如下。",
    "vague": "问题太简短，请说得具体一些，例如“代表建议交办会在几月开？”。",
}
# An office holder, a year no document covers or a venue: no other index (the laws) would hold it either; nor
# would it answer a one-word question.
BEYOND_ANY_INDEX = frozenset({"person", "year", "place", "vague"})
# “工作”“会议”: a word or two is a topic, not a question; the nearest sentence would be answered with confidence
# (a new user's “工作” got a plan item on 宣传贯彻大会精神). The sources are still listed.
VAGUE_CHARS = 2
_NOT_CONTENT = re.compile(r"[^\w]|[吗呢吧啊呀么？?_]")


def too_vague(question: str) -> bool:
    """Not a month (“8月” asks for that month's schedule row)."""
    return len(_NOT_CONTENT.sub("", question)) <= VAGUE_CHARS and not _MONTH.search(question)


# the units a count question asks in, and the units a sentence may give it in (多少人 → “30名”)
_SAME_UNIT = {"人": "人名位", "名": "人名位", "位": "人名位", "代表": "人名位", "委员": "人名位", "选民": "人名位"}


def count_unit(question: str) -> str | None:
    """The units a count question asks for (“办几期” → “期”, “多少人” → “人名位”), or None when it asks none."""
    m = _ASKS_COUNT.search(question)
    if not m:
        return None
    unit = m.group().removeprefix("多少").removeprefix("几")
    return _SAME_UNIT.get(unit, unit) if unit in _SAME_UNIT or len(unit) == 1 else None


def gives_count(sentence: str, units: str) -> bool:
    """Does ``sentence`` hold a count in one of ``units`` (“举办5期代表专题学习班” for 期)?"""
    return any(m.group()[-1] in units for m in QUANTITY.finditer(sentence))


@dataclass(frozen=True)
class Verdict:
    reason: str  # a key of NOTES
    declined: bool  # no answer (True), or an answer with the note as a caveat (False)

    @property
    def note(self) -> str:
        return NOTES[self.reason]


def office_asked(question: str) -> str | None:
    m = _ASKS_PERSON.search(question)
    return (m.group("a") or m.group("b")) if m else None


@lru_cache(maxsize=4096)  # asked of each candidate twice: to rank it and to judge the answer
def names_holder(sentence: str, office: str) -> bool:
    """Does ``sentence`` say who holds ``office``: the office named with an appointment (“当选为…主任”) or a
    person's name (jieba's nr / nrfg / nrt)?"""
    if office not in sentence:
        return False
    if _APPOINTED.search(sentence):
        return True
    return any(flag.startswith("nr") and len(word) >= 2 for word, flag in tagged(sentence))


def judge(question: str, sentences: list[str], best: str, closeness: float) -> Verdict | None:
    """Why none of ``sentences`` (``best``, the one chosen, for a bare figure or a day) answers a question that asks
    for a particular kind of fact, or None when one may. ``closeness``: the chosen sentence's e5 cosine."""
    def held(pattern: re.Pattern) -> bool:
        return any(pattern.search(s) for s in sentences)

    # the chosen sentence must hold the count: some considered sentence always holds some number (“5期”“1.5万名”)
    if _ASKS_COUNT.search(question) and not QUANTITY.search(best):
        return Verdict("figure", True)
    if _ASKS_RATE.search(question) and not _FIGURE.search(best):  # “办结率是多少”: a share, not a count
        return Verdict("figure", True)
    if _ASKS_MONEY.search(question) and not held(_MONEY):
        return Verdict("money", True)
    if _ASKS_DAYS.search(question) and not any(_TIME_SPAN.search(s) or SPAN.search(search_text(s)) for s in sentences):
        return Verdict("span", True)
    if _ASKS_DAY.search(question) and not _DAY.search(best):
        # “交办会几号开”: “3月，召开…交办会” is still the answer, with a caveat
        return Verdict("month_only", False) if _MONTH.search(search_text(best)) else Verdict("day", True)
    # “报销标准是多少”: any sentence of three passages holds some number (“5期”); the chosen one must hold the figure
    if _ASKS_FIGURE.search(question) and not (QUANTITY.search(best) or _FIGURE.search(best)):
        return Verdict("figure_rule", False) if closeness >= FIGURE_CLOSE else Verdict("figure", True)
    if (office := office_asked(question)) and not any(names_holder(s, office) for s in sentences):
        return Verdict("person", True)
    if _ASKS_PLACE.search(question) and not names_place(best):
        return Verdict("place", True)
    return None


# “换届选举什么时候”: an answer that names no time (“做好换届选举指导工作”) is still given, with a caveat. A time is a
# month, day or season, or a moment of a procedure (会前, 闭会期间, 之日起); not 换届 or 年度 alone.
_ASKS_WHEN = re.compile(r"什么时候|啥时候|(?<!任)何时|什么时间|哪个时间|几时")  # not 任何时候
_WHEN = re.compile(r"(?<![第\d统])(?:\d{1,2}|[一二三四五六七八九十]{1,3})月|\d{1,2}日|\d{4}年|年[初底中]|[上下]半年|每年|每[两三]?个?月"
                   r"|季度|[上中下]旬|期间|(?:会议?|大会|闭会|开会|选举|换届|届满|审议|表决)(?:前|后|时|之前|以前|之后|以后)|之日|日起"
                   r"|届满|当天|当日|当年|次年|年内|月内|周[一二三四五六日](?![次回遍个])|星期[一二三四五六日天]|每周")


def asks_when(question: str) -> bool:
    return bool(_ASKS_WHEN.search(question))


def names_time(text: str) -> bool:
    """Does ``text`` (a sentence, or a schedule row's locator such as “8月”) say when?"""
    return bool(_WHEN.search(search_text(text)))


def names_place(sentence: str) -> bool:
    """Does ``sentence`` name a place (jieba's ns tag: 北京, 银川) or a venue (地点, 会场)?"""
    if _PLACE_WORD.search(sentence):
        return True
    return any(flag == "ns" and len(word) >= 2 for word, flag in tagged(sentence))
