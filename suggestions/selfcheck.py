"""自检自测: a report of findings, each with a severity and a concrete fix.

Quality (missing/thin parts, title form, vague measures, a title the body does not bear out, several unrelated
matters in one draft: ``suggestions.coherence``), appropriateness (content that is not a suggestion and the body it
should go to), the legal basis (law articles from the knowledge base, with citations) and similar items already
submitted (offer to co-sign or merge).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from retrieval.types import SearchFilters

from suggestions.coherence import coherence_findings
from suggestions.figures import contradictions, count_conflicts, impossible_decreases, overfull_shares
from suggestions.placeholders import placeholders
from suggestions.summary import summarize
from suggestions.text import (
    GENERIC_TITLE, TOO_LONG_CHARS, clip, clip_draft, is_numbered, measure_items, routing_text, sentences, strip_item_mark,
)
from suggestions.types import (
    KIND_SUGGESTION, SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING, DraftContent, EmbedderLike, Finding,
    KnowledgeBaseLike, SelfCheckReport,
)
from suggestions.vocab import (
    actor_matches, concrete_verbs, has_actor, has_target, load_data, mask_non_actors, vague_phrase,
)

SIMILAR_THRESHOLD = 0.95  # e5 cosine of routing texts; at 0.95 ~19% of real proposals have a same-subject match (bench)
# The author's own submitted item this close is the same suggestion sent again (a new user resubmitted one at 0.99 and
# was only told 建议修改): a must-fix. Below it, a follow-up on the same subject stays a warning.
OWN_DUPLICATE = 0.98
SIMILAR_MAX = 3
LEGAL_HITS = 3
# The search always returns its nearest articles; below this e5 cosine (draft as query, article as passage) they
# share a word or two with the draft and nothing more. Over the 90 people's-congress laws, the articles nine
# bills rest on scored 0.900–0.950, while drafts on rural roads, elderly care, AEDs or a registry office got
# 陆地国界法, 反恐怖主义法, 军人地位和权益保障法 at 0.849–0.898. (The fused search score did not separate them: it
# is z-scored over the candidates, so its scale changes with the index's size.)
LEGAL_MIN_COSINE = 0.90
PART_LABELS = {"title": "标题", "problem": "问题与现状", "cause": "原因分析", "measures": "具体建议",
               "legal_basis": "法律依据", "outline": "草案框架"}
MIN_CHARS = {"problem": 60, "cause": 40, "measures": 40, "legal_basis": 10, "outline": 40}
# First person singular, not the collective 我省/我市/我国/我们...
_FIRST_PERSON = re.compile(r"(?<![自忘敌你])我(?![省市国区县镇乡村校院们党军方委厅局部行司会所])|本人|俺")


@dataclass
class ExistingItem:
    """A suggestion already submitted (for the similarity check)."""

    suggestion_id: int
    title: str
    author_id: str
    embedding: np.ndarray
    status: str = ""


# -- quality ---------------------------------------------------------------------------------------
def vague_items(measures: str) -> list[tuple[str, str]]:
    """Measure items that lean on a stock phrase and lack an actor, a concrete action or a target."""
    out = []
    verbs = concrete_verbs()
    for item in measure_items(measures):
        text = strip_item_mark(item)  # “1.” is the item's number, not a target; the same with “（一）”
        phrase = vague_phrase(text)
        if phrase is None:
            continue
        concrete = sum([has_actor(text), any(v in text for v in verbs), has_target(text)])
        if concrete < 2:
            out.append((item, phrase))
    return out


# Words that analyse why (“由于…”“…导致…”“缺乏…”“难以持续”), for a draft that puts its causes in the problem. Explicit
# ones first; then the shortfalls a cause analysis names (资金不足, 监管存在薄弱环节, 人工成本高, 跑起亏本, 不愿意跑),
# which a deputy often lists among the problems (“三是保护资金不足”) or names in a demand (“解决农村电网容量不足的问题”).
_CAUSE_IN_PROBLEM = re.compile(r"原因|根源|成因|由于|因为|导致|(?<![打改建制塑构])造成|致使|缺乏|难以|不健全|不完善|不到位|滞后")
_SHORTFALL = re.compile(r"缺少|欠缺|缺失|不足(?!以)|短缺|匮乏|缺口|不够|不规范|不统一|不明确|不畅|薄弱|成本(?:过|较|偏)?高"
                        r"|亏本|亏损|不愿|跟不上|无人(?:管|问|负责|维护|居住)|(?:没有|无)(?:专项)?(?:资金|经费|编制|人手)")
# A figure: digits, or a Chinese number with a unit (“一天只做一顿饭”“开了半年”“三成”“一千多口人”“两趟班车”“十块钱”);
# not “一是”“一些”.
_DATA = re.compile(r"\d|[一二三四五六七八九十百千万两半]+[多余来几]?(?:名|人|口|户|家|所|座|条|项|次|趟|班|辆|台|间|亩|斤"
                   r"|块钱|块|年|月|天|日|周|成|倍|万|亿|公里|里|元|顿|岁|层|小时|分钟)")


_CLAUSE_MARK = re.compile(r"[，,；;：:]")


def _cause_quote(problem: str, width: int = 30, pattern: re.Pattern = _CAUSE_IN_PROBLEM) -> str | None:
    """The problem's first sentence that analyses a cause, for quoting: from the earliest clause that still lets the
    quote reach the end of the cause's clause, cut at a clause or word boundary (``clip``)."""
    for sent in sentences(problem):
        if m := pattern.search(sent):
            sent = sent.rstrip("。；;！？!?")
            end = next((x.start() for x in _CLAUSE_MARK.finditer(sent, m.end())), len(sent))
            starts = [0] + [x.end() for x in _CLAUSE_MARK.finditer(sent, 0, m.start())]
            start = next((a for a in starts if end - a <= width), starts[-1])
            return clip(sent[start:], width)
    return None


def causes_stated(draft: DraftContent) -> tuple[str, str] | None:
    """(part, quote) of the first place outside a 原因分析 part where the draft says why: an explicit cause in the
    problem (“问题的根源在于……”) before a shortfall there (“三是保护资金不足”), and last a shortfall a demand names
    (“同时解决农村电网容量不足的问题”). None: the draft gives no reason anywhere."""
    for key, pattern in (("problem", _CAUSE_IN_PROBLEM), ("problem", _SHORTFALL), ("measures", _CAUSE_IN_PROBLEM),
                         ("measures", _SHORTFALL)):
        if quote := _cause_quote(getattr(draft, key), pattern=pattern):
            return key, quote
    return None


def _parts(draft: DraftContent) -> list[str]:
    """The parts a draft must have. A bill in the NPC's form (案由 / 案据 / 方案) states its reasons in the
    grounds and its demands as the draft law itself: it needs no separate 原因分析 or 具体建议."""
    if draft.is_bill:
        # a bill that only asks for a project or funds is told it reads as a suggestion (``_project_bill_findings``):
        # no law's name or article to add, so a missing 法律依据 is no must-fix (nor a must-fix beside that advice)
        funding = project_bill(draft) is not None and not _legislative_title(draft)
        return (["problem"] + ([] if funding else ["legal_basis"]) + ["outline"]
                + [k for k in ("cause", "measures") if getattr(draft, k).strip()])
    if re.search(r"批评(?:和意见)?$", draft.title.strip()) and not draft.cause.strip():
        return ["problem", "measures"]  # a criticism says what went wrong and what should change
    return ["problem", "cause", "measures"]


# A dictated draft (voice input) often has no punctuation at all: its parts cannot be told apart, and “缺少具体建议” for a
# draft that says 建议… would baffle its author. Real drafts have a mark every 15–30 characters.
UNPUNCTUATED_MIN_CHARS = 100
UNPUNCTUATED_CHARS_PER_MARK = 60
_SENTENCE_MARK = re.compile(r"[，。；：！？、,.;:!?\n]")


def unpunctuated(draft: DraftContent) -> tuple[int, int] | None:
    """(characters, punctuation marks) of a body long enough to need marks and nearly without them, else None."""
    body = "".join(getattr(draft, k) for k in ("problem", "cause", "measures", "legal_basis", "outline")).strip()
    n, marks = len(body), len(_SENTENCE_MARK.findall(body))
    return (n, marks) if n >= UNPUNCTUATED_MIN_CHARS and n > UNPUNCTUATED_CHARS_PER_MARK * (marks + 1) else None


