"""Coherence of a draft: the title names what the body is about, and the draft raises one matter (一事一议).

Two self-check findings, tuned to stay silent on well-formed drafts (436 real proposals: bench/selfcheck_coherence.py):
- ``title_mismatch``: the title's subject words are absent from the body (a title copied from another draft, a body
  pasted under the wrong title); with the embedder, e5 must also find the title unrelated to the body;
- ``several_topics``: the demands ask for unrelated things that different units would handle; the fix is to split.

Lexical signals weigh words by how rare they are in jieba's dictionary, so 发展、机制 count for little and 公厕、饮水 for
much. The embedder is optional; without it the lexical rules decide alone (more strictly, and catching less).
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from suggestions.routing import SEVERAL_MATTERS, Target, draft_matters, keyword_in, load_targets, remit_vectors
from suggestions.text import GENERIC_TITLE, clip, measure_items, strip_item_mark
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
# A body asked to act: who is to act, not what about. A local body (县民政局, 市交通运输局, 省教育厅), or one named
# where a demand says who acts, after 建议/由/会同/联合/请/督促 or in a list (公安交警, 市场监管部门, 公安、交警部门,
# 县公安局交警大队). Masked before an item's units and words are read: 县城市管理局 asked to clear hawkers from a
# school's gate does not make the item a housing-and-construction matter, nor 公安交警 a police one.
# (区 of 社区, 小区, 园区 and 市 of 超市, 城市 open no body: “街道社区加强对业委会组建的指导” names no 区…委)
_BODY_NAME = re.compile(r"(?:省|(?<![超城都门股集])市|县|(?<![社小园校景城辖片山])区|镇|乡)[\u4e00-\u9fff]{1,6}?(?:局|厅|委|办)"
                        r"|(?:^|(?<=[由同合请促议和与、局]))[\u4e00-\u9fff、]{0,8}?(?:部门|机关|交警|大队|支队)")
# Place names say where, not what about (宁夏, 江苏省, 宿迁, 苏北, 淮河, 我区, 全县): a body written with 我区 under a
# title that names 宁夏 is on the title's subject. jieba tags many subject words ns as well (城市, 海洋, 深度, 普及, 治安,
# 福利, 海关: also names of places somewhere), so an ns (or nr, nz: 宿迁, 南通) word counts as a place when jieba also
# knows it as a city, a province or a river basin (宿迁市, 淮河流域), or when it is one (南京市, 太湖流域).
_PROVINCES = ("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 "
              "贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门").split()
_PROVINCE = re.compile(rf"^(?:{'|'.join(_PROVINCES)})(?:省|市|[\u4e00-\u9fff]{{0,3}}自治区|特别行政区)?$")
_PROVINCE_PART = re.compile(r"^[京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川蜀黔贵滇云陕秦甘陇青宁新藏桂蒙港澳台][东南西北中]{1,2}$")
_LOCAL_REF = re.compile(r"^(?:我|全|本|该|各)(?:国|省|市|县|区|州|盟|旗|镇|乡|村)$")
_REGIONS = frozenset("中国 中华人民共和国 长三角 珠三角 京津冀 粤港澳 大湾区 淮海 成渝".split())
_PLACE_END = ("省", "市", "县", "区", "州", "盟", "旗", "流域")
# A term the title quotes (“一老一小”, “放管服”) stands for what the problem and cause say it covers.
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,12})[”\"」』]")
_GLOSS_SPLIT = re.compile(r"[。！？!?\n]")
_FIGURE = re.compile(r"\d")  # 6.5, 50%: a figure of the gloss, not its subject
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
# One stray item is no second matter (a lone demand on hawkers at the school gate in a draft on school canteens):
# a group counts when it has at least two items, or is a third of them (three demands on three unrelated things);
# what is moved out counts when it is at least two items and a quarter of them.
MIN_OFF_ITEMS = 2
MIN_GROUP_SHARE = 1 / 3
MIN_OFF_SHARE = 0.25
LINK_INFO = 10.0  # two items sharing a word this rare (养老, 公交) are on one subject
MAX_SHARED_WORDS = 0.1  # of the off items' rare words, at most this share may recur in the other items
# Words that say where a demand applies, not what it is about: 城区 in “城区边角地建停车场” and “城区学校教师到乡村任教”
# ties no parking item to a teachers' one (nor 乡镇 a 乡镇中心校 item to a 乡镇卫生院 one).
_WHERE_WORDS = frozenset("城区 市区 县城 城镇 乡镇 县域 主城区 老城区 中心城区 城乡 辖区 镇区".split())
# A title that announces several things rather than one (关于改善民生若干问题的建议, 关于几点建议, 关于当前民生问题的
# 建议): it names no matter, so it covers none of the draft's groups, and its words (民生) tie no two items together.
# Only when nothing but such words is left: 关于我省地方戏曲传承的几点建议 names its matter (戏曲).
_CATCH_ALL_WORDS = re.compile(r"若干|几点|[几多]个?(?:项|方面)?(?:问题|建议|事项)|(?:改善|保障|关注|关心)?民生(?:问题|事项|实事)?"
                              r"|(?:问题|建议|意见)(?:汇总|集锦|合集)|当前|目前|近期")


def catch_all_title(title: str) -> bool:
    """A title made of catch-all words only (若干问题, 民生问题, 几点建议): no subject word of its own is left."""
    rest = _CATCH_ALL_WORDS.sub("", title)
    return rest != title and not any(informativeness(w) >= ITEM_INFO for w in title_words(rest))


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


@lru_cache(maxsize=1)
def _word_tags() -> dict:
    import jieba.posseg

    _dictionary()  # the same dictionary, initialised
    return jieba.posseg.dt.word_tag_tab


@lru_cache(maxsize=4096)
def is_place(word: str) -> bool:
    """宁夏, 宁夏回族自治区, 宿迁, 南京市, 苏北, 淮河, 长三角, 我区, 全县: says where, not what about."""
    if word in _REGIONS or _PROVINCE.match(word) or _PROVINCE_PART.match(word) or _LOCAL_REF.match(word):
        return True
    tag = _word_tags().get(word)
    if tag == "ns" and len(word) >= 3 and word.endswith(_PLACE_END):
        return True
    freq = _dictionary()[0]
    return tag in ("ns", "nr", "nz") and any(freq.get(word + s) for s in ("市", "省", "流域"))


def title_words(title: str) -> tuple[str, ...]:
    """The title's subject words: without the frame (关于……的建议), generic words and place names."""
    return tuple(w for w in content_words(_TITLE_FRAME.sub("", title.strip())) if not is_place(w))


