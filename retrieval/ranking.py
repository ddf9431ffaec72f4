"""Fusion of lexical and dense evidence, and document-level (law-level) context.

Both signals are computed for every candidate that either retriever found, so fusion works on
complete scores rather than on two partial rank lists. Weights were chosen on the STARD dev split
(bench/stard.py); the held-out split was never used for tuning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .titles import QueryTitles


@dataclass(frozen=True)
class RankConfig:
    mode: str = "hybrid"  # "hybrid" | "bm25" | "dense"
    fusion: str = "zscore"  # "zscore" | "weighted" (raw cosine + max-normalised BM25) | "rrf"
    candidates: int = 300  # per retriever
    w_dense: float = 0.8
    w_bm25: float = 0.2
    rrf_k: int = 60
    group_weight: float = 0.3  # weight of the document-title (law) score
    group_top: int = 3  # how many of a title's best chunks make its score
    w_authority: float = 1.0  # times titles.LEVEL_PENALTY: norms below 法律 rank lower
    w_named: float = 1.0  # boost for documents the query names (代表法, 民法典)
    w_subject: float = 0.5  # … and, less, for norms whose subject it names (代表 → 代表法)
    other_level_penalty: float = 1.5  # the national congress's own rules, for a question about a local congress
    unnamed_level_penalty: float = 1.0  # … and, less, for a question that names no level (the general law first)
    superseded_penalty: float = 4.0  # an older version of a document indexed beside its newer one (代表法 2015 / 2025)
    # a document another indexed one repeals (河南's 2000 rules on suggestions, repealed by its 2017 rules): less than a
    # superseded version, since its successor often has another title and other words
    repealed_penalty: float = 1.0
    w_locator: float = 1.0  # boost for chunks whose month / article the query names (“9月”“第五十一条”)
    w_session: float = 1.0  # boost for chunks naming the session the query names by number (“第二十二次会议”)
    w_quoted: float = 1.0  # boost for chunks holding a term the query quotes (“列席代表说”是个啥)
    w_adoption: float = 2.0  # boost for a document's adoption note when the query asks when it was adopted
    w_object: float = 1.0  # penalty for a chunk that does not mention the procedure the question names (议案, 质询…)
    w_actor: float = 0.5  # penalty for a chunk that never speaks of deputies, for a question about what deputies do
    prf_weight: float = 0.0  # pseudo-relevance feedback: move the query vector toward the top hits
    prf_docs: int = 5


def fuse(dense: np.ndarray, bm25: np.ndarray, cfg: RankConfig) -> np.ndarray:
    """``dense``: cosine similarities; ``bm25``: raw BM25 scores, both over the same candidates."""
    if cfg.mode == "dense":
        return dense.copy()
    top = bm25.max() if bm25.size and bm25.max() > 0 else 1.0
    bm = bm25 / top
    if cfg.mode == "bm25":
        return bm
    if cfg.fusion == "zscore":
        # e5 cosines are compressed (0.75-0.9) while max-normalised BM25 spans 0-1: standardise both
        # over the candidate set so the weights mean what they say.
        return cfg.w_dense * _z(dense) + cfg.w_bm25 * _z(bm)
    if cfg.fusion == "rrf":
        rd = np.empty(len(dense)); rd[np.argsort(-dense)] = np.arange(len(dense))
        rb = np.empty(len(bm)); rb[np.argsort(-bm)] = np.arange(len(bm))
        return 1 / (cfg.rrf_k + rd) + 1 / (cfg.rrf_k + rb)
    return cfg.w_dense * dense + cfg.w_bm25 * bm


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def add_group_scores(scores: np.ndarray, groups: list[str], cfg: RankConfig) -> np.ndarray:
    """Add the strength of each candidate's document (its law) to the chunk's own score.

    A question about inheritance should prefer articles of the law that, as a whole, answers
    inheritance questions; a lone lexical match in an unrelated law then ranks lower.
    """
    if cfg.group_weight <= 0 or not len(scores):
        return scores
    best: dict[str, list[float]] = {}
    for s, g in zip(scores, groups):
        best.setdefault(g, []).append(float(s))
    gscore = {g: float(np.mean(sorted(v, reverse=True)[: cfg.group_top] + [0.0] * max(0, cfg.group_top - len(v))))
              for g, v in best.items()}
    g = np.array([gscore[x] for x in groups])
    return scores + cfg.group_weight * g


def add_title_priors(scores: np.ndarray, titles: list[str], catalog, asked: "QueryTitles", cfg: RankConfig) -> np.ndarray:
    """Hierarchy of norms, superseded versions, and what the question says about the titles (see
    ``retrieval.titles``): documents it names are lifted, local rules of a place it names are not ranked down
    for their level, and the national congress's own rules rank lower for a question about a local congress."""
    if not len(scores):
        return scores
    adj = np.zeros(len(scores))
    for i, t in enumerate(titles):
        info = catalog.info.get(t)
        if info is not None:
            exempt = t in asked.named or t in asked.placed  # what the question names is what it asks about
            adj[i] -= (0.0 if exempt else cfg.w_authority * info.penalty) + \
                (cfg.superseded_penalty if info.superseded else cfg.repealed_penalty if info.repealed else 0.0)
        if t in asked.named:
            adj[i] += cfg.w_named
        elif t in asked.subject:
            adj[i] += cfg.w_subject
        elif t in asked.other_level:
            adj[i] -= cfg.other_level_penalty
        elif t in asked.unnamed_level:
            adj[i] -= cfg.unnamed_level_penalty
    return scores + adj


