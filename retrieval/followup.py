"""Follow-up questions: “那答复期限是多久？” after “代表建议交办会在几月开？” is read as one self-contained query.

A deputy's second message is often elliptical: an opener (那 / 那么 / 另外 / 还有 / 再问), a pronoun for what was
just asked about (这个 / 它 / 具体 / 其中 / 上述), a bare “X呢” (“那宁夏呢？”), or a few words without a noun of its
own (“几月份？”“谁负责？”). Asked alone, each of them is answered badly. ``read_followup`` decides, from the text
alone, whether the question continues ``previous`` (the same user's last question, passed by the caller only when
it was asked within ``FOLLOWUP_WINDOW_S``) and if so builds the query to search:

- “X呢” swaps X into the previous question: a province for the place it named (全国 → 宁夏), a month for its
  month; a place is put in front when it named none; anything else is added in brackets (“……（议案）”);
- otherwise the previous question's subject (its noun phrases: “代表建议交办会”, not how it asked: 在几月开) goes in
  front of the new question (“代表建议交办会，答复期限是多久”), so what the query asks is the new question's alone.

Conservative: a question that names its own subject (a law, a deputy-work term as ranking reads them: 议案, 建议,
人代会, 视察…; a month with a topic; two content nouns of its own) is returned unchanged whatever it starts with,
and nothing here knows Telegram or time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.legal import PROVINCES
from corpus.numbers import parse_cn_int

# the month pattern and the deputy-work terms are the answerer's and the ranker's own, shared rather than copied
from .fact_kinds import _MONTH as MONTH
from .query import QUESTION_WORDS
from .ranking import _CONGRESS as CONGRESS_TERMS
from .tokenize import STOPWORDS, tagged

FOLLOWUP_WINDOW_S = 600.0  # a question asked more than ten minutes after the last one starts afresh

_END = re.compile(r"[\s？?。.！!～~…]+$")
_POLITE = re.compile(r"^(?:请问一下|请问|我想问一下|我想问|想问一下|想问|问一下)[，,、\s]*")
# Openers stripped before the rest is read (那 not as in 那些 / 那个 / 那里…, which are pronouns for the subject).
_OPENER = re.compile(r"^(?:那么|那(?![些个里儿边样时天次位份种项件年月曲])|另外|此外|然后|再问一下|再问个?|还想问一下|还想问"
                     r"|顺便问一下|顺便问)[，,、\s]*|^还有(?:就是)?[，,、\s]+")
# … and one kept: “还有哪些要求” reads on after the subject (“还有，……” is stripped like the others)
_STILL = re.compile(r"^还有")
# Words that stand for or lean on what was just asked about (“这个要多久”“具体由哪个部门负责”“其中哪些是重点”).
_LEANS = re.compile(r"^(?:这件事|这事|此事|这个(?![月星礼周])|这些|这项|这种|这次|那个|那些|它们|它|他们|她们|上述|具体|其中|该)")
_CONDITION = re.compile(r"^(?:如果|要是|假如|万一)")
# Asking words (as in suggestions/draft.py's question detector; that module is the bot's drafting, not retrieval's).
_ASKS = re.compile(r"几|什么|怎么|怎样|如何|吗|哪|谁|多少|多久|多长|是否|能否|可否|能不能|有没有|是不是|啥|咋|呢$")
_THIS_MONTH = re.compile(r"(?:这个?|本|当|下个?|上个?)月")
_RELATIVE_MONTH = {"下个月": 1, "下月": 1, "下一个月": 1, "上个月": -1, "上月": -1, "上一个月": -1}
_HAN = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]$")
_PLACES = (*PROVINCES, "全国")
_PLACE = re.compile("|".join(_PLACES))
# A law by name: 《…》, 代表法, 选举法, 组织法, 民法典, …条例, 议事规则.
_LAW = re.compile(r"《|[\u4e00-\u9fff](?:法(?![院官人律定规治制子])|法典|条例|规则|细则)")

SHORT_CHARS = 4  # “几月份”“谁负责”“要开几天”“哪个部门负责”: so many characters besides the asking words, no noun
FRAGMENT_CHARS = 12  # “那宁夏呢”“那县乡人大代表呢”
OWN_NOUNS = 2  # “另外，新能源汽车补贴政策是什么” names its own subject however it begins

_NOUN_FLAGS = frozenset("n nz nt ns nr nrt nrfg nl ng j eng vn".split())
# Nouns that ask about an aspect of something rather than name it (“哪个部门负责”“期限是多久”“需要什么材料”).
_ASPECT_NOUNS = frozenset(
    "时候 时间 日期 月份 部门 单位 地方 地点 期限 时限 人 情况 问题 规定 要求 材料 条件 程序 流程 手续 标准 费用 经费 "
    "方式 渠道 结果 内容 范围 对象 名额 人数 次数 天数 钱 金额 议题".split()
)
# Tokens that end a noun phrase of the previous question: how it asks, not what about.
_ASK_FLAGS = frozenset("p r y x c d".split())
_ASK_TOKENS = frozenset({"是", "有", "能", "要", "会", "可以", "应该", "应当", "需要", "能否", "可否", "是否", "能不能",
                         "有没有", "是不是", "怎么办", "啥时候", "一般", "大概", "具体"}) | QUESTION_WORDS


@dataclass(frozen=True)
class Followup:
    query: str  # what to search: the question itself, or the self-contained reading of a follow-up
    reason: str | None = None  # fragment | opener | pronoun | short; None: standalone (``query`` is the question)

    @property
    def resolved(self) -> bool:
        return self.reason is not None


def relative_month(question: str) -> bool:
    """“那下个月呢”: a month counted from another one (the previous question's, when it named one, else today's)."""
    return any(k in question for k in _RELATIVE_MONTH)


def resolve_followup(question: str, previous: str | None) -> str:
    """``question`` unchanged, or, when it continues ``previous``, the self-contained query."""
    return read_followup(question, previous).query


def read_followup(question: str, previous: str | None) -> Followup:
    standalone = Followup(question)
    prev = _BRACKETED.sub("", _END.sub("", (previous or "").strip()))
    q = _END.sub("", question.strip())
    end = question.strip()[len(q):]
    if not prev or not q or q == prev:
        return standalone
    body = _POLITE.sub("", q)
    opener = _OPENER.match(body)
    rest = body[opener.end():] if opener else body
    opened = bool(opener or _STILL.match(body))
    if opened and not rest:  # “那么？”
        return standalone
    if (x := _fragment(rest)) is not None:
        return Followup(_swap_in(x, prev) + end, "fragment")
    words = tagged(rest)
    if _names_own_subject(rest, words):
        return standalone
    subject = subject_of(prev)
    if not subject or subject in rest:
        return standalone
    if opened:
        reason = "opener"
    elif _LEANS.match(rest):
        reason = "pronoun"
    elif _short_without_noun(rest, words):
        reason = "short"
    else:
        return standalone
    return Followup(_join(subject, rest) + end, reason)


def _fragment(rest: str) -> str | None:
    """X of “(那)X呢”: a few words, none asking (“那宁夏呢”“议案呢”), not a condition (“那如果逾期呢”)."""
    if not rest.endswith("呢"):
        return None
    x = rest[:-1].strip("，, ")
    if not x or len(x) > FRAGMENT_CHARS or _CONDITION.match(x) or _ASKS.search(x):
        return None
    if any(f in _ASK_FLAGS for _, f in tagged(x)):
        return None
    return x


def _swap_in(x: str, prev: str) -> str:
    """The previous question asked of X: its place or month replaced, a place put in front, else X in brackets."""
    if x in _PLACES:
        m = _PLACE.search(prev)
        return prev[:m.start()] + x + prev[m.end():] if m else x + prev
    if MONTH.fullmatch(x.removesuffix("份")):
        m = MONTH.search(prev)
        if m:
            return prev[:m.start()] + x.removesuffix("份") + prev[m.end():]
    if (step := _RELATIVE_MONTH.get(x.removesuffix("份"))) and (m := MONTH.search(prev)):
        # “那下个月呢” after “宁夏8月份…”: the month after the one asked about, not after today's
        month = parse_cn_int(m.group()[:-1]) if not m.group()[0].isdigit() else int(m.group()[:-1])
        if month:
            return prev[:m.start()] + f"{(month - 1 + step) % 12 + 1}月" + prev[m.end():]
    return f"{prev}（{x}）"


def _content_nouns(words: list[tuple[str, str]]) -> list[str]:
    return [w for w, f in words if f in _NOUN_FLAGS and w not in _ASPECT_NOUNS and w not in STOPWORDS]


def _names_own_subject(rest: str, words: list[tuple[str, str]]) -> bool:
    nouns = _content_nouns(words)
    # a place is what “那宁夏几月开” swaps in, not a subject of its own
    if _LAW.search(rest) or CONGRESS_TERMS.search(rest) or sum(w not in _PLACES for w in nouns) >= OWN_NOUNS:
        return True
    # “那8月有什么工作”: a month with a topic (not “那9月份开吗”)
    return bool(MONTH.search(rest)) and any(len(w) >= 2 for w in nouns)


def _asking(word: str, flag: str) -> bool:
    """How a question asks, not what about: pronouns, prepositions, particles, 是 / 有 / 能, 几月 / 多少. Digits are
    what about (jieba tags the 8 of “8月份” x, as it does punctuation: the subject had become “宁夏月份”)."""
    return not word.isdigit() and (flag in _ASK_FLAGS or word in _ASK_TOKENS or (word in STOPWORDS and word != "的")
            or (flag.startswith("m") and bool(_ASKS.search(word))))


def _short_without_noun(rest: str, words: list[tuple[str, str]]) -> bool:
    """“谁负责”“哪个部门负责”“要开几天”“要交费吗”: asks, with a few words of its own and no noun among them (a verbal
    noun, 交费 or 建设, is what is done, not to what)."""
    own = "".join(w for w, f in words if not _asking(w, f))
    nouns = [w for w, f in words if f != "vn" and w in _content_nouns(words)]
    # “这个月有什么安排”“下周有什么活动”: a time of its own
    when = MONTH.search(rest) or _THIS_MONTH.search(rest) or any(f == "t" and len(w) >= 2 for w, f in words)
    return len(_HAN.findall(own)) <= SHORT_CHARS and bool(_ASKS.search(rest)) and not nouns and not when


def subject_of(question: str) -> str:
    """The noun phrases of a question, in order (“宁夏什么时候召开人代会” → “宁夏召开人代会”): the runs of words between
    its asking words (pronouns, prepositions, particles, 是 / 有 / 能, 几月 / 多少) that hold a noun; "" when it is
    all asking words (“什么时候？”)."""
    words = tagged(_END.sub("", _POLITE.sub("", question.strip())))
    asking = [_asking(w, f) for w, f in words]
    runs: list[list[tuple[str, str]]] = [[]]
    for i, (w, f) in enumerate(words):
        # 会 after a word and before an asking word is a meeting (交办会 | 在几月开), not “will”
        meeting = w == "会" and bool(runs[-1]) and (i + 1 == len(words) or asking[i + 1])
        if asking[i] and not meeting:
            runs.append([])
        else:
            runs[-1].append((w, f))
    for run in runs:
        while run and run[0][0] == "的":
            run.pop(0)
        while run and (run[-1][0] == "的" or (run[-1][1] == "v" and len(run[-1][0]) == 1 and run[-1][0] != "会" and len(run) > 1)):
            run.pop()  # nor a one-character verb the asking word follows (“学习班办 | 几期”)
    runs = [run for run in runs if len("".join(w for w, _ in run)) >= 2]  # not 钱 of 多少钱
    # the runs holding a noun; failing that (“今年的高考什么时候举行”: 高考 is tagged a verb) every run
    with_noun = [run for run in runs if any(f in _NOUN_FLAGS for _, f in run)]
    return "".join(w for run in (with_noun or runs) for w, _ in run)


def _join(subject: str, rest: str) -> str:
    """“代表建议交办会，答复期限是多久”: topic and comment; a pronoun in ``rest`` (这个要多久) still reads."""
    return f"{subject}，{rest}"
