"""Questions and answers: validation, scoped search, the query log behind the buttons, ratings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from retrieval.questions import (  # noqa: F401 - re-exported
    MAX_QUESTION_CHARS, QuestionProblem, check_question, question_count, small_talk,
)
from retrieval.types import SearchFilters
from storage.access import scopes_for
from storage.clock import utcnow
from storage.db import Database
from storage.kb import KnowledgeBaseLike, hit_to_dict
from storage.models import QueryRecord
from storage.repositories import QueryRepo, RatingRepo
from storage.views import QueryView, UserView

ANSWER_TOP_K = 5
# Without an answer only the nearest few are kept as its sources: five unrelated passages for “今天天气怎么样”
# were a page of noise. "更多结果" goes on from them (the next numbers, the rest of the first five included).
NOT_FOUND_SOURCES = 3
MORE_TOP_K = 15


@dataclass(frozen=True)
class AnswerSentenceView:
    text: str
    source: int  # index into QAResult.hits


@dataclass(frozen=True)
class QAResult:
    query_id: int
    question: str
    sentences: list[AnswerSentenceView]
    hits: list[dict]
    note: str | None = None  # why nothing was answered, or a caveat on the answer

    @property
    def found(self) -> bool:
        return bool(self.sentences)


@dataclass(frozen=True)
class MoreResult:
    query_id: int
    first_index: int  # index of the first new hit in the stored list
    hits: list[dict] = field(default_factory=list)


ScopeProvider = Callable[[UserView], Awaitable[set[str]]]


class QAService:
    def __init__(self, db: Database, kb: KnowledgeBaseLike) -> None:
        self.db = db
        self.kb = kb
        # Scopes a user holds beyond role, delegation and committees, looked up per question: e.g. the
        # attachments of briefings the user received (broadcasts registers that provider).
        self.scope_providers: list[ScopeProvider] = []

    async def filters_for(self, user: UserView) -> SearchFilters:
        scopes = scopes_for(user)
        if scopes is None:  # admins see everything
            return SearchFilters()
        for provider in self.scope_providers:
            scopes = scopes | await provider(user)
        return SearchFilters(scopes=frozenset(scopes))

    async def ask(
        self, user: UserView, question: str, *, kind: str = "text", alternatives: list[str] | None = None
    ) -> QAResult:
        question = question.strip()
        answer = await self.kb.aanswer(question, top_k=ANSWER_TOP_K, filters=await self.filters_for(user))
        hits = [hit_to_dict(h) for h in (answer.hits if answer.sentences else answer.hits[:NOT_FOUND_SOURCES])]
        sentences = [AnswerSentenceView(s.text, s.source) for s in answer.sentences]
        async with self.db.session() as s, s.begin():
            rec = await QueryRepo(s).add(
                QueryRecord(
                    user_id=user.id,
                    kind=kind,
                    question=question,
                    alternatives=list(alternatives or []),
                    answer_text=answer.text,
                    hits=hits,
                )
            )
        return QAResult(rec.id, question, sentences, hits, answer.note)

    async def record_voice(self, user: UserView, question: str, alternatives: list[str]) -> int:
        """Keeps an unsure transcript's alternatives so their buttons survive a restart."""
        return await self.record(user, question, "voice", alternatives)

    async def record(self, user: UserView, question: str, kind: str, alternatives: list[str] | None = None) -> int:
        """A question not answered by ``ask`` (``kind`` "schedule": a month's plan; an unsure voice note before its
        reading is picked), kept as the user's last question so that a follow-up (“那9月呢？”) reads on from it."""
        async with self.db.session() as s, s.begin():
            rec = await QueryRepo(s).add(QueryRecord(user_id=user.id, kind=kind, question=question.strip(),
                                                     alternatives=list(alternatives or [])))
            return rec.id

    async def last_question(self, user: UserView, within_s: float) -> str | None:
        """The user's latest question (typed, spoken or a schedule request, as it was searched) if it was asked in the
        last ``within_s`` seconds: what a follow-up (retrieval.followup) reads on from. From the query log, so it holds
        across restarts and worker processes."""
        since = utcnow() - timedelta(seconds=within_s)
        async with self.db.session() as s:
            return (await s.execute(
                select(QueryRecord.question)
                .where(QueryRecord.user_id == user.id, QueryRecord.created_at >= since)
                .order_by(QueryRecord.id.desc())
                .limit(1)
            )).scalar_one_or_none()

    async def get(self, user: UserView, query_id: int) -> QueryView | None:
        """A user only reaches their own queries (callback data can be forged)."""
        async with self.db.session() as s:
            rec = await QueryRepo(s).get(query_id)
            if rec is None or rec.user_id != user.id:
                return None
            return QueryView(rec.id, rec.user_id, rec.kind, rec.question, list(rec.alternatives or []),
                             rec.answer_text, list(rec.hits or []))

    async def source(self, user: UserView, query_id: int, index: int) -> dict | None:
        q = await self.get(user, query_id)
        if q is None or not 0 <= index < len(q.hits):
            return None
        return q.hits[index]

    async def more(self, user: UserView, query_id: int) -> MoreResult | None:
        q = await self.get(user, query_id)
        if q is None:
            return None
        found = await self.kb.asearch(q.question, top_k=MORE_TOP_K, filters=await self.filters_for(user))
        seen = {h["chunk_id"] for h in q.hits}
        new = [hit_to_dict(h) for h in found if int(h.chunk_id) not in seen]
        async with self.db.session() as s, s.begin():
            rec = await QueryRepo(s).get(query_id)
            assert rec is not None
            first = len(rec.hits or [])
            rec.hits = list(rec.hits or []) + new
        return MoreResult(query_id, first, new)

    async def rate(self, user: UserView, query_id: int, useful: bool) -> bool:
        if await self.get(user, query_id) is None:
            return False
        async with self.db.session() as s, s.begin():
            await RatingRepo(s).upsert(query_id, user.id, useful)
        return True

    async def rating_counts(self) -> tuple[int, int]:
        async with self.db.session() as s:
            return await RatingRepo(s).counts()