def mask_bodies(text: str) -> str:
    """The text with the names of the bodies asked to act blanked out (县城市管理局会同公安交警 → □会同□)."""
    return _BODY_NAME.sub("□", text)


# What opens a demand before its subject: 建议, the bodies asked (县交通运输局会同水利局, 县城市管理局会同公安交警) and a
# deadline (在2026年底前).
_DEMAND_LEAD = (re.compile(r"^(?:建议|希望|要|请)"),
                re.compile(r"^(?:由|会同|联合|和|、)?(?:[\u4e00-\u9fff]{1,8}?(?:局|厅|委员会|委)"
                           r"|[\u4e00-\u9fff、]{0,8}?(?:部门|机关|交警|大队|支队))(?:牵头|负责)?"),
                re.compile(r"^(?:在|于)?\d{4}年(?:底|内)?(?:前|以前)?[，,]?"))


def _snippet(text: str, n: int = 20) -> str:
    """The start of a demand's subject, for quoting."""
    text = re.sub(r"\s+", "", text)
    for pat in (*_DEMAND_LEAD[:2], *_DEMAND_LEAD[1:]):  # a body may follow another (县生态环境局会同水利局)
        text = pat.sub("", text, count=1) or text
    return clip(text, n)


def title_coverage(title: str, body: str) -> tuple[float, list[str]] | None:
    """(share of the title's subject words, weighted by rarity, that ``body`` uses; the words it does not), or None
    when the title names no subject. A word of three or more characters half-counts by its two-character parts
    (守师德 by 师德). Place names are not subject words (宁夏 under a body that says 我区)."""
    words = title_words(title)
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