# Locators a question can name in its own words: a month row of a schedule, a law's article.
_NAMEABLE_LOCATOR = re.compile(r"^(?:1[0-2]|[1-9])月$|^全年$|^第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?$")


def names_locator(query: str, locator: str) -> bool:
    """Does the (rewritten, digits for numbers) query name this chunk's month, 全年 or article?"""
    key = (locator or "").rsplit(" / ", 1)[-1]
    if not _NAMEABLE_LOCATOR.match(key):
        return False
    at = query.find(key)
    while at > 0 and query[at - 1].isdigit():  # "1月" inside "11月"
        at = query.find(key, at + 1)
    return at >= 0


# “计划是什么时候通过的”“哪次会议通过的”: the answer is a document's bracketed adoption note
# (“（2025年12月24日…委员长会议原则通过…）”), which sits at the head of a long chunk that nothing else ranks.
ASKS_ADOPTED = re.compile(r"(?:什么时候|何时|哪天|哪一天|哪年|哪次会议|哪个会议|几月几[日号]|几号).{0,6}(?:通过|印发|发布|修改|修订)"
                           r"|(?:通过|印发|发布|修订)的?(?:时间|日期)|(?:会议|委员长会议)通过的")
_ADOPTION_NOTE = re.compile(r"[（(][^（）()]{0,120}?\d{4}年\d{1,2}月\d{1,2}日[^（）()]{0,160}?(?:通过|修改|修正|印发)[^（）()]{0,80}[)）]")


def add_adoption_prior(scores: np.ndarray, texts: list[str], titles: list[str], named: frozenset[str] | set[str],
                       query: str, cfg: RankConfig) -> np.ndarray:
    """Chunks holding an adoption note, for a question about when or where a document was adopted; only the
    named documents' when the question names some (“代表法是什么时候通过的” is not the Basic Law's annex)."""
    if not len(scores) or not cfg.w_adoption or not ASKS_ADOPTED.search(query):
        return scores
    return scores + cfg.w_adoption * np.array([bool((not named or t in named) and _ADOPTION_NOTE.search(x))
                                               for x, t in zip(texts, titles)], dtype=np.float64)


def add_locator_prior(scores: np.ndarray, locators: list[str], query: str, cfg: RankConfig) -> np.ndarray:
    """Chunks whose month or article the query names (“9月份的安排”, “第五十一条”)."""
    if not len(scores) or not cfg.w_locator:
        return scores
    return scores + cfg.w_locator * np.array([names_locator(query, loc) for loc in locators], dtype=np.float64)


# A session named by its number (“第二十二次会议”, “四次会议”): the schedule rows of the sessions before and after it
# read almost the same (“做好…第二十八次会议有关服务保障工作”), and one row may list two (“第二十二、二十三次会议”).
_NUM = r"[零〇一二两三四五六七八九十百\d]+"
# an ordinal: after 第, or right after the body (“十三届人大四次会议”, “常委会二十二次会议”); not a count (“召开三次会议”)
_SESSION = re.compile(rf"(?:第|(?<=[届大会]))({_NUM}(?:[、，,和及至到]第?{_NUM})*)次(?:全体|常委会|常务委员会)?会议")
_SESSION_PART = re.compile(rf"([、，,和及至到]?)第?({_NUM})")


