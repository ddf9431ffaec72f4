"""The drafting state machine: a deputy is guided step by step through a suggestion or bill.

Drafts are persisted after every step, so a restart loses nothing; the bot conversation calls
``DraftService`` and renders its prompts. Nothing here knows about Telegram.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Callable

from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from suggestions import repository as repo
from suggestions.models import DraftRow, SuggestionRow
from suggestions.text import (  # noqa: F401 (the bot's)
    book_title, clip, cosigner_names, inner_title, is_chat_line, is_numbered, measure_items, parse_draft_text, split_names,
    stated_count,
)
from suggestions.types import KIND_BILL, KIND_SUGGESTION, KINDS, DraftContent, EmbedderLike
from suggestions.vocab import load_data

CONGRESS_LEVELS = {"national": "全国", "provincial": "省级", "municipal": "设区的市级", "county": "县级", "township": "乡镇级"}
REMINDER_AFTER = timedelta(days=1)
PREVIEW = "preview"
DONE = "done"


class DraftError(Exception):
    """A user-facing error (message in Chinese); nothing has been changed."""


class DraftClosed(DraftError):
    """The draft was submitted or cancelled meanwhile (a stale button, a second tap on 提交)."""

    def __init__(self, state: str) -> None:
        super().__init__("这份草稿已提交或已取消，不能再修改。")
        self.state = state


@dataclass(frozen=True)
class StepSpec:
    key: str
    label: str
    hint: str
    example: str
    min_chars: int = 0
    optional: bool = False
    bill_only: bool = False


STEPS: tuple[StepSpec, ...] = (
    StepSpec("kind", "类别", "请选择提出“建议”还是“议案”：议案须属于本级人大职权范围并附法律依据。", "建议"),
    StepSpec("title", "标题", "用“关于……的建议/议案”的格式，一句话点明要解决的事项。", "关于完善城市公共厕所指引标识系统的建议", 8),
    StepSpec("problem", "问题与现状", "写清楚哪里、哪些人、发生了什么，最好有数据和典型事例。",
             "全市现有公厕 1,200 座，但导向标识覆盖不足 40%，游客集中的老城区尤为突出；12345 热线去年收到相关投诉 860 件。", 60),
    StepSpec("cause", "原因分析", "分析问题产生的原因：制度、资金、职责、执行中的哪一环出了问题。",
             "一是标识设置没有统一标准，各区各自为政；二是公厕信息未接入地图平台；三是维护经费未列入预算。", 40),
    StepSpec("measures", "具体建议", "分条列出可操作的措施，每条写明由谁、做什么、达到什么目标或时限。",
             "1. 建议市城管局在 2026 年底前制定公厕导向标识设置标准；2. 建议市大数据局将全部公厕位置接入地图平台并每月更新。", 40),
    StepSpec("legal_basis", "法律依据", "列出议案依据的法律条文（法律名称和条款），说明属于本级人大职权范围。",
             "《中华人民共和国立法法》第十八条；《全国人民代表大会和地方各级人民代表大会代表法》第九条。", 10, bill_only=True),
    StepSpec("outline", "草案框架", "给出法律草案或修改条文的框架：章节结构或拟修改的条款要点。",
             "第一章 总则（立法目的、适用范围）；第二章 管理职责；第三章 保障措施；第四章 法律责任；第五章 附则。", 40, bill_only=True),
    StepSpec("cosponsors", "联名代表", "列出联名代表姓名，用顿号或逗号分隔；没有联名请回复“无”。以代表团名义提出请写“代表团：名称”。",
             "张三、李四、王五", 0),
    StepSpec("attachments", "附件", "可上传调研报告、照片等附件；没有附件或上传完毕请回复“完成”。", "完成", 0, optional=True),
)
STEP_BY_KEY = {s.key: s for s in STEPS}
# A bill's own hint and example where the suggestion's would mislead (the title's ending, co-signers).
BILL_EXAMPLES = {"title": "关于制定城市公共厕所管理条例的议案"}
BILL_COSIGNER_EXAMPLE = "王某某、李某某、张某某……（列出全部联名代表）；或：代表团：宁夏代表团"
_NONE_WORDS = {"无", "没有", "暂无", "不需要", "完成", "好了", "跳过", "none", "no", "done"}
# How people say “nothing (more) to add” at the co-signer or attachment step: 没附件了, 不用了, 就这些, 好的, 下一步…
_DONE_RE = re.compile(
    r"(?:没有?|无|暂无|不用|不需要|不要|不必|就这些|就这样|这些就够|好|好的|可以|行|下一步|继续|完成|完毕|跳过|结束|"
    r"传完|上传完|都传完|已上传|ok|okay|done|no|none|next)"
    r"(?:附件|联名|联名代表|材料|文件)?(?:了|啦|吧|的|呢|哈|就行|即可|没有|也没有)*",
    re.I)
_TRAILING_PUNCT = re.compile(r"[\s。.！!，,~～、…]+$")


def is_done_word(text: str) -> bool:
    t = _TRAILING_PUNCT.sub("", (text or "").strip())
    return not t or t.lower() in _NONE_WORDS or bool(_DONE_RE.fullmatch(t))


# A question typed into an open step (“代表建议交办会几月开？”“下个月有什么安排”) rather than its answer.
_QUESTION_WORDS = re.compile(r"几月|几号|几时|几点|什么|怎么|怎样|如何|吗|哪|谁|多少|多久|是否|能否|可否|可不可以|能不能|为什么|为啥|呢$")
QUESTION_STEPS = ("kind", "title", "problem", "cause", "measures", "legal_basis", "outline", "cosponsors", "attachments")


def looks_like_question(text: str, step: str) -> bool:
    """Likely a question to the assistant, not the step's content: it ends with a question mark (and is
    not a long passage), or it is short and asks (几月/什么/怎么/吗/哪…). A proper title
    (“关于如何……的建议”) is content whatever words it uses."""
    t = (text or "").strip()
    if step not in QUESTION_STEPS or not t or re.fullmatch(r"关于.+的(建议|议案|批评和意见|批评|意见)", t):
        return False
    if step in ("cosponsors", "attachments") and is_done_word(t) or step == "kind" and normalize_kind(t) in KINDS:
        return False
    if t[-1] in "？?":
        return len(t) <= 120
    return len(t) <= 30 and bool(_QUESTION_WORDS.search(t))



# -- a question typed at an open step: answered at once when it plainly is one -----------------------
# ``looks_like_question`` decides whether a message may be a question at all; this decides
# whether it is plainly one (answered, the draft mentioned once) or could be the step's content (asked).
CLEAR_QUESTION_CHARS = 60
_ASKS_AT_END = re.compile(r"(?:[？?]|吗|呢|么)[\s。.！!~～…]*$")
_ASKS_AT_START = re.compile(r"^(?:请问|什么|怎么|怎样|如何|为什么|为啥|哪|谁|多少|多久|几|是否|能否|可否|有没有|能不能|可不可以)")
# How a part of a draft begins (a title, a measure, a numbered item): content, whatever else it holds.
_CONTENT_START = re.compile(r"^(?:关于|建议|我建议|希望|要求|应当|应该|一是|第[一二三四五六七八九十\d]+|\d+[.、．]|"
                            r"[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)")
_SENTENCE_BREAK = re.compile(r"[。；;！!\n][^\s。；;！!？?]")  # a second sentence follows
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TITLE_FRAME = re.compile(r"^关于|的(?:建议|议案|批评和意见|批评|意见)$")
# Bigrams every draft and every question about the deputies' work share: no sign of a common topic.
_COMMON_BIGRAMS = frozenset("代表 建议 议案 人大 工作 问题 有关 相关 部门 什么 怎么 如何 进一步 一步 加强 提高 完善 关于 "
                            "我们 群众 政府 今年 明年 去年 全市 全区 全县 全省 市民 开展".split())


def _bigrams(text: str) -> set[str]:
    return {run[i:i + 2] for run in _HAN.findall(text) for i in range(len(run) - 1)} - _COMMON_BIGRAMS


def clearly_question(text: str, topic: str = "") -> bool:
    """``text`` (which ``looks_like_question`` already flagged) is plainly a question to the assistant, not
    the step's content: short, one sentence, not shaped like a part of a draft, asking (ends with ？/吗/呢,
    starts with a question word, or — when the draft has a topic to compare with — holds one), and not
    about the draft's own topic (“为什么老旧小区加装电梯这么难？” at a draft on lifts may be its 原因分析)."""
    t = (text or "").strip()
    if not t or len(t) > CLEAR_QUESTION_CHARS or _CONTENT_START.match(t) or _SENTENCE_BREAK.search(t):
        return False
    core = _TITLE_FRAME.sub("", topic.strip())
    if core and len(_bigrams(t) & _bigrams(core)) >= 2:
        return False
    if _ASKS_AT_END.search(t) or _ASKS_AT_START.match(t):
        return True
    return bool(core) and bool(_QUESTION_WORDS.search(t))