def _part_findings(draft: DraftContent) -> list[Finding]:
    """Each part the draft must have: missing, thin, or (the problem) without any data."""
    out: list[Finding] = []
    for key in _parts(draft):
        text = getattr(draft, key).strip()
        label = PART_LABELS[key]
        if not text:
            fix = {
                "problem": "写明问题发生在哪里、涉及哪些人、有哪些数据和典型事例。",
                "cause": "草稿各部分都没有谈到问题为什么发生。请分析问题的成因：制度、标准、资金、职责或执行哪一环出了问题。",
                "measures": "分条写出措施，每条说明由谁、做什么、达到什么目标或时限。",
                "legal_basis": "写明议案依据的法律名称和条款（如《中华人民共和国立法法》第十八条），并说明属于本级人大职权范围。",
                "outline": "列出法律草案的章节结构或拟修改条款的要点；如本件只是请有关部门办理某项工作，不涉及制定或修改法律，"
                           "可改作建议提出。",
            }[key]
            if key == "cause" and (stated := causes_stated(draft)):
                # “三是运营经费主要靠村集体，难以持续”: the analysis is there, inside the problem (or a demand). Only a
                # draft that gives no reason anywhere misses its cause analysis (a must-fix, below).
                where, quote = stated
                out.append(Finding("missing_part", SEVERITY_WARNING,
                                   f"“原因分析”没有单列（成因写在“{PART_LABELS[where]}”里）。",
                                   f"{'问题' if where == 'problem' else '具体建议'}部分已谈到成因（“{quote}”），"
                                   "可加小标题“原因分析”单列一段，说明问题出在制度、标准、资金、职责还是执行环节。", key,
                                   {"stated_in": where}))
                continue
            out.append(Finding("missing_part", SEVERITY_ERROR, f"缺少“{label}”部分。", fix, key))
        elif len(text) < MIN_CHARS[key]:
            out.append(Finding("thin_part", SEVERITY_WARNING, f"“{label}”只有 {len(text)} 字，内容单薄。",
                               f"扩充到至少 {MIN_CHARS[key]} 字，补充事实、数据或具体做法。", key, {"chars": len(text)}))
    if draft.problem.strip() and not _DATA.search(draft.problem) and len(draft.problem) >= MIN_CHARS["problem"]:
        out.append(Finding("thin_part", SEVERITY_INFO, "“问题与现状”没有任何数据。",
                           "补充数量、比例、时间或典型事例，使问题可核实。", "problem", {"no_data": True}))
    return out


def quality_findings(draft: DraftContent, congress_level: str | None = None, chars: int | None = None) -> list[Finding]:
    """``chars``: the body's length before ``clip_draft`` (the length findings), when the draft was clipped."""
    out: list[Finding] = []
    if not draft.title.strip():
        out.append(Finding("missing_part", SEVERITY_ERROR, "缺少标题。", f"补写标题，格式为“关于……的{draft.kind}”。", "title"))
    bare = unpunctuated(draft)
    if bare and not all(getattr(draft, k).strip() for k in _parts(draft)):
        # the parts are there but cannot be told apart: one finding instead of “缺少…” for each
        out.append(Finding(
            "unpunctuated", SEVERITY_ERROR, f"正文 {bare[0]} 字只有 {bare[1]} 个标点，无法分出问题、原因和建议。",
            "请加上标点，并分段写明：问题与现状（附数据）、原因分析、具体建议（分条写，每条说明由谁做什么、达到什么目标）。"
            "用语音输入的，可在每段前说“问题”“原因”“建议”，再补上标点。", "problem", {"chars": bare[0], "marks": bare[1]},
        ))
    else:
        if bare:  # each part given on its own (the wizard's voice answers): only the marks are missing
            out.append(Finding("unpunctuated", SEVERITY_WARNING, f"正文 {bare[0]} 字只有 {bare[1]} 个标点。",
                               "提交前请加上标点，分句写清，便于承办单位阅读和逐条答复。", "problem",
                               {"chars": bare[0], "marks": bare[1]}))
        out += _part_findings(draft)
    out += _title_findings(draft)
    out += (_outline_findings(draft) + _project_bill_findings(draft) + _cosponsor_findings(draft, congress_level)
            + _length_findings(draft, chars) + _repeat_findings(draft))
    items = measure_items(draft.measures)
    if len(items) > 1 and not is_numbered(draft.measures):
        out.append(Finding("measures_unnumbered", SEVERITY_INFO, "“具体建议”没有分条编号。",
                           "按“1. 2. 3.”分条，每条只写一件事，便于承办单位逐条答复。", "measures"))
    out += _vague_findings(items, vague_items(draft.measures), congress_level or draft.author_level)
    return out


# A title names its kind at the end: “……的建议”, and as deputies write it “……的几点建议”“……的意见和建议”.
_KIND_MODIFIER = r"(?:几点|若干|几条|一些|有关|相关|政策|对策|具体|实施|工作)?(?:意见[和与及、])?"
_TITLE_KIND = r"的" + _KIND_MODIFIER + r"(建议|议案|批评和意见|批评|意见)"
# What a rewritten title must not keep at the end of its subject: the old kind (关于……的几点建议 → 关于……的建议, never
# “……的几点的建议”) and a dangling 与/和 (“……遇到的问题与建议”).
_TITLE_TAIL = re.compile(r"(?:的?" + _KIND_MODIFIER + r"(?:建议|议案|提案|批评和意见|批评|意见|建議|議案)"
                         r"|[的与和及、，,。 ])+$")
# A subject stated after a slogan (“深耕运河文化遗产——关于加强……的建议”) or after 建议 (“随着……，建议尽快启动……”)
_TITLE_SUBJECT = re.compile(r"(?:——|—|－－)(?=关于)|[，,]建议")


# A spoken title (“关于我们村班车的事”): “……的事” and “我们村” do not go into “关于……的建议” as they are
# (not “关于我们村班车的事的建议”).
_SPOKEN_MATTER = re.compile(r"(?:的|这件|那件|这个|那个)(?:事情|事儿|事)$")
_SPOKEN_PLACE = re.compile(r"(?:我们|咱们|俺们)(?=[村组镇乡县市区]|社区|小区)")


def _title_core(title: str) -> str:
    """The subject of a title, to be put in “关于……的建议”: no 关于 (or traditional 關於) before it, no kind after it.
    A spoken “……的事” is the matter's 问题, and “我们村” is 我村."""
    *_, core = _TITLE_SUBJECT.split(title)
    core = re.sub(r"^(?:关于|關於|建议|建議)+", "", core)
    core = _TITLE_TAIL.sub("", core) or core
    if (spoken := _SPOKEN_MATTER.sub("", core)) != core and len(spoken) >= 2:
        core = spoken if spoken.endswith("问题") else spoken + "问题"
    return _SPOKEN_PLACE.sub("我", core)


def _title_findings(draft: DraftContent) -> list[Finding]:
    title = draft.title.strip()
    if not title:
        return []
    core = _title_core(title)
    # 代表法: 建议、批评和意见 are one kind; a criticism is titled as one (“关于……的批评和意见”)
    endings = ("建议", "批评", "意见") if draft.kind == KIND_SUGGESTION else (draft.kind,)
    if not re.fullmatch(r"关于.+" + _TITLE_KIND, title):
        return [Finding("title_form", SEVERITY_WARNING, f"标题“{title}”不符合“关于……的{draft.kind}”的格式。",
                        f"改为：关于{core}的{draft.kind}", "title")]
    if not title.endswith(endings):
        return [Finding("title_form", SEVERITY_WARNING, f"标题以“{title[-2:]}”结尾，与类别“{draft.kind}”不一致。",
                        f"改为：关于{core}的{draft.kind}，或更改类别。", "title")]
    if len(title) > 60:
        return [Finding("title_form", SEVERITY_WARNING, f"标题过长（{len(title)} 字）。",
                        "压缩到 60 字以内，只保留事项本身，细节放到正文。", "title")]
    if GENERIC_TITLE.match(title):
        return [Finding("title_form", SEVERITY_WARNING, f"标题“{title}”没有说明具体事项。",
                        f"标题应点明要解决的问题，格式为“关于解决……问题的{draft.kind}”“关于加强……的{draft.kind}”；"
                        f"一件{draft.kind}只写一件事。", "title")]
    return []


