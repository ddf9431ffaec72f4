"""Structure-aware chunking: law articles, numbered plan items, table rows, headings, long sections.

Every chunk carries its citation: the document title, a locator (``第五十一条``,
``八、加强代表履职服务保障 / 29``, ``8月``) and, for PDFs, the page.
"""

from __future__ import annotations

import re

from .cleaning import split_sentences
from .document import Block, Chunk, Document

CN_NUM = "一二三四五六七八九十百千零〇两"
ARTICLE = re.compile(rf"^\s*(第[{CN_NUM}\d]+条(?:之[{CN_NUM}]+)?)[\s　]*(.*)$")
LAW_HEADING = re.compile(rf"^\s*(?:#+\s*)?(第[{CN_NUM}\d]+[编分章节](?![{CN_NUM}\d]*条).{{0,30}})$")
MD_HEADING = re.compile(r"^\s*(#{1,6})\s+(.+?)\s*#*$")
SECTION = re.compile(rf"^\s*(?:#+\s*)?([{CN_NUM}]+、.+)$")
ITEM = re.compile(r"^\s*(\d{1,3})[.．、]\s*(\S.*)$")
_LEVEL = {"编": 0, "分": 1, "章": 2, "节": 3}

# Part of every document's fingerprint: bump it when the chunks made from the same text change, so that an
# index re-chunks its documents on the next ingest instead of keeping chunks the current code would not make.
CHUNKING_VERSION = 2
MAX_CHARS = 600
OVERLAP_SENTENCES = 1


def chunk_document(doc: Document, max_chars: int = MAX_CHARS) -> list[Chunk]:
    blocks = doc.blocks if doc.blocks is not None else _blocks(doc)
    chunks: list[Chunk] = []
    for block in blocks:
        for piece in _split_long(block.text, max_chars):
            chunks.append(
                Chunk(
                    doc_id=doc.doc_id, ordinal=len(chunks), title=doc.title, locator=block.locator,
                    text=piece, context=block.context, page=block.page, kind=block.kind,
                    doc_type=doc.doc_type, collection=doc.collection, scope=doc.scope,
                )
            )
    return chunks


def _blocks(doc: Document) -> list[Block]:
    if doc.pages is not None:
        out: list[Block] = []
        for page, text in doc.pages:
            for b in _text_blocks(text, doc.title):
                b.page = page
                out.append(b)
        return out
    return _text_blocks(doc.text, doc.title)


def _text_blocks(text: str, title: str) -> list[Block]:
    lines = [ln for ln in text.split("\n")]
    n_articles = sum(1 for ln in lines if ARTICLE.match(ln))
    if n_articles >= 3:
        return _law_blocks(lines)
    n_items = sum(1 for ln in lines if ITEM.match(ln))
    if n_items >= 3:
        return _item_blocks(lines, title)
    return _heading_blocks(lines, title)


def _law_blocks(lines: list[str]) -> list[Block]:
    """One block per article (第X条), with its 编/章/节 headings as context."""
    heads: dict[int, str] = {}
    blocks: list[Block] = []
    current: Block | None = None
    for line in lines:
        if m := ARTICLE.match(line):
            current = Block(text=f"{m.group(1)}　{m.group(2).strip()}", locator=m.group(1), context=_ctx(heads),
                            kind="article")
            blocks.append(current)
        elif m := LAW_HEADING.match(line):
            head = re.sub(r"[\s　]+", " ", m.group(1)).strip()
            head = re.sub(rf"^(第[{CN_NUM}\d]+[编分章节])\s*", r"\1 ", head).strip()  # "第四章 代表执行职务的保障"
            level = _LEVEL.get(re.match(rf"第[{CN_NUM}\d]+(.)", head).group(1), 2)
            heads = {k: v for k, v in heads.items() if k < level}
            heads[level] = head
            current = None
        elif line.strip() and current is not None:
            current.text += "\n" + line.strip()
        # text before the first article (preamble, table of contents) is not citable; skip it
    return blocks


def _ctx(heads: dict[int, str]) -> tuple[str, ...]:
    return tuple(heads[k] for k in sorted(heads))


