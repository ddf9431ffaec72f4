"""两推: ranked recommendations of handling units (建议) and the special committee (议案).

Each target's remit is data (``suggestions/data/*.json``, the project's own words). Scores are a
weighted mixture of distributions over targets:
- remit: e5 similarity of the draft to each remit (softmax);
- keywords: remit keywords found in the draft (the title counts double);
- embedding: a logistic regression on the e5 vectors of past items, with every remit added as one
  more example of its target (so targets with little or no history keep a voice). Every item is
  read whole: its routing_text and each ~380-character body window are examples of its target, and
  a draft's distribution is the mean over its own windows (e5 reads 256 tokens, and long drafts put
  their concrete demands late). On 4-fold CV of the benchmark's history rows (5 repeats) this beat
  the head-only vector (top-1/top-3 0.682/0.930 vs 0.670/0.922), and beat a single mean-of-windows
  vector (0.675/0.918); tempering the two models (p^(1/T), T=0.5..5), combining by log-probability
  or rank and character 1-3-gram TF-IDF were worse, and other C values (1..100) gave no clear gain;
- lexical: a logistic regression on TF-IDF of jieba words of past items (full text);
- knn: votes of the most similar past items. Reported as evidence (the reasons name the closest
  past item), but weighted 0 by default: on cross-validation it added noise to the two models.
History signals gain weight as history grows, so a fresh install works from remits alone.

What is shown with the scores (``Router.recommend``): a recommendation with no evidence (no keyword of the draft, not
named by it, not the history's) is skipped or marked 仅供参考; the top's first reasons say when the match is unsure or
low, when the draft's items raise several unrelated matters, which local level the draft is for and the office it
names there (the lists are national: 国务院部门, 全国人大专门委员会), and when the draft is no suggestion at all (不宜交办).
"""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

import numpy as np

from suggestions.text import TOO_LONG_CHARS, book_title, clip_draft, routing_chunks, routing_text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from suggestions.types import KIND_BILL, DraftContent, EmbedderLike

REMIT_TEMPERATURE = 0.02
KNN_K = 10
KNN_TEMPERATURE = 0.03
EMBED_CHARS = 600  # e5 reads 256 tokens; the head of a draft (title, demands) is what matters
MIN_HISTORY = 10  # history items needed before the two history models are trained
MODEL_C = 10.0  # inverse regularisation of both logistic regressions (class-balanced)


@dataclass(frozen=True)
class Target:
    name: str
    remit: str
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # the short names local counterparts go by (住建局, 人社局, 卫健委)

    def passage(self) -> str:
        return f"{self.name}：{self.remit}"


@dataclass
class HistoryItem:
    text: str
    target: str
    title: str = ""
    embedding: np.ndarray | None = None  # routing_text's vector (similarity, kNN evidence)
    windows: np.ndarray | None = None  # rows: vectors of the body windows (routing_chunks[1:])


@dataclass
class Recommendation:
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    # the local counterpart the draft names for a local-level draft (自治区交通运输厅 for 交通运输部), if any
    local: str | None = None

    def to_json(self) -> dict:
        out = {
            "name": self.name,
            "score": round(float(self.score), 4),
            "reasons": self.reasons,
            "components": {k: round(float(v), 4) for k, v in self.components.items()},
        }
        if self.local:
            out["local"] = self.local
        return out


@dataclass(frozen=True)
class Weights:
    # Chosen by cross-validation on the benchmark's history rows only (never on its evaluation
    # rows): see bench/suggestions_bench.py and the README's suggestions row.
    remit: float = 1.0
    keywords: float = 0.25
    embedding: float = 0.5
    lexical: float = 1.0
    knn: float = 0.0
    named: float = 1.0  # the draft itself says who should lead (“民政部门牵头”): as strong as the remit
    history_half: int = 20  # history size at which history signals reach half their weight


# How far (e5 cosine) a named lead's remit may trail the best-fitting remit and still count: drafts that name
# the right unit trailed by 0–0.006, a tax draft naming 民政局 by 0.036.
NAMED_FIT = 0.02

# When to say the recommendation is unsure, and which ones are filler. Calibrated on the benchmark
# (bench/suggestions_bench.py: 14 topics, 4-fold CV of the even rows and the odd rows, with and without history):
# - the runner-up within 0.8 of the top: top-1 right 32–49% of the time there, 67–83% elsewhere;
# - the top under twice an even share (2/n): the lowest ~8% of tops, top-1 right 31–53% of the time;
# - a recommendation below the top resting on its remit's similarity alone (no keyword, no named lead, under half
#   its score from history), under a fifth of the top's score, was never the right one in any of those runs (at
#   three tenths, one was): it is dropped as filler.
UNSURE_TIE = 0.8
UNSURE_LOW_SHARE = 2.0
FILLER_SHARE = 0.2
LOW_NOTE = "匹配度较低，建议人工确认"
UNSURE_NOTE = LOW_NOTE  # one wording for an unsure recommendation, whatever the reason (said in brackets after it)
SEVERAL_NOTE = "草稿可能涉及多个事项"
REFERENCE_NOTE = "仅供参考：草稿中没有与其职责对应的用语，只是语义上相近"
# With keyworded targets (units, committees), a recommendation below the top with no evidence at all is dropped under
# this share of the top's score (the tester's 华侨委员会 for elderly care at 0.32 of the top); see ``recommend``.
BARE_SHARE = 0.5

_LEAD = "(?:部门|系统|总局|部|委|局|厅|办|机关|单位)?(?:牵头|负责|主管|主抓|会同|统筹)"
# The level a local office's name opens with (自治区交通运输厅, 县人社局), and the congress level it is (the keys of
# ``DraftContent.author_level``).
_LEVEL = "(?:自治区|自治州|自治县|[省市县区州旗盟])"
_LEVEL_KEYS = {"自治区": "provincial", "省": "provincial", "自治州": "municipal", "州": "municipal", "盟": "municipal",
               "市": "municipal", "自治县": "county", "县": "county", "区": "county", "旗": "county"}
