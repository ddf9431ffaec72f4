"""Telegram handlers for broadcasts and read receipts (thin: parse, call the domain, reply), the background
sender and reminder loops, and the registration of these and the consultation handlers.

Register with ``register_broadcast_handlers(app, deps)`` BEFORE bot.app.register_handlers' catch-all
handlers (it uses handler group -1), and start the sender with ``start_background(app, deps)`` from the
Application's post_init (and ``stop_background`` from post_shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from storage.clock import BEIJING, utcnow
from storage.models import User

from broadcasts import audience as aud
from broadcasts import reminders, service
from broadcasts.models import AudienceProfile, Broadcast, BroadcastState, OutboxMessage
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig
from broadcasts.commands import (
    USAGE,
    broadcast_number,
    parse_audience,
    parse_profile,
    parse_when,
    split_audience,
)
from broadcasts.consult_handlers import ConsultationHandlers
from broadcasts.handler_base import HandlerBase, answered, beijing_time, keyboard, wake_sender

log = logging.getLogger(__name__)

PREVIEW_KEY = "bc_preview"  # user_data: the draft of this staff member's latest preview
RECEIPT_GONE = "该按钮已失效：找不到这条通知。"


class BroadcastHandlers(HandlerBase):
    def __init__(self, deps) -> None:  # bot.deps.BotDeps
        from broadcasts.compose_flow import ComposeFlow

        super().__init__(deps)
        self.compose = ComposeFlow(self)

    # ---- compose / preview / confirm -----------------------------------------------------------
    async def broadcast(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await self._staff(update)
        if user is None:
            return
        raw = (update.effective_message.text or "").split(maxsplit=1)
        if len(raw) == 1:  # bare /broadcast: step by step
            await self.compose.start(update, context, user)
            return
        await self.compose.abandon(context, user)  # a one-line /broadcast replaces a half-composed one
        word, rest = split_audience(raw[1])
        if not rest:
            await update.effective_message.reply_text(USAGE)
            return
        msg = update.effective_message
        doc = msg.reply_to_message.document if msg.reply_to_message else None
        try:
            spec = parse_audience(word)
            at, text = parse_when(rest)
        except (aud.AudienceError, service.BroadcastError) as e:
            await msg.reply_text(str(e))
            return
        await self.preview(msg, user, spec, at, text, doc, context)

    async def preview(self, msg, user, spec: aud.AudienceSpec, at: datetime | None, text: str, doc,
                      context) -> None:
        """Create the draft and reply with its preview (recipient count, time, attachment) and the
        确认发送 / 取消 buttons, or say why nothing was created."""
        attached = ""
        try:
            if at is not None and at <= utcnow():
                raise service.BroadcastError(f"定时发送的时间 {beijing_time(at)}（北京时间）已经过去，请写一个将来的时间；"
                                             "立即发送请去掉 @ 部分。")
            async with self.db.session() as s:  # refused before a file is fetched or anything stored
                if not await aud.count(s, spec):
                    raise await aud.nobody_error(s, spec)
            ref = None
            if doc is not None:
                service.validate_text(text, caption=True)  # before the file is taken in
                ref, attached = await self._check_attachment(doc, spec, context, scheduled=at is not None)
            async with self.db.session() as s, s.begin():
                b = await service.create(s, text, spec, created_by=user.id, document_ref=ref)
                b.scheduled_at = at
                p = await service.preview(s, b.id)
        except (aud.AudienceError, service.BroadcastError) as e:
            await msg.reply_text(str(e))
            return
        # the time as it was read (“@下周一” → 2026-12-07 09:00（星期一，北京时间）), for staff to check
        when = f"定时：{beijing_time(at)}（{weekday(at)}，北京时间）" if at else "确认后立即发送"
        if context.user_data is not None:  # a /cancel typed next cancels this draft (cancel_cmd)
            context.user_data[PREVIEW_KEY] = b.id
        searchable = ""
        if service.notice_is_substantive(p.text):
            from bot import formatting

            searchable = (f"\n通知正文{'定时发送时' if at else '确认发送时'}收入资料库，代表可提问查阅"
                          f"（可查阅范围：{formatting.scope_label(spec.scope(b.id))}）")
        await msg.reply_text(
            f"通知 #{p.broadcast_id} 预览\n接收范围：{p.audience}（{p.recipients} 人）\n{when}{attached}{searchable}"
            f"\n\n{p.text}",
            reply_markup=keyboard([[("确认发送", f"bc:ok:{b.id}"), ("取消", f"bc:no:{b.id}")]]))

    async def _check_attachment(self, doc, spec: aud.AudienceSpec, context, *,
                                scheduled: bool = False) -> tuple[str, str]:
        """Read the replied-to file (nothing is indexed yet: that happens on 确认发送, so a cancelled
        preview leaves the knowledge base as it was); returns (document_ref, preview line).
        Raises BroadcastError."""
        from bot import formatting, texts
        from storage.uploads import upload_problem

        problem = upload_problem(doc.file_name, doc.file_size)
        if problem:
            raise service.BroadcastError(texts.UPLOAD_BAD_TYPE if problem == "type" else texts.UPLOAD_TOO_LARGE)
        scope = spec.scope()
        data = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
        summary = await self.deps.core.uploads.check_bytes(doc.file_name, data, scope)
        _raise_unusable(summary, doc.file_name)
        return (service.attachment_ref(doc.file_id, doc.file_name),
                f"\n附件：《{doc.file_name}》（{summary.chunks} 个片段，{'定时发送时' if scheduled else '确认发送时'}收入资料库，"
                f"可查阅范围：{formatting.scope_label(scope)}）")

    async def confirm_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        user = await self._staff(update)
        if user is None:
            return
        _, action, raw_id = q.data.split(":")
        bid = int(raw_id)
        if action == "stop":
            await self._stop(q, bid, context)
            return
        if context.user_data is not None and context.user_data.get(PREVIEW_KEY) == bid:
            context.user_data.pop(PREVIEW_KEY, None)
        try:
            if action == "no":
                async with self.db.session() as s, s.begin():
                    await service.cancel_draft(s, bid)
                await q.answer("已取消")
                await q.edit_message_text(f"通知 #{bid} 已取消，未发送。")
                return
            async with self.db.session() as s:  # closed before the download and the embedding
                draft = await s.get(Broadcast, bid)
                if draft is None:
                    raise service.BroadcastError(f"找不到通知 #{bid}")
                if draft.state != BroadcastState.DRAFT.value:
                    raise service.not_a_draft(draft)
                at, ref, audience, text = draft.scheduled_at, draft.document_ref, draft.audience, draft.text
            later = at is not None and at > utcnow()
            if not later:  # a scheduled briefing's file is taken in at its send time (ingest_due_attachments)
                await ingest_attachment(self.deps, context.bot, bid, ref, audience)
            async with self.db.session() as s, s.begin():
                n = await service.confirm(s, bid, at=at)
                if later and service.attachment_file_id(ref):
                    await reminders.schedule_attachment(s, bid, at, audience)
                if service.notice_is_substantive(text):  # its text too, durably, in the confirming transaction
                    await reminders.schedule_attachment(s, bid, at if later else utcnow(), audience,
                                                        kind=reminders.NOTICE)
                b = await s.get(Broadcast, bid)
                b.progress_chat_id, b.progress_message_id = q.message.chat_id, q.message.message_id
        except service.BroadcastError as e:
            await q.answer(str(e), show_alert=True)
            return
        await q.answer("已确认")
        head = f"定时于 {beijing_time(b.scheduled_at)} 发送" if b.scheduled_at else "开始发送"
        label = "取消发送" if b.scheduled_at else "停止发送"
        await q.edit_message_text(f"通知 #{bid}：{head}，共 {n} 人。发送进度会在此更新。\n"
                                  f"如需{label}，点下方按钮或发送 /bccancel {bid}。",
                                  reply_markup=keyboard([[(label, f"bc:stop:{bid}")]]))
        wake_sender(context.application)
        if not later and service.notice_is_substantive(text):  # sent now: searchable now (retried if it fails)
            await take_in_notice(self.deps, bid)

    async def _stop(self, q, bid: int, context) -> None:
        """取消发送 / 停止发送 after confirmation: pending rows are not sent; the message says what was."""
        try:
            text = await self._cancel_confirmed(bid)
        except service.BroadcastError as e:
            await q.answer(str(e), show_alert=True)
            return
        await q.answer("已停止")
        await q.edit_message_text(text)

    async def _cancel_confirmed(self, bid: int) -> str:
        async with self.db.session() as s, s.begin():
            b = await s.get(Broadcast, bid)
            before = b.state if b is not None else None
            stopped = await service.cancel(s, bid)
        if before == BroadcastState.DRAFT.value:  # an unconfirmed preview: nothing was ever queued
            return f"通知 #{bid} 已取消，未发送。"
        async with self.db.session() as s:
            rep = await service.report(s, bid)
        tail = f"\n尚有 {rep.pending} 条已交给发送程序，可能仍会送达。" if rep.pending else ""
        head = (f"定时通知 #{bid} 已取消：{stopped} 人不会收到。\n" if before == BroadcastState.SCHEDULED.value
                else f"通知 #{bid} 已停止发送：{stopped} 人不再收到。\n")
        return head + rep.render() + tail

    async def bccancel_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/bccancel 编号: cancel a scheduled briefing or stop one being sent."""
        if await self._staff(update) is None:
            return
        bid = broadcast_number(context.args)
        if bid is None:
            await update.effective_message.reply_text("用法：/bccancel 通知编号（/bcreport 可查看编号）")
            return
        try:
            text = await self._cancel_confirmed(bid)
        except service.BroadcastError as e:
            await update.effective_message.reply_text(str(e))
            return
        await update.effective_message.reply_text(text)
        await self._retire_progress(context.bot, bid, text)

    async def _retire_progress(self, bot, bid: int, text: str) -> None:
        """After /bccancel the confirmation message would keep offering 停止发送 for a broadcast that is
        already stopped: it now says what happened, without the button."""
        async with self.db.session() as s:
            b = await s.get(Broadcast, bid)
            where = (b.progress_chat_id, b.progress_message_id) if b is not None else (None, None)
        if not all(where):
            return
        try:
            await bot.edit_message_text(text, chat_id=where[0], message_id=where[1], reply_markup=None)
        except TelegramError:  # too old or deleted: the reply above already says it
            pass

    async def cancel_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/cancel right after a preview cancels that draft (otherwise the suggestion module's /cancel
        answers, which knows nothing of broadcasts)."""
        bid = context.user_data.pop(PREVIEW_KEY, None) if context.user_data is not None else None
        if bid is None:
            return
        if await self._staff(update) is None:
            raise ApplicationHandlerStop
        try:
            async with self.db.session() as s, s.begin():
                await service.cancel_draft(s, bid)
        except service.BroadcastError:
            return  # already confirmed or cancelled: let /cancel mean what it means elsewhere
        await update.effective_message.reply_text(f"通知 #{bid} 已取消，未发送。")
        raise ApplicationHandlerStop

    async def profile_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/profile 用户编号 [层级:省] [标签:教育,医疗]: the audience facts behind 层级 and 标签 audiences."""
        if await self._staff(update) is None:
            return
        msg = update.effective_message
        try:
            user_id, level, tags = parse_profile(context.args or [])
            async with self.db.session() as s, s.begin():
                if await s.get(User, user_id) is None:
                    raise aud.AudienceError(f"找不到用户编号 {user_id}（/users 可查看编号）")
                await aud.set_profile(s, user_id, congress_level=level, tags=tags)
                row = await s.get(AudienceProfile, user_id)
                shown = f"层级：{row.congress_level or '未设'}；标签：{'、'.join(row.tags or []) or '无'}"
        except aud.AudienceError as e:
            await msg.reply_text(str(e))
            return
        await msg.reply_text(f"已更新用户 #{user_id} 的接收分组。{shown}")

    async def report_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._staff(update) is None:
            return
        args = context.args or []
        try:
            async with self.db.session() as s:
                if not args:
                    items = await service.list_recent(s)
                    lines = [f"#{b.id} [{service.state_label(b.state)}"
                             + (f" {beijing_time(b.scheduled_at)}" if b.state == BroadcastState.SCHEDULED.value else "")
                             + f"] {list_title(b.text)}" for b in items] \
                        or ["还没有发送过通知。"]
                    await update.effective_message.reply_text("最近的通知（/bcreport 编号 查看详情）：\n" + "\n".join(lines))
                    return
                bid = broadcast_number(args)
                if bid is None:
                    raise ValueError(args)
                rep, rs = await service.report(s, bid), await service.read_status(s, bid)
        except ValueError as e:  # BroadcastError is a ValueError too
            await update.effective_message.reply_text(str(e) if isinstance(e, service.BroadcastError)
                                                      else "用法：/bcreport 通知编号")
            return
        await update.effective_message.reply_text(report_text(rep, rs))

    async def read_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        if await self._user(update) is None:  # a suspended deputy's press does not count
            return
        outbox_id = int(q.data.split(":")[1])
        async with self.db.session() as s, s.begin():
            first = await service.mark_read(s, outbox_id, q.from_user.id)
            # not this person's delivery (no such row, or someone else's): the button is stale, not "already read"
            mine = first or await s.scalar(select(OutboxMessage.id).where(
                OutboxMessage.id == outbox_id, OutboxMessage.chat_id == q.from_user.id)) is not None
        if not mine:
            await q.answer(RECEIPT_GONE, show_alert=True)
            return
        await q.answer("已确认阅读，谢谢！" if first else "您已确认过。")
        if first:
            try:
                await q.edit_message_reply_markup(reply_markup=None)
            except Exception:  # message too old to edit: the receipt is recorded anyway
                pass


