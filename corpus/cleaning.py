"""Text clean-up for Chinese official documents converted from PDF or Word."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A line that ends a sentence or a heading: no page-break repair after it.
_TERMINAL = "。！？；：:;!?”」』）)》…—"
_HEADING = re.compile(
    rf"^\s*(#+\s|第[一二三四五六七八九十百千零〇\d]+[编章节条]|[一二三四五六七八九十]+、|\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）]|附件|备注)"
)


def normalize_spaces(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    # Spaces between CJK characters (or CJK and digits) are layout artefacts: "2026 年" → "2026年".
    text = re.sub(rf"(?<=[{CJK}\d])[ \t]+(?=[{CJK}])", "", text)
    text = re.sub(rf"(?<=[{CJK}])[ \t]+(?=\d)", "", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text


def fix_stray_english(text: str) -> str:
    """A lone English 'and' between Chinese words (seen in the NPC plan) is a conversion slip for 和."""
    return re.sub(rf"(?<=[{CJK}])\s*\band\b\s*(?=[{CJK}])", "和", text)


def _is_heading(line: str) -> bool:
    # Numbered paragraphs ("1. 坚持……") also match the pattern; headings are short.
    s = line.strip()
    return bool(_HEADING.match(line)) and (s.startswith("#") or (len(s) <= 40 and "。" not in s))


def repair_page_breaks(text: str) -> str:
    """Join a sentence cut by blank lines at a page break: "代表\\n\\n工作中的重大问题" → one line."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if (
            j > i + 1
            and j < len(lines)
            # a paragraph cut at a page end; short lines are titles, unless a sentence already ended in them
            # (“25. 加强代表纪律作风建设。会同各代表” / “团，引导代表…”)
            and (len(line.strip()) > 40 or ("。" in line and re.match(r"\s*\d{1,3}[.．、]", line)))
            and not _is_heading(line)
            and line.rstrip()[-1] not in _TERMINAL
            and not _HEADING.match(lines[j])
            and re.match(rf"[{CJK}\d“（(]", lines[j].lstrip())
        ):
            lines[j] = line.rstrip() + lines[j].lstrip()
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def clean_text(text: str) -> str:
    text = normalize_spaces(text)
    text = fix_stray_english(text)
    text = repair_page_breaks(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*[”」』]?|\n")


def split_sentences(text: str) -> list[str]:
    """Split on Chinese sentence ends (and line breaks), keeping the punctuation."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters as a deputy from Hong Kong or Macao, or a pasted draft, writes them
    (代表建議交辦會、具體建議) → simplified, which the documents and the draft headings use. Simplified
    text passes through unchanged."""
    return _t2s().convert(text) if text else text
