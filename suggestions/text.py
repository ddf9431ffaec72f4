"""Plain-text helpers: parse a text draft into parts, split sentences and numbered measures."""

from __future__ import annotations

import re

from corpus.cleaning import to_simplified
from suggestions.types import KIND_BILL, KIND_SUGGESTION, DraftContent

# Section headings seen in real drafts, mapped to DraftContent fields. Longest first so
# "具体建议" wins over "建议".
_HEADINGS: list[tuple[str, str]] = sorted(
    [
        ("问题与现状", "problem"), ("现状与问题", "problem"), ("基本情况", "problem"), ("调研情况", "problem"),
        ("存在问题", "problem"), ("主要问题", "problem"), ("问题现状", "problem"), ("背景", "problem"),
        ("存在的问题", "problem"), ("存在的主要问题", "problem"), ("当前存在的问题", "problem"),
        ("目前存在的问题", "problem"), ("当前存在的主要问题", "problem"), ("主要存在问题", "problem"),
        ("现状", "problem"), ("基本现状", "problem"), ("问题的提出", "problem"), ("案由", "problem"),
        ("原因分析", "cause"), ("问题分析", "cause"), ("成因分析", "cause"), ("原因", "cause"),
        ("产生问题的原因", "cause"), ("问题产生的原因", "cause"), ("原因剖析", "cause"), ("问题成因", "cause"),
        ("主要原因", "cause"), ("存在问题的原因", "cause"), ("问题存在的原因", "cause"), ("原因及分析", "cause"),
        ("原因和分析", "cause"), ("问题原因", "cause"), ("存在原因", "cause"),
        ("具体建议", "measures"), ("对策建议", "measures"), ("措施建议", "measures"), ("意见建议", "measures"),
        ("建议措施", "measures"), ("工作建议", "measures"), ("建议", "measures"),
        ("几点建议", "measures"), ("对策与建议", "measures"), ("对策和建议", "measures"), ("意见和建议", "measures"),
        ("意见与建议", "measures"), ("相关建议", "measures"), ("有关建议", "measures"), ("主要建议", "measures"),
        ("具体措施", "measures"), ("解决措施", "measures"), ("对策措施", "measures"), ("措施与建议", "measures"),
        ("建议如下", "measures"), ("办法措施", "measures"), ("对策", "measures"), ("解决办法", "measures"),
        ("法律依据", "legal_basis"), ("立法依据", "legal_basis"), ("法律法规依据", "legal_basis"),
        ("草案框架", "outline"), ("草案要点", "outline"), ("条文要点", "outline"), ("草案提纲", "outline"),
        ("法律草案", "outline"), ("议案草案", "outline"),
        # the NPC's own bill form: 案由 (above, the problem), 案据 (the grounds, legal ones first), 方案 (the draft)
        ("案据", "legal_basis"), ("方案", "outline"), ("修改方案", "outline"), ("立法方案", "outline"),
        ("修法方案", "outline"), ("修改条文", "outline"),
        ("必要性", "cause"), ("立法必要性", "cause"), ("立法的必要性", "cause"), ("必要性和可行性", "cause"),
        ("必要性与可行性", "cause"), ("理由", "cause"), ("主要理由", "cause"),
        ("联名代表", "cosponsors"), ("附议代表", "cosponsors"), ("附件", "attachments"),
    ],
    key=lambda x: -len(x[0]),
)
_ORDINAL = r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[、.．])?"
_HEADING_RE = re.compile(
    r"(?:^|(?<=[。！？\n\s]))[ \t　]*" + _ORDINAL + r"[ \t　]*(" + "|".join(re.escape(h) for h, _ in _HEADINGS)
    + r")[ \t　]*(?:[:：]|[ \t　]*\n|[ \t　]+(?=\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|一是))",
    re.M,
)
# Flattened text loses the line break before a heading (“……多因素影响具体建议：1、……”): a heading
# of four or more characters followed by a colon opens its part wherever it stands.
_INLINE_HEADING_RE = re.compile(
    r"(" + "|".join(re.escape(h) for h, _ in _HEADINGS if len(h) >= 4) + r")[ \t　]*[:：]")
# “二、存在问题 处置费用高。”: a numbered heading followed by a space (its line break lost).
_NUMBERED_HEADING_RE = re.compile(
    r"(?:^|(?<=[。！？\n\s]))[ \t　]*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])[ \t　]*("
    + "|".join(re.escape(h) for h, _ in _HEADINGS) + r")[ \t　]+(?=\S)")
_FIELD = dict(_HEADINGS)

# WeChat-style headings in brackets: 【问题】【原因】【建议】, 【存在问题】【原因分析】【具体建议】, 〔…〕, ［…］. Only a known
# heading or a short heading-like word (【问题描述】【我的建议】) opens a part; ordinary brackets in the text
# (【新华社】, 〔2023〕12号, [1]) are left alone.
_BRACKET_HEADING_RE = re.compile(
    r"(?:^|(?<=[。！？!?\n]))[ \t　]*" + _ORDINAL + r"[ \t　]*[【〔［\[〖][ \t　]*([\u4e00-\u9fff]{1,10})[ \t　]*[】〕］\]〗]"
    r"[ \t　]*[:：]?(?![(（])", re.M)
