"""File loaders: .md .txt .docx .pdf .html .jsonl → Documents. Damaged or empty files raise LoadError."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from .cleaning import clean_text
from .document import Block, Document

log = logging.getLogger(__name__)
# pypdf reports damage (“EOF marker not found”) as English warnings on stderr; the loader says it in Chinese
logging.getLogger("pypdf").setLevel(logging.ERROR)

UNREADABLE_DOCS = {".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".ppt", ".pptx", ".pages", ".caj", ".ofd"}
SUPPORTED = {".md", ".markdown", ".txt", ".docx", ".pdf", ".html", ".htm", ".jsonl"}


class LoadError(Exception):
    """A file that cannot be ingested; the message (Chinese) says why."""


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Expand folders recursively; keep supported files in a stable order."""
    for p in paths:
        if p.is_dir():
            # documents in formats we cannot read (.doc, .wps…) are yielded too, so load_path names them as
            # skipped instead of leaving them out without a word; hidden folders (.git) and other files are not
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED | UNREADABLE_DOCS
                              and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            yield p


def doc_id_for(path: Path) -> str:
    """Stable id from the file name and its folder, so re-ingesting the same file replaces it."""
    rel = f"{path.parent.name}/{path.name}"
    return f"{path.stem[:40]}-{hashlib.sha1(rel.encode()).hexdigest()[:8]}"


def load_path(path: Path, collection: str = "default", scope: str = "all") -> list[Document]:
    if not path.exists():
        raise LoadError("文件不存在")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = "，请另存为 .docx、.pdf 或 .txt" if suffix in UNREADABLE_DOCS else ""
        raise LoadError(f"不支持的文件类型 {suffix or '（无扩展名）'}{hint}")
    if path.stat().st_size == 0:
        raise LoadError("文件为空")
    try:
        docs = _LOADERS[suffix](path)
    except LoadError:
        raise
    except Exception as exc:  # a damaged file must never abort a batch
        log.debug("loading %s failed", path, exc_info=True)  # the library's English detail, for maintainers
        raise LoadError(f"文件已损坏，或不是有效的 {suffix.lstrip('.').upper()} 文件") from exc
    docs = [d for d in docs if d.text.strip() or d.pages or d.blocks]
    if not docs:
        raise LoadError("文件中没有可提取的文字")
    if suffix in (".txt", ".md", ".markdown") and all(_encoded_data(d.text) for d in docs):
        raise LoadError("文件内容不是可阅读的文字（像是编码或二进制数据），请发送原始文档")
    for d in docs:
        d.collection = d.metadata.get("collection", collection)
        d.scope = d.metadata.get("scope", scope)
        d.source = d.source or str(path)
    return docs


_ENCODED = re.compile(r"[A-Za-z0-9+/=_-]{200,}")


def _encoded_data(text: str) -> bool:
    """A text file that is base64 or hex (the round-12 tester's 400 KB attachment was indexed as 2,000 chunks of
    noise): most of it in unbroken runs of encoding characters, with no prose."""
    sample = re.sub(r"[\r\n]+", "", text[:200_000])  # base64 is wrapped at 76 characters; prose has spaces or CJK
    run = sum(len(m) for m in _ENCODED.findall(sample))
    return len(sample) >= 1_000 and run >= 0.8 * len(sample)


