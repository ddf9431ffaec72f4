"""Facets: the parts of a chunk a question can be about on its own, each embedded beside the chunk.

A schedule row (“8月：1.会同督查室督办建议；2.修订建议办理条例；3.交叉专题调研”) or a numbered note
lists several tasks; one vector for the whole chunk is a blend of them and loses to a shorter chunk
that shares one word with the question. Each numbered item gets its own vector (FAISS id
``chunk_id + FACET_STRIDE * (k + 1)``) and a chunk's dense score is the best of its own and its facets'.
Only numbered lists: sentence facets for plan items also lifted the plan above the law articles that
answer legal questions (an article has no facets to compete with), and law articles get none because a
STARD-size corpus would double its build time.
"""

from __future__ import annotations

import re

import numpy as np

from corpus import Chunk

FACET_STRIDE = 1 << 40  # chunk ids stay far below this
MAX_FACETS = 12
MIN_CHARS = 8

_LIST_ITEM = re.compile(r"(?:^|(?<=[。；;\n]))\s*\d{1,2}[.．、]\s*")
# A table row is chunked as "时间：8月；主要内容：…；相关部门：…" (corpus.chunking): its cells.
CELL_SPLIT = re.compile(r"；(?=[^；：\n]{1,8}：)")


def list_items(text: str) -> list[str]:
    """“1.…；2.…” (on lines or inline after a sentence end): the items, numbers dropped."""
    if len(_LIST_ITEM.findall(text)) < 2:
        return []
    return [p.strip(" \n；;") for p in _LIST_ITEM.split(text)[1:]]


def facet_texts(chunk: Chunk) -> list[str]:
    """What to embed for each facet of ``chunk`` (with the chunk's title and locator as context)."""
    if chunk.kind == "row":
        cells = CELL_SPLIT.split(chunk.text)
        content = max(cells[1:] or cells, key=len).split("：", 1)[-1]
        parts = list_items(content)
    elif chunk.kind != "article":
        parts = list_items(chunk.text)
    else:
        parts = []
    parts = [p for p in parts if len(p) >= MIN_CHARS]
    if len(parts) < 2:
        return []
    head = " ".join(p for p in (chunk.title, chunk.heading_path, chunk.locator) if p)
    return [f"{head}：{p}" for p in parts[:MAX_FACETS]]


def facet_ids(chunk_id: int, count: int) -> list[int]:
    return [chunk_id + FACET_STRIDE * (k + 1) for k in range(count)]


def all_facet_ids(chunk_ids: list[int]) -> list[int]:
    """Every id a facet of these chunks could have (for deletion)."""
    return [f for cid in chunk_ids for f in facet_ids(cid, MAX_FACETS)]


def owner(ids: np.ndarray) -> np.ndarray:
    """The chunk id of each (chunk or facet) vector id."""
    return ids % FACET_STRIDE