# What a bracketed word that is no known heading stands for (first match wins: 问题成因 is the cause).
_BRACKET_WORDS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), f) for p, f in (
    (r"联名|附议", "cosponsors"), (r"^附件", "attachments"), (r"依据", "legal_basis"), (r"草案|条文", "outline"),
    (r"原因|成因|根源|症结|为什么", "cause"), (r"建议|措施|对策|办法|举措|意见|方案|怎么办|诉求", "measures"),
    (r"问题|现状|情况|背景|案由", "problem"),
))
_BRACKET_WORD_MAX = 8


def _field_of(heading: str) -> str | None:
    """The DraftContent field a heading opens: a known heading, or a short heading-like bracketed word."""
    if heading in _FIELD:
        return _FIELD[heading]
    if len(heading) > _BRACKET_WORD_MAX:
        return None
    return next((f for p, f in _BRACKET_WORDS if p.search(heading)), None)
_TITLE_RE = re.compile(r"^\s*(?:标题[:：])?\s*(关于.{2,80}?的(?:建议|议案|提案))\s*$", re.M)

# after the closing quote when one follows: “…有偿收回承包地。”
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;])(?![”’」』])|(?<=[。！？!?；;][”’」』])|\n+")
_ITEM_RE = re.compile(
    r"(?:^|(?<=[。；;：:\n]))[ \t　]*(?:\d{1,2}[\.．、](?!\d)|[（(](?:[一二三四五六七八九十]{1,3}|\d{1,2})[)）]|[一二三四五六七八九十]{1,3}[、.．]|第[一二三四五六七八九十]{1,3}[，,、]|[①②③④⑤⑥⑦⑧⑨⑩])",
)
# “一是…二是…”, as deputies often number their demands. Inside a numbered item (“1. 完善机制。一是…二是…”) they are
# the item's sub-points, so measure_items splits at them only when no other numbering does.
_SHI_ITEM_RE = re.compile(r"(?:^|(?<=[。；;：:\n]))[ \t　]*第?[一二三四五六七八九十]{1,2}是(?![否非的])")
_WS = re.compile(r"[ \t　\r\xa0]+")  # \xa0: pasted from web pages and Word


# Markdown a draft was pasted from (a chat app, a web editor): its markup is not the deputy's text.
_MD_RULE = re.compile(r"^(?:```.*|~~~.*|(?:[-*_]\s*){3,}|={3,})$")  # fences and horizontal rules: whole lines
# heading, quote and bullet marks opening a line; not “#1号楼” or “> 60岁老人” (a figure follows)
_MD_LINE_MARK = re.compile(r"^(?:#{1,6}\s*(?=[^\d\s#])|>\s*(?=[^\d\s>])|[-*+]\s+)+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def normalise(text: str) -> str:
    # a draft in traditional characters (具體建議) is read with the same headings and checks
    text = to_simplified(text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))
    lines = []
    for line in text.split("\n"):
        line = _WS.sub(" ", line).strip()
        if _MD_RULE.match(line):
            continue
        lines.append(_MD_EMPHASIS.sub(r"\2", _MD_LINE_MARK.sub("", line)))
    return "\n".join(lines).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_SPLIT.split(text or "") if s and s.strip()]


# Where a quote may end: before a clause mark (dropped), or after a closing quote or bracket (kept).
_CUT_BEFORE = re.compile(r"[，,、；;：:。！？!?\n]")
_CUT_AFTER = re.compile(r"[”’」』》）)]")
_PAIRS = (("“", "”"), ("《", "》"), ("（", "）"))