def normalize_kind(text: str) -> str:
    """“建议吧”“我要提议案”“议案。” → the kind; anything else unchanged (and refused)."""
    t = _TRAILING_PUNCT.sub("", (text or "").strip())
    found = [k for k in KINDS if k in t]
    if len(found) == 1 and len(t) <= 10 and not re.search(r"不[要想是提写]", t):
        return found[0]
    return t


# What a title typed at the 类别 step looks like (“关于修缮村道的建议”“修缮村道的建议”): more than the kind word and
# a wish to write one (“我要提议案”“写个建议吧”).
_KIND_WISH = re.compile(r"^(?:我们?|本人)?(?:要|想|准备|打算|需要)?(?:提出?|写|起草|提交|交)?(?:一个|一条|一份|一件|个|条|份|件)?"
                        r"(?:新的?)?$")


def title_in_kind_answer(text: str) -> tuple[str, str] | None:
    """(kind, title-ish text) when the answer to the 类别 step is a title rather than the kind alone: “关于…的建议/议案”,
    or a line ending in the kind with a real subject before it (“修缮村道的建议”). None for “建议”“我要提议案”.
    The text is returned as typed (the title step checks its form)."""
    t = _TRAILING_PUNCT.sub("", (text or "").strip())
    m = re.fullmatch(r"(?:关于)?(.+?)的?(建议|议案)", t)
    if not m or re.search(r"不[要想是提写]|[？?\n]", t) or sum(k in t for k in KINDS) != 1:
        return None
    subject = m.group(1)
    if t.startswith("关于") or len(subject) >= 4 and not _KIND_WISH.match(subject):
        return m.group(2), t
    return None


# A button's label typed instead of pressed (“暂存”“放弃”“跳过”): the button's action, never the step's content.
_TYPED_PAUSE = {"暂存", "保存", "先存着", "存着", "先存一下", "存草稿", "暂存草稿", "保存草稿", "先保存", "以后再写",
                "暂存以后再写", "暂存，以后再写", "先暂存"}
_TYPED_CANCEL = {"放弃", "取消", "放弃草稿", "取消草稿", "不写了", "放弃吧", "取消吧"}
_TYPED_SKIP = {"跳过", "跳过这一步", "跳过此步", "先跳过", "略过", "下一步", "跳过吧"}
# The same wishes in other words. Giving up (“算了不写了”“不想写了”“那就不提了”) only ever asks the confirmation
# that [放弃草稿] asks; putting it off (“改天再写”“回头再写吧”“先不写了”) keeps the draft; going back (“上一步”“返回上一步”
# “退回上一步”“返回”) reopens the step before, keeping what was entered.
_PARTICLES = r"(?:了|吧|啦|啊|呀|哈|哦|呢|算了)*"
_TYPED_CANCEL_RE = re.compile(
    r"(?:算了|那|那就|还是|我|我们|我看|干脆)*(?:放弃|取消|不(?:想|打算|准备|要)?(?:写|提|弄|搞)了?|写不下去了?|"
    r"(?:删掉|删了|删除)(?:吧)?)(?:这份|这个|这件)?(?:草稿|建议|议案)?" + _PARTICLES + r"|算了" + _PARTICLES)
_TYPED_PAUSE_RE = re.compile(
    r"(?:我|那|那就|先)*(?:(?:下次|回头|以后|改天|明天|晚点|晚些|稍后|过会儿?|有空)(?:再|接着)(?:写|弄|改|补)|"
    r"(?:暂存|保存|存)(?:一下)?(?:草稿)?|(?:今天|现在)?(?:先|暂时|暂且)不(?:写|弄)了?)" + _PARTICLES)
# The 接着写草稿 button typed (“接着写”“继续写吧”): the step is shown again, nothing is saved; with no step open, the
# saved drafts are listed as /drafts lists them (“接着写” had become a draft's title, or been searched).
_TYPED_RESUME_RE = re.compile(r"(?:我|那|那就|好的?|好|嗯)*(?:接着|继续|再)(?:写|起草|弄|填|来)?(?:我的|刚才的|那份|那个)?"
                              r"(?:草稿|建议|议案)?" + _PARTICLES)
_TYPED_BACK_RE = re.compile(
    r"(?:我|我想|我要|想|要|请|麻烦)?(?:(?:返回|退回|回到|回|退到|倒回|后退|回退)(?:到|去)?(?:修改|改)?|(?:修改|改))?"
    r"上一?(?:步|个步骤|个问题|项)(?:吧|了|去)?|(?:返回|退回|后退|回退|往回退?|退一步|回去)(?:吧)?")


def typed_button(text: str, step: str) -> str | None:
    """"pause" / "cancel" / "skip" / "back" / "resume" when ``text`` is the label of a wizard button typed at ``step`` (or the
    same wish in other words: “算了不写了”, “改天再写”, “返回上一步”); None otherwise. At the 联名代表 and 附件 steps
    “跳过” is an answer like [无联名]/[完成] (the step's check handles it): None."""
    t = _TRAILING_PUNCT.sub("", (text or "").strip()).replace(" ", "")
    t = re.sub(r"[，,、]", "", t)
    if t in _TYPED_PAUSE or _TYPED_PAUSE_RE.fullmatch(t):
        return "pause"
    if t in _TYPED_CANCEL or _TYPED_CANCEL_RE.fullmatch(t):
        return "cancel"
    if t in _TYPED_SKIP and step not in ("cosponsors", "attachments"):
        return "skip"
    if _TYPED_BACK_RE.fullmatch(t):
        return "back"
    if _TYPED_RESUME_RE.fullmatch(t):
        return "resume"
    return None


# Chat around a topic typed where a title is asked (“我们村的老人吃饭难，想提个建议”“请帮我写一个关于……的建议”
# “我想说一下……”): whole clauses that only say the deputy wants to write, and such words before or after the topic.
_TITLE_CHAT_CLAUSE = re.compile(
    r"^(?:我|我们|本人)?(?:就|也|还)?(?:想|要|准备|打算|希望|需要)?(?:提|写|起草|提交|反映|说|讲|问)(?:一下|一个|一条|一份|一件|个|条|份|件|点)?"
    r"(?:新的?)?(?:建议|议案|提案|意见|情况|问题|事|事情)?(?:吧|啊|呀|呢|哈|哦|了)*$"
    r"|^(?:请|麻烦|能不能|可以|可不可以|帮|帮忙|请你|你|您)+(?:帮|帮忙|给)?(?:我|我们)?(?:看|改|想|把关|参谋)"
    r"|^(?:谢谢|感谢|多谢|辛苦|拜托|麻烦了|好吗|行吗|可以吗|怎么写|如何写|该怎么写)")
