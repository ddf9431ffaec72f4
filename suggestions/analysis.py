"""综合分析 for staff: topic clusters, duplicate groups (对内容相同的合并办理), counts by topic, unit,
delegation and status, a PNG chart and an XLSX export."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

DUP_EMBED_THRESHOLD = 0.97  # e5 cosine; lower values pair distinct proposals on one subject (bench)
DUP_SHINGLE_THRESHOLD = 0.45  # containment of character 4-grams
# Topic clusters: average-linkage cosine distance at which clusters stop merging. e5 puts any two Chinese suggestions
# within 0.07–0.13 of each other (436 real proposals: median 0.107), so the old 0.22 merged everything into one
# cluster. From CENTER_MIN items on, the vectors are first centred on their mean (the direction all suggestions
# share removed) and clustered at CLUSTER_DISTANCE; fewer items give no mean worth removing, and are clustered as
# they are at CLUSTER_DISTANCE_RAW. On the 436 proposals vs. their 14 topic labels (adjusted Rand index): centred
# 0.9 → 36 clusters, ARI 0.25 (largest 8%); raw 0.09 → 105 clusters, 0.18; raw 0.10 → 57, 0.19 (two of 140 and 130).
# On 4–9 items drawn from three topics raw 0.09 scores 0.22–0.27, centred 0.0–0.09.
CLUSTER_DISTANCE = 0.9
CLUSTER_DISTANCE_RAW = 0.09
CENTER_MIN = 10
LABEL_TERMS = 3
PART_SHARE = 0.7  # a word inside a longer candidate that comes with it this often is left to the longer one
LABEL_BODY_CHARS = 300  # of a suggestion's body read for its label words (after the title)
LABEL_BODY_WEIGHT = 0.3  # a word in the body only counts this much of one in the title
COMMON_SHARE = 0.5  # from CENTER_MIN items on, a word in more than this share of all of them labels no cluster
# Words of the opening paragraphs of any proposal (调研情况、近年来、习近平总书记指出……), on top of the policy verbs
# and place references suggestions.coherence leaves out of a title's subject words.
_LABEL_GENERIC = frozenset(
    "关于 调研 情况 分析 存在 目前 近年 年来 近年来 当前 取得 进展 提出 要求 实现 需要 成为 作为 国家 全国 社会 政府 部门 "
    "方面 地区 重要 主要 具体 基本 不断 已经 总书记 习近平 同志 指出 强调 提供 形成 我们 这些 其中 同时 一是 二是 三是 "
    "有关 领域 措施 办法 现状 原因 对策 举措 推进 加快 加强 进一步 问题 工作 建议 水平 能力 作用 影响 一定 较大 "
    "逐步 持续 不足 缺乏 较为 比较 部分 一批 更加 重点 各类 各级 人民 群众 人民群众".split())
_ADMIN_END = "省市县区州盟旗镇乡"
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei")
_PUNCT = re.compile(r"[\s\W_]+", re.U)


@dataclass
class Item:
    suggestion_id: int
    title: str
    text: str  # full text
    topic: str = ""
    units: list[str] = field(default_factory=list)
    delegation: str = ""
    status: str = ""
    embedding: np.ndarray | None = None


@dataclass
class Cluster:
    label: str  # top terms
    members: list[int]  # suggestion ids


@dataclass
class Analysis:
    counts: dict[str, dict[str, int]]
    clusters: list[Cluster]
    duplicates: list[list[int]]
    chart: Path | None = None
    xlsx: Path | None = None
    font_warning: str = ""


# -- duplicates ------------------------------------------------------------------------------------
def shingles(text: str, n: int = 4) -> set[str]:
    t = _PUNCT.sub("", text)
    return {t[i: i + n] for i in range(max(1, len(t) - n + 1))}


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller set found in the other: a shortened copy still counts as a copy."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def duplicate_pairs(texts: Sequence[str], vecs: np.ndarray | None, *, embed_threshold: float = DUP_EMBED_THRESHOLD,
                    shingle_threshold: float = DUP_SHINGLE_THRESHOLD) -> list[tuple[int, int, float]]:
    """Index pairs judged to be the same content, with the deciding score."""
    n = len(texts)
    sh = [shingles(t) for t in texts]
    sims = vecs @ vecs.T if vecs is not None and len(vecs) else None
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            c = containment(sh[i], sh[j])
            e = float(sims[i, j]) if sims is not None else 0.0
            if c >= shingle_threshold or e >= embed_threshold:
                out.append((i, j, max(c, e)))
    return out


def groups_from_pairs(n: int, pairs: Sequence[tuple[int, int, float]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in pairs:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


# -- clusters --------------------------------------------------------------------------------------
def _is_place(word: str) -> bool:
    """A place name or a place reference: suggestions.coherence's (宁夏, 江苏省, 南京市, 我省, 全县, 苏北), a city's name
    without 市 (银川: 银川市 is one), a name jieba does not know as a word ending in an administrative unit (金凤区,
    吴忠市, 闽宁镇; not 开发区, 集聚区, whose first part is a word of its own), and 城区、乡镇 and the like."""
    from suggestions.coherence import _WHERE_WORDS, _word_tags, is_place

    if word in _WHERE_WORDS or is_place(word):
        return True
    if len(word) >= 2 and any(is_place(word + end) for end in "市县区省"):
        return True
    if len(word) >= 3 and word[-1] in _ADMIN_END:
        tags = _word_tags()
        return tags.get(word) not in ("n", "l", "v", "vn") and tags.get(word[:-1]) in (None, "nr", "ns", "nz")
    return False


def _label_words(title: str, body: str) -> dict[str, float]:
    """A suggestion's candidate label words and their weight: 1 for the title's subject words (without 关于……的建议,
    policy verbs and place names), LABEL_BODY_WEIGHT for other words of the body's opening; digits, places and
    words every proposal uses left out."""
    from suggestions.coherence import content_words, title_words

    out = {w: LABEL_BODY_WEIGHT for w in content_words(body[:LABEL_BODY_CHARS])}
    out.update({w: 1.0 for w in title_words(title)})
    places = [w for w in (*out, *content_words(title)) if _is_place(w)]  # and their parts: 长三 of 长三角
    return {w: x for w, x in out.items()
            if w not in _LABEL_GENERIC and not any(c.isdigit() for c in w) and not any(w in p for p in places)}


def cluster_labels(docs: Sequence[tuple[str, str]], groups: Sequence[Sequence[int]], k: int = LABEL_TERMS) -> list[str]:
    """A label for each group of ``docs`` ((title, body) pairs): its ``k`` most distinctive words by class-based
    TF-IDF (share of the group's suggestions using the word × log(1 + all suggestions / those using it)), each times
    how rare the word is in jieba's dictionary (公厕 14.2 over 发展 6.8). A word within another chosen one (近年 in
    近年来) is skipped."""
    from suggestions.coherence import informativeness

    words = [_label_words(t, b) for t, b in docs]
    n = len(words)
    df: Counter[str] = Counter()  # suggestions using the word
    for ws in words:
        df.update(ws.keys())
    common = {w for w, c in df.items() if c > COMMON_SHARE * n} if n >= CENTER_MIN else set()
    labels = []
    for g in groups:
        tf: Counter[str] = Counter()
        for i in g:
            tf.update(words[i])
        # jieba's search mode gives a long word's parts as well (区域性: 区域, 域性; 青少年: 青少): a part that
        # mostly comes with the longer word stands for nothing else
        longer: dict[str, float] = {}  # a word: the weight of the most used longer candidate holding it
        for w, x in tf.items():
            for part in {w[a:b] for a in range(len(w)) for b in range(a + 2, len(w) + 1) if b - a < len(w)}:
                if part in tf:
                    longer[part] = max(longer.get(part, 0.0), x)
        scored = [((x / len(g)) * np.log1p(n / df[w]) * informativeness(w), w) for w, x in tf.items()
                  if w not in common and longer.get(w, 0.0) < PART_SHARE * x]
        chosen: list[str] = []
        for _, w in sorted(scored, key=lambda p: (-p[0], p[1])):
            if not any(w in c or c in w for c in chosen):
                chosen.append(w)
            if len(chosen) == k:
                break
        labels.append("、".join(chosen))
    return labels


def _cluster_ids(x: np.ndarray, distance: float | None = None) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(x) >= CENTER_MIN:
        x = x - x.mean(axis=0)
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        threshold = CLUSTER_DISTANCE if distance is None else distance
    else:
        threshold = CLUSTER_DISTANCE_RAW if distance is None else distance
    return AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                   distance_threshold=threshold).fit_predict(x)


def topic_clusters(items: Sequence[Item], distance: float | None = None) -> list[Cluster]:
    """Clusters of the items that have an embedding, largest first, each labelled with its distinctive words."""
    with_vec = [it for it in items if it.embedding is not None]
    if not with_vec:
        return []
    if len(with_vec) == 1:
        groups = [[0]]
    else:
        labels = _cluster_ids(np.stack([it.embedding for it in with_vec]), distance)
        groups = [list(np.flatnonzero(labels == lab))
                  for lab in sorted(set(labels), key=lambda l: (-int((labels == l).sum()), int(l)))]
    names = cluster_labels([(it.title, it.text) for it in with_vec], groups)
    return [Cluster(name, [with_vec[i].suggestion_id for i in g]) for name, g in zip(names, groups)]


# -- counts, chart, export ---------------------------------------------------------------------------
def counts(items: Sequence[Item]) -> dict[str, dict[str, int]]:
    by_unit: Counter[str] = Counter()
    for it in items:
        by_unit.update(it.units or ["（未交办）"])
    return {
        "主题": dict(Counter(it.topic or "（未分类）" for it in items).most_common()),
        "承办单位": dict(by_unit.most_common()),
        "代表团": dict(Counter(it.delegation or "（未填写）" for it in items).most_common()),
        "办理状态": dict(Counter(it.status or "（未知）" for it in items).most_common()),
    }


def cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def render_chart(c: dict[str, dict[str, int]], path: Path, top: int = 10) -> str:
    """Four bar charts in one PNG. Returns a warning (Chinese) when no CJK font is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    warning = "" if font else "未找到中文字体（请安装 fonts-noto-cjk），图中汉字可能显示为方框。"
    rc = {"font.sans-serif": [font] if font else ["DejaVu Sans"], "axes.unicode_minus": False}
    with plt.rc_context(rc):
        fig, axes = plt.subplots(2, 2, figsize=(12, 9), dpi=100)
        for ax, (name, data) in zip(axes.flat, c.items()):
            pairs = list(data.items())[:top][::-1]
            ax.barh([p[0] for p in pairs], [p[1] for p in pairs], color="#c0392b")
            ax.set_title(f"按{name}统计")
            ax.tick_params(axis="y", labelsize=9)
            for y, (_, v) in enumerate(pairs):
                ax.text(v, y, f" {v}", va="center", fontsize=8)
        fig.suptitle("代表建议综合分析")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
        plt.close(fig)
    return warning