# an office's name may run on past the unit's short name (文化旅游|广电局, 民族宗教|事务局, 自然资源|和规划局); a court or
# procuratorate (县人民法院) ends in 院 itself
_OFFICE_END = "(?:[\u4e00-\u9fff]{0,4}?(?:委员会|局|委|厅)|(?<=院))"
# “建议市住建局出台…”“由县人社局…”“请自治区发展改革委、水利厅…”: a measure addressed to the unit's local counterpart
# names it too (the level, if written, heads a list of offices: 水利厅 here is the 自治区's).
# A numbered item that opens with the office (“1、县交通运输局对全乡临沟临崖路段进行排查”) is addressed to it as well.
_ITEM_OPENING = r"(?<![^\n])\s*[（(]?[一二三四五六七八九十\d]{1,2}[)）.、．]\s*"
# A national body addressed by its short name: “建议国家网信办会同……”, “建议工业和信息化部完善……” (not 教育部门, 财政部分).
_NATIONAL_END = "(?:总局|部|办|署)(?![门分署])"
_ADDRESSED = ("(?:建议|由|请|向|要求|督促|责成|推动|" + _ITEM_OPENING + ")(?:(?P<level>" + _LEVEL
              + r")?(?:[\u4e00-\u9fff]{2,10}?" + _OFFICE_END + "[、和及与]){0,2}|(?:国家|中国)(?=[\u4e00-\u9fff]{2,8}?"
              + _NATIONAL_END + "))", "(?:" + _OFFICE_END + "|" + _NATIONAL_END + ")")


@lru_cache(maxsize=256)
def _lead_patterns(name: str, aliases: tuple[str, ...] = ()) -> tuple[re.Pattern, ...]:
    """“民政部门牵头”“由教育部负责”“卫生健康委会同”: the target's short name (or an alias: 住建, 人社) followed by a
    lead verb; else a local bureau of it that a measure is addressed to (“建议市住建局…”); last, any mention of such a
    local office with its level (“自治区水利厅”), which names the local counterpart without making it the lead."""
    short = re.sub(r"^(?:国家|中国)|(?:委员会|总局|办公室|部|局)$", "", name)
    names = [n for n in (short, *aliases) if len(n) >= 2]
    if not names:
        return ()
    alt = "(?P<office>" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + ")"
    # offices of one level listed after it once (“市城管局和市场监管局”: the city's market regulator)
    listed = "(?:" + _office_names() + _OFFICE_SUFFIX + "[、和及与]){0,2}"
    return (re.compile(alt + _LEAD), re.compile(_ADDRESSED[0] + alt + "(?P<end>" + _ADDRESSED[1] + ")"),
            re.compile("(?P<level>" + _LEVEL + ")" + listed + alt + "(?P<end>" + _OFFICE_END + ")"))


def _lead_match(text: str, target: Target) -> re.Match | None:
    return next((m for p in _lead_patterns(target.name, target.aliases)[:2] if (m := p.search(text))), None)


def _lead_office(text: str, m: re.Match, local_author: bool) -> str | None:
    """The local office a lead phrase names with its level: “建议自治区交通运输厅” → 自治区交通运输厅. A phrase without
    the level (“民政局牵头” after 由市) gives it only for a local deputy's draft: elsewhere the reason quotes the
    phrase as before."""
    if "level" in m.re.groupindex:
        return m.group("level") + m.group("office") + m.group("end") if m.group("level") else None
    level = re.search(f"{_LEVEL}$", text[max(0, m.start() - 3):m.start()])
    end = re.match(_OFFICE_END, text[m.end("office"):])
    return level.group(0) + m.group("office") + end.group(0) if local_author and level and end else None


def named_leads(text: str, targets: Sequence[Target]) -> list[str | None]:
    """For each target, the phrase in ``text`` that names it as the lead, or None."""
    return [m.group(0) if (m := _lead_match(text, t)) else None for t in targets]


def local_office(text: str, target: Target, level: str | None = None) -> str | None:
    """The local counterpart of ``target`` the text names with its level (自治区交通运输厅, 县人社局), or None: one a
    measure is addressed to first, else the first mentioned; of ``level`` (a ``_LEVEL_KEYS`` value) if the text
    names one of that level (a county deputy's “由县教育局每学期公示” rather than the “建议自治区教育厅…” before it)."""
    pats = _lead_patterns(target.name, target.aliases)
    if not pats:
        return None
    found = [m.group("level") + m.group("office") + m.group("end")
             for p in pats[1:] for m in p.finditer(text) if m.group("level")]
    return next((o for o in found if level and _LEVEL_KEYS[re.match(_LEVEL, o).group(0)] == level),
                found[0] if found else None)


# How a level is written when the draft names no office of it: 省级, not 自治区 or 省.
_LEVEL_WORDS = {"provincial": "省级", "municipal": "市级", "county": "县级", "township": "乡镇"}


@dataclass(frozen=True)
class DraftLevel:
    """A draft meant for a local government (a local deputy's, or one addressed to local offices)."""

    key: str  # provincial, municipal, county, township (``DraftContent.author_level``'s keys)
    word: str  # as the draft writes it (自治区, 省, 市, 县), else 省级, 县级 …
    why: str  # 提出人为县级人大代表 / 草稿写明由自治区交通运输厅、自治区水利厅办理

    @property
    def phrase(self) -> str:
        """草稿面向{phrase}: 自治区一级, 县一级, 省级."""
        return self.word + ("一级" if self.word in _LEVEL_KEYS else "")

    def holds(self, office: str | None) -> bool:
        """Is ``office`` (自治区交通运输厅) one of this level's?"""
        m = re.match(_LEVEL, office or "")
        return bool(m) and _LEVEL_KEYS[m.group(0)] == self.key