_TITLE_CHAT_LEAD = re.compile(
    r"^(?:(?:请|麻烦)?(?:你|您)?(?:帮|帮忙|给)?(?:我|我们)?(?:写|起草|拟)(?:一个|一条|一份|一篇|个|条|份|篇)?(?:关于)?"
    r"|(?:我|我们|本人)(?:想|要|准备|打算)?(?:说|讲|反映|提|谈)(?:一下|一个|个|点)?(?:关于)?"
    r"|(?:我|我们|本人)(?:觉得|认为|发现|感觉|听说|了解到|看到)"
    r"|(?:想|要)(?:反映|说|提)(?:一下|个)?(?:关于)?)")
_TITLE_CHAT_TAIL = re.compile(
    r"(?:[，,]?(?:的)?(?:这个|这件|这些)?(?:问题|事|事情|情况)?)?(?:我|我们)?(?:想|要|准备|打算)?(?:提|写|反映)"
    r"(?:一下|一个|一条|一份|个|条|份)?(?:建议|议案|提案|意见)?(?:吧|啊|呀|呢|哈|哦|了)*$")
# A plausible topic of a 代表建议 names a problem or need, an action, or a public matter. Narration (“今天天气很好我们去
# 公园散步”, a voice note heard out of context) names none of these and is offered no title.
_TOPIC_WORDS = re.compile(
    # a problem or a need
    r"难|问题|困难|不足|不够|缺|没有|无法|不能|不便|隐患|风险|安全|污染|拥堵|堵|短板|滞后|薄弱|拖欠|偏高|偏低|过高|过低|"
    r"太少|太多|太贵|太差|太远|太慢|需要|急需|亟需|亟待|希望|投诉|矛盾|纠纷|负担|压力|违法|违规|乱象|脏|乱|差|贵|破损|"
    r"损坏|老化|失修|积水|漏水|坏|"
    # an action
    r"加强|完善|建立|健全|推进|推动|提高|提升|改善|解决|破解|缓解|治理|整治|规范|保障|保护|支持|扶持|增加|加大|设立|"
    r"建设|修建|修缮|修复|维修|修路|改造|落实|优化|促进|实施|制定|修改|修订|出台|开展|推广|纳入|减轻|降低|防止|防范|预防|"
    r"打击|取消|放宽|加快|扩大|设置|配备|新建|开通|补贴|补助|监管|管理|发展|培育|统筹|简化|延长|恢复|增设|普及|鼓励|提供|"
    # a public matter
    r"公共|设施|服务|政策|制度|标准|机制|条例|法律|法规|规划|政府|财政|预算|经费|资金|养老|医疗|医保|社保|教育|学校|"
    r"幼儿园|就业|住房|交通|道路|公路|村道|桥|水利|饮水|供水|供暖|环境|生态|垃圾|厕|标识|农村|乡村|社区|小区|物业|老人|"
    r"老年|儿童|残疾|群众|村民|居民|农民|企业|市场|食品|药品|卫生|文化|体育|网络|平台|消防|治安|民生|助餐|食堂|停车|"
    r"电梯|学生|教师|医院|耕地|土地|粮食|产业|税|补偿|保险|救助|低保|养护|快递|公交|出行|就医|看病|上学|吃饭|"
    # the deputies' own work
    r"人大|代表|常委会|列席|监督|履职|选民|选区|立法|执法|司法|法院|检察|审议|视察|调研")
# “的” inside a word (目的, 的确, 有的…): not a possessive that the title's own “……的建议” makes one too many.
_WORD_DE = re.compile(r"目的|的确|有的|别的|似的|的士|真的|是的|的话|的哥|打的")


def _title_topic(text: str) -> str:
    """The topic in a line typed where a title is asked: the first of its clauses that is not chat and names the matter,
    chat words before and after it taken away."""
    t = re.sub(r"^(?:标题[:：])?\s*", "", (text or "").strip())
    clauses = [c.strip() for c in re.split(r"[，,。！!；;~～…\n]+", t) if c.strip()]
    kept = []
    for c in clauses:
        if _TITLE_CHAT_CLAUSE.search(c) or is_chat_line(c):
            continue
        c = _TITLE_CHAT_LEAD.sub("", c)
        c = _TITLE_CHAT_TAIL.sub("", c) if len(_TITLE_CHAT_TAIL.sub("", c)) >= 4 else c
        if c and not re.fullmatch(r"(?:一下|一个|个|一份|吧|了)*", c):
            kept.append(c)
    # a title is one clause: the first that names the matter
    return next((c for c in kept if _TOPIC_WORDS.search(c)), kept[0] if kept else "")


def suggest_title(text: str, kind: str) -> str | None:
    """The title in the “关于……的<kind>” form, or None when there is too little to build one, or the text names
    nothing a 代表建议 is about (no problem, need, action or public matter). Chat around the topic is dropped
    (“我们村的老人吃饭难，想提个建议” → 关于我们村老人吃饭难的建议)."""
    framed = (text or "").strip().startswith("关于")
    core = re.sub(r"^(?:关于)+|的?(?:建议|议案|提案|批评和意见|批评|意见)$", "", (text or "").strip())
    core = _TRAILING_PUNCT.sub("", core)
    if not framed:
        core = _title_topic(core)
        core = re.sub(r"^(?:关于)+|的?(?:建议|议案|提案|批评和意见|批评|意见)$", "", core)
        core = _TRAILING_PUNCT.sub("", re.sub(r"(?:了|吧|啊|呀|呢|哈|哦)+$", "", core))
        # one “的” is the title's own (“……的建议”): a possessive inside the topic goes (“我们村的老人” → 我们村老人)
        masked = _WORD_DE.sub(lambda m: "\0" * len(m.group()), core)
        core = "".join(ch for ch, mk in zip(core, masked) if not (mk == "的" and ch == "的"))
        if not _TOPIC_WORDS.search(core):
            return None
    title = f"关于{core}的{kind}"
    if len(core) < 4 or len(title) > 60 or re.search(r"[？?\n]", core):
        return None
    return title


_NAME_SPLIT = re.compile(r"[、，,；;\s]+")
_DELEGATION_RE = re.compile(r"^(?:代表团)[:：]\s*(.+)$")


@lru_cache(maxsize=1)
def default_thresholds() -> dict:
    """Co-sponsor thresholds; DEPUTY_SUGGESTION_COSPONSOR_THRESHOLDS (JSON, same shape) overrides."""
    data = json.loads(resources.files("suggestions").joinpath("data/cosponsor_thresholds.json").read_text("utf-8"))
    from deputy_assistant.config import get_settings

    for k, v in get_settings().suggestion_cosponsor_thresholds.items():
        data.setdefault(k, {}).update(v)
    return data


def cosigner_count(names: list[str]) -> int | None:
    """How many deputies the listed co-signers are: a number the list states (“（共32人，名单附后）”“王某某等32名代表”
    “附议代表32名”“三十二人”), the names listed being a floor; None when a delegation puts the bill forward
    (“代表团：宁夏代表团”), which suffices whatever the count. A delegation in brackets after a name
    (“张三（江苏代表团）”) is where that deputy sits, not a delegation's bill."""
    if any("代表团" in re.sub(r"[（(][^）)]*[）)]", "", n) for n in names):
        return None
    stated = [c for n in names if (c := stated_count(n)) is not None]
    return max([len(cosigner_names(names))] + stated)