# Demands that are stock phrases all through (“高度重视”“加大投入力度”“营造良好氛围”) give the unit nothing to answer:
# a must-fix when every item is one, or all but one in five or more.
NEARLY_ALL_VAGUE = 0.8
NEARLY_ALL_MIN_ITEMS = 5
VAGUE_QUOTE_CHARS = 30
VAGUE_LISTED = 8  # quoted in the message; all of them are in the details
_VAGUE_FIX = "写明由哪个部门（谁）、采取什么具体行动（做什么）、达到什么目标或在什么期限内完成，例如“{example}”。"
# The examples name a body of the draft's own level: a national draft is not told to write “建议市教育局……”.
# (a demand's wording, an all-vague draft's)
_LEVEL_EXAMPLES = {
    "national": ("建议教育部于2026年底前出台……办法，将……纳入……", "建议住房和城乡建设部于2026年底前出台……标准，三年内完成……改造"),
    "provincial": ("建议省教育厅于2026年底前出台……办法，将……纳入……", "建议省住房和城乡建设厅于2026年底前出台……办法，三年内完成全省……改造"),
    "municipal": ("建议市教育局于2026年底前出台……办法，将……纳入……", "建议市住建局于2026年底前在城区新增公共停车泊位2000个"),
    "county": ("建议县教育局于2026年底前出台……办法，将……纳入……", "建议县住建局于2026年底前在县城新增公共停车泊位500个"),
    "township": ("建议镇人民政府于2026年底前制定……办法，将……纳入……", "建议镇人民政府于2026年汛期前完成……河段清淤"),
}


def _vague_findings(items: list[str], vague: list[tuple[str, str]], level: str | None = None) -> list[Finding]:
    """A must-fix when (nearly) all the demands are vague; the vague ones listed in one item, however many.
    ``level``: the draft's congress (national … township), for examples that fit it; a city's when unknown."""
    if not vague:
        return []
    item_example, draft_example = _LEVEL_EXAMPLES.get(level or "", _LEVEL_EXAMPLES["municipal"])
    out = []
    n, k = len(items), len(vague)
    if k == n or (n >= NEARLY_ALL_MIN_ITEMS and k >= NEARLY_ALL_VAGUE * n):
        what = "没有一条" if k == n else f"{n} 条中只有 {n - k} 条"
        out.append(Finding(
            "vague_measures", SEVERITY_ERROR, f"“具体建议”{what}写明由谁、做什么、达到什么目标，承办单位无从答复。",
            "把措施写具体：每条写明由哪个部门、采取什么行动、在什么期限内达到什么目标，"
            f"例如“{draft_example}”。", "measures", {"items": n, "vague": k},
        ))
    if k == 1:
        [(item, phrase)] = vague
        message = f"措施“{clip(item, VAGUE_QUOTE_CHARS)}”只有“{phrase}”等原则性表述，缺少责任主体、具体行动或目标。"
    else:
        quotes = "；".join(f"“{clip(item, VAGUE_QUOTE_CHARS)}”（{phrase}）" for item, phrase in vague[:VAGUE_LISTED])
        first = f"（列出前 {VAGUE_LISTED} 条）" if k > VAGUE_LISTED else ""
        message = f"措施只有原则性表述、缺少责任主体、具体行动或目标的有 {k} 条{first}：{quotes}。"
    out.append(Finding("vague_measure", SEVERITY_WARNING, message, _VAGUE_FIX.format(example=item_example), "measures",
                       {"measures": [{"item": item, "phrase": phrase} for item, phrase in vague], "count": k}))
    return out


# A draft filled in from a template and sent unfinished (XX市, ××万元, X.X平方米): the unit would answer blanks.
PLACEHOLDER_QUOTES = 4


def placeholder_findings(draft: DraftContent) -> list[Finding]:
    """Blanks left in the draft (``suggestions.placeholders``), a few of them quoted."""
    keys = ("title", "problem", "cause", "measures", "legal_basis", "outline")
    parts = {**{k: getattr(draft, k) for k in keys}, "cosponsors": "、".join(draft.cosponsors)}
    found = {key: placeholders(text) for key, text in parts.items()}
    blanks = list(dict.fromkeys(b for bs in found.values() for b in bs))
    if not blanks:
        return []
    quoted = "".join(f"“{b}”" for b in blanks[:PLACEHOLDER_QUOTES]) + ("……" if len(blanks) > PLACEHOLDER_QUOTES else "")
    return [Finding(
        "placeholder", SEVERITY_ERROR, f"草稿中还有未填写的占位内容：{quoted}，请填上实际内容。",
        "把“XX”“××”等占位符换成实际的地名、数字、金额、单位名称或联系人；暂时查不到的数据，写明来源或删去该句。",
        next(key for key, bs in found.items() if bs),
        {"placeholders": blanks, "parts": [key for key, bs in found.items() if bs]},
    )]


# A news report pasted as the draft (“本报讯（记者……）”, “（来源：《宜昌日报》）”): its sentences read as a problem
# and measures, but they are a newspaper's, not the deputy's.
_NEWS_MARK = re.compile(r"本报讯|本报记者|[（(]记者\s*[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*(?:\s*通讯员\s*[\u4e00-\u9fff]{2,4})*[）)]"
                        r"|记者\s*[\u4e00-\u9fff]{2,4}\s*(?:报道|摄)|通讯员\s*[\u4e00-\u9fff]{2,4}\s*(?:报道|摄)"
                        r"|[（(]来源[：:]\s*《[^》]{2,12}(?:日报|晚报|报|新闻)》|责任编辑[：:]|原标题[：:]"
                        r"|新华社[\u4e00-\u9fff]{2,4}\d{1,2}月\d{1,2}日电")


def news_copy_findings(draft: DraftContent) -> list[Finding]:
    text = draft.full_text()
    marks = list(dict.fromkeys(m.group(0) for m in _NEWS_MARK.finditer(text)))
    if not marks:
        return []
    quoted = "".join(f"“{m}”" for m in marks[:2])
    return [Finding(
        "news_copy", SEVERITY_WARNING, f"草稿像是转载的新闻报道（{quoted}）。",
        "代表建议应由代表写明自己了解的问题、原因和具体建议；报道中的事实和数据可以引用（注明来源），不宜整篇作为建议正文。",
        "problem", {"marks": marks},
    )]


def figure_findings(draft: DraftContent) -> list[Finding]:
    """A change whose ends go the other way from its verb (“从15%下降到18%”), a decrease of more than 100%, shares of
    one whole over 100%, one thing counted twice with two numbers: slips the handling unit would quote back, after which
    it trusts no figure of the draft."""
    keys = ("problem", "cause", "measures", "outline")
    out = []
    found = [(key, c) for key in keys for c in contradictions(getattr(draft, key))]
    if found:
        quoted = "、".join(f"“{c.phrase}”" for _, c in found[:3])
        out.append(Finding(
            "figures", SEVERITY_WARNING, f"数字前后矛盾：{quoted}，写的是{found[0][1].direction}，前后两个数却不是这样。",
            "核对这组数字（哪一个是起点、哪一个是现状或目标），改正后再提交。", found[0][0],
            {"kind": "direction", "phrases": [c.phrase for _, c in found]},
        ))
    if falls := [(key, p) for key in keys for p in impossible_decreases(getattr(draft, key))]:
        out.append(Finding(
            "figures", SEVERITY_WARNING, f"数字不可能成立：“{falls[0][1]}”——数量、金额最多减少 100%（减到零）。",
            "核对这个数：如果是从 A 减到 B，降幅为（A－B）÷A；如果是“下降了 1.3 倍”之类的说法，请改写为减少到原来的百分之几。",
            falls[0][0], {"kind": "decrease_over_100", "phrases": [p for _, p in falls]},
        ))
    if shares := [(key, o) for key in keys for o in overfull_shares(getattr(draft, key))]:
        key, o = shares[0]
        out.append(Finding(
            "figures", SEVERITY_WARNING, f"数字不可能成立：“{clip(o.phrase, 40)}”是互不重叠的几组，所占比例合计 {o.total:g}%，超过 100%。",
            "核对各组的比例（或各组的范围是否写错），各组合计不应超过 100%。", key,
            {"kind": "shares_over_100", "phrases": [x.phrase for _, x in shares], "total": o.total},
        ))
    text = "\n".join(getattr(draft, k) for k in keys)
    if conflicts := count_conflicts(text):
        c = conflicts[0]
        out.append(Finding(
            "figures", SEVERITY_WARNING, f"数字前后不一致：前面写“{c.first}”，后面写“{c.second}”。",
            "核对同一事物的数量，全文统一；如果两处说的不是同一范围，请写明各自的范围。", "problem",
            {"kind": "count_conflict", "pairs": [[x.first, x.second] for x in conflicts]},
        ))
    return out


