"""Figures that contradict themselves inside one sentence: “从15%下降到18%”, “由3.2万人增加到2.8万人”.

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