def steps_for(kind: str) -> list[StepSpec]:
    return [s for s in STEPS if kind == KIND_BILL or not s.bill_only]


@dataclass
class Prompt:
    draft_id: int
    step: str
    label: str
    hint: str
    example: str
    position: int
    total: int
    current: str = ""  # the value already given (when editing or resuming)
    kind: str = ""
    cosponsors_needed: int = 0  # a bill's co-signers at the deputy's level: no “无联名”
    current_ok: bool = True  # would ``current`` pass this step's check? (“保持不变” only then)
    suggested: str = ""  # a corrected answer the bot can offer as a button (the title in the right form)

    def to_text(self) -> str:
        text = f"（{self.position}/{self.total}）{self.label}\n{self.hint}\n例如：{self.example}"
        if self.current:
            text += f"\n当前内容：{self.current}"
        return text


@dataclass
class StepResult:
    accepted: bool
    feedback: list[str] = field(default_factory=list)  # why rejected, or tips for improvement
    prompt: Prompt | None = None  # the next step to ask
    preview: str | None = None  # set when the draft is complete (or an edit returns to the preview)
    whole_draft: bool = False  # the answer was a whole draft: feedback[0] says which parts it filled
    head: str = ""  # replaces the bot's “已记录<this step>” (the 类别 answer that also gave the title)


@dataclass
class DraftInfo:
    draft_id: int
    kind: str
    title: str
    step: str
    updated_at: datetime


@dataclass
class Reminder:
    draft_id: int
    author_id: str
    text: str


@dataclass
class Submitted:
    suggestion_id: int
    summary: str
    recommendations: list[dict]
    receipt_outbox_id: int | None = None  # the deputy's receipt in the outbox (a bot that answers itself claims it)


def assess(step: str, text: str, kind: str, *, cosponsor_needed: int = 0) -> tuple[bool, list[str]]:
    """Is the answer usable for the step? (accepted, feedback). Feedback is specific to what is thin."""
    spec = STEP_BY_KEY[step]
    t = text.strip()
    tips: list[str] = []
    if step == "kind":
        if normalize_kind(t) not in KINDS:
            return False, ["请回复“建议”或“议案”。"]
        return True, []
    if step == "title":
        if len(t) < spec.min_chars:
            return False, [f"标题太短（{len(t)} 字），请说清楚针对什么事项，例如：{spec.example}"]
        if len(t) > 60:
            return False, [f"标题过长（{len(t)} 字），请压缩到 60 字以内，细节放到正文。"]
        fixed = suggest_title(t, kind)
        if not re.fullmatch(r"关于.+的(建议|议案)", t):
            if fixed is None:
                return False, [f"标题应采用“关于……的{kind}”的格式，例如：{spec.example}"]
            return False, [f"标题应采用“关于……的{kind}”的格式，可改为：{fixed}"]
        if not t.endswith(kind):
            return False, [f"标题以“{t[-2:]}”结尾，但所选类别是{kind}，可改为：{fixed or '关于……的' + kind}"]
        return True, []
    if step in ("problem", "cause", "measures", "legal_basis", "outline"):
        if len(t) < spec.min_chars and not (step == "cause" and terse_causes_ok(t)):
            need = {
                "problem": "请补充：涉及的地区或人群、具体数据（数量、比例、时间）、一个典型事例。",
                "cause": "请说明问题出在哪个环节：制度缺失、标准不一、资金不足、职责不清还是执行不到位。",
                "measures": "请写出至少一条可操作的措施：由哪个部门、做什么、达到什么目标或时限。",
                "legal_basis": "请写出法律名称和具体条款，例如《××法》第×条。",
                "outline": "请列出草案的章节结构或拟修改条款的要点。",
            }[step]
            return False, [f"内容偏少（{len(t)} 字，至少 {spec.min_chars} 字）。{need}"]
        if step == "problem" and not re.search(r"\d|[一二三四五六七八九十百千万]+(?:个|家|人|件|所|座|%|成)", t):
            tips.append("问题与现状中没有数据，建议补充数量、比例或时间等事实，以增强说服力。")
        if step == "measures":
            if len(measure_items(t)) > 1 and not is_numbered(t):
                tips.append("建议把措施分条编号（1. 2. 3.），每条一件事。")
            from suggestions.selfcheck import vague_items

            for item, phrase in vague_items(t)[:3]:
                tips.append(f"“{clip(item, 30)}”只有“{phrase}”这样的表述，请写明由谁、做什么、达到什么目标。")
        from suggestions.selfcheck import repeated_sentence

        if rep := repeated_sentence(t):
            tips.append(f"同一句话重复了 {rep[1]} 次（“{clip(rep[0], 20)}”），请删去重复，补充新的事实或内容。")
        if step == "legal_basis" and not re.search(r"《.+?》|第[一二三四五六七八九十百零]+条", t):
            return False, ["法律依据请写明法律名称（用书名号）和条款，例如《中华人民共和国立法法》第十八条。"]
        return True, tips
    if step == "cosponsors":
        if is_done_word(t):
            if cosponsor_needed > 0:
                return False, [f"{kind}需要至少 {cosponsor_needed} 名代表联名（或以代表团名义提出），请列出联名代表。"]
            return True, []
        if _DELEGATION_RE.match(t):
            return True, []
        names = cosigner_entries(t)
        if not names:
            return False, ["请列出联名代表姓名，用顿号分隔；没有联名请回复“无”。"]
        bad = [n for n in names if len(n) > 12 and stated_count(n) is None]
        if bad:
            return False, [f"“{bad[0][:12]}……”不像姓名，请只列姓名，用顿号分隔。"]
        count = cosigner_count(names)
        if count is not None and count < cosponsor_needed:
            return False, [f"目前 {count} 名联名代表，{kind}至少需要 {cosponsor_needed} 名（或以代表团名义提出）。"]
        return True, []
    if step == "attachments":
        if is_done_word(t):
            return True, []
        # A typed word is no file: “没附件了”“好的” once became attachment names.
        return False, ["附件请直接发送文件或照片（调研报告、图片等）；没有附件或已上传完毕，请点“完成”。"]
    raise DraftError(f"未知步骤：{step}")


_BODY_STEPS = ("title", "problem", "cause", "measures", "legal_basis", "outline")
# A 原因分析 shorter than the step's 40 characters is still concrete when it names two causes or more
# (“养护资金没有纳入县级财政预算，村集体经济薄弱，缺乏专业养护队伍。”, 37 characters): the length floor is there
# to refuse “资金不足。”, not a terse list. Each cause: a clause of at least 4 characters. Three causes or more, each
# a real clause of 5+ Chinese characters, written like the step's own example (“一是经费没有来源；二是场地难落实；
# 三是部门职责不清。”, 26 characters), pass from CAUSE_MIN_THREE characters; two still need CAUSE_MIN_LISTED.
CAUSE_MIN_LISTED = 30
CAUSE_MIN_THREE = 18
CAUSE_CLAUSE_HAN = 5
_CAUSE_SPLIT = re.compile(r"[，,；;。、\n]|[一二三四五六七八九十]是|其[一二三四五]|(?<![\d.])\d{1,2}[.．、](?!\d)|"
                          r"[（(][一二三四五六七八九十\d]{1,2}[)）]|[①-⑩]")