# One sentence pasted over and over (“…”×30) passes every length check; real drafts repeat a sentence at most
# twice (a heading echoed in the text).
REPEAT_MIN = 3
_ITEM_MARK = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）.、．]|[一二三四五六七八九十]+是)\s*")


def repeated_sentence(text: str) -> tuple[str, int, float] | None:
    """(the most repeated sentence, its count, share of distinct sentences) when a part repeats itself."""
    sents = [_ITEM_MARK.sub("", x).strip("。；;，, ") for x in sentences(text)]
    sents = [x for x in sents if len(x) >= 6]
    if len(sents) < REPEAT_MIN:
        return None
    top, n = Counter(sents).most_common(1)[0]
    distinct = len(set(sents)) / len(sents)
    if n >= REPEAT_MIN or (len(sents) >= 6 and distinct < 0.5):
        return top, n, distinct
    return None


# Heavy repetition is a must-fix: a sentence pasted ten times or more (a pasted draft repeated “山洪沟道治理滞后” 12
# times), or most of the body a copy of what came before (four problems listed as items (一) to (四十), with only a
# place name changed). Near copies count: a sentence is a copy when most of its five-character pieces were already
# written. On the 436 real proposals no sentence recurs more than twice, and the most duplicated body is 50 % (a
# proposal whose text the source system stored twice); a pasted-over draft scored 84 %.
HEAVY_REPEAT = 10
DUPLICATED_SHARE = 0.6
DUPLICATED_MIN_CHARS = 300
_SHINGLE = 5
_SHINGLE_COVER = 0.7


def duplicated_share(text: str) -> tuple[float, int, int]:
    """(share of characters in sentences that copy earlier text, those characters, all characters), counting the
    sentences of 10 characters or more, item numbers dropped."""
    seen: set[str] = set()
    dup = total = 0
    for sent in sentences(text):
        sent = re.sub(r"\s+", "", _ITEM_MARK.sub("", sent))
        if len(sent) < 10:
            continue
        pieces = {sent[i:i + _SHINGLE] for i in range(len(sent) - _SHINGLE + 1)}
        total += len(sent)
        if len(pieces & seen) >= _SHINGLE_COVER * len(pieces):
            dup += len(sent)
        seen |= pieces
    return (dup / total if total else 0.0), dup, total


def _heavy_repeat(draft: DraftContent) -> Finding | None:
    body = draft.body()
    sents = [x for x in (_ITEM_MARK.sub("", x).strip("。；;，, ") for x in sentences(body)) if len(x) >= 6]
    top, n = Counter(sents).most_common(1)[0] if sents else ("", 0)
    share, dup, _ = duplicated_share(body)
    if n < HEAVY_REPEAT and not (share >= DUPLICATED_SHARE and dup >= DUPLICATED_MIN_CHARS):
        return None
    # where the most repeated sentence is repeated most: the part to fix first
    keys = ["problem", "cause", "measures"] + (["legal_basis", "outline"] if draft.is_bill else [])
    counts = {k: sum(_ITEM_MARK.sub("", x).strip("。；;，, ") == top for x in sentences(getattr(draft, k))) for k in keys}
    part = max(keys, key=lambda k: counts[k])
    what = []
    if n >= 2:
        what.append(f"“{PART_LABELS[part]}”中同一句话重复了 {counts[part]} 次（“{clip(top, 30)}”）"
                    + (f"，全文共 {n} 次" if n > counts[part] else ""))
    if share >= 0.3:
        what.append(f"正文约 {round(100 * share)}% 的文字与前文重复或只改了个别字词")
    return Finding(
        "repeated_content", SEVERITY_ERROR, "正文大量重复：" + "；".join(what) + "。",
        "删去重复的段落和句子，每个问题、原因和措施只写一次；请核对是否把同一段内容粘贴了多次。重复的内容凑不出篇幅，"
        "承办单位也无法逐条答复。", part if n >= 2 else None,
        {"sentence": top, "count": n, "duplicated_share": round(share, 3), "duplicated_chars": dup},
    )


def _repeat_findings(draft: DraftContent) -> list[Finding]:
    if heavy := _heavy_repeat(draft):
        return [heavy]  # one must-fix, not a warning per part as well
    out = []
    keys = ["problem", "cause", "measures"] + (["legal_basis", "outline"] if draft.is_bill else [])
    for key in keys:
        if rep := repeated_sentence(getattr(draft, key)):
            top, n, _ = rep
            out.append(Finding(
                "repeated_content", SEVERITY_WARNING,
                f"“{PART_LABELS[key]}”中同一句话重复了 {n} 次（“{clip(top, 30)}”）。",
                "删去重复的句子，每句写一个新的事实、原因或措施；材料不足的，请补充数据和典型事例。", key,
                {"sentence": top, "count": n},
            ))
    return out


# A suggestion is read and answered item by item: about 3,000 characters is the usual length; far beyond it
# the supporting material belongs in an attachment, and a whole pasted report is not one suggestion.
LONG_DRAFT_CHARS = 8_000
TOO_LONG_DRAFT_CHARS = TOO_LONG_CHARS


def _length_findings(draft: DraftContent, chars: int | None = None) -> list[Finding]:
    n = len(draft.body()) if chars is None else chars
    if n <= LONG_DRAFT_CHARS:
        return []
    severity = SEVERITY_ERROR if n > TOO_LONG_DRAFT_CHARS else SEVERITY_WARNING
    return [Finding("too_long", severity, f"正文共 {n} 字，篇幅过长。",
                    "精简到 3000 字左右，只写问题、原因和措施；调研报告、数据等详细材料作为附件提交。", None, {"chars": n})]


def _outline_findings(draft: DraftContent) -> list[Finding]:
    """A bill whose draft points are all slogans (“进一步完善监管体制机制”“加大处罚力度”) proposes no law."""
    if not draft.is_bill or draft.measures.strip() or not draft.outline.strip():
        return []
    items = measure_items(draft.outline)
    if not items or len(vague_items(draft.outline)) < len(items):
        return []
    return [Finding(
        "vague_outline", SEVERITY_ERROR, "“草案框架”只有原则性表述，没有拟制定或修改的具体条文。",
        "写明拟修改哪一条、改成什么（例如“将第九十条中的‘二十元以上二百元以下罚款’修改为……”），"
        "或拟制定法律的章节和主要制度。", "outline", {"items": len(items)},
    )]


# A bill asks the congress to make, amend, repeal or interpret a law or regulation, or to decide a major matter within
# its powers (立法法, 地方组织法). One whose demands only ask for a project, money or an approval (“将红河防洪水库列入
# 2026年自治区重点水利建设项目”“争取中央预算内投资3亿元”) is a suggestion under a bill's heading. A warning, not a
# must-fix: a local congress may take a project up as a 重大事项 and the 主席团 decides whether a bill is put on the
# agenda (what it does not take is handled as a suggestion), so the check cannot rule it out; but the deputy should
# know, and must not be pushed to add a law's name to a request for funds.
_LEGISLATIVE = re.compile(
    r"《[^》]{2,60}(?:法|法典|条例|规定|办法|细则|规则|决定|决议)》|制定|修改|修订|修正|废止|解释|立法|法律|法规|条例|规章"
    r"|条款|第[零〇一二三四五六七八九十百千\d]+条|草案|决定|决议")
_PROJECT = re.compile(
    r"列入[^。；;]{0,30}(?:项目|计划|规划|盘子|清单)|安排[^。；;]{0,10}(?:资金|经费|投资)|(?:争取|申请|下达|给予)[^。；;]{0,15}"
    r"(?:投资|资金|补助|补贴|项目|支持)|批复|立项|开工|建设|拨付|专项资金|补助资金|配套|\d+(?:\.\d+)?(?:亿|万)元|移民安置")


def project_bill(draft: DraftContent) -> str | None:
    """A bill whose demands (方案, or 具体建议) only ask for projects, funds or approvals and name no law or
    regulation to make or amend, nor a decision of the congress: the first such demand, for quoting; else None."""
    if not draft.is_bill:
        return None
    demands = "\n".join(p for p in (draft.outline, draft.measures) if p.strip())
    items = [strip_item_mark(i) for i in measure_items(demands)]
    if not items or _LEGISLATIVE.search(demands):
        return None
    projects = [i for i in items if _PROJECT.search(i)]
    return projects[0] if 2 * len(projects) >= len(items) and projects else None