def clip(text: str, width: int = 40) -> str:
    """``text`` for quoting in a message: whole when short; else cut at the last clause mark, or failing one
    between two words (jieba), and marked “……”, never mid-word (“把基层社会治”)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= width:
        return text
    least = width // 2  # a cut this early loses too much: go between words instead
    cuts = [m.start() for m in _CUT_BEFORE.finditer(text, 0, width + 1)]
    cuts += [m.end() for m in _CUT_AFTER.finditer(text, 0, width)]
    cut = max((c for c in cuts if c >= least), default=0)
    if not cut:
        cut = _word_cut(text, width, least)
    head = text[:cut]
    for left, right in _PAIRS:  # not “加强党对“三农……”: cut before an opening mark left unclosed
        if head.count(left) > head.count(right) and (at := head.rfind(left)) >= least:
            head = head[:at]
    return head.rstrip("，,、；;：:。 ") + "……"


def _word_cut(text: str, width: int, least: int) -> int:
    import jieba

    import retrieval.tokenize  # noqa: F401 - quiets jieba's start-up log

    ends, at = [], 0
    for word in jieba.lcut(text[:width + 8]):
        at += len(word)
        ends.append(at)
    return max((e for e in ends if least <= e <= width), default=width)


def measure_items(measures: str) -> list[str]:
    """Split the 具体建议 part into its numbered items (or sentences when not numbered)."""
    text = (measures or "").strip()
    if not text:
        return []
    starts = [m.start() for m in _ITEM_RE.finditer(text)]
    if len(starts) < 2:  # “一是…二是…” only where no other numbering splits the demands
        starts = [m.start() for m in _SHI_ITEM_RE.finditer(text)]
    if len(starts) >= 2:
        bounds = starts + [len(text)]
        items = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
        head = text[: starts[0]].strip()
        items = [i for i in items if len(i) > 2]
        return ([head] if len(head) > 15 else []) + items
    return sentences(text)


def is_numbered(measures: str) -> bool:
    """Numbered as 1. / 1、 / （一） / 一、 / 第一， / ① or 一是…二是…"""
    text = measures or ""
    return len(list(_ITEM_RE.finditer(text))) >= 2 or len(list(_SHI_ITEM_RE.finditer(text))) >= 2


# The number opening a measure item (“1.”“（一）”“第一，”“①”): numbering, not part of the demand.
_ITEM_MARK = re.compile(r"^\s*(?:\d{1,2}[\.．、](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]"
                        r"|第[一二三四五六七八九十]{1,3}[，,、]|第?[一二三四五六七八九十]{1,2}是(?![否非的])|[①-⑩])\s*")


def strip_item_mark(item: str) -> str:
    """An item without its number: “1. 希望……” must not count the 1 as a figure of the demand."""
    return _ITEM_MARK.sub("", item, count=1)


# A draft written as plain paragraphs, without section headings: its demands start at the first
# sentence that opens with 建议 (or "为此，建议…", "特提出如下建议"); a sentence that names causes
# (原因、根源、究其…, or opens with 由于/因为) before it is the cause analysis; the rest is the problem.
_DEMANDS_OPEN = re.compile(r"^(?:为此|对此|因此|据此|鉴于此|综上)?[，,]?\s*(?:特|现|我们)?(?:提出|建议|恳请|呼吁)")
_CAUSE = re.compile(r"原因|根源|成因|究其|^(?:由于|因为|主要是)")


# "……，为此建议：1.……" inside a sentence: the demands start at the clause that announces them. A deputy writing as
# they speak announces them in the first person (“我的意思就是：一、请镇政府……”, “我们的要求是：”).
_DEMANDS_CLAUSE = re.compile(r"(?:为此|对此|因此|据此|特此|现)?(?:提出)?(?:如下|以下|几点)?建议(?:如下)?[：:]"
                             r"|(?:我们|俺们|我|俺)的?(?:意思|想法|要求|诉求|请求|希望|愿望|办法)(?:就|也|主要)?(?:是|有|如下)?[：:]")
# A dictated draft without any punctuation (“……有的一年也不来一次建议市住建局牵头对……”): its demands start at the
# 建议 that names who is to act.
_DEMANDS_RUN_ON = re.compile(r"(?<=[\u4e00-\u9fff])(?:为此|因此)?建议(?=[由请市县省区镇乡国各有相政全])")
_ANY_MARK = re.compile(r"[，,。；;：:！？!?、]")


_DEMANDS_AFTER_COMMA = re.compile(
    r"[，,]\s*(?=(?:为此|因此|对此|特此)?[，,]?(?:建议|恳请|呼吁)(?!书|案|稿|中|的|者|人|办理|答复|提出|件|数量|率))")


def split_unstructured(text: str) -> tuple[str, str, str]:
    """(problem, cause, measures) of a draft without headings; nothing is dropped or reordered
    within a part. No 建议 sentence or clause: everything stays in the problem, as before."""
    sents = _clauses(text)
    start = next((i for i, x in enumerate(sents) if i > 0 and _DEMANDS_OPEN.match(x.strip())), None)
    at = sum(map(len, sents[:start])) if start is not None else None
    clause = _DEMANDS_CLAUSE.search(text)
    if clause and clause.start() > 0 and (at is None or clause.start() < at):
        at = clause.start()  # "……，为此建议：1.……": the announcing clause opens the demands
    if at is None and len([x for x in sents if x.strip()]) == 1 and (comma := _DEMANDS_AFTER_COMMA.search(text)):
        # a one-sentence draft (“城区停车难，建议多建停车场。”): what comes before the demand is the problem
        return text[:comma.start()].strip(), "", text[comma.end():].strip()
    if at is None and not _ANY_MARK.search(text) and (run_on := _DEMANDS_RUN_ON.search(text)):
        return text[:run_on.start()].strip(), "", text[run_on.start():].strip()
    if at is None:
        return text, "", ""
    before = _clauses(text[:at])
    problem = "".join(x for x in before if not _CAUSE.search(x.strip()))
    cause = "".join(x for x in before if _CAUSE.search(x.strip()))
    return problem.strip(), cause.strip(), text[at:].strip()


def _clauses(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"[^。！？!?\n]+[。！？!?]*\n*|\n+", text)]


def _heading_marks(text: str) -> list[re.Match]:
    marks = [m for m in _BRACKET_HEADING_RE.finditer(text) if _field_of(m.group(1))]
    marks += [m for m in _HEADING_RE.finditer(text) if not any(b.start() < m.end() and m.start() < b.end() for b in marks)]
    taken = [(m.start(), m.end()) for m in marks]
    for m in [*_INLINE_HEADING_RE.finditer(text), *_NUMBERED_HEADING_RE.finditer(text)]:
        if not any(a < m.end() and m.start() < b for a, b in taken):
            marks.append(m)
            taken.append((m.start(), m.end()))
    return sorted(marks, key=lambda m: m.start())


# A numbered line that opens a new subject (“二、关于高校毕业生就业”): in a draft with one 建议 per subject.
_NEXT_TOPIC = re.compile(r"(?m)^[ \t　]*[一二三四五六七八九十]+[、.．][ \t　]*关于[^\n。；;：:]{2,30}$")
# A paragraph of the problem that states why (“原因主要有：一是……”, “问题的根源在于……”, “究其原因，……”,
# “造成这一问题的原因是……”): the cause analysis, written without its heading.
_CAUSE_OPENER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]\s*)?(?:(?:产生|造成|出现|形成|导致)?(?:这些|上述|以上|这一|这个|该|此类|这类)?"
    r"(?:问题|现象|状况|情况|局面)?的?(?:主要|根本|深层次?|直接)?(?:原因|根源|成因)(?:主要|在于|是|有|如下|[:：，,])"
    r"|究其(?:原因|根源)|之所以)")


def _cause_out_of_problem(draft: DraftContent) -> None:
    """No 原因分析 heading, but a later paragraph of the problem opens as one (“原因主要有：……”): that paragraph and
    the rest of the problem are the cause analysis. Not the problem's first paragraph: the problem must keep one."""
    lines = draft.problem.split("\n")
    at = next((i for i, ln in enumerate(lines) if i > 0 and ln.strip() and _CAUSE_OPENER.match(ln.strip())), None)
    if at is None or not "\n".join(lines[:at]).strip():
        return
    draft.problem = "\n".join(lines[:at]).strip()
    draft.cause = "\n".join(lines[at:]).strip()