def session_numbers(text: str) -> set[int]:
    """The session numbers ``text`` names: “第二十二、二十三次会议” → {22, 23}, “第五至七次会议” → {5, 6, 7}."""
    from corpus.numbers import parse_cn_int

    out: set[int] = set()
    for m in _SESSION.finditer(text):
        prev = None
        for sep, num in _SESSION_PART.findall(m.group(1)):
            n = int(num) if num.isdigit() else parse_cn_int(num)
            if n is None:
                continue
            if sep in "至到" and sep and prev is not None and 0 < n - prev <= 20:
                out.update(range(prev + 1, n))
            out.add(n)
            prev = n
    return out


def add_session_prior(scores: np.ndarray, texts: list[str], query: str, cfg: RankConfig) -> np.ndarray:
    """Chunks that name the session the query names by number."""
    if not len(scores) or not cfg.w_session or not (asked := session_numbers(query)):
        return scores
    return scores + cfg.w_session * np.array([bool(asked & session_numbers(x)) for x in texts], dtype=np.float64)


# A term the question puts in quotes is a name to be found as written (“列席代表说”, 「代表通道」): its words alone
# pull toward other chunks (列席代表情况通报会).
_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’]{2,20})[”\"」』’]")


def quoted_terms(text: str) -> list[str]:
    return [t.strip() for t in _QUOTED.findall(text) if len(t.strip()) >= 2]


def add_quoted_prior(scores: np.ndarray, texts: list[str], query: str, cfg: RankConfig) -> np.ndarray:
    """Chunks that hold every term the query quotes, verbatim."""
    if not len(scores) or not cfg.w_quoted or not (terms := quoted_terms(query)):
        return scores
    return scores + cfg.w_quoted * np.array([all(t in x for t in terms) for x in texts], dtype=np.float64)


# The procedures deputies ask about by name (“…几个人联名才能提议案”): an article that does not mention the one asked
# about is about another procedure, however close its wording (地方组织法 第二十六条 nominates candidates by
# “十人以上书面联名”; 第二十二条 is the 议案 rule). Longest first: 质询案 before 质询.
OBJECTS = ("质询案", "罢免案", "议案", "质询", "罢免", "询问", "候选人", "辞职", "预算", "决算", "执法检查", "视察",
           "列席", "选民登记", "代表资格", "特定问题调查", "撤销")


def add_object_prior(scores: np.ndarray, texts: list[str], query: str, cfg: RankConfig) -> np.ndarray:
    if not len(scores) or not cfg.w_object:
        return scores
    asked = [o for o in OBJECTS if o in query]
    if not asked:
        return scores
    return scores - cfg.w_object * np.array([not any(o in x for o in asked) for x in texts], dtype=np.float64)


# Deputies as persons (“代表十人以上联名”), not the congress (人民代表大会), a delegation (代表团), the law (代表法)
# or a company's 法定代表人.
DEPUTY = re.compile(r"代表(?!大会|团|法|人|处|机构|性|作|其|着|了)")
# Someone else whose rule a deputy's question is not about, unless the question names them itself.
_OTHER_ACTOR = re.compile(r"组成人员|委员长|主任|副主任|委员(?!会)|主席团|秘书长|政府|法院|院长|检察|监察|常务委员会|常委会|"
                          r"专门委员会|选民|公民|候选人|工作人员|干部|公务员")


# … in a question about people's congresses: “可以代表公司借款吗” is no deputy's question
_CONGRESS = re.compile(r"人大|人民代表大会|人代会|议案|建议|选举|选民|选区|履职|视察|联名|罢免|质询|列席"
                       r"|代表(?:活动|小组|资格|证|工作|联络|之家|职务)")


def add_actor_prior(scores: np.ndarray, texts: list[str], query: str, cfg: RankConfig) -> np.ndarray:
    """For a question about what deputies themselves may or must do (“县人大代表要几个人联名才能提议案”), a chunk
    that never speaks of deputies is another actor's rule, however close its wording (地方组织法 第五十二条: the
    常委会 members' 三人以上联名)."""
    if (not len(scores) or not cfg.w_actor or not DEPUTY.search(query) or not _CONGRESS.search(query)
            or _OTHER_ACTOR.search(query)):
        return scores
    return scores - cfg.w_actor * np.array([not DEPUTY.search(x) for x in texts], dtype=np.float64)