def _legislative_title(draft: DraftContent) -> bool:
    return bool(_LEGISLATIVE.search(_title_core(draft.title)))


def _project_bill_findings(draft: DraftContent) -> list[Finding]:
    if (item := project_bill(draft)) is None:
        return []
    if _legislative_title(draft):  # “关于制定《…条例》的议案” whose 方案 asks for a reservoir
        message = (f"标题提出“{clip(_title_core(draft.title), 30)}”，但方案没有一条是关于这部法律法规的内容，只是请有关部门"
                   f"立项、安排资金或批复项目（“{clip(item, 40)}”）。")
        fix = ("议案的方案应写明拟制定法规的章节和主要制度，或拟修改的条款及修改内容；争取项目、资金和审批的内容请另作建议提出"
               "（类别选“建议”）。")
    else:
        message = (f"本件的方案只是请有关部门立项、安排资金或批复项目（“{clip(item, 40)}”），没有提出要制定、修改的法律法规，"
                   "也没有请人大作出决定的事项：读来是一件建议，而不是议案。")
        fix = ("议案是请人大制定、修改、废止、解释法律法规，或对本级职权范围内的重大事项作出决定；争取项目、资金和审批，请改作建议提出"
               "（类别选“建议”，把“方案”写作“具体建议”，“案据”写作问题和原因），不必补写法律名称，也不受联名人数限制。"
               "确需人大决定的（例如由人大常委会作出决定），请在方案中写明提请审议决定的事项。")
    return [Finding(
        "bill_not_legislative", SEVERITY_WARNING, message, fix, "outline", {"item": item},
    )]


# 《安徽省农村供水条例》: a bill on a local regulation goes to that local congress
_LAW_NAMED = re.compile(r"《([^》]{2,60})》")


def _cosponsor_findings(draft: DraftContent, level: str | None = None) -> list[Finding]:
    """A bill needs a delegation or enough co-signers (组织法 第十七条, 地方组织法): counted where the draft
    lists them. ``level``: the deputy's congress (national … township) where known (the bot); otherwise the
    author's congress the draft states (“宁夏回族自治区人大代表”: ``DraftContent.author_level``), and failing that it
    is read off the law the bill concerns: a local regulation's bill goes to that congress."""
    from corpus.legal import is_local
    from suggestions.draft import cosigner_count, default_thresholds

    names = [n for n in draft.cosponsors if n not in ("无", "没有")]
    count = cosigner_count(names) if draft.is_bill and names else None
    if count is None:  # not a bill, none listed, or a delegation's
        return []

    thresholds = default_thresholds()["议案"]
    if level is None:
        level = draft.author_level
    if level is None:
        law = _LAW_NAMED.search(draft.title)
        level = "provincial" if law and is_local(law.group(1)) else "national"
    needed = thresholds.get(level, thresholds["national"])
    if count >= needed:
        return []
    where = ("全国人大（一个代表团或者三十名以上代表联名）" if level == "national"
             else f"本级人大（{needed} 名以上代表联名）")
    return [Finding(
        "cosponsors", SEVERITY_ERROR, f"联名代表只有 {count} 名，达不到向{where}提出议案的法定人数。",
        "补足联名代表，或以代表团名义提出；人数不足的，可改作建议提出。", "cosponsors",
        {"cosponsors": count, "needed": needed},
    )]


# -- appropriateness -------------------------------------------------------------------------------
def _slots() -> dict[str, str]:
    """The placeholders of ``not_suggestion.json`` patterns: {NAME} (王某某), {MYREL} (我侄子, 本人的亲属), {HIMHER}
    (他, 她: one person), {GIVEN} (a surname and a given name: 赵小军, confirmed by jieba as a person's name), {PERSON}
    (any of them) and {POST} (安排…工作, 解决…编制, 提拔)."""
    data = load_data("not_suggestion.json")
    slots = {"NAME": data["person_name"], **data["person_slots"]}
    slots["PERSON"] = "(?:{NAME}|{MYREL}|{HIMHER}|(?P<given>{GIVEN}))"
    for _ in range(3):  # slots may use slots
        slots = {k: re.sub(r"\{([A-Z]+)\}", lambda m: slots.get(m.group(1), m.group(0)), v) for k, v in slots.items()}
    return slots


@lru_cache(maxsize=None)
def _alone_patterns(patterns: tuple[str | tuple[str, tuple[str, ...]], ...]) -> list[tuple[re.Pattern, tuple[str, ...]]]:
    """(pattern, parts it applies to: empty for all the category's parts) for each ``alone`` entry, a string or
    {"re": …, "parts": [...]}. {NAME}: a surnamed person (王某某), written once in the data for every pattern that
    names one; the other slots as in ``_slots``."""
    slots = _slots()
    out = []
    for p in patterns:
        regex, parts = (p, ()) if isinstance(p, str) else p
        out.append((re.compile(re.sub(r"\{([A-Z]+)\}", lambda m: slots.get(m.group(1), m.group(0)), regex)), parts))
    return out


@lru_cache(maxsize=64)
def _beneficiary(pattern: str, trigger: str) -> re.Pattern:
    """A category's ``beneficiary`` pattern with {TRIGGER} the trigger found and the other slots filled."""
    slots = {**_slots(), "TRIGGER": re.escape(trigger)}
    return re.compile(re.sub(r"\{([A-Z]+)\}", lambda m: slots.get(m.group(1), m.group(0)), pattern))


def _alone_key(entry: str | dict) -> str | tuple[str, tuple[str, ...]]:
    return entry if isinstance(entry, str) else (entry["re"], tuple(entry.get("parts", ())))


# jieba also tags a few places as names (张家港): a “name” ending like a place is none
_PLACE_END = tuple("港市县区镇乡村省州山河湖江路街桥口湾岛城庄屯寨堡营关沟坝坪滩")


def _names_at(sentence: str) -> set[int]:
    """Where a person's name (jieba: nr) starts in ``sentence``. Loaded only for a sentence a pattern with {GIVEN}
    matched: 把赵小军安排到…, not 为高校毕业生安排… nor 为张家港来的患者办理…."""
    from retrieval.tokenize import tagged

    starts, at = set(), 0
    for word, flag in tagged(sentence):
        if flag == "nr" and 2 <= len(word) <= 4 and not word.endswith(_PLACE_END):
            starts.add(at)
        at += len(word)
    return starts


# An office a person holds, for a name written beside it (副局长张海军, 张海军副局长); not the office alone (建议县交通运输局局长牵头)
_OFFICE_TITLE = r"副?(?:局长|书记|主任|镇长|乡长|县长|市长|区长|村长|支书|所长|站长|校长|院长|队长|科长|股长|处长|厅长|部长|主席|经理|董事长|组长)"
# what ends a body or a place rather than a name (金融办主任, 高新区主任)
_NOT_NAME_END = tuple("局委办厅处科股所站院校队会部室司组团社中心") + _PLACE_END


@lru_cache(maxsize=1)
def _titled_re() -> tuple[re.Pattern, re.Pattern]:
    """(a name before a title, a name after one)."""
    surname = load_data("not_suggestion.json")["person_slots"]["GIVEN"].split("]", 1)[0] + "]"
    han = r"[\u4e00-\u9fff]"
    return (re.compile(rf"(?=({surname}{han}{{1,2}}?){_OFFICE_TITLE})"),
            re.compile(rf"{_OFFICE_TITLE}(?=({surname}{han})({han})?)"))


def titled_names(text: str) -> frozenset[str]:
    """Surnamed names written beside an office title (副局长张海军, 张海军副局长, 局长王某), whatever jieba tags them
    (张/nr 海军/n): after a title both the two- and the three-character reading. Not a dictionary word (县长高度重视)
    nor a body's or place's name (金融办主任)."""
    from retrieval.tokenize import in_dictionary

    before, after = _titled_re()
    names = [m.group(1) for m in before.finditer(text)]
    # after a title: 张海 and 张海军; neither when the first two characters are a word (县长高度重视)
    names += [n for m in after.finditer(text) if not in_dictionary(m.group(1))
              for n in (m.group(1), m.group(1) + (m.group(2) or ""))]
    return frozenset(n for n in names if not n.endswith(_NOT_NAME_END) and not in_dictionary(n))


# jieba's tag of a surname split off on its own (张/nr 海军/n, 张/q 海军/n): not a preposition or a function word
# (将/向/社会, 对于)
_SURNAME_TOKEN_TAGS = ("nr", "nrt", "nrfg", "q", "n", "ng", "nz", "x")


