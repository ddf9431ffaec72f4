"""Documents as loaded, and the chunks (with citations) that the index stores."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """A structural unit found in a document (a law article, a plan item, a table row...)."""

    text: str
    locator: str = ""
    context: tuple[str, ...] = ()  # enclosing headings, outermost first (编/章/节, plan section)
    page: int | None = None
    kind: str = "paragraph"


@dataclass
class Document:
    doc_id: str
    title: str
    text: str = ""
    source: str = ""
    doc_type: str = "generic"
    collection: str = "default"
    scope: str = "all"
    metadata: dict = field(default_factory=dict)
    pages: list[tuple[int, str]] | None = None  # PDFs: (page number, text)
    blocks: list[Block] | None = None  # loaders that already know the structure (tables) fill this


@dataclass
class Chunk:
    doc_id: str
    ordinal: int
    title: str
    locator: str
    text: str
    context: tuple[str, ...] = ()
    page: int | None = None
    kind: str = "paragraph"
    doc_type: str = "generic"
    collection: str = "default"
    scope: str = "all"

    @property
    def heading_path(self) -> str:
        return " / ".join(self.context)

    def index_text(self) -> str:
        """What retrieval sees: the text plus the title and headings a reader would see around it."""
        head = " ".join(p for p in (self.title, self.heading_path, self.locator) if p)
        return f"{head}：{self.text}" if head else self.text
