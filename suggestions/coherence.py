"""Coherence of a draft: the title names what the body is about, and the draft raises one matter (一事一议).

Two self-check findings, tuned to stay silent on well-formed drafts (436 real proposals: bench/selfcheck_coherence.py):
- ``title_mismatch``: the title's subject words are absent from the body (a title copied from another draft, a body
  pasted under the wrong title); with the embedder, e5 must also find the title unrelated to the body;
- ``several_topics``: the demands ask for unrelated things that different units would handle; the fix is to split.

Lexical signals weigh words by how rare they are in jieba's dictionary, so 发展、机制 count for little and 公厕、饮水 for
much. The embedder is optional; without it the lexical rules decide alone (more strictly, and catching less).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from suggestions.routing import Target, _remit_vectors, keyword_in, load_targets
from suggestions.text import measure_items, strip_item_mark
from suggestions.types import SEVERITY_WARNING, DraftContent, EmbedderLike, Finding

# Words every policy text uses whatever its subject: they say nothing of what a title or an item is about.
_GENERIC = frozenset(
    "加强 完善 推进 推动 促进 进一步 一步 提升 提高 建立 健全 建立健全 构建 打造 加快 强化 深化 优化 实施 开展 创新 发展 建设 "
    "管理 服务 工作 问题 机制 体系 制度 政策 我省 我市 我县 我区 我国 江苏 全省 江苏省 全市 全县 建议 提案 议案 意见 批评 "
    "有效 大力 积极 切实 更好 高质量 质量 高质 新时代 全面 相关 若干 几点 思考 对策 做好 落实 解决 加大 力度 支持 保障 "
    "规范 合理 着力 每月 每年 每人 每天 每个 年底 年内 年度 以上 以下 会同 牵头 负责".split())
# Remit keywords that turn up in demands on any subject (创新 in a school's teaching, 平台 in any service): no sign of
# which unit an item belongs to. Finance and planning are asked of in every field, so they mark no separate matter.
_CROSS_CUTTING_KEYWORDS = frozenset(
    "创新 人才 平台 网络 数据 标准 规划 区域 投资 执行 治理 工程 建筑 运动 劳动 消费 支付 社区 安全".split())
_CROSS_CUTTING_UNITS = frozenset({"财政部", "国家发展和改革委员会"})
# A local body asked to act (县民政局, 市交通运输局, 省教育厅): who is to act, not what about.
_BODY_NAME = re.compile(r"(?:省|市|县|区|镇|乡)[\u4e00-\u9fff]{1,6}?(?:局|厅|委|办)")
_TITLE_FRAME = re.compile(r"^(?:关于|關於|建议|建議)+|的?(?:建议|议案|提案|批评和意见|批评|意见|建議|議案)$")

# -- title_mismatch --------------------------------------------------------------------------------------
# Share (weighted by rarity) of the title's subject words that the body uses. Real proposals: 2 of 436 below 0.3,
# both slogans (建章立制守师德 风清气正育新人); a title swapped in from another topic: 80% below 0.25.
TITLE_SHARE_ALONE = 0.25  # no embedder: below this the title is flagged
TITLE_SHARE_GATE = 0.6  # with the embedder: below this e5 is asked (13 of 436 real drafts)
# e5 cosine of the title (query) with the body's parts (passages), minus its mean cosine with the 33 units' remits (a
# title-specific baseline: some titles are close to everything). Real proposals: 0.035 at the lowest; titles swapped
# in from another topic: 0.016 median.
TITLE_MIN_RELATEDNESS = 0.04
PASSAGE_CHARS = 380  # one e5 window (256 tokens)
MIN_BODY_CHARS = 80  # a shorter body says too little to contradict the title

# -- several_topics ----------------------------------------------------------------------------------------
MIN_ITEM_CHARS = 6
MAX_ITEMS = 30  # a pasted report can split into hundreds of sentences: the first 30 items are read
MAX_E5_ITEMS = 8  # at most this many items are embedded (~0.3 s on a busy 2-core machine)
ITEM_CHARS = 200  # what e5 reads of an item: its first sentence or two name its subject
ITEM_INFO = 9.0  # words at least this rare (发展 6.8, 农村 8.6, 教师 9.1) carry an item's subject
ITEM_SHARE_GATE = 0.2  # an item whose subject words are mostly absent from the title, problem and cause is a candidate
# e5 cosine of an item and the title (both queries): real items' 5th percentile 0.862, pasted ones' median 0.85
ITEM_TITLE_COS = 0.865
ITEM_TOPICAL = 0.015  # best remit cosine minus the mean: lower is a generic item (加强领导、形成合力) about no field
MIN_OFF_ITEMS = 2
MIN_OFF_SHARE = 0.25  # of the items: one stray sentence in twenty is no second matter
LINK_INFO = 10.0  # two items sharing a word this rare (养老, 公交) are on one subject
MAX_SHARED_WORDS = 0.1  # of the off items' rare words, at most this share may recur in the other items


@dataclass
class TopicGroup:
    """Items (indexes into the measure items) on one subject, and the units it points to."""

    items: list[int]
    units: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict, int]:
    import jieba

    from retrieval.tokenize import in_dictionary

    in_dictionary("的")  # initialises jieba's dictionary
    return jieba.dt.FREQ, jieba.dt.total


def informativeness(word: str) -> float:
    """-log of the word's share of jieba's dictionary counts: 发展 6.8, 农村 8.6, 养老 11.4, 公厕 14.2, an unknown
    word (普职) 17.9."""
    freq, total = _dictionary()
    return math.log(total / (freq.get(word, 0) + 1))


@lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    """jieba search-mode words that can name a subject (a long word and its parts: 大运河, 运河)."""
    from retrieval.tokenize import tokenize

    return tuple(w for w in dict.fromkeys(tokenize(text)) if len(w) >= 2 and w not in _GENERIC and not w.isdigit())


# What opens a demand before its subject: 建议, the body asked (县交通运输局会同水利局) and a deadline (在2026年底前).
_DEMAND_LEAD = (re.compile(r"^(?:建议|希望|要|请)"),
                re.compile(r"^(?:由|会同|联合|和|、)?[\u4e00-\u9fff]{1,8}?(?:局|厅|委员会|委)(?:牵头|负责)?"),
                re.compile(r"^(?:在|于)?\d{4}年(?:底|内)?(?:前|以前)?[，,]?"))


def _snippet(text: str, n: int = 20) -> str:
    """The start of a demand's subject, for quoting."""
    text = re.sub(r"\s+", "", text)
    for pat in (*_DEMAND_LEAD[:2], *_DEMAND_LEAD[1:]):  # a body may follow another (县生态环境局会同水利局)
        text = pat.sub("", text, count=1) or text
    return text if len(text) <= n else text[:n] + "…"