def _demands_out_of_last_part(draft: DraftContent) -> None:
    """Headings for the problem and causes but none for the demands (“……为此，提出如下建议：1、……”
    inside the analysis): the demands are split off the last part that announces them."""
    for name in ("cause", "problem"):
        text = getattr(draft, name)
        if not text:
            continue
        problem, cause, measures = split_unstructured(text)
        if measures:
            if name == "cause":
                draft.cause = (problem + cause).strip()
            else:
                draft.problem = problem
                draft.cause = draft.cause or cause
            draft.measures = measures
        return


# -- what surrounds the draft itself: chat, the author's header, co-signers stated as a number --------------------
# A draft pasted from a group chat opens with a greeting (“各位领导好🙏 我是西吉县人大代表张海燕，下面是我……整理的，大家帮忙看看”)
# and ends with chat (“P.S. 有意见直接在群里@我 thx~ 😊 #营养餐”): neither is a title nor part of the draft.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F\u200D\u20E3]")
_CHAT_CLAUSES = tuple(re.compile(p, re.I) for p in (
    # a greeting: 各位领导好, 大家好, 您好, 各位代表大家好, 老师们早上好
    r"^(?:(?:各位|诸位|尊敬的)?(?:领导|老师|同事|代表|朋友|同志|亲|家人|群友|委员)?们?)?(?:大家|您|你|你们)?"
    r"(?:好|早|早上好|上午好|中午好|下午好|晚上好)$",
    r"^(?:hello|hi|hey|dear)\b",
    r"^(?:我是|本人是|我叫|本人系)",  # a self-introduction
    r"^(?:下面|以下|这|附上)是?[^。]{0,24}(?:整理|写|起草|准备|汇总|拟)",  # “下面是我在代表小组群里整理的”
    r"帮忙看|帮我看|帮着看|给看看|看看能不能|大家看看|请大家看|把把关|提提意见|提点意见|宝贵意见|请指正|批评指正|斧正|多指教"
    r"|^有意见|有意见(?:直接|请|可|就|随时)",
    r"^(?:谢谢|感谢|多谢|辛苦了|拜托|麻烦)[^。]{0,12}$|^(?:thx|thanks|thank you|ok|omg|pls|plz)\W*$",
    r"@",  # a mention
    r"^(?:#\S+\s*)+$",  # hashtags
    r"^(?:P\.?S\.?|PS)\b",
))
_CLAUSE_SPLIT = re.compile(r"[，,。！!？?；;：:\s~～…、]+")
# A line that reads like a chat message rather than a title: it ends with a modal particle or chat punctuation.
_CHAT_ENDING = re.compile(r"(?:(?<![酒网贴水书茶氧话])吧|(?<!毛)呢|啊|呀|哈+|啦|哦|(?<!喇)嘛|哟|噢|哇)[\s。！!？?~～…]*$"
                          r"|[~～]\s*$|[!！?？]{2,}\s*$")
