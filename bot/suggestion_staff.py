"""Staff commands for submitted suggestions and bills: /pending, /assign (top-3 recommendation with
scores, accept or override), /reply, /overdue (3- and 6-month deadlines), /merge, /analysis (PNG
chart and XLSX export as documents). Every status change is delivered to the deputy at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
import weakref
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import suggestion_texts as t
from bot import suggestion_views as v
from bot.deps import BotDeps
from bot.guard import require_user
from bot.suggestion_handlers import send
from bot.suggestion_outbox import deliver
from bot.suggestion_services import SuggestionServices
from storage.views import UserView
from suggestions.analysis import analyse_db
from suggestions.draft import inner_title
from suggestions.status import DUE_SOON, STATUS_ASSIGNED, STATUS_SUBMITTED, StatusError, assignee

log = logging.getLogger(__name__)

ALREADY_ASSIGNED = "编号 {id} 已处理（当前状态：{status}，承办单位：{units}），未重复交办。如需改派请发送 /assign {id} 单位。"
MERGE_SELF = "不能把编号 {id} 并入它自己，请写出要并入的其他编号。"
_ASSIGN_LOCKS: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

_COMPLEX = re.compile(r"^(6|六)\s*个?月$|^复杂$")
_UNIT_SPLIT = re.compile(r"[、，,；;\s]+")


def parse_assign(args: list[str]) -> tuple[int | None, list[str], bool]:
    """``/assign 12 交通运输部、公安部 6个月`` -> (12, [units], complex_case)."""
    if not args or not args[0].isdigit():
        return None, [], False
    rest = list(args[1:])
    complex_case = bool(rest) and bool(_COMPLEX.match(rest[-1]))
    if complex_case:
        rest = rest[:-1]
    units = [u for u in _UNIT_SPLIT.split(" ".join(rest)) if u]
    return int(args[0]), list(dict.fromkeys(units)), complex_case


def actor(user: UserView) -> str:
    return f"staff:{user.id}"


class SuggestionStaffHandlers:
    def __init__(self, deps: BotDeps, svc: SuggestionServices) -> None:
        self.deps = deps
        self.svc = svc
        self.status = svc.status

    async def _staff(self, update: Update) -> UserView | None:
        return await require_user(update, self.deps, staff=True)

    async def pending(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._staff(update) is None:
            return
        await send(update, v.pending_list(await self.status.awaiting_assignment()))

    async def assign(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await self._staff(update)
        if user is None:
            return
        sid, units, complex_case = parse_assign(context.args or [])
        if sid is None:
            await update.effective_message.reply_text(t.ASSIGN_USAGE)
            return
        try:
            if not units:
                text, keyboard = v.assign_view(await self.status.detail(sid), complex_case)
                await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
                return
            await self._assign(update, context, user, sid, units, complex_case)
        except StatusError as exc:
            await update.effective_message.reply_text(str(exc))

    async def assign_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        cq = update.callback_query
        user = await self._staff(update)
        if user is None:
            return
        c = v.parse_cb(cq.data)
        try:
            index, months = int(c.args[0]), int(c.args[1])
        except (AttributeError, IndexError, ValueError, KeyError):
            await cq.answer(t.EXPIRED, show_alert=True)
            return
        # Two presses of 采纳 (or two staff at once) are serialised: the second finds it assigned.
        async with _ASSIGN_LOCKS.setdefault(c.id, asyncio.Lock()):
            try:
                detail = await self.status.detail(c.id)
                unit = assignee(detail.recommended[index])
                if detail.status != STATUS_SUBMITTED:
                    raise StatusError(ALREADY_ASSIGNED.format(id=c.id, status=detail.status,
                                                              units="、".join(detail.units) or "—"))
                await self._assign(update, context, user, c.id, [unit], months == 6)
            except (IndexError, KeyError):
                await cq.answer(t.EXPIRED, show_alert=True)
                return
            except StatusError as exc:
                await cq.answer(str(exc), show_alert=True)
                with contextlib.suppress(TelegramError):  # the buttons are stale either way
                    await cq.edit_message_reply_markup(reply_markup=None)
                return
        await cq.answer()
        await cq.edit_message_reply_markup(reply_markup=None)

    async def _assign(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, sid: int,
                      units: list[str], complex_case: bool) -> None:
        detail = await self.status.detail(sid)
        recommended = [assignee(r) for r in detail.recommended]
        due = await self.status.assign(sid, units, actor=actor(user), complex_case=complex_case)
        how = t.HOW_ACCEPTED if recommended and units[0] == recommended[0] else t.HOW_OVERRIDE
        if detail.status == STATUS_ASSIGNED:  # a second /assign is a 改派: say from whom
            how = t.HOW_REASSIGNED.format(old="、".join(detail.units))
        log.info("suggestion assigned staff=%s suggestion=%s units=%d accepted=%s", user.id, sid, len(units),
                 how == t.HOW_ACCEPTED)
        await update.effective_chat.send_message(t.ASSIGNED.format(
            id=sid, title=inner_title(detail.title), units="、".join(units), how=how, day=v.day(due),
            months=6 if complex_case else 3))
        await deliver(context.bot, self.svc)

    async def reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await self._staff(update)
        if user is None:
            return
        parts = (update.effective_message.text or "").split(maxsplit=2)
        if len(parts) < 3 or not parts[1].isdigit():
            await update.effective_message.reply_text(t.REPLY_USAGE)
            return
        sid = int(parts[1])
        try:
            await self.status.record_reply(sid, parts[2], actor=actor(user))
            title = (await self.status.detail(sid)).title
        except StatusError as exc:
            await update.effective_message.reply_text(str(exc))
            return
        await update.effective_message.reply_text(t.REPLY_DONE.format(id=sid, title=inner_title(title)))
        await deliver(context.bot, self.svc)

    async def progress(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._move(update, context, t.PROGRESS_USAGE, self.status.start, t.PROGRESS_DONE)

    async def rehandle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._move(update, context, t.REHANDLE_USAGE, self.status.rehandle, t.REHANDLE_DONE)

    async def _move(self, update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str, step, done: str) -> None:
        """A status step that needs only the item number (办理中, 重新办理); the deputy is notified."""
        user = await self._staff(update)
        if user is None:
            return
        args = context.args or []
        if len(args) != 1 or not args[0].isdigit():
            await update.effective_message.reply_text(usage)
            return
        sid = int(args[0])
        try:
            await step(sid, actor=actor(user))
            detail = await self.status.detail(sid)
        except StatusError as exc:
            await update.effective_message.reply_text(str(exc))
            return
        await update.effective_message.reply_text(
            done.format(id=sid, title=inner_title(detail.title), day=v.day(detail.due_at)))
        await deliver(context.bot, self.svc)

    async def overdue(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._staff(update) is None:
            return
        late = await self.status.flag_overdue()
        soon = await self.status.due_soon()
        await send(update, v.overdue_pages(late, soon, DUE_SOON.days))
        await deliver(context.bot, self.svc)  # first-time flags reach the other staff too

    async def merge(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await self._staff(update)
        if user is None:
            return
        args = context.args or []
        if len(args) < 2 or not all(a.isdigit() for a in args):
            await update.effective_message.reply_text(t.MERGE_USAGE)
            return
        primary = int(args[0])
        dups = list(dict.fromkeys(int(a) for a in args[1:] if int(a) != primary))
        if not dups:
            await update.effective_message.reply_text(MERGE_SELF.format(id=primary) + "\n" + t.MERGE_USAGE)
            return
        try:
            await self.status.merge(primary, dups, actor=actor(user))
        except StatusError as exc:
            await update.effective_message.reply_text(str(exc))
            return
        await update.effective_message.reply_text(t.MERGE_DONE.format(id=primary, dups="、".join(map(str, dups))))
        await deliver(context.bot, self.svc)

    async def analysis(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._staff(update) is None:
            return
        msg = update.effective_message
        status = await msg.reply_text(t.ANALYSIS_WORKING)
        with tempfile.TemporaryDirectory(prefix="sugg-analysis-") as tmp:
            result = await analyse_db(self.svc.sm, Path(tmp))
            total = sum(result.counts.get("办理状态", {}).values())
            if total == 0:
                await status.edit_text(t.ANALYSIS_EMPTY)
                return
            pages = v.analysis_text(result, total)
            await status.edit_text(pages[0], parse_mode=ParseMode.HTML)
            for page in pages[1:]:
                await msg.reply_text(page, parse_mode=ParseMode.HTML)
            for path in (result.chart, result.xlsx):
                if path is not None and path.exists():
                    with path.open("rb") as fh:
                        await msg.reply_document(fh, filename=path.name)
        log.info("analysis sent items=%d", total)