def list_title(text: str, width: int = 30) -> str:
    """A /bcreport list line's title: the first non-empty line, whitespace collapsed, clipped with "…"."""
    first = next((line for line in (text or "").splitlines() if line.strip()), "")
    first = " ".join(first.split())
    return first if len(first) <= width else first[:width - 1] + "…"


def report_text(rep: service.DeliveryReport, rs: service.ReadStatus) -> str:
    """/bcreport N: the delivery report with the read receipts merged in (each number said once): the report's
    "已阅 x/y" line becomes "已阅 x 人，未阅 z 人", and the unread names follow at the end."""
    lines = [line for line in rep.render().split("\n") if not line.startswith("已阅 ")]
    if rep.state == BroadcastState.SCHEDULED.value and rep.scheduled_at:  # “待发送 30” alone read as stuck
        lines.insert(1, f"定时于 {beijing_time(rep.scheduled_at)}（北京时间）发送，尚未开始；"
                        f"/bccancel {rep.broadcast_id} 可取消")
    if rs.delivered:
        lines.insert(2, f"已阅 {rs.read} 人，未阅 {len(rs.unread)} 人")
        names = rs.render().split("\n")[1:]
        if names:
            lines += ["", "未阅：", *names]
    return "\n".join(lines)


def progress_markup(rep: service.DeliveryReport) -> InlineKeyboardMarkup | None:
    """The live progress message keeps a 停止发送 button while rows are still waiting."""
    if rep.pending and rep.state in (BroadcastState.SCHEDULED.value, BroadcastState.SENDING.value):
        return keyboard([[("停止发送", f"bc:stop:{rep.broadcast_id}")]])
    return None