_TITLE_SHAPE = re.compile(r"^(?:标题[:：])?\s*关于|的?(?:几点|若干)?(?:建议|议案|提案|批评和意见|意见)[。！!]?$")

# The author's header: “领衔代表：陈立新（第十四届全国人民代表大会代表，宁夏代表团）”“提出人：王建军（宁夏回族自治区人大代表）”.
_META_LINE = re.compile(
    r"^(?:领衔代表|领衔人|提出人|提案人|提出者|提出单位|提出|建议人|代表姓名|代表|姓名|所在代表团|代表团|工作单位|职务|"
    r"联系电话|联系方式|电话|手机|邮箱|通讯地址)\s*[:：]\s*(.{0,80})$")
_DELEGATION_META = re.compile(r"^(?:提出|提出人|提出单位|提案人|提出者|代表团)\s*[:：]\s*([^（(，,]{2,40}代表团)\s*$")

# Co-signers stated as a number: 共32人 / 32名代表联名 / 附议代表32名 / 等32名代表 / 三十二人 (the names, if listed, are a floor).
_N = r"(\d{1,4}|[零〇一二两三四五六七八九十百]{1,6})"
_STATED_COUNT = re.compile(
    r"(?:共计?|合计|总计|计|等)\s*" + _N + r"\s*(?:名|位|人)"
    + r"|" + _N + r"\s*(?:名|位)(?:全国)?(?:人大)?代表\s*(?:联名|附议|共同)"
    + r"|(?:附议|联名)(?:代表|人)\s*[:：]?\s*" + _N + r"\s*(?:名|位|人)"
    + r"|^[\s（(]*" + _N + r"\s*(?:名|位|个)?(?:人|代表)[\s）)]*$")
# The same as a line of its own, wherever it stands (“附议代表32名”, “本议案由陈立新等32名代表联名提出。”): no part of the text.
_COSIGN_LINE = re.compile(
    r"^(?:(?:本议案|本件|本建议)?(?:由|经)?[\u4e00-\u9fff]{0,6}?(?:等)?\s*" + _N + r"\s*(?:名|位)(?:全国)?(?:人大)?代表"
    r"(?:联名|附议|共同)(?:提出)?|(?:附议|联名)(?:代表|人)\s*[:：]?\s*(?:共计?)?\s*" + _N + r"\s*(?:名|位|人)(?:代表)?)"
    r"\s*[。.；;]?$")
_COSIGN_NOTE = re.compile(r"名单|附后|后附|见附件|详见|^略$|^等$")


def stated_count(entry: str) -> int | None:
    """The number of co-signers an entry states (“（共32人”“王某某等32名代表”“附议代表32名”“三十二人”), or None."""
    from corpus.numbers import parse_cn_int

    m = _STATED_COUNT.search(entry or "")
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    return int(raw) if raw.isdigit() else parse_cn_int(raw)


def cosigner_names(entries: list[str]) -> list[str]:
    """The names among co-signer entries: stated numbers, brackets and notes (名单附后) taken out."""
    out = []
    for e in entries:
        name = _STATED_COUNT.sub("", e)
        name = re.sub(r"[（(][^）)]*[）)]|[（()）\[\]【】]", "", name).strip(" 　:：。.")
        if name and not _COSIGN_NOTE.search(name) and name not in ("无", "没有"):
            out.append(name)
    return list(dict.fromkeys(out))


_OPEN, _CLOSE = "（([【〔［《“", "）)]】〕］》”"


def split_names(text: str) -> list[str]:
    """Co-signer names split at 、，, ; and spaces, but not inside brackets: “（共32人，名单附后）” stays one entry."""
    out, cur, depth = [], "", 0
    for ch in text or "":
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、，,；;\n\t 　":
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [c.strip() for c in out if c.strip()]


CHAT_CLAUSE_CHARS = 60  # longer than any greeting or self-introduction between two punctuation marks


def is_chat_line(line: str) -> bool:
    """Every clause of the line is chat: a greeting, a self-introduction, a request to look the draft over, thanks,
    a mention, hashtags, a P.S., emoji — nothing of the draft itself."""
    line = line.strip()
    if not line:
        return False
    if re.match(r"(?:P\.?S\.?|PS)\b", line, re.I):
        return True
    clauses = [c for c in _CLAUSE_SPLIT.split(_EMOJI.sub("，", line)) if c.strip()]
    if any(len(c) > CHAT_CLAUSE_CHARS for c in clauses):
        return False  # a dictated draft without punctuation opens with “我是…代表” and runs on: the draft itself
    return all(any(p.search(c) for p in _CHAT_CLAUSES) or re.fullmatch(r"[A-Za-z.~!]{1,8}", c) for c in clauses)


