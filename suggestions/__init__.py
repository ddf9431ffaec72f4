"""Suggestions and bills: guided drafting, self-check (自检自测), summaries, routing (两摘两推),
handling status and staff analysis. Domain only: nothing here knows about Telegram."""

from suggestions.types import DraftContent, Finding, KIND_BILL, KIND_SUGGESTION, SelfCheckReport

__all__ = ["DraftContent", "Finding", "SelfCheckReport", "KIND_BILL", "KIND_SUGGESTION"]