def draft_level(text: str, author_level: str | None, offices: Sequence[str | None]) -> DraftLevel | None:
    """The local level a draft is meant for, or None (national, or not said): the author's (the header's 宁夏回族
    自治区人大代表, 西吉县人大代表), else that of the local offices it names. ``offices``: those offices
    (``local_office``), which also tell how the draft writes its level (自治区 or 省)."""
    named = [o for o in offices if o]
    levels = [(w, _LEVEL_KEYS[w]) for o in named if (w := re.match(_LEVEL, o).group(0))]
    if author_level == "national":
        return None
    if author_level in _LEVEL_WORDS:
        word = next((w for w, k in levels if k == author_level), None)
        # a region's draft says 自治区 (“自治区人民政府”); 省、自治区、直辖市 quoted from a law does not (甘肃省's bill)
        if word is None and author_level == "provincial" and "自治区" in text.replace("省、自治区", ""):
            word = "自治区"
        word = word or _LEVEL_WORDS[author_level]
        return DraftLevel(author_level, word, f"提出人为{word}人大代表")
    if not levels:
        return None
    word, key = Counter(levels).most_common(1)[0][0]
    shown = "、".join(dict.fromkeys(o for o in named if o.startswith(word)))
    return DraftLevel(key, word, f"草稿写明由{shown}办理")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """jieba words (search mode, stop words dropped), cached: routers are rebuilt per submission."""
    from retrieval.tokenize import tokenize

    return tuple(tokenize(text))


# Set phrases that contain a remit keyword without being about that remit: 营商环境 is the business climate,
# not 生态环境部's environment; 民族乡 is a kind of township, 中华民族 the nation.
# 时间银行 (volunteer hours banked for one's own old age) and 食物银行 are no banks; 宣传教育 and 警示教育 are
# publicity, not schooling; 基层减负 lightens the load on grassroots cadres and 企业减负 on firms, not on pupils;
# 维修资金应急使用 is drawing on a repair fund at short notice, no emergency management.
_NOT_KEYWORD_USES = ("营商环境", "发展环境", "法治环境", "政务环境", "民族乡", "中华民族", "民族复兴", "时间银行", "食物银行",
                     "宣传教育", "警示教育", "教育引导", "基层减负", "企业减负", "应急使用")
# An autonomous region, prefecture or county as the level of an office (自治区水利厅, 自治州人民政府): where the
# office sits, not ethnic affairs. So is the name of an autonomous area (宁夏回族自治区, 临夏回族自治州, 新疆维吾尔
# 自治区): 回族 there names the region a 宁夏 deputy writes from on every page. (自治区 alone, as in 自治区配套
# 1.2亿元, is the level a 宁夏 draft speaks of throughout: 民族委员会 no longer has it as a keyword.)
_ETHNIC_GROUPS = ("回|藏|蒙古|壮|苗|彝|土家|布依|侗|瑶|白|哈尼|哈萨克|傣|黎|傈僳|佤|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|"
                  "达斡尔|羌|朝鲜|满|仫佬|毛南|仡佬|撒拉|保安|裕固|鄂温克|鄂伦春|塔吉克|普米|怒|独龙|畲|各")
_NOT_KEYWORD_PATTERNS = (
    re.compile(r"自治[区州县旗](?=(?:人民)?政府|党委|人大|[\u4e00-\u9fff]{1,8}?(?:厅|局|委员会|委|办公室|办|院|中心))"),
    re.compile(rf"(?:(?:{_ETHNIC_GROUPS})族|维吾尔)+自治[区州县旗]"),
)


@lru_cache(maxsize=4096)
def _word_bounds(text: str) -> tuple[int, ...]:
    """Offsets where jieba's precise cut puts a word boundary, in order (0 and len(text) included)."""
    from retrieval.tokenize import dictionary_words

    bounds, at = [0], 0
    for w in dictionary_words(text):
        at += len(w)
        bounds.append(at)
    return tuple(bounds)


def _crossed_inside(word: str, start: int, end: int) -> bool:
    """Is ``word[start:end]`` cut across by a two-character dictionary word inside ``word`` (the parts jieba's search
    mode reads a long word by)? 民政 in 人民|政府, 学校 in 大学|校园, 审判 in 一审|判决: the keyword is no part of
    the word; 教育 in 义务教育法, 文物 in 国家文物局 are. (Three-character parts cut too much: 产权局 would cut
    知识产权 in 国家知识产权局.)"""
    from retrieval.tokenize import in_dictionary

    if end - start < 2:  # one character: a two-character part holds it whole, never across
        return False
    # the parts straddling the keyword's first or last character
    return any(0 <= i and i + 2 <= len(word) and in_dictionary(word[i:i + 2]) for i in (start - 1, end - 1))


def _single_characters(bounds: tuple[int, ...], start: int, end: int) -> bool:
    """Does ``[start, end)`` begin and end at word boundaries with only one-character words between (河|长 of
    河|长|制)? Not 劳动 in 投工投劳|动员, which cuts two words."""
    i = bisect_right(bounds, start) - 1
    if bounds[i] != start:
        return False
    k = i
    while k + 1 < len(bounds) and bounds[k + 1] <= end:
        if bounds[k + 1] - bounds[k] != 1:
            return False
        k += 1
    return bounds[k] == end


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "□" * (end - start) + text[end:]