def _surname_split_at(sentence: str, start: int, end: int) -> bool:
    """jieba reads ``sentence[start:end]`` as a one-character surname token and whole words after it (张/海军):
    a person named after 对…立案调查 or 免去…职务, though no token is tagged a name."""
    from retrieval.tokenize import in_dictionary, tagged

    bounds, at, first = set(), 0, None
    for word, flag in tagged(sentence):
        if at == start:
            first = (word, flag)
        bounds.add(at)
        at += len(word)
    bounds.add(at)
    name = sentence[start:end]
    return (first is not None and len(first[0]) == 1 and first[1] in _SURNAME_TOKEN_TAGS and end in bounds
            and not name.endswith(_NOT_NAME_END) and not in_dictionary(name))


def _alone_match(pat: re.Pattern, sentence: str, titled: frozenset[str] = frozenset()) -> re.Match | None:
    """The first match whose {GIVEN} (when the pattern has one, and it took part) is a person's name; an
    {OFFICIAL}'s is one as well where the draft names that person beside an office title (``titled``) or jieba splits
    its surname off (``_surname_split_at``)."""
    for m in pat.finditer(sentence):
        if "given" in pat.groupindex and m.group("given") is not None:
            if m.start("given") in _names_at(sentence):
                return m
            continue
        if "official" in pat.groupindex and (name := m.group("official")) is not None:
            a, b = m.span("official")
            if a in _names_at(sentence) or name in titled or _surname_split_at(sentence, a, b):
                return m
            continue
        return m
    return None


@lru_cache(maxsize=1)
def _deputy_reporting() -> re.Pattern:
    return re.compile("|".join(load_data("not_suggestion.json")["deputy_reporting"]))


def as_petitioner(sentence: str) -> str:
    """``sentence`` with the deputy's reporting frames blanked (我在调研中了解到, 据我了解, 我接到…反映): there 我 is
    the deputy who heard of a case, not the one petitioning; what is left in the first person is the writer's own."""
    return _deputy_reporting().sub(lambda m: "□" * len(m.group(0)), sentence)


# A company named in full (康乐家智慧养老科技有限公司), then by a short name (康乐家公司) or its product (“安居宝”):
# ``firm_aliases`` finds them so that the demands about it read as about 该公司 (``not_suggestion.json``).
_FULL_FIRM = re.compile(r"[\u4e00-\u9fff]{2,20}?(?:股份有限公司|有限责任公司|集团有限公司|有限公司)")
_SHORT_FIRM = re.compile(r"([\u4e00-\u9fff]{2,12})(?:公司|集团)(?!有限|股份)")
# what may stand before a company's name in a run of characters (市民政局将|康乐家公司, 协助|康乐家公司)
_BEFORE_NAME = "将把对向由与和给让在及为帮协支助持的从"
_PRODUCT = re.compile(r"[”\"]?(?:自主)?(?:研发|生产|推出|开发|出品|打造|经营|销售)的[^“”，。；]{0,4}?“([^“”]{2,12})”")
FIRM_REF = "该公司"


def firm_aliases(text: str) -> list[tuple[str, str]]:
    """(as written, read as) for a company the text names in full: its short name (康乐家公司 → 该公司) and its product
    (“安居宝” → 该公司的产品), longest first. A short name must be part of the full name and no dictionary word: 物业公司
    and 供电公司 are kinds of firm."""
    fulls = [m.group(0)[:-4] for m in _FULL_FIRM.finditer(text)]  # the name without 有限公司
    if not fulls:
        return []
    from retrieval.tokenize import in_dictionary

    out: dict[str, str] = {}
    for m in _SHORT_FIRM.finditer(text):
        run = m.group(1)
        names = [run[i:] for i in range(len(run) - 1) if any(run[i:] in f for f in fulls)]
        name = names[0].lstrip(_BEFORE_NAME) if names else ""
        if len(name) >= 2 and not in_dictionary(name):
            out[m.group(0)[len(run) - len(name):]] = FIRM_REF
    for full in fulls:
        name = full.lstrip(_BEFORE_NAME)
        for p in re.finditer(re.escape(name[-6:]) + r"(?:股份有限公司|有限责任公司|集团有限公司|有限公司)" + _PRODUCT.pattern, text):
            out[f"“{p.group(1)}”"] = FIRM_REF + "的产品"
            out.setdefault(p.group(1), FIRM_REF + "的产品")
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


def _as_firm(sentence: str, aliases: list[tuple[str, str]]) -> str:
    for alias, ref in aliases:
        sentence = sentence.replace(alias, ref)
    return sentence


def _part_sentences(draft: DraftContent) -> list[tuple[str, str]]:
    """(part, sentence) in the order of ``draft.full_text()``, the title first."""
    keys = ["title", "problem", "cause", "measures"] + (["legal_basis", "outline"] if draft.is_bill else [])
    return [(k, s) for k in keys for s in sentences(getattr(draft, k))]


def not_suggestion_findings(draft: DraftContent) -> list[Finding]:
    """Personal petitions, individual disputes or court cases, personal benefit: point to the right body.

    A category fires when one sentence holds both a trigger and a first-person or case marker,
    so public-interest drafts that merely mention 诉讼 or 信访 in general terms do not fire; or when
    a sentence matches one of its ``alone`` patterns (a demand to overturn or re-examine one case's
    decision, in the third person as much as the first; a job, post or 编制 for a named person or a relative).
    """
    hits: list[tuple[int, dict, list[tuple[str, str]]]] = []
    all_sents = _part_sentences(draft)
    titled = titled_names(draft.full_text())
    firms = firm_aliases(draft.full_text())
    for order, cat in enumerate(load_data("not_suggestion.json")["categories"]):
        with_words = [w for w in cat.get("with", []) if w != "我"]
        alone = _alone_patterns(tuple(_alone_key(a) for a in cat.get("alone", ())))
        # “parts”: only there (王某某家 in the demands is the beneficiary; in the problem, maybe a case example)
        sents = [(k, s) for k, s in all_sents if k in cat["parts"]] if "parts" in cat else all_sents
        matched = []
        for part, s in sents:
            # a company's short name or product read as the company itself (its patterns say 该公司)
            read = _as_firm(s, firms) if firms and cat["code"] == "specific_enterprise" else s
            if m := next((m for p, parts in alone if (not parts or part in parts) and (m := _alone_match(p, read, titled))), None):
                matched.append((s, m.group(0)))  # “请求…督促县法院对李某家的案件重新审查”: anyone's case
                continue
            trigger = next((w for w in cat["any"] if w in s), None)
            if trigger is None or (cat.get("unless") and re.search(cat["unless"], s)):
                continue
            own = as_petitioner(s)
            if cat.get("beneficiary"):  # the writer (or family) must be the one to benefit, not merely speak
                if not _beneficiary(cat["beneficiary"], trigger).search(own):
                    continue
            elif cat.get("with") and not (any(w in own for w in with_words)
                                        or ("我" in cat["with"] and _FIRST_PERSON.search(own))):
                continue
            matched.append((s, trigger))
        if matched:
            hits.append((order, cat, matched))
    # The category with most evidence first: a court case usually also mentions 申诉.
    hits.sort(key=lambda h: (-len(h[2]), h[0]))
    out = []
    quoted: set[str] = set()
    title = draft.title.strip()
    for _, cat, matched in hits:
        if all(s in quoted for s, _ in matched):
            continue  # “给他解决一个编制” is one demand: told once, under the category with more evidence
        quoted.update(s for s, _ in matched)
        # the demand itself rather than the title that announces it, where the body has one
        s, trigger = next(((s, t) for s, t in matched if s != title), matched[0])
        out.append(Finding(
            "not_a_suggestion", SEVERITY_ERROR,
            f"内容可能属于“{cat['label']}”（“{clip(s, 40)}”），不宜作为代表{draft.kind}提出，应由{cat['body']}处理。",
            cat["fix"], None,
            {"category": cat["code"], "body": cat["body"], "sentence": s, "trigger": trigger, "evidence": len(matched)},
        ))
    return out


# A suggestion whose demand is a change to a law: “建议…修改《农村土地承包法》第二十七条”, “将第二十七条修改为”;
# not a past amendment (“2021年修订《安全生产法》后”), a law cited as the ground (“依照《个人信息保护法》…删除”),
# nor a government's 办法.
_AMENDS_LAW = re.compile(
    r"(?:建议|应当|应|提请|请求|尽快|抓紧|及时)[^。；]{0,12}(?:修改|修订|修正|废止)(?![了过的后])[^。；]{0,20}《[^》]{1,40}(?<![办宪])法典?》"
    r"|《[^》]{1,40}(?<![办宪])法典?》[^。；]{0,40}(?:修改为|增加一款|增设一款|删去第|删除第)"
    r"|第[零〇一二三四五六七八九十百千\d]+条[^。；]{0,20}(?:修改为|增加一款|增设一款)")