def progress_editor(bot):
    """The worker's progress callback: keeps the sender's confirmation message up to date."""

    async def progress(rep: service.DeliveryReport, b: Broadcast) -> None:
        # After /bccancel that message says the broadcast was stopped; a batch still in flight must not
        # overwrite it with a plain progress report.
        if b.state == BroadcastState.CANCELLED.value or not (b.progress_chat_id and b.progress_message_id):
            return
        await bot.edit_message_text(rep.render(), chat_id=b.progress_chat_id, message_id=b.progress_message_id,
                                    reply_markup=progress_markup(rep))

    return progress


def register_broadcast_handlers(app: Application, deps, *, group: int = -1) -> BroadcastHandlers:
    h = BroadcastHandlers(deps)
    c = ConsultationHandlers(deps)
    db = deps.core.db

    async def received(user) -> set[str]:  # attachments and texts of briefings sent to a level, tag or list
        async with db.session() as s:
            return (await aud.received_scopes(s, user.id, staff=user.is_staff)
                    | await reminders.notice_scopes(s, user.id, staff=user.is_staff))

    deps.core.qa.scope_providers.append(received)
    app.add_handler(CommandHandler("broadcast", h.broadcast), group)
    app.add_handler(CommandHandler("bcreport", h.report_cmd), group)
    app.add_handler(CommandHandler("profile", h.profile_cmd), group)
    app.add_handler(CommandHandler("consult", c.consult_cmd), group)
    app.add_handler(CommandHandler("consultexport", c.export_cmd), group)
    app.add_handler(CommandHandler("bccancel", h.bccancel_cmd), group)
    app.add_handler(CommandHandler("cancel", h.cancel_cmd), group)
    app.add_handler(CallbackQueryHandler(answered(h.confirm_cb), pattern=r"^bc:(ok|no|stop):\d+$"), group)
    app.add_handler(CallbackQueryHandler(answered(h.read_cb), pattern=r"^rd:\d+$"), group)
    app.add_handler(CallbackQueryHandler(answered(c.browse_cb), pattern=r"^(cs:\d+|cc:\d+:\d+|ca:\d+:\d+)$"), group)
    app.add_handler(CallbackQueryHandler(answered(c.opinion_cb), pattern=r"^co:\d+:\d+$"), group)
    app.add_handler(CallbackQueryHandler(answered(c.held_cb), pattern=r"^cf:(ok|re|tx|qa):[0-9a-f]{8}$"), group)
    app.add_handler(CallbackQueryHandler(answered(c.consult_cb), pattern=r"^cp:(ok|no):[0-9a-f]{8}$"), group)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & (filters.TEXT | filters.VOICE | filters.AUDIO),
                                   c.opinion_msg), group - 1)
    h.compose.register(app, group - 2)
    return h


