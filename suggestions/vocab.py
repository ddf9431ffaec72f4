"""Word lists from ``suggestions/data`` (vague phrases, concrete verbs, actor markers)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def load_data(name: str) -> dict:
    return json.loads(resources.files("suggestions").joinpath(f"data/{name}").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def vague_phrases() -> tuple[str, ...]:
    return tuple(load_data("vague_phrases.json")["phrases"])


@lru_cache(maxsize=1)
def _vague_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(phrase, pattern) pairs. “营造…氛围” also matches “营造全社会共同保护母亲河的良好氛围”: a gap of up to 16
    characters within a clause. ``phrase_patterns`` are regular expressions for the phrases a plain string cannot
    delimit: 多给/多建/多搞/多一些 (more, with no figure), but not 更多一些, 许多建筑, 多发病."""
    data = load_data("vague_phrases.json")
    plain = tuple((p, re.compile("[^，,。；;]{0,16}?".join(map(re.escape, p.split("…"))))) for p in vague_phrases())
    return plain + tuple((p, re.compile(p)) for p in data.get("phrase_patterns", ()))


_CLAUSE_END = re.compile(r"[，,。；;！？!?]")
QUOTE_EXTEND = 12  # characters a gapped match may be extended by to finish its clause


def vague_phrase(text: str) -> str | None:
    """The first stock phrase (as written in ``text``) that states no actor, action or target, or None."""
    for phrase, pat in _vague_patterns():
        if m := pat.search(text):
            if "…" in phrase:
                # a gapped match can stop inside a longer phrase (营造…环境 in “营造……人居环境整治的良好氛围”):
                # quote the clause to its end, so the deputy sees the whole phrase
                end = _CLAUSE_END.search(text, m.end())
                end_at = end.start() if end else len(text)
                if end_at - m.end() <= QUOTE_EXTEND:
                    return text[m.start():end_at]
            return m.group(0)
    return None


def vague_count(text: str) -> int:
    """Stock phrases in ``text``, a span counted once (加大投入力度 is also 加大…力度)."""
    spans = sorted((m.start(), m.end()) for _, p in _vague_patterns() for m in p.finditer(text))
    count, end = 0, -1
    for a, b in spans:
        if a >= end:
            count += 1
        end = max(end, b)
    return count


@lru_cache(maxsize=1)
def concrete_verbs() -> tuple[str, ...]:
    return tuple(load_data("vague_phrases.json")["concrete_verbs"])


@lru_cache(maxsize=1)
def _actor_re() -> re.Pattern[str]:
    suffixes = sorted(load_data("vague_phrases.json")["actor_suffixes"], key=len, reverse=True)
    # a unit name: two or more CJK characters ending in a unit suffix (市教育局, 国务院, 省卫健委)
    return re.compile(r"[\u4e00-\u9fff]{1,12}(?:" + "|".join(map(re.escape, suffixes)) + r")")


@lru_cache(maxsize=1)
def _generic_actor_re() -> re.Pattern[str]:
    data = load_data("vague_phrases.json")
    generic = sorted(data["generic_actors"], key=len, reverse=True)
    words = sorted(data["not_actor_words"], key=len, reverse=True)
    groups = sorted(data.get("group_actors", ()), key=len, reverse=True)
    bare = "|".join(map(re.escape, data.get("bare_actors", ())))
    # 民政、财政等有关部门 and 省政府有关部门 name their bodies first; “建议政府……” (no level) names none; nor does
    # “建议银行……”“鼓励企业……” (which one?), while 人民银行, 农商银行 and 国有企业 do
    return re.compile(r"(?<![等、和及与省市县区镇乡州旗])(?:" + "|".join(map(re.escape, generic)) + r")"
                      r"|(?<=[望请议由促求])政府"
                      + (r"|(?:^|(?<=[望请议由促求励导持动使让，,。；;：:、\s□]))(?:" + bare + r")(?![业家主])" if bare else "")
                      + "".join("|" + re.escape(g) for g in groups)
                      + "|" + "|".join(map(re.escape, words)))


# Unit suffixes that also open an ordinary word (局部, 部分, 院落, 办法): the not-actor word is masked unless the
# suffix there closes a body's name and the next word starts on the character after it (市公安局|部署).
_SUFFIX_CHARS = frozenset("部委局厅署办院")
# A body's name before a suffix: a level and at least one character (县财政|局; not 我市|局部地区), or a national
# body named without one (教育部, from units.json).
_LEVEL_NAME = re.compile(r"(?:国家|中央|省|市|县|区|州|盟|旗|镇|乡)[\u4e00-\u9fff]{1,8}$")


@lru_cache(maxsize=1)
def _unit_names() -> tuple[str, ...]:
    return tuple(u["name"] for u in load_data("units.json")["units"])


def _closes_body(text: str, i: int) -> bool:
    """Does the unit suffix at ``text[i]`` close a body's name, with a word beginning right after it?"""
    before = text[max(0, i - 12):i + 1]
    if not (_LEVEL_NAME.search(before[:-1]) or before.endswith(_unit_names())):
        return False
    from retrieval.tokenize import in_dictionary  # jieba: loaded only when a body's name is there

    # 县财政局|部分资金 (部分 is a word) but 全县农村局部|地区 (部地 is none): 局部 is meant there. Two characters:
    # jieba also lists single ones (县医院院长: 长)
    after = text[i + 1:i + 3]
    return len(after) == 2 and in_dictionary(after)


@lru_cache(maxsize=1)
def _long_suffixes() -> tuple[str, ...]:
    return tuple(s for s in load_data("vague_phrases.json")["actor_suffixes"] if len(s) > 2)


def mask_non_actors(text: str) -> str:
    """``text`` with the spans that name no responsible body blanked (same length): 有关部门, 各级政府, 办法, 部署, 西部."""
    pat = _generic_actor_re()
    out = list(text)
    m = pat.search(text)
    while m:
        word = m.group(0)
        if ((word[0] in _SUFFIX_CHARS and _closes_body(text, m.start()))
                # 办事 opens 办事处, a body
                or any(len(s) > len(word) and text.startswith(s, m.start()) for s in _long_suffixes())):
            m = pat.search(text, m.start() + 1)  # the next word (部署 in 公安局部署) may still be masked
            continue
        out[m.start():m.end()] = "□" * (m.end() - m.start())
        m = pat.search(text, m.end())
    return "".join(out)


def actor_matches(text: str) -> list[re.Match[str]]:
    """Spans naming a responsible body: 有关部门, 各级政府 and the like answer for nothing, and 办法, 部署, 西部 name
    no body, so they are masked first."""
    return list(_actor_re().finditer(mask_non_actors(text)))


def has_actor(text: str) -> bool:
    return bool(actor_matches(text))


def has_target(text: str) -> bool:
    """A measurable target or a time limit: a number, a date, a named document."""
    return bool(re.search(r"\d|[一二三四五六七八九十百千万]+(?:年|个月|天|日|%|项|家|所|座|人|元)|《.+?》|年底|年内|月底", text))