def _encode_passages(embedder: EmbedderLike, texts: list[str]) -> np.ndarray:
    """Passage vectors, from the embedder's cache when it keeps one (``retrieval.embedder.Embedder``): a deputy
    re-checks the same draft after each edit, and most of its parts have not changed."""
    try:
        cacheable = "cache" in inspect.signature(embedder.encode_passages).parameters
    except (TypeError, ValueError):
        cacheable = False
    return embedder.encode_passages(texts, cache=True) if cacheable else embedder.encode_passages(texts)


def _title_relatedness(embedder: EmbedderLike, draft: DraftContent) -> float:
    parts = [p[:PASSAGE_CHARS] for p in (draft.problem, draft.cause, draft.measures, draft.outline) if p.strip()]
    t = embedder.encode_queries([draft.title])[0]
    cos = _encode_passages(embedder, parts) @ t
    return float(cos.max() - (remit_vectors(embedder, _units()) @ t).mean())


def title_mismatch(draft: DraftContent, embedder: EmbedderLike | None = None) -> Finding | None:
    body = draft.body()
    if not draft.title.strip() or len(body) < MIN_BODY_CHARS or GENERIC_TITLE.match(draft.title.strip()):
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
    """Share (weighted by rarity) of the item's subject words that ``context`` uses; None when it has none. The
    bodies asked to act are not the item's subject."""
    words = [w for w in content_words(mask_bodies(item[:300])) if informativeness(w) >= ITEM_INFO]
    if not words:
        return None
    total = sum(informativeness(w) for w in words)
    return sum(informativeness(w) for w in words if w in context) / total


def _rare_words(text: str) -> set[str]:
    """Words that can tie two items to one subject: rare ones, not in the name of the body asked to act (县民政局 and
    县财政局 share 政局 to jieba)."""
    return {w for w in content_words(mask_bodies(text[:300])) if informativeness(w) >= LINK_INFO}


@lru_cache(maxsize=4096)
def _item_units(item: str) -> frozenset[str]:
    """The units whose remit keywords the text uses, outside the names of the bodies asked to act."""
    text = mask_bodies(item)
    return frozenset(u.name for u in _units() if u.name not in _CROSS_CUTTING_UNITS
                     for k in u.keywords if k not in _CROSS_CUTTING_KEYWORDS and keyword_in(k, text))


def _keyword_uses(unit: str, texts: list[str]) -> int:
    """How often the texts use the unit's remit keywords (就业 in a section on graduates' jobs)."""
    keywords = next((t.keywords for t in _units() if t.name == unit), ())
    return sum(x.count(k) for x in texts for k in keywords if k not in _CROSS_CUTTING_KEYWORDS)


def title_text(draft: DraftContent) -> str:
    """The title and, for a term it quotes (“一老一小”), the sentences of the problem and cause that use it: they
    say what the term covers (老年人 and 婴幼儿)."""
    terms = _QUOTED.findall(draft.title)
    if not terms:
        return draft.title
    gloss = [s for s in _GLOSS_SPLIT.split(draft.problem + "\n" + draft.cause) if any(t in s for t in terms)]
    return "。".join([draft.title, *gloss])


def _title_terms(text: str) -> dict[str, float]:
    """The subject words of a title (with the glosses of its quoted terms) that can tell what an item is about,
    by rarity; place names left out."""
    title, _, gloss = text.partition("。")
    words = title_words(title) + tuple(w for w in content_words(gloss) if not is_place(w) and not _FIGURE.search(w))
    return {w: informativeness(w) for w in words if informativeness(w) >= ITEM_INFO}


# A draft that takes its subjects one by one under headings of their own (“一、关于物业服务 …… 二、关于高校毕业生就业
# ……”), each with its demands: two suggestions in one.
_SECTION = re.compile(r"(?m)^[ \t　]*[一二三四五六七八九十]+[、.．][ \t　]*关于([^\n。；;：:]{2,30})$")


