"""Homophone slips of a pinyin keyboard in the procedure words deputies type (“提以案”, “罢勉”, “霸免”).

The phone's input method offers several characters for one syllable; a wrong pick gives a pair no dictionary
knows, which neither BM25 nor the procedure prior (``ranking.OBJECTS``) then recognises. A pair is read as the
procedure word only when it sounds exactly the same (tones aside), differs in one character, is no dictionary
word itself and overlaps no dictionary word of the question (以案释法 and 同意|案件 stay).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from .tokenize import dictionary_words, in_dictionary

# Two-character words of procedure and office that a question turns on.
PROCEDURE_WORDS = ("议案", "罢免", "质询", "询问", "辞职", "预算", "决算", "视察", "列席", "选区", "选民", "补选", "述职",
                   "督办", "交办", "联名", "提名", "任免", "代表", "人大",
                   # … and of the schedule questions asked on the move (“宁厦8约份有啥安牌”, round 13)
                   "安排", "月份", "宁夏")


# The pair must also read as the word where it stands: after a verb or modal (“想罢勉”“提以案”) or before a particle,
# a function word or the end (“罢勉一个部长”“提意案”); 以案谋私 and 以案促改 are idioms, not 议案.
_BEFORE = frozenset("提想要能被可去来该请交把对")
_AFTER = frozenset("的吗呢啊吧要需得怎该有是可能会了时后前和与或被给向在都也还就才必应多几一不么")


@lru_cache(maxsize=1)
def _sounding_like() -> dict[str, frozenset[str]]:
    """For each syllable of the procedure words, the characters with that reading (tones aside), from pypinyin's
    own table: looking characters up is far cheaper than converting every question to pinyin."""
    wanted = {lazy_pinyin(c, style=Style.NORMAL)[0] for w in PROCEDURE_WORDS for c in w}
    out: dict[str, set[str]] = {s: set() for s in wanted}
    for code, readings in pinyin_dict.items():
        for r in readings.split(","):
            plain = unicodedata.normalize("NFKD", r).encode("ascii", "ignore").decode()
            if plain in out:
                out[plain].add(chr(code))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _words_by_char() -> dict[tuple[str, str], tuple[str, ...]]:
    """(first character, second character) → the procedure words that pair could be a slip of."""
    like = _sounding_like()
    out: dict[tuple[str, str], list[str]] = {}
    for w in PROCEDURE_WORDS:
        a, b = (lazy_pinyin(c, style=Style.NORMAL)[0] for c in w)
        for x in like[a]:
            for y in like[b]:
                if (x, y) != (w[0], w[1]) and (x == w[0] or y == w[1]):  # one character slipped
                    out.setdefault((x, y), []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def fix_homophones(question: str) -> str:
    """The question with slipped procedure words put right; unchanged when there is none."""
    slips = _words_by_char()
    found = [(i, slips[(question[i], question[i + 1])]) for i in range(len(question) - 1)
             if (question[i], question[i + 1]) in slips]
    if not found:
        return question
    # where the question's dictionary words lie: a pair inside or across one (以案释法, 同意|案件) is that word's
    spans, at = [], 0
    for w in dictionary_words(question):
        if len(w) > 1 and in_dictionary(w):
            spans.append((at, at + len(w)))
        at += len(w)
    out = list(question)
    for i, words in found:
        pair = question[i:i + 2]
        if in_dictionary(pair) or any(a < i + 2 and i < b for a, b in spans):
            continue
        after = question[i + 2] if i + 2 < len(question) else ""
        # (a digit after it is a boundary too: “宁厦8月”)
        if not (i > 0 and question[i - 1] in _BEFORE) and after and after.isalnum() and not after.isdigit() \
                and after not in _AFTER:
            continue
        out[i:i + 2] = words[0]
    return "".join(out)