def _item_blocks(lines: list[str], title: str) -> list[Block]:
    """Numbered items (``29.``) under sections (``八、…``): locator ``八、… / 29``."""
    section = ""
    blocks: list[Block] = []
    current: Block | None = None
    preamble: list[str] = []
    for line in lines:
        s = line.strip()
        if not s or (m := MD_HEADING.match(line)) and m.group(2).strip() == title:
            continue
        if m := SECTION.match(line):
            section = m.group(1).strip()
            current = None
        elif m := ITEM.match(line):
            loc = f"{section} / {m.group(1)}" if section else m.group(1)
            current = Block(text=s, locator=loc, context=(section,) if section else (), kind="item")
            blocks.append(current)
        elif MD_HEADING.match(line):
            section = MD_HEADING.match(line).group(2).strip()
            current = None
        elif current is not None:
            current.text += "\n" + s
        else:
            preamble.append(s)
    if preamble:
        blocks.insert(0, Block(text="\n".join(preamble), locator="总体要求" if section else "", kind="paragraph"))
    return blocks


def _section_locator(line: str) -> str:
    """“一、总体要求” names its section; a long numbered paragraph (“四、因反革命案…被羁押…的人，…”) is cited
    by its number."""
    line = line.strip()
    if len(line) <= 20 and not line.endswith(("。", "；")):
        return line.rstrip("：:")
    return line.split("、", 1)[0] + "、"


def _heading_blocks(lines: list[str], title: str) -> list[Block]:
    """Generic documents: paragraphs grouped under their headings; markdown tables as rows. A paragraph
    opening with a Chinese numeral (“二、选举委员会的职权是：”), as decisions and reports are laid out, starts a
    numbered section: it and the paragraphs after it (“（一）…”) are cited by it until the next one or the next
    heading."""
    path: list[tuple[int, str]] = []
    blocks: list[Block] = []
    buf: list[str] = []
    table: list[list[str]] = []
    section = ""

    def flush() -> None:
        if buf:
            ctx = tuple(h for _, h in path)
            if section:
                blocks.append(Block(text="\n".join(buf), locator=section, context=ctx))
            else:
                blocks.append(Block(text="\n".join(buf), locator=ctx[-1] if ctx else "", context=ctx[:-1]))
            buf.clear()

    def flush_table() -> None:
        if len(table) >= 2:
            header, rows = table[0], [r for r in table[1:] if not all(set(c) <= set("-: ") for c in r)]
            last_key = ""
            for row in rows:
                cells = dict(zip(header, row))
                key = row[0] or last_key  # an empty first cell continues the row above (e.g. 全年)
                last_key = key
                text = "；".join(f"{h}：{_cell_text(c)}" for h, c in cells.items() if c)
                ctx = tuple(h for _, h in path)
                blocks.append(Block(text=text, locator=key, context=ctx, kind="row"))
        table.clear()

    for line in lines:
        s = line.strip()
        if s.startswith("|") and s.endswith("|"):
            flush()
            table.append([c.strip().replace("<br>", "\n") for c in s.strip("|").split("|")])
            continue
        if table:
            flush_table()
        if m := MD_HEADING.match(line):
            flush()
            level, head = len(m.group(1)), m.group(2).strip()
            if head == title and level == 1:
                continue
            path = [(lv, h) for lv, h in path if lv < level] + [(level, head)]
            section = ""
        elif s:
            if SECTION.match(s):
                flush()
                section = _section_locator(s)
            buf.append(s)
        else:
            flush()
    flush()
    flush_table()
    return blocks


_ENDS_CLAUSE = tuple("。；;，,、：:！？!?")


def _cell_text(cell: str) -> str:
    """A cell's lines: a list of names (one unit per line) becomes 甲、乙, so the units do not run
    together once the answer composer drops line breaks; lines that end a clause keep their break."""
    lines = [ln.strip() for ln in cell.split("\n") if ln.strip()]
    out = lines[0] if lines else ""
    for ln in lines[1:]:
        out += ("\n" if out.endswith(_ENDS_CLAUSE) or ITEM.match(ln) else "、") + ln
    return out


def _split_long(text: str, max_chars: int) -> list[str]:
    """Split on sentence boundaries into windows of at most ``max_chars``, one sentence of overlap."""
    if len(text) <= max_chars:
        return [text]
    sents = split_sentences(text)
    pieces: list[str] = []
    cur: list[str] = []
    for s in sents:
        while len(s) > max_chars:  # a single run-on "sentence": hard cut
            if cur:
                pieces.append("".join(cur))
                cur = []
            pieces.append(s[:max_chars])
            s = s[max_chars:]
        if cur and len("".join(cur)) + len(s) > max_chars:
            pieces.append("".join(cur))
            cur = cur[-OVERLAP_SENTENCES:] if OVERLAP_SENTENCES else []
            if len("".join(cur)) + len(s) > max_chars:
                cur = []
        cur.append(s)
    if cur:
        pieces.append("".join(cur))
    return pieces