def _chat_signals(line: str) -> bool:
    """Signs that a line is a chat message, not a title: emoji, a greeting or self-introduction, a chat ending."""
    clauses = [c for c in _CLAUSE_SPLIT.split(_EMOJI.sub("，", line)) if c.strip()]
    return bool(_EMOJI.search(line) or _CHAT_ENDING.search(line)
                or any(p.search(c) for c in clauses for p in _CHAT_CLAUSES))


def _is_title_line(line: str) -> bool:
    if not line or len(line) > 60 or _HEADING_RE.match(line + "\n"):
        return False
    if (bracket := _BRACKET_HEADING_RE.match(line)) and _field_of(bracket.group(1)):
        return False
    if _META_LINE.match(line) or _COSIGN_LINE.match(line):
        return False
    return bool(_TITLE_SHAPE.search(_EMOJI.sub("", line).strip())) or not _chat_signals(line)


# The author's line without a field name: “县人大代表 钱大海（东湖镇）”, “市人大代表 郑永福”. Only a short line that is
# the congress, the name and at most a bracket: a sentence about deputies (“人大代表要……”) has more after the name.
_AUTHOR_HEAD = (r"[^，。；;：:\s]{0,24}?(?:人大代表|人民代表大会代表)[ 　]*[\u4e00-\u9fff·]{2,5}"
                r"(?:[ 　]*[（(][^（）()\n]{0,24}[）)])?")
_AUTHOR_LINE = re.compile(_AUTHOR_HEAD + r"$")
# The same line run into the body (a draft dictated or pasted without line breaks): “市人大代表 冯建华 去年以来……”
_AUTHOR_PREFIX = re.compile(r"^(" + _AUTHOR_HEAD + r")[ 　]+(?=\S)")


def _edge_lines(lines: list[str]) -> tuple[int, int]:
    """How many lines at the top and at the bottom are chat, the author's header or blank."""
    def extra(line: str) -> bool:
        line = line.strip()
        return (not line or is_chat_line(line) or bool(_META_LINE.match(line))
                or (len(line) <= HEADER_LINE_CHARS and bool(_AUTHOR_LINE.match(line))))

    top = 0
    while top < len(lines) and extra(lines[top]):
        top += 1
    bottom = 0
    while bottom < len(lines) - top and extra(lines[-1 - bottom]):
        bottom += 1
    return top, bottom


# The author's congress as the header writes it: 第十四届全国人民代表大会代表 / 全国人大代表, 宁夏回族自治区人大代表,
# 银川市人大代表, 西吉县人大代表, 兴庆区人大代表, 某镇人大代表. Keys of ``default_thresholds()["议案"]``.
_AUTHOR_LEVEL = re.compile(
    r"(全国|自治区|自治州|自治县|省|市|州|盟|县|旗|区|乡|镇)(?:第[一二三四五六七八九十百\d]+届)?(?:人民代表大会|人大)"
    r"(?:第[一二三四五六七八九十百\d]+次会议)?(?:[\u4e00-\u9fff]{0,8}代表团|代表)")
_LEVEL_OF = {"全国": "national", "自治区": "provincial", "省": "provincial", "自治州": "municipal", "州": "municipal",
             "盟": "municipal", "市": "municipal", "自治县": "county", "县": "county", "旗": "county", "区": "county",
             "乡": "township", "镇": "township"}
_PROVINCIAL_CITIES = ("北京", "天津", "上海", "重庆")  # 直辖市: a provincial congress
_BOOK = re.compile(r"《[^《》]*》")


# In the body, only the author speaking of themself (“我是西吉县人大代表”“作为一名市人大代表”), not others
# (“与区人大代表和市政协委员进行交流”“当选为第一至五届全国人大代表”).
_SELF = re.compile(r"(?:我是|本人是|本人系|本人|作为|身为)(?:一名|一位|一个)?[^，,。；;！!？?]{0,16}$")
HEADER_LINE_CHARS = 40


def author_level(text: str, *, self_only: bool = False) -> str | None:
    """The congress level the author's header names (national, provincial, municipal, county, township), or None.
    ``self_only``: count only where the author introduces themself (for lines of the body)."""
    text = _BOOK.sub("□", text or "")
    for m in _AUTHOR_LEVEL.finditer(text):
        if self_only and not _SELF.search(text[max(0, m.start() - 24): m.start()]):
            continue
        if m.group(1) == "市" and text[max(0, m.start() - 2): m.start()] in _PROVINCIAL_CITIES:
            return "provincial"
        return _LEVEL_OF[m.group(1)]
    return None


