"""Text questions, /schedule and the answer card's buttons."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import formatting, keyboards, texts
from bot.deps import BotDeps
from bot.guard import require_user
from bot.replies import send_pages
from retrieval.followup import FOLLOWUP_WINDOW_S, read_followup, relative_month
from retrieval.typos import fix_homophones
from storage.qa import MAX_QUESTION_CHARS, QAResult, QuestionProblem, check_question, question_count, small_talk
from storage.schedule import named_first, schedule_months_in
from storage.views import UserView

log = logging.getLogger(__name__)


class QAHandlers:
    # A question is read on from the user's previous one (retrieval.followup) only if that was asked this recently.
    followup_window_s: float = FOLLOWUP_WINDOW_S

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps
        self.core = deps.core
        self._told_until: dict[int, float] = {}  # user id -> until when the rate-limit notice stands

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        await self.answer_text(update, user, update.effective_message.text or "")

    async def answer_text(self, update: Update, user: UserView, question: str) -> None:
        """A typed question: refused when empty or too long, a month's schedule, or the answer card. Also the
        way on for a question held aside mid-draft or mid-opinion (这是提问)."""
        msg = update.effective_message
        if talk := small_talk(question):
            await msg.reply_text(texts.SMALL_TALK[talk])
            return
        problem = check_question(question)
        if problem is QuestionProblem.EMPTY:
            await msg.reply_text(texts.QUESTION_EMPTY)
            return
        if problem is QuestionProblem.TOO_LONG:
            await msg.reply_text(texts.QUESTION_TOO_LONG.format(n=len(question.strip()), max=MAX_QUESTION_CHARS))
            return
        if problem is QuestionProblem.NOT_CHINESE:
            await msg.reply_text(texts.QUESTION_NOT_CHINESE)
            return
        today = self.core.schedule.today()
        question = fix_homophones(question)  # “宁厦8约份有啥安牌”: the schedule is asked for too, not only the search
        months = schedule_months_in(question, today)
        if months is not None and relative_month(question):  # “那下个月呢” after “宁夏8月份…”: 9月, not today's next
            query, lead = await self.read_on(user, question)
            if lead is not None and (asked := schedule_months_in(query, today)) is not None:
                await self._send_schedule(update, user, asked, query, lead)
                return
        if months is not None:
            await self._send_schedule(update, user, months, question)
            return
        if events := await self.core.schedule.events_named(user, question):  # “中卫视察是哪天”: staff's own events
            await self.core.qa.record(user, question, "schedule")
            await send_pages(msg, formatting.events_named(events))
            return
        # An elliptical follow-up (“那答复期限是多久？”“那宁夏呢？”) is searched with the previous question's subject.
        query, lead = await self.read_on(user, question)
        if lead is not None and (months := schedule_months_in(query, today)) is not None:  # “那9月呢？” after 8月的安排
            await self._send_schedule(update, user, months, query, lead)
            return
        if not await self.allowed(update, user):
            return
        if (n := question_count(question)) > 1:
            lead = (lead or "") + formatting.e(texts.SEVERAL_QUESTIONS.format(n=n)) + "\n"
        result = await self.ask(user, query)
        await send_pages(msg, formatting.answer_card(result, lead=lead), self.card_keyboard(result))

    async def read_on(self, user: UserView, question: str) -> tuple[str, str | None]:
        """(query to search, lead line or None): an elliptical follow-up (“那答复期限是多久？”“那宁夏呢？”), typed or
        spoken, is searched with the user's previous question's subject, and the lead says how it was understood."""
        previous = await self.core.qa.last_question(user, self.followup_window_s)
        if previous is None:
            return question, None
        followup = await asyncio.to_thread(read_followup, question, previous)  # jieba's tagger: not on the loop
        if not followup.resolved:
            return question, None
        log.info("follow-up user=%s reason=%s", user.id, followup.reason)
        return followup.query, formatting.e(texts.FOLLOWUP_UNDERSTOOD.format(query=followup.query)) + "\n"

    async def allowed(self, update: Update, user: UserView, *, tell_always: bool = False) -> bool:
        """``tell_always``: reply the notice even when this wait was already announced (voice notes)."""
        decision = await self.core.limiter.hit(user.id)
        if not decision.allowed:
            log.info("rate limited user=%s", user.id)
            # One notice per wait for typed questions: a burst of 25 messages got 10 identical ones.
            now = time.monotonic()
            if tell_always or self._told_until.get(user.id, 0.0) <= now:
                self._told_until[user.id] = now + decision.retry_after_s
                await update.effective_message.reply_text(texts.RATE_LIMITED.format(s=decision.retry_after_s))
        return decision.allowed

    async def ask(self, user: UserView, question: str, **kw: object) -> QAResult:
        t0 = time.perf_counter()
        result = await self.core.qa.ask(user, question, **kw)
        # INFO logs carry ids and timings, never the question or the answer.
        log.info(
            "answered user=%s query=%s hits=%d found=%s ms=%.0f",
            user.id, result.query_id, len(result.hits), result.found, (time.perf_counter() - t0) * 1000,
        )
        return result

    @staticmethod
    def card_keyboard(result: QAResult):  # noqa: ANN205
        return keyboards.answer_keyboard(result.query_id, len(result.hits)) if result.hits else None

    async def schedule(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        await self._send_schedule(update, user, None)

    async def _send_schedule(self, update: Update, user: UserView, months: list[tuple[int, int]] | None,
                             question: str = "", lead: str | None = None) -> None:
        plans = named_first(await self.core.schedule.plan(user, months), question)
        log.info("schedule user=%s months=%s", user.id, [f"{p.year}-{p.month:02d}" for p in plans])
        if question:  # the user's last question, for a follow-up (“那9月呢？”); not /schedule itself
            await self.core.qa.record(user, question, "schedule")
        years = {p.year for p in plans} or {self.core.schedule.today().year}
        pages = formatting.schedule(plans, self.core.schedule.year_round(user, years), hint_only=len(plans) == 1)
        await send_pages(update.effective_message, formatting.paginate([lead, *pages]) if lead else pages)

    async def callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        cq = update.callback_query
        cb = keyboards.decode(cq.data)
        if cb is None or cb.action == "a":
            if cb is None:
                await cq.answer(texts.EXPIRED_BUTTON, show_alert=True)
            return  # "a" is handled by the voice handlers
        user = await require_user(update, self.deps)
        if user is None:
            return
        chat_msg = cq.message
        if cb.action == "s":
            hit = await self.core.qa.source(user, cb.query_id, cb.arg)
            if hit is None:
                await cq.answer(texts.EXPIRED_BUTTON, show_alert=True)
                return
            await cq.answer()
            for page in formatting.passage(hit, cb.arg + 1):
                await chat_msg.chat.send_message(page, parse_mode=ParseMode.HTML)
        elif cb.action == "m":
            more = await self.core.qa.more(user, cb.query_id)
            if more is None:
                await cq.answer(texts.EXPIRED_BUTTON, show_alert=True)
                return
            await cq.answer()
            pages = formatting.more_results(more.hits, more.first_index + 1)
            kb = keyboards.sources_keyboard(cb.query_id, more.first_index, len(more.hits))
            for i, page in enumerate(pages):
                await chat_msg.chat.send_message(
                    page, parse_mode=ParseMode.HTML, reply_markup=kb if i == len(pages) - 1 else None
                )
        elif cb.action == "r":
            ok = await self.core.qa.rate(user, cb.query_id, bool(cb.arg))
            log.info("rated user=%s query=%s useful=%s ok=%s", user.id, cb.query_id, bool(cb.arg), ok)
            if not ok:
                await cq.answer(texts.EXPIRED_BUTTON, show_alert=True)
                return
            await cq.answer(texts.RATED_USEFUL if cb.arg else texts.RATED_USELESS)