def bill_hint(draft: DraftContent) -> list[Finding]:
    """A 建议 that asks for a law to be changed: laws are changed by a bill (议案) the congress deliberates;
    as a suggestion it is only passed to a department for study. The deputy should know the choice."""
    if draft.is_bill or not (m := _AMENDS_LAW.search(draft.measures or draft.full_text())):
        return []
    return [Finding(
        "bill_candidate", SEVERITY_INFO, f"本件要求修改法律（“{clip(m.group(0), 40)}”）。",
        "修改法律须经人大审议。修改国家法律的议案由全国人大代表提出（一个代表团或 30 名以上代表联名），"
        "地方人大代表可就本行政区域的地方性法规提出议案；议案要写明法律依据和草案框架。作为建议提出的，只交有关部门研究参考。",
        None, {"phrase": m.group(0)},
    )]


# A government body of a county, township or village (县城市管理局, 镇政府, 村委会) named in the demands; not a
# facility there (乡镇卫生院, 社区服务中心), which serves rather than decides. 乡, 镇 and 村 only as a level: not in
# 乡村振兴, 城乡, 城镇, 农村 or 驻村, which name a policy (国家乡村振兴局, 市农业农村局, 市住房和城乡建设局).
_LOCAL_BODY = re.compile(r"(?:县|(?<![城下老家同])乡(?!村)|(?<![城集])镇|(?<![农乡驻])村|街道|社区)"
                         r"[\u4e00-\u9fff]{0,8}?(?:人民政府|政府|党委|办事处|村委会|居委会|委员会|局|委|办公室|办)")
# Public bodies that have a level (a 管养单位, 施工企业 or 卫生院 has none to compare)
_PUBLIC_BODY = ("部", "委", "局", "厅", "署", "办", "政府", "人大", "常委会", "部门")
# The draft says where it is raised (“第十四届全国人民代表大会第四次会议代表建议”) when the level is not known.
# Not in a title (《全国人民代表大会和地方各级人民代表大会代表法》) nor the laws that bind every level (…和地方各级…):
# any county draft may cite those.
_RAISED_HIGH = re.compile(r"(?:全国人民代表大会|全国人大|(?:省|自治区|直辖市)人民代表大会(?!常务))(?!和地方各级)")
_BOOK_TITLE = re.compile(r"《[^《》]*》")
_HIGH_LEVELS = ("national", "provincial")


def _local_bodies(measures: str) -> list[str] | None:
    """The county-or-lower government bodies the demands name, when they name them in most items and name no
    other public body (民政部门, 省教育厅); else None."""
    local: list[str] = []
    items = measure_items(measures)
    with_local = 0
    for item in items:
        text = strip_item_mark(item)
        # on the masked text: 办 in 驻村帮扶考核办法 closes no body
        spans = [(m.start(), m.end()) for m in _LOCAL_BODY.finditer(mask_non_actors(text))]
        local += [text[a:b] for a, b in spans]
        with_local += bool(spans)
        others = [m for m in actor_matches(text) if m.group(0).endswith(_PUBLIC_BODY)
                  and not any(a < m.end() and m.start() < b for a, b in spans)]
        if others:
            return None
    return local if local and 2 * with_local >= len(items) else None


# National bodies a demand is addressed to (“建议国务院、全国人大常委会修改……”, “建议工业和信息化部制定……”, “建议国家对……
# 给予补贴”, “请乡人大主席团转交国务院办理”): after the word that asks, within a few characters. Not what a local body
# is to seek or follow (“积极争取国家试点”, “按照国家有关规定”) nor national standards and rules (国家级, 国家标准).
_ASKS = (r"(?:建议|请|由|要求|呼吁|恳请|提请|转交|转呈|转送|报送|报请|希望)[^，,。；;！？!?]{0,6}?"
         r"(?<!按照)(?<!依照)(?<!根据)(?<!参照)(?<!遵照)(?<!落实)(?<!执行)(?<!争取)(?<!申请)(?<!对接)(?<!符合)(?<!结合)"
         r"(?<![向按依从照])")
_NATIONAL_NAMES = (r"国务院|党中央|中共中央|全国人大常委会|全国人民代表大会常务委员会|全国人大|全国人民代表大会|中央政府|中央财政"
                   r"|国家(?!级|标准|规定|政策|法律|要求|层面的?要求)(?:[\u4e00-\u9fff]{1,8}?(?:总局|部|委|局|办|署)(?![门分]))?")
_LOWER_LEVELS = {"township": "乡镇", "county": "县级", "municipal": "设区的市级"}
_HIGHER_DEPUTIES = {"township": "县、市、省人大代表或全国人大代表", "county": "市、省人大代表或全国人大代表",
                    "municipal": "省人大代表或全国人大代表"}
_LAW_AMENDED = re.compile(r"(?:修改|修订|修正|废止)[^。；;，,]{0,6}《(?:中华人民共和国)?[^》]{1,30}法》")


@lru_cache(maxsize=1)
def _national_name() -> re.Pattern:
    units = "|".join(sorted((u["name"] for u in load_data("units.json")["units"]), key=len, reverse=True))
    # not a local office of the field (县生态环境部门, 教育部门)
    return re.compile("(?<![省市县区镇乡州旗盟])(?:" + _NATIONAL_NAMES + "|" + units + ")(?![门分])")


@lru_cache(maxsize=1)
def _national_addressee() -> re.Pattern:
    return re.compile(_ASKS + "(" + _national_name().pattern + ")")


def _above_level_findings(draft: DraftContent, level: str) -> list[Finding]:
    """A township, county or city deputy's suggestion whose demands ask national bodies to act (a 乡人大代表 asking
    国务院 and 全国人大常委会 to amend the road traffic law, and the 乡人大主席团 to pass it to 国务院): that congress
    hands its deputies' suggestions to its own government and bodies, and cannot refer them to 国务院. A warning: the
    concern is real, but the deputy should turn it into what the township (or county) can do, or pass it to deputies
    of the congress that can take it up."""
    found: list[tuple[list[str], str]] = []
    for s in sentences(draft.measures):
        if m := _national_addressee().search(s):
            # the bodies listed with the first (“国务院、全国人大常委会修改……”), to the end of its clause
            end = next((x.start() for x in _CLAUSE_MARK.finditer(s, m.end())), len(s))
            found.append(([x.group(0) for x in _national_name().finditer(s, m.start(1), end)], strip_item_mark(s)))
    if not found:
        return []
    word = _LOWER_LEVELS[level]
    named = list(dict.fromkeys(b for bs, _ in found for b in bs))
    bodies = "、".join(b for b in named if b != "国家") or "国家有关部门"
    if level == "township":
        handled = "由乡镇人民代表大会主席团交乡镇人民政府等有关单位办理，不能转交国务院、全国人大常委会等国家机关"
        local = "如由乡镇人民政府组织排查、宣传和整治，或请县里有关部门在本地落实"
    else:
        handled = "由本级人大常委会交本级人民政府及其部门等有关单位办理，国务院及其部门、全国人大常委会不是本级交办的对象"
        local = "如本地的管理办法、专项整治和资金安排"
    law = ("国家法律由全国人民代表大会及其常务委员会修改（国务院可以提出法律案，但不能修改法律）。"
           if any(_LAW_AMENDED.search(s) for _, s in found) else "")
    return [Finding(
        "above_level", SEVERITY_WARNING,
        f"本件是{word}人大代表的建议，{handled}；但具体建议是请{clip(bodies, 40)}办理（“{clip(found[0][1], 40)}”）。",
        f"请把建议改为本{'乡镇' if level == 'township' else '级'}能够办理的措施（{local}）。{law}需要修改国家法律、"
        f"制定国家标准或国家政策的，可以把情况和意见反映给上级人大代表（{_HIGHER_DEPUTIES[level]}），由他们提出建议或议案。",
        "measures", {"bodies": named, "level": level},
    )]


