"""Value types at the boundary of the retrieval package (no Telegram, no storage inside)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Access scopes of a document: "all", "delegation:<name>", "committee:<name>", "staff".
SCOPE_ALL = "all"
SCOPE_STAFF = "staff"


@dataclass(frozen=True)
class SearchFilters:
    """Restricts a search. ``None`` means no restriction on that field.

    ``scopes`` lists the scopes the caller may see (a deputy: {"all", "delegation:宁夏代表团", ...}).
    """

    collections: frozenset[str] | None = None
    doc_types: frozenset[str] | None = None
    scopes: frozenset[str] | None = None

    def admits(self, collection: str, doc_type: str, scope: str) -> bool:
        return (
            (self.collections is None or collection in self.collections)
            and (self.doc_types is None or doc_type in self.doc_types)
            and (self.scopes is None or scope in self.scopes)
        )


def snippet(text: str, limit: int) -> str:
    """A passage shown under its citation: whitespace folded, cut at ``limit`` characters with “…”."""
    t = " ".join(text.split())
    return t if len(t) <= limit else t[:limit] + "…"


@dataclass
class Hit:
    chunk_id: int
    doc_id: str
    title: str
    locator: str
    text: str
    score: float
    page: int | None = None
    doc_type: str = ""
    collection: str = ""
    scope: str = SCOPE_ALL

    @property
    def citation(self) -> str:
        """Human citation, e.g. ``《全国人民代表大会和地方各级人民代表大会代表法》第五十一条``."""
        parts = [f"《{self.title}》"]
        if self.locator:
            parts.append(self.locator)
        if self.page is not None:
            parts.append(f"第{self.page}页")
        return " ".join(parts)

    def to_json(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "locator": self.locator,
            "text": self.text,
            "score": round(float(self.score), 6),
            "page": self.page,
        }


@dataclass
class AnswerSentence:
    text: str
    source: int  # index into Answer.hits


@dataclass
class Answer:
    question: str
    sentences: list[AnswerSentence] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    closeness: float | None = None  # the best candidate sentence's embedding similarity, answered or not
    note: str | None = None  # why nothing was answered (“资料中没有写明具体日期。”), or a caveat on the answer
    reason: str | None = None  # the note's key in retrieval.fact_kinds.NOTES (“day”, “person”…)

    @property
    def found(self) -> bool:
        return bool(self.sentences)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)