async def start_background(app: Application, deps, config: WorkerConfig | None = None,
                           reminder_before: timedelta = reminders.DEFAULT_BEFORE) -> None:
    """Start the outbox sender and the reminder scheduler as tasks of the running Application.
    Note: the bot's HTTP pool must allow ``config.concurrency`` parallel requests
    (``HTTPXRequest(connection_pool_size=...)``), or sends queue behind each other."""
    from broadcasts.schema import ensure_tables

    db = deps.core.db
    await ensure_tables(db)
    stop, wake = asyncio.Event(), asyncio.Event()
    bot = app.bot

    worker = OutboxWorker(db, make_send(bot), config, on_progress=progress_editor(bot))

    async def reminder_loop() -> None:
        while not stop.is_set():
            wait = 60.0
            try:
                async with db.session() as s, s.begin():
                    if await reminders.tick(s, before=reminder_before):
                        wake.set()
                await ingest_due_attachments(deps, bot)
                await ingest_due_notices(deps)
                async with db.session() as s:
                    nxt = await reminders.next_attachment_due(s)
                if nxt is not None:  # a scheduled briefing's file or text: searchable soon after it goes out
                    wait = min(wait, max(1.0, (nxt - utcnow()).total_seconds()))
            except Exception:
                log.exception("reminder tick failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def sender_loop() -> None:
        while not stop.is_set():
            try:
                await worker.run(wake, idle_sleep=2.0)  # returns when woken; loop clears and resumes
            except Exception:
                log.exception("outbox worker crashed; restarting in 5 s")
                await asyncio.sleep(5)
            wake.clear()

    app.bot_data.update(bc_stop=stop, bc_wake=wake, bc_worker=worker, bc_tasks=[
        asyncio.create_task(sender_loop(), name="bc-sender"),
        asyncio.create_task(reminder_loop(), name="bc-reminders")])


async def stop_background(app: Application) -> None:
    stop = app.bot_data.get("bc_stop")
    if stop is None:
        return
    stop.set()
    app.bot_data["bc_wake"].set()
    for t in app.bot_data.get("bc_tasks", []):
        t.cancel()
    await asyncio.gather(*app.bot_data.get("bc_tasks", []), return_exceptions=True)


async def ingest_attachment(deps, bot, broadcast_id: int, document_ref: str | None, audience: dict) -> None:
    """Take a briefing's file into the knowledge base for its audience, so deputies can ask about it.
    The document is keyed by the broadcast: another 通知.docx to another audience does not replace it.
    Raises BroadcastError (on confirmation the broadcast then stays a draft)."""
    file_id = service.attachment_file_id(document_ref)
    if file_id is None:
        return
    name = service.attachment_name(document_ref)
    try:
        data = bytes(await (await bot.get_file(file_id)).download_as_bytearray())
    except TelegramError as e:
        raise service.BroadcastError(f"附件《{name}》暂时无法从 Telegram 取回（{e}），请稍后再确认。") from e
    scope = aud.AudienceSpec.from_json(audience).scope(broadcast_id)
    summary = await deps.core.uploads.ingest_bytes(name, data, scope, key=f"broadcast-{broadcast_id}")
    _raise_unusable(summary, name, outcome="通知未发送")


async def ingest_due_attachments(deps, bot, now: datetime | None = None) -> int:
    """Scheduled briefings whose time has come: take their files in (the background loop calls this;
    a failure is retried on the next round). A cancelled briefing's file is never taken in."""
    db = deps.core.db
    async with db.session() as s:
        due = await reminders.due_attachments(s, now=now)
    done = 0
    for bid in due:
        async with db.session() as s:
            b = await s.get(Broadcast, bid)
        if b is not None and b.state not in (BroadcastState.CANCELLED.value, BroadcastState.DRAFT.value):
            try:
                await ingest_attachment(deps, bot, b.id, b.document_ref, b.audience)
            except service.BroadcastError:
                log.warning("attachment of broadcast=%s not taken in yet; retrying", bid, exc_info=True)
                continue
            done += 1
        async with db.session() as s, s.begin():
            await reminders.attachment_taken_in(s, bid)
    return done


NOTICE_RETRY = timedelta(minutes=5)


async def ingest_notice(deps, broadcast_id: int, text: str, audience: dict, sent_at: datetime) -> None:
    """Take a sent briefing's own text into the knowledge base, like its attachment (``ingest_attachment``):
    the audience's scope (``broadcast:<id>`` for a level, tag or list), a document keyed by the broadcast,
    titled «通知（2026-12-01）：请于12月10日前报送…» so the answer card cites it. The same broadcast always
    makes the same document, so taking it in again (a retry) replaces it with itself: never a duplicate."""
    name, data = service.notice_document(broadcast_id, text, sent_at)
    scope = aud.AudienceSpec.from_json(audience).scope(broadcast_id)
    summary = await deps.core.uploads.ingest_bytes(name, data, scope, key=f"broadcast-{broadcast_id}-text")
    if summary.errors:
        raise service.BroadcastError("；".join(summary.errors))


async def take_in_notice(deps, broadcast_id: int, now: datetime | None = None) -> bool:
    """Take the text of a confirmed briefing in, if its row (``reminders.NOTICE``) is still open, and close the
    row; a cancelled (or never confirmed) briefing's text is never taken in. A failure is logged and the row
    postponed, so the background loop tries again (the briefing itself is sent either way)."""
    db = deps.core.db
    async with db.session() as s:
        b = await s.get(Broadcast, broadcast_id)
        sent_at = await reminders.notice_sent_at(s, broadcast_id, open_only=True)
    if sent_at is None:
        return False
    taken = False
    if b is not None and b.state not in (BroadcastState.CANCELLED.value, BroadcastState.DRAFT.value):
        try:
            await ingest_notice(deps, b.id, b.text, b.audience, sent_at)
        except Exception:
            log.warning("text of broadcast=%s not taken in yet; retrying", broadcast_id, exc_info=True)
            async with db.session() as s, s.begin():
                await reminders.postpone_notice(s, broadcast_id, NOTICE_RETRY, now=now)
            return False
        taken = True
    async with db.session() as s, s.begin():
        await reminders.attachment_taken_in(s, broadcast_id, kind=reminders.NOTICE)
    return taken


async def ingest_due_notices(deps, now: datetime | None = None) -> int:
    """Briefings whose text is due (a scheduled one at its send time, one whose taking-in failed on retry):
    take them in (the background loop calls this). Returns how many were taken in."""
    async with deps.core.db.session() as s:
        due = await reminders.due_attachments(s, now=now, kind=reminders.NOTICE)
    return sum([await take_in_notice(deps, bid, now=now) for bid in due])


def weekday(t: datetime) -> str:
    """The Beijing weekday of a naive UTC time: 星期一 … 星期日."""
    return "星期" + "一二三四五六日"[t.replace(tzinfo=UTC).astimezone(BEIJING).weekday()]


def _raise_unusable(summary, file_name: str, outcome: str = "通知未创建") -> None:
    if summary.errors or not summary.chunks:
        why = "；".join(summary.errors) or "未读出任何文字"
        raise service.BroadcastError(f"附件《{file_name}》无法收入资料库（{why}），{outcome}。"
                                     "请检查文件后重新上传。")