def level_findings(draft: DraftContent, congress_level: str | None = None) -> list[Finding]:
    """A suggestion raised at the national or provincial congress whose demands only name county, township or
    village bodies (修复某条路的路灯): a matter the county can settle, better raised there. One raised at a township,
    county or city congress that asks national bodies to act: beyond what that congress can refer
    (``_above_level_findings``)."""
    if draft.is_bill:
        return []
    congress_level = congress_level or draft.author_level  # the bot knows the deputy; a draft may say it itself
    if congress_level in _LOWER_LEVELS:
        return _above_level_findings(draft, congress_level)
    high = (congress_level in _HIGH_LEVELS if congress_level
            else bool(_RAISED_HIGH.search(_BOOK_TITLE.sub("□", draft.full_text()))))
    local = _local_bodies(draft.measures) if high else None
    if not local:
        return []
    names = "、".join(dict.fromkeys(local))
    return [Finding(
        "local_matter", SEVERITY_INFO, f"具体建议只涉及县、乡（镇）、村一级的单位（{clip(names, 40)}），可能由当地即可解决。",
        "这类事项可直接向县（区）人民政府及其部门反映，或请县级人大代表提出；如要在本级人大提出，"
        "请写明带有普遍性的问题和需要本级解决的政策措施。", "measures", {"bodies": list(dict.fromkeys(local))},
    )]


# -- legal basis ---------------------------------------------------------------------------------------
_ARTICLE = re.compile(r"第[零〇一二三四五六七八九十百千\d]+条")

def legal_findings(draft: DraftContent, kb: KnowledgeBaseLike | None) -> list[Finding]:
    out = []
    # a bill that asks for a project (``project_bill``) is told it reads as a suggestion: no law name to add
    legislative = draft.is_bill and (project_bill(draft) is None or _legislative_title(draft))
    if legislative and draft.legal_basis.strip() and not re.search(r"《.+?》", draft.legal_basis):
        out.append(Finding("legal_basis", SEVERITY_WARNING, "法律依据没有写明法律名称。",
                           "用书名号写出法律全称和条款，例如《中华人民共和国立法法》第十八条。", "legal_basis"))
    elif legislative and draft.legal_basis.strip() and not _ARTICLE.search(draft.legal_basis):
        # “依据《立法法》的有关规定”: the deliberating committee must find the article itself
        out.append(Finding("legal_basis", SEVERITY_WARNING, "法律依据只写了法律名称，没有写明具体条款。",
                           "写明所依据的具体条款，例如《中华人民共和国立法法》第十八条、第七十二条。", "legal_basis"))
    if kb is None:
        return out
    query = (draft.title + "。" + draft.measures[:200] + draft.legal_basis[:100])[:300]
    try:
        # laws only: a plan item or a briefing that shares words with the draft is no legal basis
        hits = list(kb.search(query, top_k=LEGAL_HITS, filters=SearchFilters(doc_types=frozenset({"law"}))))
        if hits:
            qv = kb.embedder.encode_queries([query])[0]
            cos = kb.embedder.encode_passages([f"{h.title} {h.text}" for h in hits], cache=True) @ qv
            hits = [h for h, c in zip(hits, cos) if c >= LEGAL_MIN_COSINE]
    except Exception as exc:  # the knowledge base is optional help; its failure must not sink the check
        out.append(Finding("legal_basis", SEVERITY_INFO, f"法律依据检索暂不可用（{exc.__class__.__name__}）。",
                           "稍后重试，或自行核对相关法律条文。"))
        return out
    if not hits:  # say so: silence would read as “no law bears on this”
        out.append(Finding("legal_basis", SEVERITY_INFO, "知识库中没有找到与本件相关的法律条文。",
                           "请自行核对相关法律法规；如需自动检索，可请工作人员把法律文本加入知识库。"))
    else:
        cites = [h.citation for h in hits[:LEGAL_HITS]]
        out.append(Finding(
            "legal_basis", SEVERITY_INFO if not legislative or draft.legal_basis.strip() else SEVERITY_WARNING,
            "知识库中可能相关的法律条文：" + "；".join(cites),
            "核对这些条文，把适用的条款写入" + ("“法律依据”" if draft.is_bill else "问题分析或具体建议") + "，确保建议与现行法律相衔接。",
            "legal_basis" if draft.is_bill else None,
            {"citations": [{"citation": h.citation, "text": h.text[:200], "score": float(h.score)} for h in hits[:LEGAL_HITS]]},
        ))
    return out


# -- similar items -------------------------------------------------------------------------------------
def similar_findings(query_vec: np.ndarray | None, existing: Sequence[ExistingItem],
                     threshold: float = SIMILAR_THRESHOLD, author_id: str | None = None) -> list[Finding]:
    if query_vec is None or not existing:
        return []
    mat = np.stack([e.embedding for e in existing])
    sims = mat @ query_vec
    out = []
    for i in np.argsort(-sims)[:SIMILAR_MAX]:
        if sims[i] < threshold:
            break
        e = existing[i]
        own = author_id is not None and e.author_id == author_id
        again = own and sims[i] >= OWN_DUPLICATE
        fix = ("这是您本人已提交的内容，请勿重复提交；如有补充，请联系工作人员并入原件。" if own else
               "可联系提出人联名附议，或在提交时注明请求与该件合并办理；如角度不同，请在标题和措施中突出差异。")
        what = (f"您已提交过内容几乎相同的建议：《{e.title}》（编号 {e.suggestion_id}，相似度 {sims[i]:.2f}）。" if again
                else f"已有相似的建议：《{e.title}》（编号 {e.suggestion_id}，相似度 {sims[i]:.2f}）。")
        out.append(Finding(
            "similar_existing", SEVERITY_ERROR if again else SEVERITY_WARNING, what, fix, None,
            {"suggestion_id": e.suggestion_id, "title": e.title, "similarity": round(float(sims[i]), 4),
             "offer": "cosign_or_merge"},
        ))
    return out


# -- entry points ----------------------------------------------------------------------------------------
_ORDER = {SEVERITY_ERROR: 0, SEVERITY_WARNING: 1, SEVERITY_INFO: 2}


def check(
    draft: DraftContent,
    *,
    kb: KnowledgeBaseLike | None = None,
    embedder: EmbedderLike | None = None,
    existing: Sequence[ExistingItem] = (),
    author_id: str | None = None,
    similar_threshold: float = SIMILAR_THRESHOLD,
    congress_level: str | None = None,
) -> SelfCheckReport:
    """CPU-bound: call through ``acheck`` from async code. ``congress_level``: the author's congress
    (national, provincial, municipal, county, township) where known, for the co-signers a bill needs."""
    t0 = time.perf_counter()
    # A pasted report is read only as far as routing reads it (``TOO_LONG_CHARS``): a 10 MB file once took minutes.
    # Its length must-fix needs only the length, taken first.
    chars = len(draft.body())
    draft = clip_draft(draft)
    findings = (not_suggestion_findings(draft) + placeholder_findings(draft) + news_copy_findings(draft)
                + quality_findings(draft, congress_level, chars) + figure_findings(draft)
                + bill_hint(draft) + level_findings(draft, congress_level) + coherence_findings(draft, embedder)
                + legal_findings(draft, kb))
    if embedder is not None and existing:
        q = embedder.encode_queries([routing_text(draft)])[0]
        findings += similar_findings(q, existing, similar_threshold, author_id)
    findings.sort(key=lambda f: _ORDER.get(f.severity, 3))
    return SelfCheckReport(findings, summarize(draft), time.perf_counter() - t0)


async def existing_from_db(sm: async_sessionmaker[AsyncSession], kind: str | None = None) -> list[ExistingItem]:
    from suggestions import repository as repo
    from suggestions.embedding import from_blob
    from suggestions.status import STATUS_MERGED

    async with sm() as s:
        rows = await repo.all_suggestions(s)
    return [
        ExistingItem(r.id, r.title, r.author_id, from_blob(r.embedding), r.status)
        for r in rows
        if r.embedding and r.status != STATUS_MERGED and (kind is None or r.kind == kind)
    ]


async def acheck(
    draft: DraftContent,
    *,
    sm: async_sessionmaker[AsyncSession] | None = None,
    kb: KnowledgeBaseLike | None = None,
    embedder: EmbedderLike | None = None,
    author_id: str | None = None,
    congress_level: str | None = None,
) -> SelfCheckReport:
    """Self-check against everything already submitted (when a sessionmaker is given)."""
    existing = await existing_from_db(sm) if sm is not None else []
    return await asyncio.to_thread(check, draft, kb=kb, embedder=embedder, existing=existing, author_id=author_id,
                                   congress_level=congress_level)