_VAGUE_CAUSE = re.compile(r"^(?:重视不够|力度不够|认识不足|重视不足|不够重视|力度不足|加大力度|高度重视)$")


def cause_clauses(text: str) -> list[str]:
    """The causes a 原因分析 names: its distinct clauses of 4+ characters (numbering and “主要原因是” dropped), not
    counting stock phrases (“重视不够”)."""
    parts = [re.sub(r"^(?:主要|根本|直接)?原因(?:有|是|在于)?[:：]?|^\d+[.、．]|^[（(]?[一二三四五六七八九十\d][)）]", "",
                    p.strip()) for p in _CAUSE_SPLIT.split(text or "")]
    return list(dict.fromkeys(p for p in parts if len(p) >= 4 and not _VAGUE_CAUSE.match(p)))


def cause_count(text: str) -> int:
    return len(cause_clauses(text))


def terse_causes_ok(text: str) -> bool:
    """A 原因分析 under the step's minimum that still lists its causes: two or more in CAUSE_MIN_LISTED characters,
    or three or more real clauses (5+ Chinese characters each) in CAUSE_MIN_THREE."""
    t = (text or "").strip()
    causes = cause_clauses(t)
    if len(t) >= CAUSE_MIN_LISTED and len(causes) >= 2:
        return True
    real = [c for c in causes if sum(map(len, _HAN.findall(c))) >= CAUSE_CLAUSE_HAN]
    return len(t) >= CAUSE_MIN_THREE and len(real) >= 3


# Words around the names in a spoken or chatty list (“张三、李四，还有王五”“张三和李四等”): connectives, “等”, and
# a label typed before the list. An entry stating a number (“陈立新等32名代表”) is kept whole.
_COSIGN_LABEL = re.compile(r"^(?:联名代表|联名人|联名|附议代表|附议人|附议)(?:有|是|为)?[:：]?\s*")
_NAME_LEAD = re.compile(r"^(?:另外|此外|还有|另有|以及|加上|再加上|再有|还|和|及|与|跟|同|并|有)+")
_NAME_TAIL = re.compile(r"(?:等等|等人|等同志|等几位代表|等几位|等代表|等|他们|她们|几位|几个人|也联名|也要联名|联名)+$")
_NAME_JOIN = re.compile(r"还有|以及|加上|和|及|与|跟")


def _clean_name(entry: str) -> list[str]:
    """One entry of a co-signer list without its connectives: “还有王五” → 王五, “王五等” → 王五, “张三和李四” →
    张三, 李四 (split only where both sides can be names); a lone “等”“还有” → nothing."""
    if stated_count(entry) is not None or re.search(r"[（(【\[]|代表团", entry):
        return [entry]
    out = []
    for piece in _NAME_JOIN.split(entry) if all(2 <= len(x) <= 4 for x in _NAME_JOIN.split(entry)) else [entry]:
        name = piece
        lead = _NAME_LEAD.match(name)
        if lead and len(name) - lead.end() >= 2 and not _surnamed_he(name, lead.end()):
            name = name[lead.end():]
        tail = _NAME_TAIL.search(name)
        if tail and tail.start() >= 2:
            name = name[:tail.start()]
        elif tail and tail.start() == 0 or _NAME_LEAD.fullmatch(name):
            continue  # “等”“还有” on its own
        out.append(name.strip(" 　。.！!"))
    return [n for n in out if n]


@lru_cache(maxsize=1)
def _common_surnames() -> str:
    """The surnames of the person pattern in not_suggestion.json (“[王李张…][一-鿿]{1,2}”)."""
    return load_data("not_suggestion.json")["person_slots"]["GIVEN"].split("]", 1)[0].lstrip("[")


def _surnamed_he(name: str, lead_end: int) -> bool:
    """“和晓东”“同春来”: 和 and 同 are surnames too. Three characters after a lone 和/同 whose next one is no common
    surname are a name, not “and” + a two-character name (“和李四” is 李四)."""
    return lead_end == 1 and name[0] in "和同" and len(name) == 3 and name[1] not in _common_surnames()


def cosigner_entries(text: str) -> list[str]:
    """The co-signer entries of an answer to the 联名代表 step: split at 、，; and spaces (not inside brackets),
    connectives and “等” taken away."""
    text = _COSIGN_LABEL.sub("", (text or "").strip())
    return list(dict.fromkeys(n for e in split_names(text) for n in _clean_name(e)))


def cosponsor_list(text: str) -> list[str]:
    """An answer to the 联名代表 step as stored: a delegation, nobody (“无”), or the names."""
    if d := _DELEGATION_RE.match(text):
        return [f"代表团：{d.group(1).strip()}"]
    if is_done_word(text):
        return []
    return cosigner_entries(text)  # “（共32人，名单附后）” stays one entry


# -- a body part sent after the wizard moved on ----------------------------------------------------------
# Measures sent in two messages: the first is accepted at 具体建议, the second (“2.建议县财政局将助餐补贴列入年度预算”)
# arrives at 联名代表 or 附件, which take names or files. Such a message is offered to be added to the part it continues.
_ITEM_START = re.compile(r"^\s*(?:\d{1,2}[.．、](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|"
                         r"第[一二三四五六七八九十\d]{1,3}(?:[，,、是条章]|[)）])|[一二三四五六七八九十]是|[①-⑩]|[-•·*]\s)")
_PROSE_START = re.compile(r"^(?:建议|我建议|为此|同时|另外|此外|还要|还应|还需|并且?|要|应|应当|应该|需要|须|必须|希望|请|由|将|把|"
                          r"对|加强|完善|建立|健全|推动|推进|制定|落实|加大|鼓励|支持|设立|纳入|明确|统筹|尽快|加快)")
_OUTLINE_SHAPE = re.compile(r"^第[一二三四五六七八九十\d]{1,3}[章条节]")
_LEGAL_SHAPE = re.compile(r"《[^》]{2,40}(?:法|条例|规定|办法|决定)》")
CONTINUATION_STEPS = ("cosponsors", "attachments")  # steps that take names or files, not prose
CONTINUATION_MIN_CHARS = 8


def earlier_step_for(text: str, step: str, kind: str) -> str | None:
    """The body part (具体建议, or a bill's 草案框架 / 法律依据) that a message sent at the 联名代表 or 附件 step
    continues, or None when it is an answer to that step (names, “无”, “完成”, “代表团：…”). A continuation reads
    like a draft: a numbered item, a sentence opening like a measure (建议/要/应/由…), or a long sentence; and it is
    not a list of names (an entry longer than a name: “2.建议县财政局将助餐补贴列入年度预算”)."""
    t = (text or "").strip()
    if step not in CONTINUATION_STEPS or len(t) < CONTINUATION_MIN_CHARS or is_done_word(t) or _DELEGATION_RE.match(t):
        return None
    if step == "cosponsors":
        names = [re.sub(r"[（(][^）)]*[）)]", "", n) for n in cosigner_entries(_ITEM_START.sub("", t))]
        long = [n for n in names if len(n) > 6 and stated_count(n) is None and not re.search(r"[·•]", n)]
        if not long:
            return None
    han = sum(map(len, _HAN.findall(t)))
    if not (_ITEM_START.match(t) or _PROSE_START.match(t) or han >= 15):
        return None
    keys = [s.key for s in steps_for(kind)]
    body = [k for k in keys[:keys.index(step)] if k in ("measures", "legal_basis", "outline")]
    if not body:
        return None
    if kind == KIND_BILL:
        if _OUTLINE_SHAPE.match(_ITEM_START.sub("", t) if not _OUTLINE_SHAPE.match(t) else t):
            return "outline"
        if _LEGAL_SHAPE.search(t) and not re.search(r"建议", t):
            return "legal_basis"
        if re.match(r"(?:我)?建议", _ITEM_START.sub("", t)):
            return "measures"
    return body[-1]


