"""The suggestions domain as the bot uses it: draft and status services over the core's database,
the deputy's current draft (chat state in the database, so it survives restarts), self-check and
submission with the shared embedder and a knowledge base limited to what the user may see."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update as sa_update

from retrieval.types import SearchFilters
from storage.access import scopes_for
from storage.core import Core
from storage.repositories import StateRepo
from storage.views import UserView
from suggestions import repository as repo
from suggestions.draft import DraftService, Submitted
from suggestions.selfcheck import acheck
from suggestions.status import StatusService
from suggestions.models import OutboxRow
from suggestions.types import SEVERITY_ERROR, EmbedderLike, Finding, SelfCheckReport

log = logging.getLogger(__name__)

CURRENT_DRAFT = "sugg_draft"  # chat_state key: {"draft_id": N}
PENDING_QUESTION = "sugg_question"  # chat_state key: {"draft_id": N, "step": key, "text": what was typed}
PENDING_FILE = "sugg_file"  # chat_state key: {"draft_id": N, "step": key, "file_id": …, "name": …, "whole": bool}
PASTED_DRAFT = "sugg_pasted"  # chat_state key: {"text": a whole draft pasted with no draft open, "kind": …, "token"}
REMINDED = "sugg_reminded"  # chat_state key: {"draft_id": N, "step": key}: the open draft was mentioned once
# Congress level words (bc_audience_profiles.congress_level) -> DraftService levels (co-sponsor thresholds).
LEVELS = {"全国": "national", "national": "national", "省": "provincial", "省级": "provincial",
          "provincial": "provincial", "市": "municipal", "市级": "municipal", "设区的市": "municipal",
          "municipal": "municipal", "县": "county", "县级": "county", "county": "county",
          "乡": "township", "镇": "township", "乡镇": "township", "township": "township"}
_UNSET: Any = object()


def author_of(user: UserView) -> str:
    """Suggestions store their author as the storage user id, as text."""
    return str(user.id)


class ScopedSearch:
    """``kb.search`` as selfcheck calls it (sync, in a worker thread), restricted to the user's scopes:
    the legal-basis pointers never cite a document the user could not open."""

    def __init__(self, kb: Any, scopes: frozenset[str] | None) -> None:
        self.kb = kb
        self.scopes = scopes

    @property
    def embedder(self) -> Any:  # the legal-basis check weighs each article's closeness to the draft
        return self.kb.embedder

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[Any]:
        f = filters or SearchFilters()
        return self.kb.search(query, top_k=top_k,
                              filters=SearchFilters(collections=f.collections, doc_types=f.doc_types, scopes=self.scopes))


@dataclass
class SuggestionServices:
    core: Core
    drafts: DraftService
    status: StatusService
    clock: Callable[[], datetime] = repo.utcnow
    embedder_override: Any = _UNSET  # tests and benchmarks hand one in; otherwise the KB's (lazy)
    outbox_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _embedder: Any = _UNSET

    @classmethod
    def build(cls, core: Core, *, clock: Callable[[], datetime] = repo.utcnow, embedder: Any = _UNSET,
              thresholds: dict | None = None) -> "SuggestionServices":
        sm = core.db.session
        return cls(core, DraftService(sm, thresholds=thresholds, clock=clock), StatusService(sm, clock=clock), clock,
                   embedder)

    @property
    def sm(self):  # noqa: ANN201 - async_sessionmaker[AsyncSession]
        return self.core.db.session

    # -- the shared sentence embedder (routing at submission, similar items in the self-check) ------
    async def embedder(self) -> EmbedderLike | None:
        if self._embedder is _UNSET:
            self._embedder = await asyncio.to_thread(self._resolve_embedder)
            self.drafts.embedder = self._embedder  # submission stores an embedding and the recommendations
        return self._embedder

    def _resolve_embedder(self) -> EmbedderLike | None:
        if self.embedder_override is not _UNSET:
            return self.embedder_override
        try:
            emb = getattr(self.core.kb, "embedder", None)  # retrieval.KnowledgeBase: the process-wide e5 model
            if emb is None:
                from suggestions.embedding import default_embedder

                emb = default_embedder()
            return emb
        except Exception as exc:  # model not provisioned: drafting works, routing and similarity do not
            log.warning("suggestions without embedder: %s", type(exc).__name__)
            return None

    # -- the deputy's current draft ---------------------------------------------------------------
    async def current(self, user: UserView) -> int | None:
        value = await self.core.state.get(user, CURRENT_DRAFT)
        return int(value["draft_id"]) if value and value.get("draft_id") else None

    async def set_current(self, user: UserView, draft_id: int) -> None:
        await self.core.state.put(user, CURRENT_DRAFT, {"draft_id": draft_id})

    async def clear_current(self, user: UserView) -> None:
        await self.core.state.drop(user, CURRENT_DRAFT)

    # -- a message that looked like a question, waiting for “内容” or “提问” --------------------------
    async def hold_question(self, user: UserView, draft_id: int, step: str, text: str) -> None:
        async with self.core.db.session() as s, s.begin():
            await StateRepo(s).hold(user.id, PENDING_QUESTION, {"draft_id": draft_id, "step": step, "text": text})

    async def take_question(self, user: UserView, draft_id: int) -> dict | None:
        """The held message (once: of two taps at once only one gets it) when it belongs to this draft."""
        async with self.core.db.session() as s, s.begin():
            repo = StateRepo(s)
            held = await repo.get(user.id, PENDING_QUESTION)
            if not held or held.get("draft_id") != draft_id:
                return None
            return await repo.take(user.id, PENDING_QUESTION, held.get("token"))

    # -- a whole draft pasted with no draft open, waiting for 存为草稿 or 这是提问 -------------------------------
    async def hold_pasted(self, user: UserView, text: str, kind: str) -> str:
        async with self.core.db.session() as s, s.begin():
            return await StateRepo(s).hold(user.id, PASTED_DRAFT, {"text": text, "kind": kind})

    async def take_pasted(self, user: UserView, token: str) -> dict | None:
        async with self.core.db.session() as s, s.begin():
            return await StateRepo(s).take(user.id, PASTED_DRAFT, token)

    # -- the open draft mentioned once per step when a question is answered mid-draft ---------------------
    async def remind_once(self, user: UserView, draft_id: int, step: str) -> bool:
        """True the first time for this draft and step (then recorded): the reminder is not repeated."""
        mark = {"draft_id": draft_id, "step": step}
        if await self.core.state.get(user, REMINDED) == mark:
            return False
        await self.core.state.put(user, REMINDED, mark)
        return True

    # -- a file sent at a text step, waiting for the deputy's choice ------------------------------------
    async def hold_file(self, user: UserView, draft_id: int, step: str, file_id: str, name: str, whole: bool) -> str:
        async with self.core.db.session() as s, s.begin():
            return await StateRepo(s).hold(user.id, PENDING_FILE, {"draft_id": draft_id, "step": step,
                                                                    "file_id": file_id, "name": name, "whole": whole})

    async def take_file(self, user: UserView, draft_id: int, token: str) -> dict | None:
        """The held file (once) when the button is this file's and it belongs to this draft."""
        async with self.core.db.session() as s, s.begin():
            repo = StateRepo(s)
            held = await repo.get(user.id, PENDING_FILE)
            if not held or held.get("draft_id") != draft_id:
                return None
            return await repo.take(user.id, PENDING_FILE, token)

    # -- the submission receipt: sent by the handler itself, so the outbox copy must not follow ----------
    async def claim_receipt(self, outbox_id: int | None) -> bool:
        """Mark the deputy's receipt delivered unless the outbox already sent it (one receipt, not two)."""
        if outbox_id is None:
            return True
        async with self.sm.begin() as s:
            res = await s.execute(sa_update(OutboxRow).where(OutboxRow.id == outbox_id, OutboxRow.delivered_at.is_(None))
                                  .values(delivered_at=self.clock()))
            return res.rowcount == 1

    async def release_receipt(self, outbox_id: int | None) -> None:
        """The direct send failed: leave the receipt to the outbox (delivery stays at least once)."""
        if outbox_id is not None:
            async with self.sm.begin() as s:
                await s.execute(sa_update(OutboxRow).where(OutboxRow.id == outbox_id).values(delivered_at=None))

    async def congress_level(self, user: UserView) -> str:
        """From the broadcast audience profile when staff set one; national otherwise."""
        from broadcasts.models import AudienceProfile

        async with self.sm() as s:
            profile = await s.get(AudienceProfile, user.id)
        return LEVELS.get((profile.congress_level or "").strip(), "national") if profile else "national"

    # -- self-check and submission ------------------------------------------------------------------
    async def check(self, draft_id: int, user: UserView) -> SelfCheckReport:
        content = await self.drafts.content(draft_id, author_of(user))
        search = getattr(self.core.kb, "search", None)
        kb = ScopedSearch(self.core.kb, scopes_for(user)) if callable(search) else None
        report = await acheck(content, sm=self.sm, kb=kb, embedder=await self.embedder(), author_id=author_of(user),
                              congress_level=await self.congress_level(user))
        # What submission would still refuse (a bill's co-signers, the step the draft is at) comes first: the
        # report must not say “可以提交” for a draft that cannot be submitted.
        reported = {f.part for f in report.findings if f.severity == SEVERITY_ERROR}
        blockers = [Finding("not_ready", SEVERITY_ERROR, msg, fix, key)
                    for key, msg, fix in await self.drafts.blockers(draft_id, author_of(user)) if key not in reported]
        report.findings[:0] = blockers
        return report

    async def submit(self, draft_id: int, user: UserView) -> Submitted:
        await self.embedder()
        return await self.drafts.submit(draft_id, author_of(user))
