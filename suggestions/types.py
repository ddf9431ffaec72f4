"""Value types shared across the suggestions package."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, Sequence

import numpy as np

KIND_SUGGESTION = "建议"
KIND_BILL = "议案"
KINDS = (KIND_SUGGESTION, KIND_BILL)

# Severity of a self-check finding, most serious first.
SEVERITY_ERROR = "error"  # must fix before submitting
SEVERITY_WARNING = "warning"  # should fix
SEVERITY_INFO = "info"  # a pointer (legal basis, similar items)
SEVERITY_LABELS = {SEVERITY_ERROR: "必须修改", SEVERITY_WARNING: "建议修改", SEVERITY_INFO: "参考"}


@dataclass
class DraftContent:
    """The text parts of a suggestion or bill, whatever their origin (conversation or a file)."""

    kind: str = KIND_SUGGESTION
    title: str = ""
    problem: str = ""  # 问题与现状
    cause: str = ""  # 原因分析
    measures: str = ""  # 具体建议
    legal_basis: str = ""  # bills: 法律依据
    outline: str = ""  # bills: 草案框架/条文要点
    cosponsors: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    # The author's congress when the draft's header says it (“第十四届全国人民代表大会代表”“宁夏回族自治区人大代表”
    # “西吉县人大代表”): a key of default_thresholds()["议案"] — national, provincial, municipal, county, township.
    author_level: str | None = None

    @property
    def is_bill(self) -> bool:
        return self.kind == KIND_BILL

    def body(self) -> str:
        parts = [self.problem, self.cause, self.measures]
        if self.is_bill:
            parts += [self.legal_basis, self.outline]
        return "\n".join(p for p in parts if p)

    def full_text(self) -> str:
        return f"{self.title}\n{self.body()}".strip()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DraftContent":
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


@dataclass
class Finding:
    code: str  # missing_part, thin_part, title_form, vague_measure, not_a_suggestion, legal_basis, similar_existing ...
    severity: str
    message: str  # what is wrong, in Chinese
    fix: str  # concrete fix, in Chinese
    part: str | None = None  # which draft step it concerns
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SelfCheckReport:
    findings: list[Finding]
    summary: str
    elapsed_s: float = 0.0

    @property
    def passed(self) -> bool:
        return not any(f.severity == SEVERITY_ERROR for f in self.findings)

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "summary": self.summary,
            "elapsed_s": round(self.elapsed_s, 3),
            "findings": [f.to_json() for f in self.findings],
        }

    def to_text(self) -> str:
        lines = [f"自检结果：{'可以提交' if self.passed else '存在必须修改的问题'}（共 {len(self.findings)} 项）"]
        for i, f in enumerate(self.findings, 1):
            lines.append(f"{i}. 【{SEVERITY_LABELS.get(f.severity, f.severity)}】{f.message}\n   修改建议：{f.fix}")
        lines.append(f"摘要：{self.summary}")
        return "\n".join(lines)


class EmbedderLike(Protocol):
    """What we need of ``retrieval.embedder.Embedder`` (L2-normalised float32 rows)."""

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class KnowledgeBaseLike(Protocol):
    """What we need of ``retrieval.KnowledgeBase``: ``search`` returning ``retrieval.Hit`` objects, and the
    embedder it searches with."""

    embedder: Any

    def search(self, query: str, top_k: int = 10, filters: Any = None) -> Sequence[Any]: ...
