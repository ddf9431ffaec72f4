"""摘要: an extractive summary of at most 150 characters that keeps the core demand.

The title says what the item is about; the demands live in the 具体建议 items. We keep the
title's core, then the most concrete demand sentences (in their original order) that fit.
"""

from __future__ import annotations

import re

from suggestions.text import GENERIC_TITLE, clip, measure_items, sentences, strip_item_mark
from suggestions.types import DraftContent
from suggestions.vocab import concrete_verbs, has_actor, vague_count

MAX_CHARS = 150
_DEMAND = re.compile(r"建议|应当|应该|应|要|须|需要|请求|尽快|加快|推动|推进|完善|建立|制定|出台|修改|设立")


# Closing formulas (“希望有关部门重视。”“以上建议妥否，请审议。”“以上建议，请予研究办理。”“特此建议。”) ask for attention,
# they are not the demand.
_ASK = r"(?:恳请|敬请|希望|请|望)?(?:有关|相关|上级|各级)?(?:部门|单位|领导)?(?:予以|给予|高度|予)?"
_HANDLE = r"(?:重视|采纳|研究|考虑|审议|支持|办理|答复|参考|落实|批准|审查)+"
_CLOSING = re.compile(r"^(?:以上|上述|此)?(?:建议|意见|议案|提案)?[，,]?\s*(?:妥否|当否|是否妥当)"
                      r"|^(?:恳请|希望|请|望)(?:有关|相关|上级|各级)?(?:部门|单位|领导)?"
                      r"(?:予以|给予|高度|予)?(?:重视|采纳|研究|考虑|审议|支持)(?:办理|采纳|落实)?[。！]?$"
                      r"|^(?:以上|上述|本)(?:建议|意见|议案|提案|几点建议|各项建议)?[，,]?\s*" + _ASK + _HANDLE + r"[。！]?$"
                      r"|^特此(?:建议|提出|报告|提议)?[。！]?$")


# A letter's formulae (尊敬的…：/您好/此致/敬礼/a signature/the date) carry no demand, whatever else they score.
_LETTER_FORMULA = re.compile(
    r"^(?:尊敬的[^。！]{0,20}[：:]|您好|你们好|此致|敬礼|(?:[^，。：:]{0,8}(?:代表|村民|居民|群众|职工|信访人|来信人|反映人|"
    r"联系人|建议人|提出人|申请人)|落款|署名|联系电话|电话)[：:].{0,20}|(?:\d{4}|[〇零一二三四五六七八九]{4})年"
    r"[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日)[。！!]?$")
# “草案框架如下：”“具体建议如下：”: a clause announcing what follows, empty once cut from it.
_ANNOUNCING = re.compile(r"[，,]?[^，,。；;：:]*[：:]\s*$")


def _demand_sentence(sentence: str) -> str:
    """A candidate sentence without the clause announcing a list (“建议制定……法，草案框架如下：”)."""
    return _ANNOUNCING.sub("", sentence.strip()).strip()


def _core_title(title: str) -> str:
    return re.sub(r"^关于|的(建议|议案|提案)$", "", title.strip())


def _score(sentence: str) -> float:
    s = 0.0
    s += 2.0 * len(_DEMAND.findall(sentence))
    s += 1.5 * sum(v in sentence for v in concrete_verbs())
    s += 1.0 if has_actor(sentence) else 0.0
    s += 0.5 if re.search(r"\d", sentence) else 0.0
    s -= 3.0 * vague_count(sentence)  # slogans are not the demand
    if len(sentence) > 90:  # long sentences crowd out other demands
        s -= (len(sentence) - 90) / 30
    return s


def _trim(sentence: str, room: int) -> str:
    """Cut at a clause boundary (，；) so the demand stays readable; failing one (a dictated draft without
    punctuation), between two words, marked “……” (not “……把燃气管道更新改造纳入老旧小区改。”)."""
    if len(sentence) <= room:
        return sentence
    cut = sentence[:room]
    pos = max(cut.rfind("，"), cut.rfind("；"), cut.rfind(","))
    if pos >= room // 3:
        return cut[:pos] + "。"
    return clip(sentence, room - 2)


def summarize(draft: DraftContent, max_chars: int = MAX_CHARS) -> str:
    core = "" if GENERIC_TITLE.match(draft.title.strip()) else _core_title(draft.title)  # not “几个问题。”
    head = f"{core}。" if core else ""
    candidates: list[tuple[int, str]] = []
    # a bill in the NPC's form has no 具体建议: its demands are the draft's points (方案)
    demands = draft.measures or (draft.outline if draft.is_bill else "")
    for i, item in enumerate(measure_items(demands)):
        sents = sentences(strip_item_mark(item))
        # an item's first sentence is usually its gist; keep the best of its first three
        for j, s in enumerate(sents[:3]):
            candidates.append((i * 10 + j, s))
    if not candidates:  # no measures: fall back to the body
        candidates = list(enumerate(sentences(draft.body())[:20]))
    ranked = sorted(candidates, key=lambda c: -_score(c[1]))
    chosen: list[tuple[int, str]] = []
    used = len(head)
    seen_items: set[int] = set()
    for pos, s in ranked:
        if _LETTER_FORMULA.match(s.strip()):
            continue
        s = _demand_sentence(s).rstrip("；;，,")
        s += "" if s.endswith(("。", "！", "？", "。”", "！”", "？”")) else "。"
        if pos // 10 in seen_items or len(s) < 6 or (chosen and _score(s) <= 0) or _CLOSING.search(s):
            continue
        room = max_chars - used
        if room < 12:
            break
        if len(s) > room:
            if chosen:
                continue
            s = _trim(s, room)
        s = _closed(s)  # cut inside a quotation (“将第五十一条修改为：“……；”)
        chosen.append((pos, s))
        seen_items.add(pos // 10)
        used += len(s)
    text = head + "".join(s for _, s in sorted(chosen))
    if len(text) <= max_chars:
        return text
    text = text[:max_chars]
    return _closed(text[:-1]) if text.count("“") > text.count("”") else text


def _closed(text: str) -> str:
    """A quotation cut short still closes."""
    return text + "”" if text.count("“") > text.count("”") else text
