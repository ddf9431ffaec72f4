"""Blanks left in a draft written from a template: XX市, ××区, X.X平方米, ××万元, 联系电话：××××××××.

Only marks that stand for nothing: not a letter X that is part of real text (X光, X射线, iPhone X, XXL, Roman XIV,
“1+X”证书), not the multiplication sign (7×24小时), not 〇 in a year (二〇〇八年). A short name pattern in quotes
(“XX乡村”, “XX工程”: the family of 美丽乡村、文明乡村) is not a blank either.
"""

from __future__ import annotations

import re

# What follows a blank and belongs in its quote: a place, a unit, an amount (××万元, XX个, X月).
_UNIT = (r"(?:万元|亿元|千元|平方米|平方公里|公里|街道|社区|万人|万亩|亿|万|元|个|名|人|户|家|所|座|条|项|次|亩|米|岁"
         r"|省|市|县|区|镇|乡|村|路|街|号|年|月|日|天|周|%|％)")
_BLANK = re.compile(
    # 20XX年, X.X, XX, xx, ＸＸ: no letter on either side (XXL, XIV, iPhone X are real text)
    r"(?<![A-Za-zＡ-Ｚａ-ｚ])(?:\d{2}[XxＸｘ]{2}(?=年)|[XxＸｘ](?:[.．][XxＸｘ])+|[XxＸｘ]{2,})(?![A-Za-zＡ-Ｚａ-ｚ])"
    # a lone X before a unit (X月底, X个); not X光, X射线, 1+X
    r"|(?<![A-Za-zＡ-Ｚａ-ｚ0-9+＋])[XxＸｘ](?=" + _UNIT + r")"
    # ××, ×××, ＊＊; a lone × only away from digits (7×24 multiplies)
    r"|[×✕＊*]{2,}|(?<![\d\s])×(?![\d\s])"
    r"|[○◯]{2,}|(?<![零一二三四五六七八九十〇])〇{2,}(?![零一二三四五六七八九十〇年])"
    r"|[_＿]{3,}"
    r"|[【\[（(]\s*(?:待补充|待填写?|请填写|此处[^】\]）)]{0,10})\s*[】\]）)]"
)
# “XX乡村”: a quoted name pattern, two to eight characters in all
_QUOTED_PATTERN = re.compile(r"“[^“”]{0,2}$")
_QUOTED_PATTERN_END = re.compile(r"^[^“”]{0,6}”")
_ROMAN_CENTURY = re.compile(r"^世纪")
# A number masked in its middle (138XXXX6688, 6401****1234: a phone or ID number shown without its middle digits) is
# filled in and deliberately hidden, not a blank: digits on both sides.
_MASKED_NUMBER = (re.compile(r"\d{2,}$"), re.compile(r"^\d{2,}"))


def placeholders(text: str) -> list[str]:
    """The blanks in ``text`` with the unit they stand before (“××万元”, “XX市”, “X.X”), in order, each once."""
    out: list[str] = []
    for m in _BLANK.finditer(text or ""):
        before, after = text[max(0, m.start() - 3):m.start()], text[m.end():m.end() + 8]
        if _QUOTED_PATTERN.search(before) and _QUOTED_PATTERN_END.match(after):
            continue  # “XX乡村”
        if m.group(0) == "XX" and _ROMAN_CENTURY.match(after):
            continue  # XX世纪: Roman 20
        if _MASKED_NUMBER[0].search(text[:m.start()]) and _MASKED_NUMBER[1].match(text[m.end():]):
            continue  # 138XXXX6688
        unit = re.match(_UNIT, after)
        quote = m.group(0) + (unit.group(0) if unit else "")
        if quote not in out:
            out.append(quote)
    return out