def whole_draft(text: str, kind: str) -> dict[str, str] | None:
    """The parts of a whole draft pasted into one step (at least two of 问题与现状 / 原因分析 /
    具体建议 found), or None for an ordinary answer to the step."""
    if len(text) < 80:
        return None
    d = parse_draft_text(text, kind=kind)
    if sum(bool(getattr(d, k).strip()) for k in ("problem", "cause", "measures")) < 2:
        return None
    parts = {k: getattr(d, k).strip() for k in ("problem", "cause", "measures", "legal_basis", "outline")
             if getattr(d, k).strip() and (kind == KIND_BILL or k not in ("legal_basis", "outline"))}
    if re.fullmatch(r"关于.+的(建议|议案)", d.title.strip()):
        parts["title"] = d.title.strip()
    if d.cosponsors:  # “联名代表：张三、李四、王五” in the pasted text
        parts["cosponsors"] = "、".join(d.cosponsors)
    return parts


def render_preview(content: DraftContent, level: str = "national") -> str:
    parts = [f"【{content.kind}预览】", f"标题：{content.title or '（未填写）'}"]
    for spec in steps_for(content.kind):
        if spec.key in ("kind", "title", "cosponsors", "attachments"):
            continue
        parts.append(f"{spec.label}：{getattr(content, spec.key) or '（未填写）'}")
    parts.append("联名代表：" + ("、".join(content.cosponsors) if content.cosponsors else "无"))
    if content.attachments:
        parts.append("附件：" + "、".join(a.get("name", "") for a in content.attachments))
    parts.append("可修改任一部分（" + "、".join(s.label for s in steps_for(content.kind) if s.key != "kind") + "），或提交。")
    return "\n".join(parts)


