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
CLUSTER_DISTANCE = 0.22  # cosine distance at which topic clusters stop merging
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
def _top_terms(texts: Sequence[str], k: int = 3) -> str:
    import jieba

    stop = {"建议", "进一步", "加强", "推进", "问题", "我们", "相关", "工作", "发展", "建设", "提高", "一些", "进行", "没有", "目前"}
    c: Counter[str] = Counter()
    for t in texts:
        c.update(w for w in jieba.cut(t[:400]) if len(w) >= 2 and w not in stop and not w.isdigit())
    return "、".join(w for w, _ in c.most_common(k))


def topic_clusters(items: Sequence[Item], distance: float = CLUSTER_DISTANCE) -> list[Cluster]:
    with_vec = [it for it in items if it.embedding is not None]
    if len(with_vec) < 2:
        return [Cluster(_top_terms([it.title for it in with_vec]), [it.suggestion_id for it in with_vec])] if with_vec else []
    from sklearn.cluster import AgglomerativeClustering

    x = np.stack([it.embedding for it in with_vec])
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance).fit_predict(x)
    out = []
    for lab in sorted(set(labels), key=lambda l: -int((labels == l).sum())):
        members = [with_vec[i] for i in np.flatnonzero(labels == lab)]
        out.append(Cluster(_top_terms([m.title + m.text[:200] for m in members]), [m.suggestion_id for m in members]))
    return out


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
