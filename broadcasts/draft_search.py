"""Which articles of a consultation's draft a deputy's question is about.

A question asked while giving opinions on a draft (“草案对网约车驾驶员有什么要求”, “第十条是什么意思”) is
usually about the draft itself, which the knowledge base does not hold. This finds the draft's own
articles for it: an article named by number first, then BM25 over the draft's articles (a draft has tens
of articles, so the index is built per question)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from corpus.numbers import int_to_cn
from retrieval.bm25 import BM25
from retrieval.tokenize import tokenize

# Words every draft question uses and no article distinguishes: a match on them alone is no match.
_GENERIC = frozenset("草案 征求意见稿 本法 本条例 条例 办法 决定 条文 条款 本条 意思 理解 内容 具体 说明 解释 要求 "
                     "意见 提意见 修改 修订 这条 那条 一条 哪条 哪一条 说 讲 写".split())
_ARTICLE_NO = re.compile(r"第\s*(\d+)\s*条")
MIN_SCORE = 2.0  # BM25 on a draft's articles: one distinctive shared term scores about 3


class ArticleLike(Protocol):
    locator: str
    text: str


@dataclass(frozen=True)
class ArticleMatch:
    article: ArticleLike
    named: bool  # the question named this article by number
    score: float


def _named(question: str) -> set[str]:
    """Locators the question names (“第10条” read as 第十条)."""
    text = _ARTICLE_NO.sub(lambda m: f"第{int_to_cn(int(m.group(1)))}条", question)
    return set(re.findall(r"第[零〇一二三四五六七八九十百千两]+条", text))


def related_articles(question: str, articles: Sequence[ArticleLike], limit: int = 2) -> list[ArticleMatch]:
    """The draft articles the question names or is about, best first (none when nothing distinctive matches)."""
    named = _named(question)
    out = [ArticleMatch(a, True, float("inf")) for a in articles if named and a.locator in named]
    if out:
        return out[:limit]
    terms = [t for t in tokenize(question) if t not in _GENERIC]
    if not terms or not articles:
        return []
    bm25 = BM25()
    for i, a in enumerate(articles):
        bm25.add(i, tokenize(a.text))
    ids, scores = bm25.search(terms, limit)
    return [ArticleMatch(articles[int(i)], False, float(s)) for i, s in zip(ids, scores) if s >= MIN_SCORE]


def draft_articles_text(title: str, found: Sequence[ArticleMatch], max_chars: int = 400) -> str:
    """The reply listing the matched articles of the draft, each cut to ``max_chars``."""
    lines = [f"《{title}》中的相关条文："]
    for m in found:
        body = m.article.text if len(m.article.text) <= max_chars else m.article.text[:max_chars] + "…"
        lines.append(f"\n{body}" if body.startswith(m.article.locator) else f"\n{m.article.locator}　{body}")
    return "\n".join(lines)