class DraftService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        thresholds: dict | None = None,
        embedder: EmbedderLike | None = None,
        clock: Callable[[], datetime] = repo.utcnow,
    ) -> None:
        self.sm = sessionmaker
        self.thresholds = thresholds or default_thresholds()
        self.embedder = embedder  # when set, submission stores an embedding and routing recommendations
        self.clock = clock

    # -- helpers ---------------------------------------------------------------------------------
    def cosponsors_needed(self, kind: str, level: str) -> int:
        return int(self.thresholds.get(kind, {}).get(level, 0))

    async def _own(self, s: AsyncSession, draft_id: int, author_id: str) -> DraftRow:
        row = await repo.get_draft(s, draft_id)
        if row is None or row.author_id != author_id:
            raise DraftError("找不到这份草稿，请用 /drafts 查看您的草稿。")
        if row.state != "active":
            raise DraftClosed(row.state)
        return row

    async def _own_any(self, s: AsyncSession, draft_id: int, author_id: str) -> DraftRow:
        row = await repo.get_draft(s, draft_id)
        if row is None or row.author_id != author_id:
            raise DraftError("找不到这份草稿，请用 /drafts 查看您的草稿。")
        return row

    def _prompt(self, row: DraftRow) -> Prompt:
        content = DraftContent.from_dict(row.content)
        steps = steps_for(row.kind)
        spec = STEP_BY_KEY[row.step]
        keys = [s.key for s in steps]
        current = ""
        if spec.key == "kind":
            current = row.kind if row.content.get("_kind_set") else ""
        elif spec.key == "cosponsors":
            current = "、".join(content.cosponsors)
        elif spec.key == "attachments":
            current = "、".join(a.get("name", "") for a in content.attachments)
        else:
            current = getattr(content, spec.key)
        hint, example = spec.hint, spec.example
        needed = self.cosponsors_needed(row.kind, row.congress_level)
        if row.kind == KIND_BILL:
            example = BILL_EXAMPLES.get(spec.key, example)
        if spec.key == "cosponsors" and needed:
            # a bill is never put forward alone: say how many, and offer no “无”
            hint = (f"{row.kind}须由至少 {needed} 名{CONGRESS_LEVELS.get(row.congress_level, '')}人大代表联名提出"
                    "（领衔代表计入），或以代表团名义提出。请列出联名代表姓名，用顿号或逗号分隔；"
                    "以代表团名义提出请写“代表团：名称”。")
            example = BILL_COSIGNER_EXAMPLE
        current_ok, suggested = True, ""
        if current and spec.key not in ("kind", "attachments"):
            current_ok = assess(spec.key, current, row.kind, cosponsor_needed=needed)[0]
        if spec.key == "title":
            tried = row.content.get("_rejected", {}).get("title") or ("" if current_ok else current)
            suggested = (suggest_title(tried, row.kind) or "") if tried else ""
        return Prompt(row.id, spec.key, spec.label, hint, example, keys.index(spec.key) + 1, len(keys), current,
                      row.kind, needed, current_ok, suggested)

    def _filled(self, row: DraftRow, key: str) -> bool:
        """A body part that already holds a usable value (a pasted draft's parts are not asked again)."""
        value = row.content.get(key, "")
        return bool(value) and not (key == "title" and not value.endswith(row.kind))

    def _next_step(self, row: DraftRow, after: str) -> str:
        keys = [s.key for s in steps_for(row.kind)]
        if row.editing:
            # Back to the preview, unless the edit left a required part empty or invalid (e.g. the
            # kind changed to 议案: the title's ending and the bill-only parts must be dealt with).
            content = row.content
            for key in keys:
                if key in ("kind", "cosponsors", "attachments"):
                    continue
                value = content.get(key, "")
                if not value or (key == "title" and not value.endswith(row.kind)):
                    return key
            cos = content.get("cosponsors", [])
            needed = self.cosponsors_needed(row.kind, row.congress_level)
            count = cosigner_count(cos) if cos else 0
            if needed and count is not None and count < needed:
                return "cosponsors"
            return PREVIEW
        # Step by step: the next step, passing over parts a pasted draft already filled; the co-signers and
        # the attachments are always offered before the preview. After “上一步” the steps up to the one the deputy
        # went back from are asked again (with their saved value and [保持不变]).
        back_from = row.content.get("_back_from")
        limit = keys.index(back_from) if back_from in keys else -1
        for i, key in enumerate(keys[keys.index(after) + 1:], keys.index(after) + 1):
            if key in _BODY_STEPS and self._filled(row, key) and i > limit:
                continue
            return key
        return PREVIEW

    def _back_reached(self, row: DraftRow) -> None:
        """Forget where the deputy went back from once the conversation is there again (or past it)."""
        back_from = row.content.get("_back_from")
        if back_from is None:
            return
        keys = [s.key for s in steps_for(row.kind)]
        if row.step not in keys or back_from not in keys or keys.index(row.step) >= keys.index(back_from):
            content = copy.deepcopy(row.content)
            content.pop("_back_from", None)
            row.content = content

    # -- conversation ------------------------------------------------------------------------------
    async def start(self, author_id: str, *, kind: str | None = None, congress_level: str = "national",
                    delegation: str = "") -> Prompt:
        if congress_level not in CONGRESS_LEVELS:
            raise DraftError("人大层级应为：" + "、".join(CONGRESS_LEVELS.values()))
        if kind is not None and kind not in KINDS:
            raise DraftError("类别只能是“建议”或“议案”。")
        now = self.clock()
        content = DraftContent(kind=kind or KIND_SUGGESTION).to_dict()
        content["_kind_set"] = kind is not None
        async with self.sm.begin() as s:
            row = await repo.add_draft(s, DraftRow(
                author_id=author_id, kind=kind or KIND_SUGGESTION, congress_level=congress_level,
                delegation=delegation, content=content, step="title" if kind else "kind",
                created_at=now, updated_at=now,
            ))
            return self._prompt(row)

    async def prompt(self, draft_id: int, author_id: str) -> Prompt | str:
        """Where to resume: the current step's prompt, or the preview text."""
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            if row.step == PREVIEW:
                return render_preview(DraftContent.from_dict(row.content), row.congress_level)
            return self._prompt(row)

    async def answer(self, draft_id: int, author_id: str, text: str) -> StepResult:
        text = (text or "").strip()
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            if row.step == PREVIEW:
                raise DraftError("草稿已完成，请选择要修改的部分或提交。")
            step = row.step
            titled = title_in_kind_answer(text) if step == "kind" else None
            if titled is not None:
                return self._take_kind_and_title(row, *titled)
            if step == "kind":
                text = normalize_kind(text)
            pasted = whole_draft(text, row.kind) if step in _BODY_STEPS else None
            if pasted is not None:
                return self._take_whole_draft(row, pasted)
            ok, feedback = assess(step, text, row.kind, cosponsor_needed=self.cosponsors_needed(row.kind, row.congress_level))
            content = copy.deepcopy(row.content)
            if not ok:
                # Keep what was typed so nothing is lost; the bot can offer it back (never for a stray word at
                # the attachment step: it is no part of the draft).
                if step != "attachments":
                    content.setdefault("_rejected", {})[step] = text
                row.content = content
                row.updated_at = self.clock()
                return StepResult(False, feedback, self._prompt(row))
            content.get("_rejected", {}).pop(step, None)
            if step == "kind":
                row.kind = text
                content["kind"] = text
                content["_kind_set"] = True
                if text != KIND_BILL:
                    content["legal_basis"] = content["outline"] = ""
            elif step == "cosponsors":
                content["cosponsors"] = cosponsor_list(text)
            elif step == "attachments":
                pass  # done (assess refused anything but a “done” word; files come through add_attachment)
            else:
                content[step] = text
            row.content = content
            row.step = self._next_step(row, step)
            self._back_reached(row)
            if row.step == PREVIEW:
                row.editing = False
            row.updated_at = self.clock()
            if row.step == PREVIEW:
                return StepResult(True, feedback, None,
                                  render_preview(DraftContent.from_dict(row.content), row.congress_level))
            return StepResult(True, feedback, self._prompt(row))

    def _take_kind_and_title(self, row: DraftRow, kind: str, title: str) -> StepResult:
        """A title typed at the 类别 step (“关于修缮村道的建议”): the kind is read from it, and the text is kept as the
        title when it passes the title's check (the conversation goes on after 标题); otherwise it is held as the
        refused title, so the 标题 step offers it corrected (“采用：关于……的建议”) and nothing typed is lost."""
        content = copy.deepcopy(row.content)
        row.kind = content["kind"] = kind
        content["_kind_set"] = True
        if kind != KIND_BILL:
            content["legal_basis"] = content["outline"] = ""
        content.get("_rejected", {}).pop("kind", None)
        ok, feedback = assess("title", title, kind)
        if ok:
            content["title"] = title
            content.get("_rejected", {}).pop("title", None)
            row.content = content
            row.step = self._next_step(row, "title")
            self._back_reached(row)
            head = f"✅ 已记录“类别”（{kind}）和“标题”：{title}"
        else:
            content.setdefault("_rejected", {})["title"] = title
            row.content = content
            row.step = "title"
            head = f"✅ 已记录“类别”（{kind}）。“{title}”还不能直接作为标题："
        row.updated_at = self.clock()
        if row.step == PREVIEW:
            row.editing = False
            return StepResult(True, [] if ok else feedback, None,
                              render_preview(DraftContent.from_dict(content), row.congress_level), head=head)
        return StepResult(True, [] if ok else feedback, self._prompt(row), head=head)

    def _take_whole_draft(self, row: DraftRow, parts: dict[str, str]) -> StepResult:
        """A draft written elsewhere and pasted at once: every part it has is filled in (with the same
        tips a step would give); the conversation goes on at the first part still missing."""
        content = copy.deepcopy(row.content)
        content.update(parts)
        if "cosponsors" in parts:
            content["cosponsors"] = cosponsor_list(parts["cosponsors"])
        content.pop("_rejected", None)
        content.pop("_back_from", None)
        row.content = content
        # Pasted during an edit from the preview: back to the preview (or what is missing). Otherwise the
        # conversation goes on step by step from the top, passing over the parts the paste filled, so the
        # co-signers and attachments are still offered.
        row.step = self._next_step(row, "title") if row.editing else self._next_step(row, "kind")
        row.updated_at = self.clock()
        labels = "、".join(STEP_BY_KEY[k].label for k in STEP_BY_KEY if k in parts)
        feedback = [f"已从粘贴的全文中识别出：{labels}。"]
        for key, value in parts.items():
            ok, tips = assess(key, value, row.kind)
            feedback += [f"{STEP_BY_KEY[key].label}：{t}" for t in tips]
        if row.step == PREVIEW:
            row.editing = False
            return StepResult(True, feedback, None, render_preview(DraftContent.from_dict(content), row.congress_level),
                              whole_draft=True)
        return StepResult(True, feedback, self._prompt(row), whole_draft=True)

    async def add_attachment(self, draft_id: int, author_id: str, name: str, ref: str) -> None:
        """A file uploaded in the chat (``ref``: the bot's file id or a storage key)."""
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            content = copy.deepcopy(row.content)
            content["attachments"] = list(content.get("attachments", [])) + [{"name": name[:100], "ref": ref}]
            row.content = content
            row.updated_at = self.clock()

    async def skip(self, draft_id: int, author_id: str) -> StepResult:
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            spec = STEP_BY_KEY.get(row.step)
            if spec is None or not spec.optional:
                raise DraftError("这一步不能跳过。")
            row.step = self._next_step(row, row.step)
            self._back_reached(row)
            row.updated_at = self.clock()
            if row.step == PREVIEW:
                row.editing = False
                return StepResult(True, [], None, render_preview(DraftContent.from_dict(row.content)))
            return StepResult(True, [], self._prompt(row))

    async def back(self, draft_id: int, author_id: str) -> Prompt | str:
        """“上一步”: the step before the open one, with what was entered there (nothing is cleared, the open step's
        refused attempt is kept too). A part reopened from the preview goes back to the preview (its saved value
        stands): the preview text is returned. At the first step there is nothing before: DraftError."""
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            if row.step == PREVIEW:
                raise DraftError("草稿已完成，请选择要修改的部分或提交。")
            if row.editing:
                content = copy.deepcopy(row.content)
                content.pop("_rejected", None)
                row.step, row.editing, row.content, row.updated_at = PREVIEW, False, content, self.clock()
                return render_preview(DraftContent.from_dict(content), row.congress_level)
            keys = [x.key for x in steps_for(row.kind)]
            i = keys.index(row.step)
            if i == 0:
                raise DraftError(f"“{STEP_BY_KEY[row.step].label}”已经是第一步，没有上一步。")
            content = copy.deepcopy(row.content)
            back_from = content.get("_back_from")
            if back_from not in keys or keys.index(back_from) < i:
                content["_back_from"] = row.step  # the furthest step reached: asked again on the way forward
            row.content, row.step, row.updated_at = content, keys[i - 1], self.clock()
            return self._prompt(row)

    async def append_to(self, draft_id: int, author_id: str, step: str, text: str) -> StepResult:
        """A body part sent after the wizard moved on (the second message of the 具体建议 arriving at 联名代表): added
        to that part on a new line; the open step stays open. ``feedback``: the part's tips, now that it is longer."""
        text = (text or "").strip()
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            if step not in {x.key for x in steps_for(row.kind)} or step not in _BODY_STEPS or step == "title":
                raise DraftError("这一部分不能补充。")
            if row.step == PREVIEW:
                raise DraftError("草稿已完成，请选择要修改的部分或提交。")
            content = copy.deepcopy(row.content)
            old = (content.get(step) or "").rstrip()
            content[step] = f"{old}\n{text}" if old else text
            row.content, row.updated_at = content, self.clock()
            _, tips = assess(step, content[step], row.kind)
            return StepResult(True, tips, self._prompt(row))

    async def leave_edit(self, draft_id: int, author_id: str) -> bool:
        """A part opened from the preview (改联名代表…) and not answered: its saved value stands and the draft
        is back at the preview. False when the draft is not being edited (a step still to fill)."""
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            if not row.editing or row.step in (PREVIEW, DONE):
                return False
            row.step, row.editing, row.updated_at = PREVIEW, False, self.clock()
            content = copy.deepcopy(row.content)
            content.pop("_rejected", None)  # the refused attempt at the edit is dropped with it
            row.content = content
            return True

    async def preview(self, draft_id: int, author_id: str) -> str:
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            return render_preview(DraftContent.from_dict(row.content), row.congress_level)

    async def content(self, draft_id: int, author_id: str) -> DraftContent:
        async with self.sm.begin() as s:
            return DraftContent.from_dict((await self._own(s, draft_id, author_id)).content)

    async def edit(self, draft_id: int, author_id: str, step: str) -> Prompt:
        """Jump to a step from the preview; after answering it the conversation returns to the preview."""
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            keys = [x.key for x in steps_for(row.kind)]
            if step not in keys:
                labels = "、".join(x.label for x in steps_for(row.kind))
                raise DraftError(f"没有“{step}”这一部分，可修改：{labels}")
            row.step = step
            row.editing = True
            row.updated_at = self.clock()
            return self._prompt(row)

    async def cancel(self, draft_id: int, author_id: str) -> None:
        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            row.state = "cancelled"
            row.updated_at = self.clock()

    async def list_drafts(self, author_id: str) -> list[DraftInfo]:
        async with self.sm.begin() as s:
            rows = await repo.active_drafts(s, author_id)
            return [DraftInfo(r.id, r.kind, r.content.get("title", ""), r.step, repo.as_utc(r.updated_at)) for r in rows]

    def missing_parts(self, content: DraftContent) -> list[str]:
        return [
            s.label for s in steps_for(content.kind)
            if s.key not in ("kind", "cosponsors", "attachments") and not getattr(content, s.key).strip()
        ]

    def _blockers(self, row: DraftRow) -> list[tuple[str, str, str]]:
        """What stands between the draft and submission, as (step key, message, fix): the parts still
        empty, a bill's missing co-signers, the step the conversation is still at."""
        content = DraftContent.from_dict(row.content)
        out = [(s.key, f"还缺少“{s.label}”。", f"点“改{s.label}”补写。") for s in steps_for(content.kind)
               if s.key not in ("kind", "cosponsors", "attachments") and not getattr(content, s.key).strip()]
        needed = self.cosponsors_needed(content.kind, row.congress_level)
        count = cosigner_count(content.cosponsors) if content.cosponsors else 0
        if needed and count is not None and count < needed:
            have = f"目前 {count} 名" if count else "还没有联名代表"
            out.append(("cosponsors", f"{content.kind}须由至少 {needed} 名代表联名（或以代表团名义）提出，{have}。",
                        "在“联名代表”一步列出联名代表，或写“代表团：名称”；人数不足的，可改作建议提出。"))
        # a part reopened from the preview keeps its saved value until a new one is accepted
        if row.step not in (PREVIEW, DONE) and not row.editing and row.step not in {k for k, _, _ in out}:
            label = STEP_BY_KEY[row.step].label
            fix = "上传附件或点“完成”。" if row.step == "attachments" else f"完成“{label}”这一步。"
            out.append((row.step, f"草稿还没写完：正在填写“{label}”。", fix))
        return out

    async def blockers(self, draft_id: int, author_id: str) -> list[tuple[str, str, str]]:
        async with self.sm.begin() as s:
            return self._blockers(await self._own(s, draft_id, author_id))

    async def submit(self, draft_id: int, author_id: str) -> Submitted:
        from suggestions.status import STATUS_SUBMITTED, submitted_text
        from suggestions.summary import summarize

        async with self.sm.begin() as s:
            row = await self._own(s, draft_id, author_id)
            content = DraftContent.from_dict(row.content)
            missing = self.missing_parts(content)
            if missing:
                raise DraftError("还缺少：" + "、".join(missing) + "，请补充后再提交。")
            short = [m for k, m, _ in self._blockers(row) if k == "cosponsors"]
            if short:
                raise DraftError(short[0])
            kind, level, delegation = content.kind, row.congress_level, row.delegation

        embedding, recs, topic = None, [], ""
        if self.embedder is not None:
            from suggestions.embedding import to_blob
            from suggestions.routing import recommend_for_draft

            embedding, recs, topic = await recommend_for_draft(self.sm, content, self.embedder)
        summary = summarize(content)
        now = self.clock()
        async with self.sm.begin() as s:
            # Claim the draft in one conditional UPDATE: of two parallel submits (a double tap) only one wins.
            claimed = await s.execute(sa_update(DraftRow).where(DraftRow.id == draft_id, DraftRow.state == "active")
                                      .values(state="submitted"))
            if claimed.rowcount != 1:
                raise DraftClosed("submitted")
            row = await self._own_any(s, draft_id, author_id)
            sug = await repo.add_suggestion(s, SuggestionRow(
                author_id=author_id, delegation=delegation, congress_level=level, kind=kind,
                title=content.title, content=content.to_dict(), summary=summary, topic=topic,
                embedding=None if embedding is None else to_blob(embedding),
                recommended=[r.to_json() for r in recs], units=[], status=STATUS_SUBMITTED, submitted_at=now,
            ))
            row.state, row.step, row.suggestion_id, row.updated_at = "submitted", DONE, sug.id, now
            receipt = await repo.emit(s, "suggestion.submitted", author_id, submitted_text(sug), suggestion_id=sug.id,
                                      now=now)
            await repo.emit(s, "suggestion.submitted", "staff", f"新{kind}待交办：{book_title(content.title)}（编号 {sug.id}）",
                            suggestion_id=sug.id, now=now)
            return Submitted(sug.id, summary, [r.to_json() for r in recs], receipt.id)

    async def due_reminders(self, now: datetime | None = None) -> list[Reminder]:
        """Drafts inactive for more than a day get one reminder per idle period (also put in the outbox)."""
        now = now or self.clock()
        out: list[Reminder] = []
        async with self.sm.begin() as s:
            for row in await repo.stale_drafts(s, now - REMINDER_AFTER):
                title = row.content.get("title") or "未命名"
                text = f"您的{row.kind}草稿{book_title(title)}已超过一天未继续，发送 /drafts 可接着写。"
                row.reminded_at = now
                await repo.emit(s, "draft.reminder", row.author_id, text, draft_id=row.id, now=now)
                out.append(Reminder(row.id, row.author_id, text))
        return out


async def run_blocking(fn, *args):
    """CPU-bound work (embeddings) goes off the event loop."""
    return await asyncio.to_thread(fn, *args)