def decode_bytes(raw: bytes) -> str | None:
    """UTF-8 (a BOM dropped) or GB18030, the encodings Chinese text files and terminals use; None if neither."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _read_text(path: Path) -> str:
    text = decode_bytes(path.read_bytes())
    if text is None:
        raise LoadError("无法识别文件编码（应为 UTF-8 或 GB18030）")
    return text


def _title_from_text(text: str, fallback: str) -> str:
    """First markdown H1 (or first short line) is the title."""
    for line in text.split("\n"):
        s = line.strip()
        if not s:
            continue
        if s.startswith("# "):
            return s[2:].strip()
        if len(s) <= 40 and not re.search(r"[。；，]", s):
            return s
        break
    return fallback


def _doc_type(text: str) -> str:
    if len(re.findall(r"(?m)^\s*第[一二三四五六七八九十百千零〇\d]+条", text)) >= 3:
        return "law"
    if len(re.findall(r"(?m)^\s*\d{1,3}[.．、]\s*\S", text)) >= 3:
        return "plan"
    return "generic"


def _load_markdown(path: Path) -> list[Document]:
    text = _read_text(path)
    meta: dict = {}
    if "<!-- INFO END -->" in text:  # LawRefBook layout: amendment history, then the law
        header, text = text.split("<!-- INFO END -->", 1)
        meta["history"] = clean_text(re.sub(r"^#.*$", "", header, flags=re.M))[:2000]
        title = next((ln[2:].strip() for ln in header.split("\n") if ln.startswith("# ")), path.stem)
    else:
        title = _title_from_text(text, path.stem)
    text = clean_text(text)
    if m := re.search(r"\((\d{4}-\d{2}-\d{2})\)$", path.stem):
        meta["version_date"] = m.group(1)
        title = f"{title}（{m.group(1)}）"  # several versions of a law coexist: the citation must tell them apart
    return [Document(doc_id_for(path), title, text, doc_type=_doc_type(text), metadata=meta)]


def _load_txt(path: Path) -> list[Document]:
    text = clean_text(_read_text(path))
    title = _title_from_text(text, path.stem)
    return [Document(doc_id_for(path), title, text, doc_type=_doc_type(text))]


def _load_docx(path: Path) -> list[Document]:
    import docx

    d = docx.Document(str(path))
    lines: list[str] = []
    for p in d.paragraphs:
        style = (p.style.name or "").lower() if p.style is not None else ""
        t = p.text.strip()
        if not t:
            lines.append("")
        elif style.startswith("heading") or style == "title":
            level = re.sub(r"\D", "", style) or "1"
            lines.append("#" * int(level) + " " + t)
        else:
            lines.append(t)
    for table in d.tables:  # rendered as markdown tables: the chunker makes one block per row
        lines.append("")
        for row in table.rows:
            cells = [c.text.strip().replace("\n", "<br>").replace("|", "｜") for c in row.cells]
            lines.append("| " + " | ".join(cells) + " |")
    text = clean_text("\n".join(lines))
    title = d.core_properties.title or _title_from_text(text, path.stem)
    doc = Document(doc_id_for(path), title, text, doc_type=_doc_type(text))
    return [doc]


def _load_pdf(path: Path) -> list[Document]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [(i + 1, clean_text(p.extract_text() or "")) for i, p in enumerate(reader.pages)]
    pages = [(n, t) for n, t in pages if t.strip()]
    if not pages:
        raise LoadError("PDF 中没有可提取的文字（可能是扫描件或空白文档）")
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    title = meta_title.strip() or _title_from_text(pages[0][1], path.stem)
    text = "\n".join(t for _, t in pages)
    return [Document(doc_id_for(path), title, text, doc_type=_doc_type(text), pages=pages,
                     metadata={"pages": len(reader.pages)})]


def _load_html(path: Path) -> list[Document]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "lxml")
    for tag in soup(["script", "style", "nav", "footer"]):
        tag.decompose()
    h1 = soup.find("h1")
    title = (h1.get_text(strip=True) if h1 else "") or (soup.title.get_text(strip=True) if soup.title else "") or path.stem
    if soup.title:
        soup.title.extract()
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n{'#' * level} {h.get_text(strip=True)}\n")
    text = clean_text(soup.get_text("\n"))
    return [Document(doc_id_for(path), title, text, doc_type=_doc_type(text))]


def _load_jsonl(path: Path) -> list[Document]:
    docs: list[Document] = []
    bad = 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
                title = str(rec.get("title") or rec["id"])
                doc_id = str(rec["id"])
            except (json.JSONDecodeError, KeyError, TypeError):
                bad += 1
                continue
            if not isinstance(text, str) or not text.strip() or rec["id"] in (None, ""):
                bad += 1  # "text": null would otherwise be indexed as the word None
                continue
            meta = {k: v for k, v in rec.items() if k not in {"id", "title", "text"}}
            doc = Document(doc_id, title, clean_text(text), doc_type=str(meta.get("doc_type", _doc_type(text))),
                           metadata=meta)
            if meta.get("locator"):  # a record that is already one citable unit (e.g. one law article)
                doc.blocks = [Block(doc.text, locator=str(meta["locator"]), context=tuple(meta.get("context") or ()),
                                    kind=str(meta.get("kind", "article")))]
            docs.append(doc)
    if bad and not docs:
        raise LoadError(f"JSONL 文件无有效记录（{bad} 行格式错误，需要 id、title、text 字段）")
    for d in docs:
        d.metadata["jsonl_bad_lines"] = bad
    return docs


_LOADERS = {
    ".md": _load_markdown, ".markdown": _load_markdown, ".txt": _load_txt, ".docx": _load_docx,
    ".pdf": _load_pdf, ".html": _load_html, ".htm": _load_html, ".jsonl": _load_jsonl,
}