def title_coverage(title: str, body: str) -> tuple[float, list[str]] | None:
    """(share of the title's subject words, weighted by rarity, that ``body`` uses; the words it does not), or None
    when the title names no subject. A word of three or more characters half-counts by its two-character parts
    (守师德 by 师德)."""
    words = content_words(_TITLE_FRAME.sub("", title.strip()))
    if not words:
        return None
    got = total = 0.0
    missing = []
    for w in words:
        weight = informativeness(w)
        if w in body:
            found = 1.0
        else:
            parts = [w[i:i + 2] for i in range(len(w) - 1)] if len(w) >= 3 else []
            found = 0.5 * sum(p in body for p in parts) / len(parts) if parts else 0.0
            if not any(w in m for m in missing):  # 大运河, not also 运河
                missing.append(w)
        got += found * weight
        total += weight
    return got / total, [m for m in missing if not any(m != o and m in o for o in missing)]


def _units() -> tuple[Target, ...]:
    return load_targets("units")


def _title_relatedness(embedder: EmbedderLike, draft: DraftContent) -> float:
    parts = [p[:PASSAGE_CHARS] for p in (draft.problem, draft.cause, draft.measures, draft.outline) if p.strip()]
    t = embedder.encode_queries([draft.title])[0]
    cos = embedder.encode_passages(parts) @ t
    return float(cos.max() - (_remit_vectors(embedder, _units()) @ t).mean())


