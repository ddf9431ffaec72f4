"""Number normalisation both ways: 八月份 <-> 8月, 三十名 <-> 30名, 二〇二六年 <-> 2026年.

Speech recognisers write numbers in Chinese characters; documents mostly use digits for dates and
counts. Only numbers followed by a calendar or counting unit are converted, so words such as
一些, 统一, 一府一委两院 or 第十四届 stay as they are.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"

CALENDAR_UNITS = ("月份", "月", "日", "号", "年")
COUNT_UNITS = ("个月", "名", "人", "件", "次", "项", "位", "天", "元", "岁", "周", "条建议", "个工作日")
_UNIT_ALT = "|".join(sorted(CALENDAR_UNITS + COUNT_UNITS, key=len, reverse=True))
_CN_NUM = re.compile(rf"(?<![第{_CN}])([{_CN}]+)(?={_UNIT_ALT})")
_PERCENT = re.compile(rf"百分之([{_CN}点]+)")
_AR_NUM = re.compile(rf"(?<![第\d.])(\d+)(?={_UNIT_ALT})")
_DIGIT_CN = "〇一二三四五六七八九"


def parse_cn_int(s: str) -> int | None:
    """'三十' -> 30, '一百二十' -> 120, '二〇二六' -> 2026 (digit by digit), '两万' -> 20000."""
    if not s or any(ch not in _CN for ch in s):
        return None
    if all(ch in _DIGITS for ch in s):
        if len(s) == 1:
            return _DIGITS[s]
        return int("".join(str(_DIGITS[ch]) for ch in s))  # 二〇二六, read digit by digit
    total, section, number = 0, 0, 0
    for ch in s:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            section += (number or 1) * _UNITS[ch]  # 十五 = 15: a leading 十 means 一十
            number = 0
        elif ch in _BIG:
            total += (section + number) * _BIG[ch]
            section, number = 0, 0
    return total + section + number


def int_to_cn(n: int) -> str:
    """30 -> '三十', 15 -> '十五', 120 -> '一百二十', 20000 -> '两万' written '二万'."""
    if n == 0:
        return "零"
    if n >= 100_000_000:
        hi, lo = divmod(n, 100_000_000)
        return int_to_cn(hi) + "亿" + (("零" if lo < 10_000_000 else "") + int_to_cn(lo) if lo else "")
    if n >= 10_000:
        hi, lo = divmod(n, 10_000)
        return int_to_cn(hi) + "万" + (("零" if lo < 1000 else "") + int_to_cn(lo) if lo else "")
    out = []
    digits = "零一二三四五六七八九"
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out.append("零")
            out.append(digits[d] + unit)
            zero = False
        elif out:
            zero = True
    s = "".join(out)
    return s[1:] if s.startswith("一十") else s


def cn_to_arabic(text: str) -> str:
    """Chinese numbers before units become digits: 八月份 -> 8月, 三十名 -> 30名."""

    def repl(m: re.Match) -> str:
        num = m.group(1)
        unit_start = m.end()
        unit = text[unit_start : unit_start + 2]
        if num in {"一", "两", "幺"} and not unit.startswith(("月", "日", "号")):
            return num  # 一人一函, 两名: keep idioms and small counts in words
        value = parse_cn_int(num)
        return str(value) if value is not None else num

    out = _CN_NUM.sub(repl, text)
    out = re.sub(r"(\d+)月份", r"\1月", out)
    out = _PERCENT.sub(lambda m: _percent(m.group(1)), out)
    return out


def _percent(s: str) -> str:
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = parse_cn_int(whole) if whole else 0
        f = "".join(str(_DIGITS.get(ch, "")) for ch in frac)
        return f"{w}.{f}%" if w is not None else "百分之" + s
    v = parse_cn_int(s)
    return f"{v}%" if v is not None else "百分之" + s


def arabic_to_cn(text: str) -> str:
    """Digits before units become Chinese: 8月 -> 八月, 30名 -> 三十名, 2026年 -> 二〇二六年."""

    def repl(m: re.Match) -> str:
        digits = m.group(1)
        unit = text[m.end() : m.end() + 1]
        if unit == "年" and len(digits) == 4:
            return "".join(_DIGIT_CN[int(d)] for d in digits)
        return int_to_cn(int(digits))

    return _AR_NUM.sub(repl, text)


def variants(text: str) -> list[str]:
    """The text with numbers in each form (original first, duplicates removed)."""
    out: list[str] = []
    for v in (text, cn_to_arabic(text), arabic_to_cn(text)):
        if v not in out:
            out.append(v)
    return out


_AR_SPAN = re.compile(rf"(?<![第\d.])\d+(?:{_UNIT_ALT})")


def search_text(text: str) -> str:
    """``text`` (digits form) followed by the Chinese form of each number, for keyword search:
    '30名以上代表联名' -> '30名以上代表联名 三十名'. Laws write 三十名, schedules write 8月."""
    arabic = cn_to_arabic(text)
    extra = []
    for m in _AR_SPAN.finditer(arabic):
        cn = arabic_to_cn(m.group(0))
        if cn != m.group(0) and cn not in extra:
            extra.append(cn)
    return " ".join([arabic, *extra])