def export_xlsx(items: Sequence[Item], c: dict[str, dict[str, int]], clusters: Sequence[Cluster],
                duplicates: Sequence[Sequence[int]], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "建议清单"
    ws.append(["编号", "标题", "主题", "承办单位", "代表团", "办理状态"])
    for it in items:
        ws.append([it.suggestion_id, it.title, it.topic, "、".join(it.units), it.delegation, it.status])
    for name, data in c.items():
        sh = wb.create_sheet(f"按{name}")
        sh.append([name, "件数"])
        for k, v in data.items():
            sh.append([k, v])
    sh = wb.create_sheet("主题聚类")
    sh.append(["聚类", "关键词", "件数", "编号"])
    for i, cl in enumerate(clusters, 1):
        sh.append([i, cl.label, len(cl.members), "、".join(map(str, cl.members))])
    sh = wb.create_sheet("重复建议")
    sh.append(["组", "编号（可合并办理）"])
    for i, g in enumerate(duplicates, 1):
        sh.append([i, "、".join(map(str, g))])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def analyse(items: Sequence[Item], out_dir: Path | None = None) -> Analysis:
    """CPU-bound (clustering, chart): call via asyncio.to_thread from async code."""
    vecs = np.stack([it.embedding for it in items]) if items and all(it.embedding is not None for it in items) else None
    pairs = duplicate_pairs([it.title + "\n" + it.text for it in items], vecs)
    dups = [[items[i].suggestion_id for i in g] for g in groups_from_pairs(len(items), pairs)]
    c = counts(items)
    result = Analysis(c, topic_clusters(items), dups)
    if out_dir is not None:
        result.chart = Path(out_dir) / "suggestions_analysis.png"
        result.font_warning = render_chart(c, result.chart)
        result.xlsx = export_xlsx(items, c, result.clusters, dups, Path(out_dir) / "suggestions_analysis.xlsx")
    return result


async def analyse_db(sm, out_dir: Path | None = None) -> Analysis:
    """Everything submitted so far (merged duplicates excluded)."""
    import asyncio

    from suggestions import repository as repo
    from suggestions.embedding import from_blob
    from suggestions.status import STATUS_MERGED
    from suggestions.types import DraftContent

    async with sm() as s:
        rows = [r for r in await repo.all_suggestions(s) if r.status != STATUS_MERGED]
    items = [Item(r.id, r.title, DraftContent.from_dict(r.content).body(), r.topic, list(r.units), r.delegation,
                  r.status, from_blob(r.embedding)) for r in rows]
    return await asyncio.to_thread(analyse, items, out_dir)
