"""Chinese tokenisation for BM25: jieba search mode, punctuation and stop words removed."""

from __future__ import annotations

import logging
import re
import threading

import jieba

jieba.setLogLevel(logging.WARNING)
_INIT = threading.Lock()
_READY = False

# Function words that carry no retrieval signal in questions or statutes.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 或 及 等 对 为 由 把 被 将 从 向 于 以 之 其 该 这 那 此 所 也 就 都 而 并 且 但 "
    "吗 呢 吧 啊 呀 么 哪 什么 怎么 怎样 如何 为什么 多少 几 是否 可以 能 能否 会 要 需要 应该 应当 "
    "我 你 他 她 它 我们 你们 他们 自己 有 没有 一个 一些 哪些 有关 关于 进行 如果 因为 所以 请问 "
    "规定 情况 问题".split()
)
_WORD = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


def _ensure_ready() -> None:
    global _READY
    if not _READY:
        with _INIT:
            if not _READY:
                jieba.initialize()
                _READY = True


def add_words(words: list[str]) -> None:
    """Teach jieba domain terms (law names, bodies) so they are not split apart."""
    _ensure_ready()
    for w in words:
        if 2 <= len(w) <= 20:
            jieba.add_word(w, freq=20000)


def tokenize(text: str) -> list[str]:
    _ensure_ready()
    return [t for t in jieba.cut_for_search(text.lower()) if _WORD.search(t) and t not in STOPWORDS]


def dictionary_words(text: str) -> list[str]:
    """jieba's precise cut with dictionary words only (no HMM): an unknown pair like 要告 stays two words."""
    _ensure_ready()
    return jieba.lcut(text, HMM=False)


def tagged(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) pairs by jieba.posseg, loaded on first use only (about a second)."""
    _ensure_ready()
    import jieba.posseg

    return [(w, f) for w, f in jieba.posseg.lcut(text)]


def frequency(word: str) -> int:
    """``word``'s frequency in jieba's dictionary (0 when it is none of its words)."""
    _ensure_ready()
    return jieba.get_FREQ(word) or 0


def in_dictionary(word: str) -> bool:
    """Is ``word`` one of jieba's dictionary words (not a pair its HMM joined, like 推是 in 两摘两推是什么意思)?"""
    return bool(frequency(word))