# A title that names no matter at all (“关于几个问题的建议”, “关于当前工作的几点建议”): its words are missing from any body,
# so it is told to name the matter (``selfcheck._title_findings``), not that it does not fit the body (``coherence``); the summary leaves it out.
GENERIC_TITLE = re.compile(
    r"^关于(?:当前|目前|近期|我县|我市|我区|我镇|我省|本地|基层)?(?:存在的)?"
    r"(?:几个|若干|一些|有关|相关|部分|几点|几方面|多个|两个|三个)?(?:方面的)?(?:问题|事项|方面|工作|情况|事情)"
    r"的(?:几点|若干|一些)?(?:建议|意见|议案|批评和意见)$")


def parse_draft_text(text: str, kind: str | None = None) -> DraftContent:
    """Parse a UTF-8 text draft. The title is the first 关于……的建议/议案 line, else the first line that reads as
    a title (not a greeting, a self-introduction or other chat: then the draft is untitled). Chat and the author's
    header around the draft (各位领导好……, 提出人：……, P.S. ……) are left out of its parts; the header gives
    ``author_level``, and co-signers stated as a number (附议代表：（共32人，名单附后）) are kept as such."""
    text = normalise(text)
    draft = DraftContent()
    m = _TITLE_RE.search(text)
    if m:
        draft.title = m.group(1)
        rest = text[: m.start()] + text[m.end():]
    else:
        lines = text.split("\n")
        top, _ = _edge_lines(lines)
        first = lines[top].strip() if top < len(lines) else ""
        if "\n".join(lines[top + 1:]).strip() and _is_title_line(first):
            draft.title = _EMOJI.sub("", first).strip()
            rest = "\n".join(lines[:top] + lines[top + 1:])
        else:
            rest = text
    lines = rest.strip().split("\n")
    top, bottom = _edge_lines(lines)
    edges = lines[:top] + lines[len(lines) - bottom:]
    body_lines = lines[top: len(lines) - bottom]
    if body_lines and (head := _AUTHOR_PREFIX.match(body_lines[0].strip())):
        # the author's line run into the first line of the body: a header, not the problem's first words
        edges.append(head.group(1))
        body_lines[0] = body_lines[0].strip()[head.end():]
    stated = [ln.strip() for ln in body_lines if _COSIGN_LINE.match(ln.strip())]
    rest = "\n".join(ln for ln in body_lines if not _COSIGN_LINE.match(ln.strip())).strip()
    # the header around the draft; a short line at the top (“第十四届全国人民代表大会第四次会议代表建议”); the author
    # introducing themself in the first lines (“我是西吉县人大代表……”)
    heads = [ln for ln in body_lines[:3] if len(ln.strip()) <= HEADER_LINE_CHARS]
    draft.author_level = (author_level("\n".join(edges + stated + heads))
                          or author_level("\n".join(body_lines[:3]), self_only=True))
    marks = _heading_marks(rest)
    if not marks:
        draft.problem, draft.cause, draft.measures = split_unstructured(rest)
    else:
        pre = rest[: marks[0].start()].strip()
        chunks: dict[str, list[str]] = {}
        fields = [_field_of(m.group(1)) for m in marks]
        for k, (m, nxt) in enumerate(zip(marks, marks[1:] + [None])):
            body = rest[m.end(): nxt.start() if nxt else len(rest)].strip()
            field = fields[k]
            if field == "measures" and "measures" in fields[k + 1:] and (topic := _NEXT_TOPIC.search(body)):
                # a draft on two subjects, each with its own 建议: the next subject's heading and account (“二、关于
                # 高校毕业生就业\n今年我市……”) come before its own 建议, and are its problem, not this part's demands
                chunks.setdefault("problem", []).append(body[topic.start():].strip())
                body = body[:topic.start()].strip()
            chunks.setdefault(field, []).append(body)
        if pre:
            chunks.setdefault("problem", []).insert(0, pre)
        for name, bodies in chunks.items():
            joined = "\n".join(b for b in bodies if b)
            if name == "cosponsors":
                draft.cosponsors = _cosponsor_entries(joined)
            elif name == "attachments":
                draft.attachments = [{"name": a.strip()} for a in joined.split("\n") if a.strip()]
            else:
                setattr(draft, name, joined)
        if not draft.measures:
            _demands_out_of_last_part(draft)
    if not draft.cause:
        _cause_out_of_problem(draft)
    _header_cosigners(draft, edges, stated)
    if kind:
        draft.kind = kind
    elif draft.title.endswith("议案"):
        draft.kind = KIND_BILL
    elif re.search(r"(?:建议|意见|批评|提案)$", draft.title):  # a suggestion may cite its legal basis too
        draft.kind = KIND_SUGGESTION
    else:
        draft.kind = KIND_BILL if draft.legal_basis or draft.outline else KIND_SUGGESTION
    if draft.kind != KIND_BILL and draft.outline and not draft.measures:
        draft.measures, draft.outline = draft.outline, ""  # “方案：1. …” in a suggestion is its demands
    return draft


