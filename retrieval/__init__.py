"""Hybrid retrieval (FAISS dense + BM25 over jieba tokens) with citations, and the answer composer."""

from .index import IndexMismatchError, IngestReport, KnowledgeBase
from .ranking import RankConfig
from .types import Answer, AnswerSentence, Hit, SearchFilters

__all__ = ["Answer", "AnswerSentence", "Hit", "IndexMismatchError", "IngestReport", "KnowledgeBase",
           "RankConfig", "SearchFilters"]