def title_mismatch(draft: DraftContent, embedder: EmbedderLike | None = None) -> Finding | None:
    body = draft.body()
    if not draft.title.strip() or len(body) < MIN_BODY_CHARS:
        return None
    cov = title_coverage(draft.title, body.lower())  # jieba's words are lower-case (APP → app)
    if cov is None:
        return None
    share, missing = cov
    related = None
    if embedder is None:
        if share >= TITLE_SHARE_ALONE:
            return None
    else:
        if share >= TITLE_SHARE_GATE:
            return None
        related = _title_relatedness(embedder, draft)
        if related >= TITLE_MIN_RELATEDNESS:
            return None
    rarest = sorted(missing, key=informativeness, reverse=True)[:3]
    words = "、".join(f"“{w}”" for w in missing if w in rarest)  # the most telling, in the title's order
    about = next((strip_item_mark(x) for x in measure_items(draft.measures)), "") or draft.problem
    return Finding(
        "title_mismatch", SEVERITY_WARNING,
        f"标题与正文不符：标题中的{words}等，正文中没有谈到。",
        f"核对标题是否从别的草稿复制而来、正文是否放错：按正文实际提出的事项改写标题（正文谈的是“{_snippet(about, 24)}”），"
        "格式为“关于……的建议”；或换上与标题相符的正文。",
        "title",
        {"share": round(share, 3), "missing": missing, "relatedness": None if related is None else round(related, 4)},
    )


# -- several_topics ----------------------------------------------------------------------------------------
def _items(draft: DraftContent) -> list[str]:
    items = (strip_item_mark(i).strip() for i in measure_items(draft.measures))
    return [x for x in items if len(x) >= MIN_ITEM_CHARS][:MAX_ITEMS]


def _share_in(item: str, context: str) -> float | None:
    """Share (weighted by rarity) of the item's subject words that ``context`` uses; None when it has none."""
    words = [w for w in content_words(item[:300]) if informativeness(w) >= ITEM_INFO]
    if not words:
        return None
    total = sum(informativeness(w) for w in words)
    return sum(informativeness(w) for w in words if w in context) / total


def _rare_words(text: str) -> set[str]:
    """Words that can tie two items to one subject: rare ones, not in the name of the body asked to act (县民政局 and
    县财政局 share 政局 to jieba)."""
    return {w for w in content_words(_BODY_NAME.sub("□", text[:300])) if informativeness(w) >= LINK_INFO}


@lru_cache(maxsize=4096)
def _item_units(item: str) -> frozenset[str]:
    return frozenset(u.name for u in _units() if u.name not in _CROSS_CUTTING_UNITS
                     for k in u.keywords if k not in _CROSS_CUTTING_KEYWORDS and keyword_in(k, item))