# A closing line after the co-signers (“以上议案，请予审议。”) is no name.
_CLOSING_LINE = re.compile(r"^(?:以上|上述|特此|此致|妥否|当否)|(?:审议|办理|采纳|研究)[。！]?$")


def _cosponsor_entries(field_text: str) -> list[str]:
    lines = [ln for ln in field_text.split("\n") if ln.strip() and not _CLOSING_LINE.search(ln.strip())]
    return split_names("\n".join(lines))


def _header_cosigners(draft: DraftContent, edges: list[str], stated: list[str]) -> None:
    """Co-signers the header states: a delegation putting the bill forward (“提出：第十四届全国人民代表大会宁夏代表团”),
    a number (“领衔代表：陈立新等32名代表”), or a line of its own (“附议代表32名”)."""
    extra = list(stated)
    for line in edges:
        meta = _META_LINE.match(line.strip())
        if not meta:
            continue
        if (d := _DELEGATION_META.match(line.strip())) and not draft.cosponsors:
            draft.cosponsors = [f"代表团：{d.group(1).strip()}"]
        elif stated_count(meta.group(1)) is not None:
            extra.append(meta.group(1).strip())
    draft.cosponsors += [e for e in extra if e not in draft.cosponsors]


def inner_title(title: str) -> str:
    """A title to be put in 《》: its own 《》 become 〈〉 (《关于修改〈物业管理条例〉的议案》, not nested 《《》》)."""
    return (title or "").replace("《", "〈").replace("》", "〉")


def book_title(title: str) -> str:
    return f"《{inner_title(title)}》" if (title or "").strip() else "（无标题）"


def routing_text(draft: DraftContent, limit: int = 600) -> str:
    """What routing and similarity look at: the title and the demands first, then the problem."""
    return (draft.title + "。" + draft.measures[:300] + draft.problem[:200] + draft.cause[:100])[:limit]


# A suggestion is read and answered item by item: about 3,000 characters is the usual length. Beyond this the
# self-check says 篇幅过长 and routing reads no further (a 10 MB paste once ran routing for minutes).
TOO_LONG_CHARS = 50_000


def clip_draft(draft: DraftContent, limit: int = TOO_LONG_CHARS) -> DraftContent:
    """``draft`` with its body cut to ``limit`` characters, the parts in ``DraftContent.body`` order (the title, the
    co-signers and the kind kept): what the self-check and routing read of a pasted report. The draft itself when it
    is short enough. The length must-fix needs only ``len(draft.body())``, taken before."""
    import dataclasses

    keys = ["problem", "cause", "measures"] + (["legal_basis", "outline"] if draft.is_bill else [])
    if sum(len(getattr(draft, k)) for k in keys) <= limit:
        return draft
    # every part keeps its head, the short ones whole: a long problem must not crowd out the demands (a missing
    # 具体建议 would be reported)
    room, parts = limit, {}
    order = sorted(keys, key=lambda k: len(getattr(draft, k)))
    for i, key in enumerate(order):
        parts[key] = getattr(draft, key)[:room // (len(order) - i)]
        room -= len(parts[key])
    return dataclasses.replace(draft, title=draft.title[:200], cosponsors=draft.cosponsors[:200], **parts)


ROUTING_WINDOW = 380  # characters per body window: e5 reads 256 tokens, ~0.63 tokens per character here
ROUTING_MAX_WINDOWS = 16  # bounds the cost of one submission (~6,000 characters of body)


def routing_chunks(draft: DraftContent) -> list[str]:
    """routing_text first (its vector is the draft's stored embedding, used for similarity), then
    the whole body in sentence-aligned windows: long drafts put their concrete demands late."""
    out, cur = [], ""
    for s in re.split(r"(?<=[。；！？\n])", draft.body()[:TOO_LONG_CHARS]):
        if len(out) >= ROUTING_MAX_WINDOWS:  # the rest is never read
            break
        if not s.strip():
            continue
        while len(s) > ROUTING_WINDOW:
            if cur:
                out.append(cur)
                cur = ""
            out.append(s[:ROUTING_WINDOW])
            s = s[ROUTING_WINDOW:]
        if len(cur) + len(s) > ROUTING_WINDOW:
            out.append(cur)
            cur = ""
        cur += s
    if cur.strip():
        out.append(cur)
    return [routing_text(draft)] + out[:ROUTING_MAX_WINDOWS]


def document_file_text(path) -> str:
    """A Word, PDF or text draft's text as the corpus loaders read it (the bot's uploads and the CLI alike): pages
    joined, the .docx loader's Markdown heading marks dropped. Raises ``corpus.loaders.LoadError``."""
    from corpus.loaders import load_path

    text = "\n".join(d.text or "\n".join(x for _, x in d.pages or []) for d in load_path(path))
    return re.sub(r"(?m)^#+\s*", "", text).strip()
