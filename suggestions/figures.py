"""Figures that contradict themselves inside one sentence: “从15%下降到18%”, “由3.2万人增加到2.8万人”; and figures that
cannot be (“比去年下降了130%”, shares of one whole taking more than all of it) or that count one thing twice
differently (“我镇共有3个行政村卫生室” … “我镇5个村卫生室”).

A tester's draft said a rate fell from 15% to 18%; a reader (and the handling unit) stops trusting every other number
of such a draft. Only a change written with both ends and a direction is read, and both ends must be in the same unit,
so “从5元提高到6元” passes and “从5%提高到6个百分点” is not compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.numbers import parse_cn_int

_NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
_SCALE = r"(万|亿|千)?"
_UNIT = r"(%|％|个百分点|元|人|户|家|所|个|公里|亩|吨|天|小时|分钟|次|辆|张|床|万元|亿元)?"
_DOWN = "下降|降低|减少|下滑|回落|降|减|缩减|压缩|跌"
_UP = "上升|增加|提高|增长|提升|升|增|扩大|涨"
# a year or a date is a time, not an amount: “从2018年开始增长到12%”
_NOT_DATE = r"(?![\d.零〇一二两三四五六七八九十百千]|\s*[年月日号])"
# 从 / 由 A … 下降到 / 降至 B; at most a few characters between A and the verb (“从15%左右下降到…”)
_CHANGE = re.compile(
    rf"[从由]\s*{_NUM}{_NOT_DATE}\s*{_SCALE}\s*{_UNIT}(?:左右|以上|以下|多)?[^，。；;、\d]{{0,4}}?"
    rf"(?P<dir>{_DOWN}|{_UP})(?:了)?(?:到|至|为)\s*{_NUM}{_NOT_DATE}\s*{_SCALE}\s*{_UNIT}")
_MULT = {"万": 10_000, "亿": 100_000_000, "千": 1_000, None: 1, "": 1}


@dataclass(frozen=True)
class Contradiction:
    phrase: str  # as written: 从15%下降到18%
    direction: str  # 下降 / 增加 …


def _value(num: str, scale: str | None) -> float | None:
    v = float(num) if num[0].isdigit() else parse_cn_int(num)
    return None if v is None else v * _MULT[scale]


def contradictions(text: str) -> list[Contradiction]:
    """Changes whose ends go the other way from the verb between them."""
    out = []
    for m in _CHANGE.finditer(text):
        a_num, a_scale, a_unit, direction, b_num, b_scale, b_unit = m.groups()
        if a_unit and b_unit and a_unit != b_unit:
            continue  # 5% → 6个百分点: not the same measure (a unit written once, 从15下降到18%, is one)
        a, b = _value(a_num, a_scale), _value(b_num, b_scale)
        if a is None or b is None or a == b:
            continue
        down = re.fullmatch(_DOWN, direction) is not None
        if (down and b > a) or (not down and b < a):
            out.append(Contradiction(m.group(0), direction))
    return out


# -- figures that cannot be -------------------------------------------------------------------------------------------
# A count or an amount falls by at most 100% (to nothing): “比去年下降了130%”. Not a 增速 or a profit, which can turn
# negative (“净利润同比下降130%” is how a loss is reported), nor a level reached (“降至130%”, “下降到”).
_DECREASE = re.compile(r"(?:下降|降低|减少|下滑|回落|缩减|缩小|减|降|跌)(?:了|约|近|超过|逾|达到?|幅度(?:为|达|约)?|幅)?\s*"
                       r"(\d+(?:\.\d+)?)\s*[%％]")
_MAY_GO_NEGATIVE = re.compile(r"利润|盈利|净利|利税|收益率|增速|增长率|增幅|涨幅|差额|余额|顺差|逆差")


def impossible_decreases(text: str) -> list[str]:
    """Decreases of more than 100% (“下降了130%”), as written."""
    out = []
    for sent in re.split(r"[。；;！？!?\n]", text or ""):
        for m in _DECREASE.finditer(sent):
            if float(m.group(1)) > 100 and not _MAY_GO_NEGATIVE.search(sent[:m.start()]):
                out.append(m.group(0))
    return out


# Shares of one whole by groups written as ranges (“60岁以上的占72%，50至60岁的占45%”): groups that do not overlap
# cannot together be more than the whole. Overlapping groups (20M及以上 97.8%, 50M及以上 87.5%) and groups that are no
# ranges (a survey's several answers, GDP and loans) are not added up.
_RANGE = (r"(?:(?P<lo>\d+(?:\.\d+)?)[\u4e00-\u9fffA-Za-z]{0,2}(?:至|到|-|－|~|～)(?P<hi>\d+(?:\.\d+)?)"
          r"|(?P<above>\d+(?:\.\d+)?)[\u4e00-\u9fffA-Za-z]{0,2}?及?以上|(?P<below>\d+(?:\.\d+)?)[\u4e00-\u9fffA-Za-z]{0,2}?及?以下)")
_SHARE = re.compile(_RANGE + r"[\u4e00-\u9fffA-Za-z]{0,4}?的?(?:人员|人|者|户)?占(?:了|到|比)?(?:为|达到?)?\s*"
                    r"(?P<share>\d+(?:\.\d+)?)\s*[%％]")


@dataclass(frozen=True)
class Overfull:
    phrase: str  # 60岁以上的占72%，50至60岁的占45%
    total: float


def overfull_shares(text: str) -> list[Overfull]:
    """Sentences whose non-overlapping range groups take more than the whole (over 100.5%: rounding)."""
    out = []
    for sent in re.split(r"[。；;！？!?\n]", text or ""):
        groups = []
        for m in _SHARE.finditer(sent):
            if m.group("lo") is not None:
                lo, hi = float(m.group("lo")), float(m.group("hi"))
            elif m.group("above") is not None:
                lo, hi = float(m.group("above")), float("inf")
            else:
                lo, hi = float("-inf"), float(m.group("below"))
            groups.append((lo, hi, float(m.group("share")), m))
        if len(groups) < 2 or any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(groups) for b in groups[i + 1:]):
            continue
        total = sum(g[2] for g in groups)
        if total > 100.5:
            out.append(Overfull(sent[groups[0][3].start():groups[-1][3].end()], round(total, 1)))
    return out


# The same thing counted twice in one draft with two numbers: “我镇共有3个行政村卫生室” and later “我镇5个村卫生室”.
# Only a count that opens with its scope (我镇, 全县, 本市) and names what it counts, in sentences that say no time (a
# year, 去年, 目前, 新增…: counts of different years differ); one name ending the other (行政村卫生室, 村卫生室) is the
# same thing. On the 436 real proposals: none.
_COUNT = re.compile(r"(我|全|本)(省|市|县|区|镇|乡|村)(?:共有|共|现有|总共|有)?(\d+)(个|名|所|家|座|条|处|户)?"
                    r"([\u4e00-\u9fff]{2,8}?)(?=[，,。；;、的中和及与（(]|$)")
_TIME = re.compile(r"\d{4}年|去年|今年|前年|近\S{1,2}年|年底|年末|新增|增至|增加|减少|达到|截至|截止|以来|目前|现在")


@dataclass(frozen=True)
class CountConflict:
    first: str  # 我镇共有3个行政村卫生室
    second: str  # 我镇5个村卫生室


def count_conflicts(text: str) -> list[CountConflict]:
    seen: list[tuple[str, str, int, str]] = []
    out = []
    for sent in re.split(r"[。；;！？!?\n]", text or ""):
        for m in _COUNT.finditer(sent):
            if _TIME.search(sent[:m.start()]):
                continue
            scope, n, noun = m.group(1) + m.group(2), int(m.group(3)), m.group(5)
            for s0, noun0, n0, phrase0 in seen:
                if s0 == scope and n0 != n and (noun.endswith(noun0) or noun0.endswith(noun)):
                    out.append(CountConflict(phrase0, m.group(0)))
                    break
            seen.append((scope, noun, n, m.group(0)))
    return out