def lexical_groups(items: list[str], title: str = "") -> list[TopicGroup]:
    """Items joined when they share a unit's remit keyword or a rare word, with each other or with the title (so
    鉴定机构 and 诉讼费用 under 关于完善环境公益诉讼制度 are one matter); the groups most of whose items name a unit,
    largest first, when there are several and those besides the largest hold a quarter of the items. Items naming no
    unit (加大资金投入) side with none."""
    n = len(items)
    texts = [x[:300] for x in items] + [title]  # the title is one more node, never a group's member
    units = [_item_units(x) for x in texts]
    words = [_rare_words(x) for x in texts]
    parent = list(range(n + 1))

    def root(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for i in range(n):
        for j in range(i + 1, n + 1):
            if units[i] & units[j] or words[i] & words[j]:
                parent[root(i)] = root(j)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(root(i), []).append(i)
    out = []
    for members in comps.values():
        # a unit one item of many names in passing is not the group's subject: half of them must name it
        named = sorted(u for u in set().union(*(units[i] for i in members))
                       if 2 * sum(u in units[i] for i in members) >= len(members))
        if named:
            out.append(TopicGroup(members, named))
    out.sort(key=lambda g: -len(g.items))
    # one stray item among many is no second matter: the groups besides the largest hold a quarter of the items
    return out if len(out) > 1 and sum(len(g.items) for g in out[1:]) >= MIN_OFF_SHARE * n else []


def embedding_groups(draft: DraftContent, items: list[str], embedder: EmbedderLike) -> list[TopicGroup]:
    """[on the title's subject, off it] when at least two items (a quarter) are about another field than the title:
    their subject words are absent from the title, problem and cause, e5 finds them far from the title, they are
    about some field (not 加强领导), and that field's closest remit is not the title's. Only those items are
    embedded, and only when their words leave the context."""
    context = draft.title + draft.problem + draft.cause
    shares = [_share_in(x, context) for x in items]
    cands = [i for i, s in enumerate(shares) if s is not None and s < ITEM_SHARE_GATE]
    if len(cands) < MIN_OFF_ITEMS or len(cands) < MIN_OFF_SHARE * len(items):
        return []
    cands = sorted(sorted(cands, key=lambda i: shares[i])[:MAX_E5_ITEMS])  # the furthest from the context first
    vecs = embedder.encode_queries([items[i][:ITEM_CHARS] for i in cands])
    t = embedder.encode_queries([draft.title])[0]
    remits = _remit_vectors(embedder, _units())
    sims = vecs @ remits.T
    topical = sims.max(1) - sims.mean(1)
    off_rows = [k for k in range(len(cands)) if vecs[k] @ t < ITEM_TITLE_COS and topical[k] >= ITEM_TOPICAL]
    off = [cands[k] for k in off_rows]
    if len(off) < MIN_OFF_ITEMS or len(off) < MIN_OFF_SHARE * len(items) or len(off) == len(items):
        return []
    # the closest remit of a few items is only a guess at their unit (not shown), but the same guess as the title's
    # says the field is the title's after all
    if np.argmax(remits @ vecs[off_rows].mean(0)) == np.argmax(remits @ t):
        return []
    # another matter has its own words: the off items share almost none of their rare words with the others (real
    # proposals whose teaching methods or publicity items e5 put far from a slogan title share theirs)
    on = [i for i in range(len(items)) if i not in off]
    off_words = set().union(*(_rare_words(items[i]) for i in off))
    on_words = set().union(*(_rare_words(items[i]) for i in on))
    if off_words and len(off_words & on_words) > MAX_SHARED_WORDS * len(off_words):
        return []
    return [TopicGroup(on), TopicGroup(off)]


def several_topics(draft: DraftContent, embedder: EmbedderLike | None = None,
                   title_fits: bool = True) -> Finding | None:
    """``title_fits``: False when the title does not match the body (then e5 has no measure of the draft's subject)."""
    if draft.is_bill:  # a bill's draft articles are one law's
        return None
    items = _items(draft)
    if len(items) < 2:
        return None
    groups = lexical_groups(items, draft.title)
    method = "lexical"
    if len(groups) < 2 and embedder is not None and title_fits and len(items) >= 3:
        # e5 measures the items against the title: only a title that fits the body can be the measure
        groups, method = embedding_groups(draft, items, embedder), "embedding"
    if len(groups) < 2:
        return None
    # the group the title speaks of stays (the embedding's first group is the title's)
    title_words = set(content_words(draft.title))
    title_units = _item_units(draft.title)

    def fits_title(g: TopicGroup) -> int:
        return sum(bool(title_words & set(content_words(items[i][:300])) or title_units & _item_units(items[i][:300]))
                   for i in g.items)

    keep = max(groups, key=fits_title) if method == "lexical" else groups[0]
    others = [g for g in groups if g is not keep]
    listed = "；".join(
        f"“{_snippet(items[g.items[0]])}”" + (f"等 {len(g.items)} 条" if len(g.items) > 1 else "")
        + (f"（{'、'.join(g.units[:2])}）" if g.units else "") for g in groups)
    moved = "、".join(f"“{_snippet(items[g.items[0]])}”" for g in others)
    return Finding(
        "several_topics", SEVERITY_WARNING,
        f"“具体建议”提出了几件互不相关的事项，可能要由不同单位分别办理：{listed}。",
        f"按“一事一议”，一件建议只提一个事项：本件保留与标题相符的“{_snippet(items[keep.items[0]])}”等条目，"
        f"把{moved}等另行起草为单独的建议，各自写明问题、原因和措施。",
        "measures",
        {"method": method, "groups": [{"items": [items[i] for i in g.items], "units": g.units} for g in groups]},
    )


def coherence_findings(draft: DraftContent, embedder: EmbedderLike | None = None) -> list[Finding]:
    mismatch = title_mismatch(draft, embedder)
    topics = several_topics(draft, embedder, title_fits=mismatch is None)
    return [f for f in (mismatch, topics) if f is not None]
