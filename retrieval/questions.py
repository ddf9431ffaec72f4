"""What makes a question askable: the bot and the command line refuse the same things, the same way."""

from __future__ import annotations

import enum
import re

MAX_QUESTION_CHARS = 500  # a question, not a document: a 10 MB paste took minutes to search and echo back
_WORD = re.compile(r"[^\W_]")  # a letter or digit of any script; not punctuation, symbols, emoji
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A question ends at “？” or “?”; a pasted paragraph of several is searched as one and answered for none in particular.
_QUESTION_END = re.compile(r"[？?]+")


class QuestionProblem(enum.Enum):
    EMPTY = "empty"  # nothing, or only punctuation and symbols (“？？？”)
    TOO_LONG = "too_long"
    NOT_CHINESE = "not_chinese"  # no Chinese character, but words of a Latin script (“What is the deadline…?”)


def check_question(text: str) -> QuestionProblem | None:
    t = (text or "").strip()
    if not _WORD.search(t):
        return QuestionProblem.EMPTY
    if len(t) > MAX_QUESTION_CHARS:
        return QuestionProblem.TOO_LONG
    if not _HAN.search(t) and _LATIN_WORD.search(t):
        return QuestionProblem.NOT_CHINESE
    return None


def question_count(text: str) -> int:
    """How many questions a message asks, by its question marks (one at least): “…多久？谁负责？怎么催办？” asks three."""
    return max(1, len([p for p in _QUESTION_END.split(text or "")[:-1] if _WORD.search(p)]))


# A greeting or thanks on its own is no question: searched, “您好” got “问题太简短” and three unrelated plan items.
_TRAIL = r"[啊呀呢吗哈啦了！!？?。.~～，,、\s😊🙏👍]*"
_GREETING = re.compile(r"^(?:你好|您好|你们好|大家好|哈喽|嗨|hi|hello|早上好|上午好|中午好|下午好|晚上好|早|在吗|在不在|有人吗)"
                       + _TRAIL + "$", re.I)
_THANKS = re.compile(r"^(?:好的)?[，,]?(?:谢谢|多谢|感谢|谢了|谢谢你|谢谢您|辛苦了|收到|明白了|知道了|好的|ok|thanks|thank you)"
                     + _TRAIL + "$", re.I)


def small_talk(text: str) -> str | None:
    """“greeting” or “thanks” for a message that is only that, else None."""
    t = (text or "").strip()
    if _GREETING.match(t):
        return "greeting"
    if _THANKS.match(t):
        return "thanks"
    return None

