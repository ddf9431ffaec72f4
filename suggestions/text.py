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
        ("主要原因", "cause"),
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


# "……，为此建议：1.……" inside a sentence: the demands start at the clause that announces them.
_DEMANDS_CLAUSE = re.compile(r"(?:为此|对此|因此|据此|特此|现)?(?:提出)?(?:如下|以下|几点)?建议(?:如下)?[：:]")


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
    if at is None:
        return text, "", ""
    before = _clauses(text[:at])
    problem = "".join(x for x in before if not _CAUSE.search(x.strip()))
    cause = "".join(x for x in before if _CAUSE.search(x.strip()))
    return problem.strip(), cause.strip(), text[at:].strip()


def _clauses(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"[^。！？!?\n]+[。！？!?]*\n*|\n+", text)]


def _heading_marks(text: str) -> list[re.Match]:
    marks = list(_HEADING_RE.finditer(text))
    taken = [(m.start(), m.end()) for m in marks]
    for m in [*_INLINE_HEADING_RE.finditer(text), *_NUMBERED_HEADING_RE.finditer(text)]:
        if not any(a < m.end() and m.start() < b for a, b in taken):
            marks.append(m)
            taken.append((m.start(), m.end()))
    return sorted(marks, key=lambda m: m.start())


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


def parse_draft_text(text: str, kind: str | None = None) -> DraftContent:
    """Parse a UTF-8 text draft. The title is the first 关于……的建议/议案 line, else the first line."""
    text = normalise(text)
    draft = DraftContent()
    m = _TITLE_RE.search(text)
    if m:
        draft.title = m.group(1)
        rest = text[: m.start()] + text[m.end():]
    else:
        first, _, rest = text.partition("\n")
        if rest.strip() and len(first) <= 60 and not _HEADING_RE.match(first + "\n"):
            draft.title = first.strip()
        else:
            rest = text
    rest = rest.strip()
    marks = _heading_marks(rest)
    if not marks:
        draft.problem, draft.cause, draft.measures = split_unstructured(rest)
    else:
        pre = rest[: marks[0].start()].strip()
        chunks: dict[str, list[str]] = {}
        for m, nxt in zip(marks, marks[1:] + [None]):
            body = rest[m.end(): nxt.start() if nxt else len(rest)].strip()
            chunks.setdefault(_FIELD[m.group(1)], []).append(body)
        if pre:
            chunks.setdefault("problem", []).insert(0, pre)
        for name, bodies in chunks.items():
            joined = "\n".join(b for b in bodies if b)
            if name == "cosponsors":
                draft.cosponsors = [c for c in re.split(r"[，,、\s]+", joined) if c]
            elif name == "attachments":
                draft.attachments = [{"name": a.strip()} for a in joined.split("\n") if a.strip()]
            else:
                setattr(draft, name, joined)
        if not draft.measures:
            _demands_out_of_last_part(draft)
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


def inner_title(title: str) -> str:
    """A title to be put in 《》: its own 《》 become 〈〉 (《关于修改〈物业管理条例〉的议案》, not nested 《《》》)."""
    return (title or "").replace("《", "〈").replace("》", "〉")


def book_title(title: str) -> str:
    return f"《{inner_title(title)}》"


def routing_text(draft: DraftContent, limit: int = 600) -> str:
    """What routing and similarity look at: the title and the demands first, then the problem."""
    return (draft.title + "。" + draft.measures[:300] + draft.problem[:200] + draft.cause[:100])[:limit]


# A suggestion is read and answered item by item: about 3,000 characters is the usual length. Beyond this the
# self-check says 篇幅过长 and routing reads no further (a 10 MB paste once ran routing for minutes).
TOO_LONG_CHARS = 50_000

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