def keyword_in(keyword: str, text: str) -> bool:
    """``keyword`` used as a word of ``text``: not across two words (劳动 in 投工投劳|动员), not cut across by a longer
    word's parts (民政 in 县人民政府), nor inside a set phrase about something else (环境 in 营商环境)."""
    if keyword not in text:
        return False
    masked = text
    for phrase in _NOT_KEYWORD_USES:
        if keyword in phrase:
            masked = masked.replace(phrase, "□" * len(phrase))
    for pat in _NOT_KEYWORD_PATTERNS:
        for m in pat.finditer(masked):
            if keyword in m.group(0):
                masked = _blank(masked, m.start(), m.end())
    start = masked.find(keyword)
    if start < 0:
        return False
    bounds = _word_bounds(masked)
    while start >= 0:
        end = start + len(keyword)
        i = bisect_right(bounds, start)  # bounds[i - 1] <= start < bounds[i]
        if bounds[i] >= end:  # no boundary inside the keyword (one would make it two halves of other words)
            w0, w1 = bounds[i - 1], bounds[i]
            # opening or closing a word is a use (养老|服务体系 is one word to jieba); sunk in the middle of one it
            # is, unless the word's own parts cut across it (人民政府: 人民|政府)
            if start == w0 or end == w1 or not _crossed_inside(masked[w0:w1], start - w0, end - w0):
                return True
        elif _single_characters(bounds, start, end):
            return True  # a word jieba does not know, cut into characters (河|长|制): no other word is crossed
        start = masked.find(keyword, start + 1)
    return False


# Local offices whose names are not a unit's short name or alias.
_OTHER_OFFICES = ("城管", "城市管理", "综合执法", "审计", "统计", "林草", "林业和草原", "林业", "乡村振兴", "水务", "教体",
                  "地方金融管理", "金融", "政务服务", "医疗保障", "人民政府", "政府")
_PERSONAL = (r"[（(][^（）()\n]{0,30}?(?:专业|学院|大学|学校|毕业)[^（）()\n]{0,12}[）)]"
             r"|[\u4e00-\u9fff]{2,8}专业(?:毕业|出身|的学生)|(?:毕业于|学的是)[^，。；、\n]{2,20}")


@lru_cache(maxsize=1)
def _office_names() -> str:
    """Alternation of the local offices' names (the units' short names and aliases, 城管, 审计 …), longest first."""
    names = {n for t in load_targets("units") for n in (re.sub(r"^(?:国家|中国)|(?:委员会|总局|办公室|部|局)$", "", t.name),
                                                         *t.aliases) if len(n) >= 2}
    return "(?:" + "|".join(map(re.escape, sorted(names | set(_OTHER_OFFICES), key=len, reverse=True))) + ")"


_OFFICE_SUFFIX = "(?:委员会|局|厅|委|办)"


