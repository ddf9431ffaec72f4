"""What makes a question askable: the bot and the command line refuse the same things, the same way."""

from __future__ import annotations

import enum
import re

MAX_QUESTION_CHARS = 500  # a question, not a document: a 10 MB paste took minutes to search and echo back
_WORD = re.compile(r"[^\W_]")  # a letter or digit of any script; not punctuation, symbols, emoji


class QuestionProblem(enum.Enum):
    EMPTY = "empty"  # nothing, or only punctuation and symbols (“？？？”)
    TOO_LONG = "too_long"


def check_question(text: str) -> QuestionProblem | None:
    t = (text or "").strip()
    if not _WORD.search(t):
        return QuestionProblem.EMPTY
    if len(t) > MAX_QUESTION_CHARS:
        return QuestionProblem.TOO_LONG
    return None


def decode_text(raw: bytes) -> str | None:
    """Text typed or piped in on a Chinese system that is not UTF-8 (GBK/GB18030), or None when it is
    neither: one such line must not stop the others. (Big5 decodes as GB18030 too, into other characters.)"""
    from corpus.loaders import decode_bytes

    return decode_bytes(raw)