def title_sections(draft: DraftContent) -> list[str]:
    """The sections (heading and account) of a draft that treats two or more subjects one by one, every heading
    naming a subject of the title (关于规范物业服务和促进高校毕业生就业: 一、关于物业服务, 二、关于高校毕业生就业); else [].
    Each stands for one of the title's matters: the title itself then joins no two items."""
    text = draft.problem + "\n" + draft.cause
    heads = list(_SECTION.finditer(text))
    if len(heads) < 2:
        return []
    subject = set(title_words(draft.title))
    if not all(set(title_words(m.group(1))) & subject for m in heads):
        return []
    return [text[m.start():nxt.start() if nxt else len(text)].strip() for m, nxt in zip(heads, heads[1:] + [None])]


def lexical_groups(items: list[str], title: str | list[str] = "") -> list[TopicGroup]:
    """Items joined when they share a unit's remit keyword or a rare word, with each other or with the title (so
    鉴定机构 and 诉讼费用 under 关于完善环境公益诉讼制度 are one matter, and 养老 and 托育 items under a title whose
    “一老一小” the problem spells out); the groups most of whose items name a unit, largest first, when there are
    several. Items naming no unit (加大资金投入) side with none, and so does a group too small to be a matter of its
    own (one item, unless it is a third of them). ``title``: ``title_text``, or the sections that stand for the
    title's several matters (``title_sections``): each joins the items on its subject, never another section."""
    n = len(items)
    nodes = [title] if isinstance(title, str) else list(title)
    texts = [x[:300] for x in items] + nodes  # the title is one more node, never a group's member
    units = [_item_units(x) for x in texts]
    words = [_rare_words(x) - _WHERE_WORDS for x in texts]
    # 宁夏 in the title and an item ties the item to no subject, nor do a gloss's figures (6.5 万人)
    for k, node in enumerate(nodes):
        words[n + k] = {w for w in _rare_words(node[:600]) if not is_place(w) and not _FIGURE.search(w)}
    parent = list(range(len(texts)))

    def root(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for i in range(n):
        for j in range(i + 1, len(texts)):
            if units[i] & units[j] or words[i] & words[j]:
                parent[root(i)] = root(j)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(root(i), []).append(i)
    out = []
    for key, members in comps.items():
        if len(members) < MIN_OFF_ITEMS and len(members) < MIN_GROUP_SHARE * n:
            continue  # one stray item among several is no matter of its own
        # a unit one item of many names in passing is not the group's subject: half of them must name it
        named = sorted(u for u in set().union(*(units[i] for i in members))
                       if 2 * sum(u in units[i] for i in members) >= len(members))
        if not named and not isinstance(title, str):
            # items joined through a section of their own: the section's subject is theirs (物业 for 业委会 and
            # 维修资金), the units most of its items name first
            secs = [texts[k] for k in range(n, len(texts)) if root(k) == key]
            sec = set().union(*(units[k] for k in range(n, len(texts)) if root(k) == key))
            named = sorted(sec, key=lambda u: (-sum(u in units[i] for i in members), -_keyword_uses(u, secs)))
        if named:
            out.append(TopicGroup(members, named))
    out.sort(key=lambda g: -len(g.items))
    return out if len(out) > 1 else []


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
    remits = remit_vectors(embedder, _units())
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


def _title_fit(group: TopicGroup, items: list[str], terms: dict[str, float], units: frozenset[str]
               ) -> tuple[float, set[str]]:
    """How much of the title the group's items speak of: the share (by rarity) of its subject words they use, plus
    one when they concern one of its units (0: none of it); and the parts of the title they name (its rare words and
    units). A body asked to act counts here (县市场监管局 checking canteens serves a title on 食品安全, the market
    regulator's): it may tie an item to the title's matter, never split items apart."""
    texts = [items[i][:300] for i in group.items]
    text = "\n".join(mask_bodies(x) for x in texts).lower()
    used = {t for t in terms if t in text}
    named = units & frozenset().union(*(_item_units(x) | _acting_units(x) for x in texts))
    share = sum(terms[t] for t in used) / sum(terms.values()) if terms else 0.0
    return share + (1.0 if named else 0.0), {t for t in used if terms[t] >= LINK_INFO} | set(named)


# What a unit's field is called in a county's or a city's draft: the national ministries of units.json stand for
# their local counterparts (教育部 for 县教育局), which the message names by field.
_FIELDS = {
    "国家发展和改革委员会": "发展改革", "教育部": "教育", "科学技术部": "科技", "工业和信息化部": "工业和信息化",
    "国家民族事务委员会": "民族事务", "公安部": "公安", "民政部": "民政", "司法部": "司法行政", "财政部": "财政",
    "人力资源和社会保障部": "人力资源社会保障", "自然资源部": "自然资源", "生态环境部": "生态环境",
    "住房和城乡建设部": "住房城乡建设", "交通运输部": "交通运输", "水利部": "水利", "农业农村部": "农业农村",
    "商务部": "商务", "文化和旅游部": "文化和旅游", "国家卫生健康委员会": "卫生健康", "退役军人事务部": "退役军人事务",
    "应急管理部": "应急管理", "中国人民银行": "人民银行", "国家金融监督管理总局": "金融监管", "国家税务总局": "税务",
    "国家市场监督管理总局": "市场监管", "国家医疗保障局": "医疗保障", "国家体育总局": "体育", "国家互联网信息办公室": "网信",
    "国家数据局": "数据管理", "国家知识产权局": "知识产权", "国家信访局": "信访", "最高人民法院": "法院",
    "最高人民检察院": "检察院",
}
_NATIONAL = re.compile(r"^(?:国家|中国|最高人民|中华人民共和国)|部$")
_NATIONAL_AFFIX = re.compile(r"^(?:国家|中国|最高人民|中华人民共和国)|(?:部|总局|局|委员会|办公室|署)$")


def field_label(names: list[str]) -> str:
    """教育部, 公安部 → 教育、公安部门; 最高人民法院 → 法院; a local unit's own name (县民政局) as it is."""
    depts, bodies = [], []
    for name in names:
        label = _FIELDS.get(name)
        if label is None and _NATIONAL.search(name):  # a national unit added to units.json since
            label = _NATIONAL_AFFIX.sub("", name) or None
        if label is None or label.endswith(("院", "银行")):
            bodies.append(label or name)
        else:
            depts.append(label)
    return "、".join(([("、".join(depts) + "部门")] if depts else []) + bodies)


# Short names of the local bodies in each field, besides the field's own name (县人社局, 市住建局, 县卫健委, 县文旅局).
_FIELD_ALIASES = {
    "国家发展和改革委员会": ("发改",), "工业和信息化部": ("工信", "经信"), "人力资源和社会保障部": ("人社",),
    "住房和城乡建设部": ("住建", "城乡建设"), "国家卫生健康委员会": ("卫健", "卫生"), "文化和旅游部": ("文旅", "文化旅游"),
    "国家医疗保障局": ("医保",), "水利部": ("水务",), "教育部": ("教体",), "国家民族事务委员会": ("民宗", "民族"),
    "自然资源部": ("自然资源和规划", "国土"), "国家市场监督管理总局": ("市监",), "司法部": ("司法",),
    "退役军人事务部": ("退役军人",),
}


@lru_cache(maxsize=4096)
def _acting_units(text: str) -> frozenset[str]:
    """The units whose fields the bodies asked to act belong to (县市场监管局: the market regulator)."""
    bodies = "|".join(m.group(0) for m in _BODY_NAME.finditer(text))
    return frozenset(u for u, label in _FIELDS.items() if u not in _CROSS_CUTTING_UNITS
                     and any(a in bodies for a in (label, *_FIELD_ALIASES.get(u, ())))) if bodies else frozenset()


def several_topics(draft: DraftContent, embedder: EmbedderLike | None = None,
                   title_fits: bool = True) -> Finding | None:
    """``title_fits``: False when the title does not match the body (then e5 has no measure of the draft's subject)."""
    if draft.is_bill:  # a bill's draft articles are one law's
        return None
    items = _items(draft)
    if len(items) < 2:
        return None
    catch_all = catch_all_title(draft.title)
    ttext = "" if catch_all else title_text(draft)
    sections = [] if catch_all else title_sections(draft)
    groups = lexical_groups(items, sections or ttext)
    method, keep, fits = "lexical", None, True
    if groups:
        terms, units = _title_terms(ttext), _item_units(ttext)
        fit, parts = {}, {}
        for g in groups:
            fit[id(g)], parts[id(g)] = _title_fit(g, items, terms, units)
        # each group names a part of the title the others do not (校园周边 and the market regulator's 食品安全, or
        # 养老 and 托育 of a “一老一小” the problem spells out, most of which join through the title already): the
        # title names them all. Not where the draft treats them as separate subjects, each under its own heading.
        if not catch_all and not sections and all(parts[id(g)] - set().union(*(parts[id(h)] for h in groups if h is not g))
                                                  for g in groups):
            return None
        # the group the title speaks of stays; a smaller group only when it fits the title strictly better
        keep = max(groups, key=lambda g: (fit[id(g)], len(g.items)))
        fits = fit[id(keep)] > 0 and not sections  # a title of several subjects is rewritten for the one kept
        moved = sum(len(g.items) for g in groups if g is not keep)
        if moved < MIN_OFF_ITEMS or moved < MIN_OFF_SHARE * len(items):
            groups = []  # what would move out is too little to be another matter
    if not groups and embedder is not None and title_fits and len(items) >= 3:
        # e5 measures the items against the title: only a title that fits the body can be the measure
        groups, method = embedding_groups(draft, items, embedder), "embedding"
        keep, fits = (groups[0] if groups else None), True  # the embedding's first group is the title's
    if keep is None or len(groups) < 2:
        return _matters_finding(draft)
    others = [g for g in groups if g is not keep]
    listed = "；".join(
        f"“{_snippet(items[g.items[0]])}”" + (f"等 {len(g.items)} 条" if len(g.items) > 1 else "")
        + (f"（{field_label(g.units[:2])}）" if g.units else "") for g in [keep, *others])
    moved = "、".join(f"“{_snippet(items[g.items[0]])}”" for g in others)
    kept = f"“{_snippet(items[keep.items[0]])}”"
    kept = f"本件保留与标题相符的{kept}等条目" if fits else f"本件保留{kept}等条目，标题也按这一事项改写"
    return Finding(
        "several_topics", SEVERITY_WARNING,
        f"“具体建议”提出了几件互不相关的事项，可能要由不同单位分别办理：{listed}。",
        f"按“一事一议”，一件建议只提一个事项：{kept}；把{moved}等另行起草为单独的建议，各自写明问题、原因和措施。",
        "measures",
        {"method": method, "kept": keep.items, "groups": [
            {"items": [items[i] for i in g.items], "units": g.units, "fields": field_label(g.units)}
            for g in groups]},
    )


def _matters_finding(draft: DraftContent) -> Finding | None:
    """The routing's several-matters signal (``routing.draft_matters``, no embedder needed) as a finding: three or
    more matters that no unit and no rare word join, each item maybe its own (a 民生 draft on loans, 异地就医, 近视
    and stray dogs, each for another office). ``lexical_groups`` leaves such items out, one stray item being no matter
    of its own there. The routing says the same (“草稿可能涉及多个事项”); none of the 436 real proposals has three."""
    matters = draft_matters(draft, load_targets("units"))
    if len(matters) < SEVERAL_MATTERS:
        return None
    listed = "；".join(field_label(m[:2]) for m in matters[:5])
    return Finding(
        "several_topics", SEVERITY_WARNING,
        f"“具体建议”提出了几件互不相关的事项，可能要由不同单位分别办理（{listed}）。",
        "一件建议宜一事一议，只提一个事项：选定其中一件作为本件的主题（标题也按这一事项改写，不用“若干问题”"
        "“几点建议”这类笼统标题），其余另行起草为单独的建议，各自写明问题、原因和措施。",
        "measures",
        {"method": "matters", "groups": [{"units": m, "fields": field_label(m[:2])} for m in matters]},
    )


def coherence_findings(draft: DraftContent, embedder: EmbedderLike | None = None) -> list[Finding]:
    mismatch = title_mismatch(draft, embedder)
    topics = several_topics(draft, embedder, title_fits=mismatch is None)
    return [f for f in (mismatch, topics) if f is not None]