def named_offices(text: str, level: DraftLevel) -> list[str]:
    """Every office of ``level`` the text names (市住建局, 市城管局, and 市场监管局 listed after it: 市市场监管局), in
    order: the ones no unit stands for (城管) and several of one unit's field as well, for the staff's note."""
    words = [w for w, k in _LEVEL_KEYS.items() if k == level.key]
    if not words:
        return []
    lvl = "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"
    office = _office_names() + _OFFICE_SUFFIX
    out = []
    for m in re.finditer(f"(?P<level>{lvl})(?P<first>{office})(?P<rest>(?:[、和及与](?:{lvl})?{office}){{0,3}})", text):
        out.append(m.group("level") + m.group("first"))
        for x in re.finditer(f"[、和及与](?P<level>{lvl})?(?P<office>{office})", m.group("rest")):
            out.append((x.group("level") or m.group("level")) + x.group("office"))
    return list(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _incidental() -> re.Pattern:
    """Words that do not say what a draft is about, blanked before keywords are counted as evidence:
    - local offices (建议县人社局、财政局…, 自治区交通运输厅): who is to act, which ``named_leads`` reads; the keyword
      财政 of 财政局 asked to find a nephew a job is no evidence of a budget matter;
    - what a person studied or where (“2022年大学毕业（宁夏某职业技术学院，会计专业）”, “会计专业毕业”)."""
    office = _office_names() + _OFFICE_SUFFIX
    return re.compile(f"{_LEVEL}{office}(?:[、和及与]{_LEVEL}?{office}){{0,3}}|{_PERSONAL}")


def _evidence_text(text: str) -> str:
    return _incidental().sub(lambda m: "□" * len(m.group(0)), text)


_CLAUSE_END = "。！？!?\n"


def _clause_around(text: str, start: int, end: int) -> str:
    """The sentence (a numbered measure, mostly) holding ``text[start:end]``, that span blanked."""
    a = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    b = min((i for c in _CLAUSE_END if (i := text.find(c, end)) >= 0), default=len(text))
    return text[a:start] + "□" * (end - start) + text[end:b]


def _clause_fits(text: str, target: Target) -> bool:
    """Does a sentence that names ``target`` as the lead ask for something in its remit (one of its keywords, the
    names of offices aside)? “建议自治区财政厅将农村公路养护资金纳入一般公共预算” does, in a roads draft;
    “由市民政局牵头，将小规模纳税人增值税起征点提高…” does not."""
    for p in _lead_patterns(target.name, target.aliases)[:2]:
        for m in p.finditer(text):
            clause = _evidence_text(_clause_around(text, m.start(), m.end()))
            if any(keyword_in(k, clause) for k in target.keywords):
                return True
    return False


# Units whose keywords (资金, 预算, 规划, 投资) run through drafts of every field: they join no two matters.
_CROSS_CUTTING = frozenset({"财政部", "国家发展和改革委员会", "财政经济委员会"})
# A draft's items fall into this many matters, no unit shared between them, before it is said to be several.
SEVERAL_MATTERS = 3


def draft_matters(draft: DraftContent, targets: Sequence[Target]) -> list[list[str]]:
    """The matters a draft's numbered items raise. Items are one matter when they use a keyword of one target or
    share a rare word, with each other or with the title (as ``coherence.lexical_groups`` joins them; the offices
    asked to act join nothing: a river draft asks 生态环境厅, 住建厅 and 农业农村厅, each for its part). Each
    matter: the targets its items' keywords point to, most used first; items pointing to none are in no matter.
    ``SEVERAL_MATTERS`` or more say the draft asks several unrelated things (a 民生 draft on loans, 异地就医,
    近视, stray dogs and football pitches); unlike the self-check's 一事一议, one item can be a matter here."""
    from suggestions.coherence import catch_all_title, title_sections, title_text
    from suggestions.text import measure_items, strip_item_mark

    items = [x for i in measure_items(draft.outline if draft.is_bill else draft.measures)
             if len(x := strip_item_mark(i).strip()) >= 6]
    if len(items) < SEVERAL_MATTERS:
        return []
    # What stands for the draft's subject: a title that names one matter, with the problem and causes that explain
    # it (a childcare draft's item on 幼儿园托班 is on the 婴幼儿 its problem speaks of; an after-school draft's item on
    # 经费保障 on the 经费保障不足 it reports); a catch-all title (若干问题) alone, its problem covering every matter; the
    # sections of a draft that takes its subjects one by one (一、关于物业服务 …), one node each.
    # The problem and causes only join matters: they are read (jieba over a long text) only when the title alone leaves
    # several.
    sections = [] if catch_all_title(draft.title) else title_sections(draft)
    matters = _matters(items, sections or [title_text(draft)], targets)
    if len(matters) >= SEVERAL_MATTERS and not sections and not catch_all_title(draft.title):
        matters = _matters(items, [title_text(draft) + "。" + draft.problem[:1500] + "。" + draft.cause[:1000]], targets)
    return matters


def _matters(items: list[str], nodes: list[str], targets: Sequence[Target]) -> list[list[str]]:
    """``draft_matters`` with these nodes standing for the draft's subject."""
    from suggestions.coherence import LINK_INFO, content_words, informativeness, is_place, mask_bodies

    texts = [x[:300] for x in items] + nodes
    units, words = [], []
    for x in texts:
        ev = _evidence_text(mask_bodies(x))
        used = {i for i, t in enumerate(targets) if t.name not in _CROSS_CUTTING
                and any(keyword_in(k, ev) for k in t.keywords)}
        # an item that uses no keyword is about what the office it asks does (“建议自治区医疗保障局…实现跨省住院
        # 费用直接结算全覆盖”)
        units.append(used or {i for i, t in enumerate(targets) if t.name not in _CROSS_CUTTING
                              and x not in nodes and _lead_match(x, t) is not None})
        words.append({w for w in content_words(ev) if informativeness(w) >= LINK_INFO and not is_place(w)})
    parent = list(range(len(texts)))  # the title's nodes, never a matter's members

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a in range(len(items)):
        for b in range(a + 1, len(texts)):
            if units[a] & units[b] or words[a] & words[b]:
                parent[root(a)] = root(b)
    groups: dict[int, Counter] = {}
    for k in range(len(items)):
        if units[k]:
            groups.setdefault(root(k), Counter()).update(units[k])
    return [[targets[i].name for i, _ in c.most_common()] for c in groups.values()]


def draft_vectors(embedder: EmbedderLike, draft: DraftContent) -> np.ndarray:
    """Rows: routing_text's vector, then the body windows' (what ``recommend`` and storage take)."""
    return embedder.encode_queries(routing_chunks(draft))


@lru_cache(maxsize=8)
def load_targets(kind: str) -> tuple[Target, ...]:
    """kind: "units" (建议承办单位), "committees" (全国人大专门委员会) or "topics"."""
    raw = json.loads(resources.files("suggestions").joinpath(f"data/{kind}.json").read_text(encoding="utf-8"))
    return tuple(Target(t["name"], t["remit"], tuple(t.get("keywords", ())), tuple(t.get("aliases", ())))
                 for t in raw[kind])


_REMIT_CACHE: dict[tuple[int, tuple[Target, ...]], np.ndarray] = {}


def remit_vectors(embedder: EmbedderLike, targets: tuple[Target, ...]) -> np.ndarray:
    # Remits are fixed data: encode them once per embedder and target list.
    key = (id(embedder), targets)
    if key not in _REMIT_CACHE:
        _REMIT_CACHE[key] = embedder.encode_passages([t.passage() for t in targets])
    return _REMIT_CACHE[key]


def _softmax(x: np.ndarray, temperature: float) -> np.ndarray:
    z = (x - x.max()) / temperature
    e = np.exp(z)
    return e / e.sum()


def _normalised(x: np.ndarray) -> np.ndarray:
    s = x.sum()
    return x / s if s > 0 else x


class Router:
    def __init__(
        self,
        targets: Sequence[Target],
        embedder: EmbedderLike,
        history: Iterable[HistoryItem] = (),
        weights: Weights = Weights(),
        scope: str | None = None,
    ) -> None:
        """``scope``: "units" (国务院部门 for 建议) or "committees" (全国人大专门委员会), the national lists a local
        draft's counterparts are said for; by default recognised from ``targets`` (None for other lists: topics)."""
        if not targets:
            raise ValueError("至少需要一个承办目标")
        self.targets = list(targets)
        self.scope = scope or next((k for k in ("units", "committees") if tuple(self.targets) == load_targets(k)), None)
        self._index = {t.name: i for i, t in enumerate(self.targets)}
        self.embedder = embedder
        self.weights = weights
        self._remit_vecs = remit_vectors(embedder, tuple(self.targets))
        self._history: list[HistoryItem] = []
        self._hist_vecs = np.zeros((0, self._remit_vecs.shape[1]), dtype=np.float32)
        self._lexical = None
        self._embedding_model = None
        self.add_history(history)

    # -- history -------------------------------------------------------------------------------
    def add_history(self, items: Iterable[HistoryItem]) -> None:
        """Learn from past assignments (targets unknown to this router are ignored)."""
        items = [h for h in items if h.target in self._index]
        if not items:
            return
        missing = [h for h in items if h.embedding is None]
        if missing:
            vecs = self.embedder.encode_queries([h.text[:EMBED_CHARS] for h in missing])
            for h, v in zip(missing, vecs):
                h.embedding = v
        self._history.extend(items)
        self._hist_vecs = np.vstack([self._hist_vecs, np.stack([h.embedding for h in items]).astype(np.float32)])
        self._fit_models()

    def _fit_models(self) -> None:
        """Train the two history models (when there is enough history)."""
        labels = {h.target for h in self._history}
        if len(self._history) < MIN_HISTORY or len(labels) < 2:
            self._lexical = self._embedding_model = None
            return
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        y = np.array([self._index[h.target] for h in self._history])
        vec = TfidfVectorizer(analyzer=_words, sublinear_tf=True, max_features=60000)
        x = vec.fit_transform([h.text for h in self._history])
        # every remit is one more example of its target
        xe = np.vstack([self._hist_vecs, self._remit_vecs])
        ye = np.concatenate([y, np.arange(len(self.targets))])
        win = [(h.windows, self._index[h.target]) for h in self._history if h.windows is not None and len(h.windows)]
        if win:
            xe = np.vstack([xe] + [w for w, _ in win])
            ye = np.concatenate([ye] + [np.full(len(w), t) for w, t in win])
        with warnings.catch_warnings():
            # many targets with few items each is the normal case for handling units
            warnings.filterwarnings("ignore", message="The number of unique classes", category=UserWarning)
            lex = LogisticRegression(C=MODEL_C, max_iter=2000, class_weight="balanced").fit(x, y)
            emb = LogisticRegression(C=MODEL_C, max_iter=2000, class_weight="balanced").fit(xe, ye)
        self._lexical, self._embedding_model = (vec, lex), emb

    @property
    def history_size(self) -> int:
        return len(self._history)

    # -- scoring -------------------------------------------------------------------------------
    def query_vector(self, text: str) -> np.ndarray:
        return self.embedder.encode_queries([text])[0]

    def query_vectors(self, draft: DraftContent) -> np.ndarray:
        return draft_vectors(self.embedder, draft)

    def recommend(
        self, draft: DraftContent | str, top_k: int = 3, query_vec: np.ndarray | None = None
    ) -> list[Recommendation]:
        """``draft`` is a DraftContent or plain text (title on its first line). ``query_vec``: one
        vector (routing_text's) or the rows of ``query_vectors``."""
        if isinstance(draft, DraftContent):
            too_long = len(draft.full_text()) > TOO_LONG_CHARS
            draft = clip_draft(draft)  # draft_matters and not_for_assignment below read no further either
            text, title, embed_text = draft.full_text(), draft.title, routing_text(draft)
        else:
            text, title, embed_text = draft, draft.split("\n", 1)[0], draft[:EMBED_CHARS]
            too_long = len(text) > TOO_LONG_CHARS
        text = text[:TOO_LONG_CHARS]  # keywords and the word model read no further: a pasted report stays quick
        if query_vec is None:  # a draft is read whole, as in training; plain text by its head
            query_vec = self.query_vectors(draft) if isinstance(draft, DraftContent) else self.query_vector(embed_text)
        rows = np.atleast_2d(query_vec)
        q = rows[0]
        n_t = len(self.targets)
        w = self.weights

        remit_sim = self._remit_vecs @ q
        remit = _softmax(remit_sim, REMIT_TEMPERATURE)

        # keywords as evidence of what the draft is about: not in the offices it asks to act, nor in what a person
        # studied (“会计专业”)
        ev_text, ev_title = _evidence_text(text), _evidence_text(title)
        kw_hits: list[list[str]] = [[k for k in t.keywords if keyword_in(k, ev_text)] for t in self.targets]
        kw = _normalised(np.array([len(h) + sum(keyword_in(k, ev_title) for k in h) for h in kw_hits], dtype=np.float64))

        matches = [_lead_match(text, t) for t in self.targets]
        leads = [m.group(0) if m else None for m in matches]
        # A named lead counts when the draft's content fits its remit: “由市民政局牵头” on tax relief is a slip to point
        # out, not a reason to route to 民政部. One that fits only the sentence naming it (a roads draft's “建议自治区
        # 财政厅将农村公路养护资金纳入一般公共预算”) is named for that measure: it counts half.
        whole = [m is not None and remit_sim[i] >= remit_sim.max() - NAMED_FIT for i, m in enumerate(matches)]
        part = [m is not None and not whole[i] and _clause_fits(text, self.targets[i]) for i, m in enumerate(matches)]
        fits = [a or b for a, b in zip(whole, part)]
        # Of several leads that fit, the one on the draft's subject leads (the remit closest to the draft, or one
        # whose keyword the title uses: 交通运输厅 for a roads draft that also asks 财政厅 for funds); the others
        # are named for their measures and count half.
        # A title that names a field (《道路交通安全法》: the police's) makes a lead outside it (工业和信息化部, asked for
        # a vehicle standard in one item) a lead for its measure only. A half stays half when it is the only lead
        # named (the sum is not scaled up to one).
        best_named = max((remit_sim[i] for i in range(n_t) if fits[i]), default=None)
        in_title = [any(keyword_in(k, ev_title) for k in kw_hits[i]) for i in range(n_t)]
        main = [whole[i] and (in_title[i] or (remit_sim[i] == best_named and not any(in_title)))
                for i in range(n_t)]
        raw = np.array([1.0 if main[i] else 0.5 if fits[i] else 0.0 for i in range(n_t)])
        named = raw / max(raw.sum(), 1.0)

        knn = np.zeros(n_t)
        neighbours: dict[int, list[tuple[float, HistoryItem]]] = {}
        if self._history:
            sims = self._hist_vecs @ q
            top = np.argsort(-sims)[:KNN_K]
            wts = np.exp((sims[top] - sims[top[0]]) / KNN_TEMPERATURE)
            for j, wt in zip(top, wts):
                h = self._history[j]
                i = self._index[h.target]
                knn[i] += wt
                neighbours.setdefault(i, []).append((float(sims[j]), h))
            knn = _normalised(knn)

        lex = np.zeros(n_t)
        emb = np.zeros(n_t)
        if self._lexical is not None:
            vec, clf = self._lexical
            lex[clf.classes_] = clf.predict_proba(vec.transform([text]))[0]
            emb[self._embedding_model.classes_] = self._embedding_model.predict_proba(rows.astype(np.float64)).mean(0)

        n = len(self._history)
        h_w = n / (n + w.history_half) if n else 0.0
        models_w = h_w if self._lexical is not None else 0.0
        kw_w = w.keywords if kw.sum() > 0 else 0.0
        parts = {
            "remit": (w.remit, remit),
            "keywords": (kw_w, kw),
            "named": (w.named if named.sum() > 0 else 0.0, named),
            "embedding": (models_w * w.embedding, emb),
            "lexical": (models_w * w.lexical, lex),
            "knn": (h_w * w.knn, knn),
        }
        total_w = sum(pw for pw, _ in parts.values())
        score = sum(pw * arr for pw, arr in parts.values()) / total_w
        # components: every signal computed for this draft (kNN is shown as evidence even at weight 0)
        shown = [name for name, (pw, _) in parts.items() if pw > 0 or (name == "knn" and neighbours)]

        # Evidence: a keyword of the draft, a lead it names (one that does not fit is shown to be checked), or the
        # history's models (half its score or more).
        # Without any, a recommendation rests on its remit's e5 similarity alone, which is flat across remits (华侨
        # 委员会's is about as close to an elderly-care draft, a bill on 民族区域自治 or small-business loans as any):
        # below the top it is skipped under a share of the top's score (the next one with evidence moves up), else
        # kept as 仅供参考. Targets without keywords (a test's) have only the old filler rule.
        keyed = any(t.keywords for t in self.targets)
        ranked = np.argsort(-score)
        bare = [not kw_hits[i] and leads[i] is None and w.remit * remit[i] / total_w >= 0.5 * score[i]
                for i in range(n_t)]
        floor = (BARE_SHARE if keyed else FILLER_SHARE) * score[ranked[0]]
        order = [i for i in ranked if i == ranked[0] or not (bare[i] and score[i] < floor)][:top_k]
        local = self.scope is not None
        level = author = None
        offices: list[str | None] = [None] * n_t
        if local:
            author = getattr(draft, "author_level", None) if isinstance(draft, DraftContent) else None
            level, named_offices = _counterparts(text, author)
            if self.scope == "units":
                offices = [named_offices.get(t.name) for t in self.targets]
        out = []
        for i in order:
            t = self.targets[i]
            reasons = [f"职责相符：{t.remit[:40]}……（语义相似度 {remit_sim[i]:.2f}）"]
            if leads[i]:
                office = _lead_office(text, matches[i], level is not None and author is not None)
                said = (f"草稿写明由{office}办理（国家层面对口：{t.name}）" if office else
                        f"草稿写明由其牵头（“{leads[i]}”）")
                reasons.insert(0, said if whole[i] else f"{said}，所在一条属其职责" if part[i] else
                               f"{said}，但内容与其职责不够相符，请核对")
            if kw_hits[i]:
                reasons.append("涉及关键词：" + "、".join(kw_hits[i][:5]))
            if i in neighbours:
                best = max(neighbours[i], key=lambda x: x[0])
                label = best[1].title or best[1].text[:30]
                reasons.append(
                    f"以往 {len(neighbours[i])} 件相似事项由其办理（最相似：{book_title(label)}，相似度 {best[0]:.2f}）"
                )
            if models_w > 0 and max(lex[i], emb[i]) >= 0.2:
                reasons.append(f"按以往交办记录训练的模型：文本 {lex[i]:.2f}，语义 {emb[i]:.2f}")
            comps = {name: float(parts[name][1][i]) for name in shown}
            if keyed and bare[i] and i != order[0]:
                reasons.insert(0, REFERENCE_NOTE)
            out.append(Recommendation(t.name, float(score[i]), reasons, comps, offices[i] if level else None))
        notes = []  # said first: the bot's staff view shows the first 200 characters of the reasons
        if out and (doubt := unsure_reason(sorted(score, reverse=True)[:2], n_t)):
            notes.append(f"{LOW_NOTE}（{doubt}）")
        elif out and keyed and bare[order[0]]:
            notes.append(f"{LOW_NOTE}（草稿中没有与其职责对应的用语，只是语义上相近）")
        if out and local and isinstance(draft, DraftContent):
            matters = draft_matters(draft, load_targets("units"))
            if len(matters) >= SEVERAL_MATTERS:
                notes.append(f"{SEVERAL_NOTE}（" + "；".join(_matter_label(m) for m in matters[:5])
                             + "），请确定主办单位，或请代表按一事一议拆分")
        if out and level is not None:
            notes.append(level_note(level, out[0], self.scope))
            if level.holds(out[0].local):  # said in the note
                out[0].reasons = [r.replace(f"（国家层面对口：{out[0].name}）", "") if r.startswith("草稿写明由") else r
                                  for r in out[0].reasons]
        if out and local and isinstance(draft, DraftContent) and (refused := not_for_assignment(draft)):
            notes.insert(0, refused)
        if out and too_long:
            notes.insert(0, f"草稿篇幅过长，只按前 {TOO_LONG_CHARS} 字推荐")
        if out:
            out[0].reasons[:0] = notes
        return out


def local_counterparts(draft: DraftContent) -> tuple[DraftLevel | None, dict[str, str]]:
    """The local level the draft is meant for (or None) and the local offices it names, by national unit
    (交通运输部 → 自治区交通运输厅)."""
    return _counterparts(draft.full_text()[:TOO_LONG_CHARS], getattr(draft, "author_level", None))


def _counterparts(text: str, author_level: str | None) -> tuple[DraftLevel | None, dict[str, str]]:
    units = load_targets("units")
    offices = [local_office(text, t) for t in units]
    level = draft_level(text, author_level, offices)
    if level is not None:
        offices = [local_office(text, t, level.key) if o else None for t, o in zip(units, offices)]
    return level, {t.name: o for t, o in zip(units, offices) if o}


def level_note(level: DraftLevel, top: Recommendation, scope: str | None) -> str:
    """草稿面向自治区一级：对应单位为自治区交通运输厅（国家层面对口：交通运输部）. The lists are national (国务院部门,
    全国人大专门委员会); a local draft goes to its own level's office, which the draft may name."""
    if scope == "committees" and level.key == "township":  # a township congress has no committees: its 主席团 acts
        return f"草稿面向{level.phrase}：乡镇人民代表大会不设专门委员会，议案由大会主席团处理（全国人大对口领域：{top.name}）"
    if scope == "committees":
        return (f"草稿面向{level.phrase}：对应的是{level.word}人大相应的专门委员会或工作机构"
                f"（全国人大对口：{top.name}）")
    if level.holds(top.local):
        return f"草稿面向{level.phrase}：对应单位为{top.local}（国家层面对口：{top.name}）"
    named = f"；草稿写明的是{top.local}" if top.local else ""
    # a township has no departments of its own (no 乡镇公安局): its 主席团 hands suggestions to the township government
    office = "乡镇人民政府" if level.key == "township" else f"{level.word}相应部门"
    return f"草稿面向{level.phrase}：对应单位为{office}（国家层面对口：{top.name}{named}）"


NOT_FOR_ASSIGNMENT = "不宜交办"


def not_for_assignment(draft: DraftContent) -> str | None:
    """Why the draft is not a suggestion to assign to any unit (a private lawsuit, a job for one's nephew), in
    Chinese, or None: the self-check's not-a-suggestion findings, said as 不宜交办 and where it should go instead."""
    from suggestions.selfcheck import not_suggestion_findings

    found = not_suggestion_findings(clip_draft(draft))
    if not found:
        return None
    labels = "、".join(dict.fromkeys(f"“{m.group(1)}”" for f in found if (m := re.search(r"“([^”]+)”", f.message))))
    bodies = "；".join(dict.fromkeys(f"应由{b}处理" for f in found if (b := f.details.get("body"))))
    return f"{NOT_FOR_ASSIGNMENT}：内容可能属于{labels}，不宜作为代表{draft.kind}交办" + (f"；{bodies}" if bodies else "") + "（见自检）"


def _matter_label(units: list[str]) -> str:
    from suggestions.coherence import field_label

    return field_label(units[:2])


def unsure_reason(scores: Sequence[float], n_targets: int) -> str | None:
    """Why the top recommendation is unsure (in Chinese), or None. ``scores``: the best scores, highest first."""
    if not scores:
        return None
    top = float(scores[0])
    if len(scores) > 1 and scores[1] >= UNSURE_TIE * top:
        return f"前两项得分接近：{top:.2f} 与 {float(scores[1]):.2f}"
    if top < UNSURE_LOW_SHARE / n_targets:
        return f"最高得分只有 {top:.2f}"
    return None


def targets_kind(kind: str) -> str:
    return "committees" if kind == KIND_BILL else "units"


def router_for(kind: str, embedder: EmbedderLike, history: Iterable[HistoryItem] = ()) -> Router:
    """The router for a draft kind: units for 建议, NPC special committees for 议案."""
    return Router(load_targets(targets_kind(kind)), embedder, history, scope=targets_kind(kind))


async def history_from_db(session: AsyncSession, kind: str) -> list[HistoryItem]:
    """What staff actually assigned before: every unit of every assigned item is one example."""
    from suggestions import repository as repo
    from suggestions.embedding import rows_from_blob

    items = []
    for row in await repo.all_suggestions(session):
        if row.kind != kind or not row.units:
            continue
        text = DraftContent.from_dict(row.content).full_text()
        vecs = rows_from_blob(row.embedding)  # older rows hold routing_text's vector only
        first, windows = (None, None) if vecs is None else (vecs[0], vecs[1:])
        for unit in row.units:
            items.append(HistoryItem(text, unit, row.title, first, windows))
    return items


async def build_router(sm: async_sessionmaker[AsyncSession], kind: str, embedder: EmbedderLike) -> Router:
    async with sm() as s:
        history = await history_from_db(s, kind)
    return await asyncio.to_thread(router_for, kind, embedder, history)


async def recommend_for_draft(
    sm: async_sessionmaker[AsyncSession], draft: DraftContent, embedder: EmbedderLike, top_k: int = 3
) -> tuple[np.ndarray, list[Recommendation], str]:
    """(embedding rows of the draft: routing_text's then the body windows', top units/committee,
    topic label) for a submission."""
    router = await build_router(sm, draft.kind, embedder)
    q = await asyncio.to_thread(router.query_vectors, draft)
    recs = await asyncio.to_thread(router.recommend, draft, top_k, q)
    topics = await asyncio.to_thread(Router, load_targets("topics"), embedder)
    topic = (await asyncio.to_thread(topics.recommend, draft, 1, q))[0].name
    return q, recs, topic
