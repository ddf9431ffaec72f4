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

