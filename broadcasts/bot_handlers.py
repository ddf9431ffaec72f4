"""Telegram handlers for broadcasts, read receipts and consultations (thin: parse, call the domain, reply).

Register with ``register_broadcast_handlers(app, deps)`` BEFORE bot.app.register_handlers' catch-all
handlers (it uses handler group -1), and start the sender with ``start_background(app, deps)`` from the
Application's post_init (and ``stop_background`` from post_shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
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
from broadcasts import consultation as cons
from broadcasts import reminders, service
from broadcasts.models import AudienceProfile, Broadcast, BroadcastState, Consultation, DraftArticle
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

log = logging.getLogger(__name__)

USAGE = ("用法：只发送 /broadcast，按提示一步步选择范围、填写内容和时间；或一次写全：\n"
         "/broadcast 范围 [@YYYY-MM-DD HH:MM] 通知内容\n"
         "范围：全体 | 代表团:名称 | 委员会:名称 | 层级:全国/省/市/县/乡 | 标签:名称 | 名单:用户编号,用户编号\n"
         "例：/broadcast 代表团:广东代表团 @2026-03-05 08:30 请于九点前到驻地大厅集合。\n"
         "带附件：先上传文件（PDF/DOCX 等），再回复该文件发送 /broadcast 范围 说明文字；"
         "附件随通知发出，并收入资料库供代表提问。")
_KIND_WORDS = {"代表团": "delegation", "委员会": "committee", "层级": "level", "标签": "tag", "名单": "list"}
_AT = re.compile(r"^@(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s+(\d{1,2})[:：](\d{2})\s*")
# A list's ids may be written with spaces around the commas ("名单:2, 6"): one audience word.
_LIST_WORD = re.compile(r"^名单\s*[:：]\s*\d+(?:\s*[,，、]\s*\d+)*")


def split_audience(rest: str) -> tuple[str, str]:
    """"名单:2, 6 @… 内容" → ("名单:2,6", "@… 内容"); otherwise the first word and the rest."""
    rest = rest.strip()
    m = _LIST_WORD.match(rest)
    if m:
        return re.sub(r"\s+", "", m.group(0)), rest[m.end():].strip()
    word, _, tail = rest.partition(" ") if " " in rest else rest.partition("\n")
    return word, tail.strip()


PREVIEW_KEY = "bc_preview"  # user_data: the draft of this staff member's latest preview
OPINION_KEY = "bc_opinion"  # user_data: (consultation id, article id or None) while an opinion is awaited
PREVIEW_GONE = "该预览已处理过（已发布、已取消或已被新的预览取代），不会重复发布。"
HELD_GONE = "这条内容已处理过（已提交或已放弃），不会重复提交。"
_QUESTION_STEP = "problem"  # a free-text step of the suggestion wizard: its question test, no step exceptions


def looks_like_question(text: str) -> bool:
    """A question to the assistant sent where an opinion was awaited (“代表有哪些权利？”): the test the
    suggestion wizard applies to its free-text steps (ends with ？, or short with 什么/怎么/吗/哪/几…)."""
    from suggestions.draft import looks_like_question as asks

    return asks(text, _QUESTION_STEP)


def _broadcast_number(args: list[str] | None) -> int | None:
    """"2" or "#2" (as /bcreport lists them) → 2."""
    word = (args or [""])[0].lstrip("#＃")
    return int(word) if word.isdigit() else None


def parse_audience(word: str) -> aud.AudienceSpec:
    if word in ("全体", "全部", "all"):
        return aud.AudienceSpec()
    kind, _, value = word.partition(":") if ":" in word else word.partition("：")
    if kind not in _KIND_WORDS:
        raise aud.AudienceError(f"无法识别接收范围“{word}”。\n{USAGE}")
    if _KIND_WORDS[kind] == "list":
        try:
            ids = tuple(dict.fromkeys(int(x) for x in re.split(r"[,，、]", value) if x.strip()))
        except ValueError as e:
            raise aud.AudienceError("名单应为以逗号分隔的用户编号，例如 名单:3,8,15") from e
        return aud.AudienceSpec("list", user_ids=ids)
    return aud.AudienceSpec(_KIND_WORDS[kind], value.strip())


def parse_when(text: str) -> tuple[datetime | None, str]:
    """"@2026-03-05 08:30 rest" (Beijing time) -> (naive UTC, rest)."""
    m = _AT.match(text)
    if not m:
        if re.match(r"^@\s*\d", text):  # meant as a time but unreadable: never sent as part of the text
            raise service.BroadcastError("定时格式应为 @年-月-日 时:分，例如 @2026-03-05 08:30")
        return None, text
    try:
        local = datetime(*(int(g) for g in m.groups()), tzinfo=BEIJING)
    except ValueError as e:
        raise service.BroadcastError("定时格式应为 @年-月-日 时:分，例如 @2026-03-05 08:30") from e
    return local.astimezone(UTC).replace(tzinfo=None), text[m.end():]


LEVELS = ("全国", "省", "市", "县", "乡")
PROFILE_USAGE = ("用法：/profile 用户编号 [层级:全国/省/市/县/乡] [标签:名称,名称]\n"
                 "例：/profile 12 层级:省 标签:教育,农业农村（标签:无 清空标签）")


def parse_profile(args: list[str]) -> tuple[int, str | None, list[str] | None]:
    """["12", "层级:省", "标签:教育,医疗"] -> (12, "省", ["教育", "医疗"]); unset parts are None."""
    if not args or not args[0].isdigit() or len(args) == 1:
        raise aud.AudienceError(PROFILE_USAGE)
    level, tags = None, None
    for word in args[1:]:
        key, _, value = word.replace("：", ":").partition(":")
        if key == "层级" and value in LEVELS:
            level = value
        elif key == "标签" and value:
            tags = [] if value == "无" else [t for t in re.split(r"[,，、]", value) if t.strip()]
        else:
            raise aud.AudienceError(f"无法识别“{word}”。\n{PROFILE_USAGE}")
    return int(args[0]), level, tags


def _kb(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


class BroadcastHandlers:
    def __init__(self, deps) -> None:  # bot.deps.BotDeps
        from broadcasts.compose_flow import ComposeFlow

        self.deps = deps
        self.db = deps.core.db
        self.compose = ComposeFlow(self)
        self._qa = None  # bot.qa_handlers.QAHandlers, made on the first 这是提问

    async def _staff(self, update: Update):
        from bot.guard import require_user

        return await require_user(update, self.deps, staff=True)

    async def _user(self, update: Update):
        from bot.guard import require_user

        return await require_user(update, self.deps)

    # ---- compose / preview / confirm -----------------------------------------------------------
    async def broadcast(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await self._staff(update)
        if user is None:
            return
        raw = (update.effective_message.text or "").split(maxsplit=1)
        if len(raw) == 1:  # bare /broadcast: step by step
            await self.compose.start(update, context)
            return
        self.compose.abandon(context)  # a one-line /broadcast replaces a half-composed one
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
                raise service.BroadcastError(f"定时发送的时间 {_bj(at)} 已经过去，请选择将来的时间")
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
        when = f"定时：{_bj(at)}" if at else "确认后立即发送"
        if context.user_data is not None:  # a /cancel typed next cancels this draft (cancel_cmd)
            context.user_data[PREVIEW_KEY] = b.id
        await msg.reply_text(
            f"通知 #{p.broadcast_id} 预览\n接收范围：{p.audience}（{p.recipients} 人）\n{when}{attached}\n\n{p.text}",
            reply_markup=_kb([[("确认发送", f"bc:ok:{b.id}"), ("取消", f"bc:no:{b.id}")]]))

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
                if draft is None or draft.state != BroadcastState.DRAFT.value:
                    raise service.BroadcastError(f"通知 #{bid} 已确认过（{service.state_label(draft.state)}），"
                                                 "不会重复发送" if draft else f"找不到通知 #{bid}")
                at, ref, audience = draft.scheduled_at, draft.document_ref, draft.audience
            later = at is not None and at > utcnow()
            if not later:  # a scheduled briefing's file is taken in at its send time (ingest_due_attachments)
                await ingest_attachment(self.deps, context.bot, bid, ref, audience)
            async with self.db.session() as s, s.begin():
                n = await service.confirm(s, bid, at=at)
                if later and service.attachment_file_id(ref):
                    await reminders.schedule_attachment(s, bid, at, audience)
                b = await s.get(Broadcast, bid)
                b.progress_chat_id, b.progress_message_id = q.message.chat_id, q.message.message_id
        except service.BroadcastError as e:
            await q.answer(str(e), show_alert=True)
            return
        await q.answer("已确认")
        head = f"定时于 {_bj(b.scheduled_at)} 发送" if b.scheduled_at else "开始发送"
        label = "取消发送" if b.scheduled_at else "停止发送"
        await q.edit_message_text(f"通知 #{bid}：{head}，共 {n} 人。发送进度会在此更新。\n"
                                  f"如需{label}，点下方按钮或发送 /bccancel {bid}。",
                                  reply_markup=_kb([[(label, f"bc:stop:{bid}")]]))
        _wake(context.application)

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
            stopped = await service.cancel(s, bid)
        async with self.db.session() as s:
            rep = await service.report(s, bid)
        tail = f"\n尚有 {rep.pending} 条已交给发送程序，可能仍会送达。" if rep.pending else ""
        return f"通知 #{bid} 已停止发送：{stopped} 人不再收到。\n" + rep.render() + tail

    async def bccancel_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/bccancel 编号: cancel a scheduled briefing or stop one being sent."""
        if await self._staff(update) is None:
            return
        bid = _broadcast_number(context.args)
        if bid is None:
            await update.effective_message.reply_text("用法：/bccancel 通知编号（/bcreport 可查看编号）")
            return
        try:
            text = await self._cancel_confirmed(bid)
        except service.BroadcastError as e:
            await update.effective_message.reply_text(str(e))
            return
        await update.effective_message.reply_text(text)

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
                    lines = [f"#{b.id} [{service.state_label(b.state)}] {b.text[:30]}" for b in items] \
                        or ["还没有发送过通知。"]
                    await update.effective_message.reply_text("最近的通知（/bcreport 编号 查看详情）：\n" + "\n".join(lines))
                    return
                bid = _broadcast_number(args)
                if bid is None:
                    raise ValueError(args)
                rep, rs = await service.report(s, bid), await service.read_status(s, bid)
        except ValueError as e:  # BroadcastError is a ValueError too
            await update.effective_message.reply_text(str(e) if isinstance(e, service.BroadcastError)
                                                      else "用法：/bcreport 通知编号")
            return
        await update.effective_message.reply_text(rep.render() + "\n\n" + rs.render())

    async def read_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        if await self._user(update) is None:  # a suspended deputy's press does not count
            return
        async with self.db.session() as s, s.begin():
            first = await service.mark_read(s, int(q.data.split(":")[1]), q.from_user.id)
        await q.answer("已确认阅读，谢谢！" if first else "您已确认过。")
        if first:
            try:
                await q.edit_message_reply_markup(reply_markup=None)
            except Exception:  # message too old to edit: the receipt is recorded anyway
                pass

    # ---- consultation -------------------------------------------------------------------------
    async def consult_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply to an uploaded DOCX/PDF draft with: /consult 2026-03-20 [范围] → a preview (title, chapters and
        articles, deadline, audience and its size) with 确认发布 / 取消; nothing is published before 确认发布
        (the same command sent twice used to publish twice)."""
        user = await self._staff(update)
        if user is None:
            return
        msg = update.effective_message
        doc = msg.reply_to_message.document if msg.reply_to_message else None
        args = context.args or []
        if doc is None or not args:
            await msg.reply_text("用法：回复已上传的草案文件（DOCX/PDF），发送 /consult 截止日期 [范围]，"
                                 "例如 /consult 2026-03-20 全体")
            return
        try:
            local = datetime.strptime(args[0], "%Y-%m-%d").replace(hour=23, minute=59, tzinfo=BEIJING)
            deadline = local.astimezone(UTC).replace(tzinfo=None)
            word = split_audience(" ".join(args[1:]))[0] if len(args) > 1 else ""
            spec = parse_audience(word) if word else aud.AudienceSpec()
            if deadline <= utcnow():  # refused before the file is fetched
                raise cons.ConsultationError("截止时间必须晚于现在")
            async with self.db.session() as s:
                recipients = await aud.count(s, spec)
                if not recipients:
                    raise await aud.nobody_error(s, spec)
        except ValueError as e:
            await msg.reply_text(str(e) if isinstance(e, aud.AudienceError | cons.ConsultationError)
                                 else "截止日期格式应为 年-月-日，例如 2026-03-20")
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (doc.file_name or "draft.docx")
            await (await doc.get_file()).download_to_drive(path)
            try:
                draft = await asyncio.to_thread(cons.load_draft, path)
                async with self.db.session() as s, s.begin():
                    await cons.check_publishable(s, draft.title, deadline)
                    token = await cons.hold(s, user.id, cons.CONSULT_PREVIEW, {
                        "draft": cons.draft_to_json(draft), "deadline": deadline.isoformat(),
                        "audience": spec.to_json()})
            except cons.ConsultationError as e:
                await msg.reply_text(str(e))
                return
        await msg.reply_text(consult_preview_text(draft, deadline, spec, recipients),
                             reply_markup=_kb([[("确认发布", f"cp:ok:{token}"), ("取消", f"cp:no:{token}")]]))

    async def consult_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """确认发布 / 取消 of a /consult preview. The held preview is taken by compare-and-set in the same
        transaction as the publication: of two taps only one publishes, and a refusal (deadline passed,
        duplicate, audience now empty) rolls back and leaves the preview to be cancelled."""
        q = update.callback_query
        user = await self._staff(update)
        if user is None:
            return
        _, action, token = q.data.split(":")
        held, published = None, None
        try:
            async with self.db.session() as s, s.begin():
                held = await cons.take(s, user.id, cons.CONSULT_PREVIEW, token)
                if held is not None and action == "ok":
                    published = await self._publish_held(s, held, user.id)
        except (cons.ConsultationError, service.BroadcastError, aud.AudienceError) as e:
            await q.answer(str(e), show_alert=True)
            return
        if held is None:
            await q.answer(PREVIEW_GONE, show_alert=True)
            return
        if published is None:
            await q.answer("已取消")
            await q.edit_message_text("已取消，征求意见未发布。")
            return
        c, n = published
        await q.answer("已发布")
        await q.edit_message_text(f"征求意见 #{c.id}《{c.title}》已发布，共 {n} 条，邀请已进入发送队列。\n"
                                  f"导出意见：/consultexport {c.id}")
        _wake(context.application)

    @staticmethod
    async def _publish_held(s, held: dict, created_by: int) -> tuple[Consultation, int]:
        spec = aud.AudienceSpec.from_json(held["audience"])
        if not await aud.count(s, spec):  # the audience may have changed since the preview
            raise await aud.nobody_error(s, spec)
        draft = cons.draft_from_json(held["draft"])
        c = await cons.publish(s, draft, deadline=datetime.fromisoformat(held["deadline"]), spec=spec,
                               created_by=created_by)
        return c, cons.draft_counts(draft)[1]

    async def _consultation_for(self, q, user, raw_id: str, *, opinion: bool = False):
        """The consultation behind a button, or None after answering why not (unknown, not invited,
        closed). Staff may browse any consultation; opinions come from its audience only."""
        async with self.db.session() as s:
            try:
                c = await cons.get(s, int(raw_id))
                if opinion:
                    cons.check_open(c)
                if (opinion or not user.is_staff) and not await aud.includes(
                        s, aud.AudienceSpec.from_json(c.audience), user.id):
                    raise cons.ConsultationError(cons.NOT_INVITED)
            except cons.ConsultationError as e:
                await q.answer(str(e), show_alert=True)
                return None
        return c

    async def browse_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        user = await self._user(update)
        if user is None:
            return
        parts = q.data.split(":")
        c = await self._consultation_for(q, user, parts[1])
        if c is None:
            return
        async with self.db.session() as s:
            if parts[0] == "cs":  # chapters
                chs = await cons.chapters(s, c.id)
                rows = [[(f"{ch or '（无章节）'}（{n}条）", f"cc:{c.id}:{i}")] for i, (ch, n) in enumerate(chs)]
                rows.append([("对草案整体提意见", f"co:{c.id}:0")])
                text = f"《{c.title}》，截止 {_bj(c.deadline)}。请选择章节："
            elif parts[0] == "cc":  # articles of one chapter
                chs = await cons.chapters(s, c.id)
                if int(parts[2]) >= len(chs):  # a stale or forged button
                    await q.answer(STALE_BUTTON, show_alert=True)
                    return
                ch = chs[int(parts[2])][0]
                arts = await cons.articles(s, c.id, ch)
                rows = [[(a.locator or f"第{a.ordinal + 1}段", f"ca:{c.id}:{a.id}")] for a in arts]
                rows.append([("返回章节", f"cs:{c.id}")])
                text = f"{ch or '（无章节）'}：请选择条文"
            else:  # ca: one article
                art = next((a for a in await cons.articles(s, c.id) if a.id == int(parts[2])), None)
                if art is None:
                    await q.answer(STALE_BUTTON, show_alert=True)
                    return
                rows = [[("对本条提意见", f"co:{c.id}:{art.id}")], [("返回章节", f"cs:{c.id}")]]
                text = f"{art.chapter}\n{art.text}"[:4000]
        await q.answer()
        await q.message.reply_text(text, reply_markup=_kb(rows))

    async def opinion_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        user = await self._user(update)
        if user is None:
            return
        _, cid, aid = q.data.split(":")
        c = await self._consultation_for(q, user, cid, opinion=True)  # closed or not invited: said at once
        if c is None:
            return
        if int(aid):
            async with self.db.session() as s:
                art = await s.get(DraftArticle, int(aid))
            if art is None or art.consultation_id != c.id:
                await q.answer(STALE_BUTTON, show_alert=True)
                return
        context.user_data[OPINION_KEY] = (c.id, int(aid) or None)
        await q.answer()
        await q.message.reply_text("请直接发送您的意见（文字或语音）。发送 /cancel 放弃。")

    async def opinion_msg(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group -2: only acts when an opinion is awaited, then stops other handlers. A plain text is the
        opinion; a voice note, or a text that reads like a question, is held until the deputy decides by
        button (speech recognition and a question typed into the wrong place must not reach the record)."""
        pending = context.user_data.get(OPINION_KEY) if context.user_data is not None else None
        if not pending:
            return
        msg = update.effective_message
        if msg.text and msg.text.startswith("/") and msg.text.strip() != "/cancel":
            return  # other commands keep working while an opinion is awaited
        user = await self._user(update)
        if user is None:
            raise ApplicationHandlerStop
        cid, aid = pending
        if msg.text and msg.text.strip() == "/cancel":
            context.user_data.pop(OPINION_KEY, None)
            async with self.db.session() as s, s.begin():
                await cons.drop(s, user.id, cons.OPINION_HELD)
            await msg.reply_text("已放弃提交意见。")
        elif msg.voice or msg.audio:
            await self._voice_opinion(update, context, user, cid, aid)
        elif looks_like_question(msg.text or ""):
            await self._hold_opinion(update, context, user, cid, aid, msg.text or "", "text")
        else:
            await self._save_text_opinion(update, context, user, cid, aid, msg.text or "")
        raise ApplicationHandlerStop

    async def _save_text_opinion(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user, cid: int,
                                 aid: int | None, text: str) -> None:
        msg = update.effective_message
        try:
            async with self.db.session() as s, s.begin():
                await cons.add_opinion(s, cid, user.id, text, article_id=aid, kind="text")
                await cons.drop(s, user.id, cons.OPINION_HELD)  # a voice note awaiting 确认提交 is superseded
        except cons.ConsultationError as e:
            await msg.reply_text(self._refusal(e, context))
            return
        context.user_data.pop(OPINION_KEY, None)
        await msg.reply_text("意见已收到，谢谢！")

    def _refusal(self, e: cons.ConsultationError, context) -> str:
        """What to tell the deputy; after the deadline the opinion is no longer awaited."""
        if isinstance(e, cons.ConsultationClosed):
            context.user_data.pop(OPINION_KEY, None)
            return str(e)
        return str(e) + "\n请重新发送。"

    async def _voice_opinion(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user, cid: int,
                             aid: int | None) -> None:
        from bot.voice_handlers import transcribe_message

        msg = update.effective_message
        if self.deps.transcribe is None:
            await msg.reply_text("暂时无法识别语音，请改用文字提交意见。")
            return
        try:  # closed already: said before spending a recognition on it
            async with self.db.session() as s:
                cons.check_open(await cons.get(s, cid))
        except cons.ConsultationError as e:
            await msg.reply_text(self._refusal(e, context))
            return

        async def allowed() -> bool:  # an opinion is not a question: the Q&A rate limit does not apply
            return True

        got = await transcribe_message(self.deps, update, context, user.id, allowed)
        if got is None:
            return
        status, heard = got
        if not (heard.text or "").strip():
            await status.edit_text("没有识别出文字，请重新说，或直接输入文字意见。")
            return
        await self._hold_opinion(update, context, user, cid, aid, heard.text, "voice", status=status)

    async def _hold_opinion(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user, cid: int,
                            aid: int | None, text: str, kind: str, status=None) -> None:
        """Keep the opinion aside (chat_state) and show it with the buttons that decide: a voice note's
        recognised text with 确认提交 / 重新说 / 改为文字, a question-like text with 作为意见提交 / 这是提问."""
        say = status.edit_text if status is not None else update.effective_message.reply_text
        try:
            async with self.db.session() as s, s.begin():
                c = await cons.get(s, cid)
                cons.check_open(c)
                text = cons.check_opinion_text(text)
                art = await s.get(DraftArticle, aid) if aid else None
                target = f"《{c.title}》" + ((art.locator or "所选条文") if art else "（草案整体）")
                token = await cons.hold(s, user.id, cons.OPINION_HELD,
                                        {"cid": cid, "aid": aid, "text": text, "kind": kind, "target": target})
        except cons.ConsultationError as e:
            await say(self._refusal(e, context))
            return
        if kind == "voice":
            body = f"语音识别结果：\n{text}\n\n以上内容将作为您对{target}的意见提交，请核对。"
            rows = [[("确认提交", f"cf:ok:{token}")], [("重新说", f"cf:re:{token}"), ("改为文字", f"cf:tx:{token}")]]
            if looks_like_question(text):
                body += "\n这段话像是一个提问；如是提问，请点“这是提问”。"
                rows.append([("这是提问", f"cf:qa:{token}")])
        else:
            short = text if len(text) <= 60 else text[:60] + "…"
            body = f"“{short}”\n这看起来像是一个提问。要把它作为对{target}的意见提交，还是作为提问由助手回答？"
            rows = [[("作为意见提交", f"cf:ok:{token}"), ("这是提问", f"cf:qa:{token}")]]
        await say(body, reply_markup=_kb(rows))

    async def held_cb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The buttons of a held opinion: ok (确认提交 / 作为意见提交), re (重新说), tx (改为文字), qa (这是提问).
        Each first takes the held item by compare-and-set, so a double tap or an older message's button
        finds nothing and saves nothing."""
        q = update.callback_query
        user = await self._user(update)
        if user is None:
            return
        _, action, token = q.data.split(":")
        if action == "ok":
            await self._submit_held(q, context, user, token)
            return
        async with self.db.session() as s, s.begin():
            held = await cons.take(s, user.id, cons.OPINION_HELD, token)
        if held is None:
            await q.answer(HELD_GONE, show_alert=True)
            return
        closed = await self._closed(held["cid"])
        if action == "qa":
            await q.answer()
            await q.edit_message_text(f"已按提问处理，未作为意见提交：{held['text']}")
            await self._answer_question(update, user, held["text"])
            if closed is None:  # back where the deputy was, as after a question in a suggestion draft
                await self._await_again(q, context, held, f"您仍在对{held['target']}提意见：请直接发送意见（文字或语音）。")
            return
        if closed is not None:
            context.user_data.pop(OPINION_KEY, None)
            await q.answer(closed, show_alert=True)
            await q.edit_message_text(f"{closed}\n未提交：{held['text']}")
            return
        await q.answer()
        await q.edit_message_text(f"已放弃这段内容，未提交：{held['text']}")
        ask = "请重新发送语音，或直接输入文字" if action == "re" else "请直接输入文字"
        await self._await_again(q, context, held, f"{ask}，作为对{held['target']}的意见。")

    async def _submit_held(self, q, context, user, token: str) -> None:
        """确认提交 / 作为意见提交: take and save in one transaction; add_opinion checks the deadline (and the
        audience) at this moment, so nothing is saved after the deadline whenever the item was held."""
        held = None
        try:
            async with self.db.session() as s, s.begin():
                held = await cons.take(s, user.id, cons.OPINION_HELD, token)
                if held is not None:
                    await cons.add_opinion(s, held["cid"], user.id, held["text"], article_id=held["aid"],
                                           kind=held["kind"])
        except cons.ConsultationError as e:  # rolled back: the item is useless now, forget it
            async with self.db.session() as s, s.begin():
                await cons.drop(s, user.id, cons.OPINION_HELD, token)
            if context.user_data.get(OPINION_KEY) == (held["cid"], held["aid"]):
                context.user_data.pop(OPINION_KEY, None)
            await q.answer(str(e), show_alert=True)
            await q.edit_message_text(f"{e}\n未提交：{held['text']}")
            return
        if held is None:
            await q.answer(HELD_GONE, show_alert=True)
            return
        if context.user_data.get(OPINION_KEY) == (held["cid"], held["aid"]):
            context.user_data.pop(OPINION_KEY, None)
        await q.answer("已提交")
        way = "（语音）" if held["kind"] == "voice" else ""
        await q.edit_message_text(f"意见已收到，谢谢！\n对{held['target']}的意见{way}：{held['text']}")

    async def _closed(self, cid: int) -> str | None:
        """The deadline refusal, or None while the consultation is open."""
        try:
            async with self.db.session() as s:
                cons.check_open(await cons.get(s, cid))
        except cons.ConsultationError as e:
            return str(e)
        return None

    async def _await_again(self, q, context, held: dict, ask: str) -> None:
        context.user_data[OPINION_KEY] = (held["cid"], held["aid"])
        await q.message.reply_text(ask + "发送 /cancel 放弃。")

    async def _answer_question(self, update: Update, user, question: str) -> None:
        """这是提问: answered as a typed question is (bot.qa_handlers.QAHandlers.answer_text)."""
        from bot.qa_handlers import QAHandlers

        if self._qa is None:
            self._qa = QAHandlers(self.deps)
        await self._qa.answer_text(update, user, question)

    async def export_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._staff(update) is None:
            return
        try:
            cid = int((context.args or [""])[0])
        except ValueError:
            await update.effective_message.reply_text("用法：/consultexport 征求意见编号")
            return
        with tempfile.TemporaryDirectory() as tmp:
            try:
                async with self.db.session() as s:
                    paths = await cons.export(s, cid, Path(tmp))
            except cons.ConsultationError as e:
                await update.effective_message.reply_text(str(e))
                return
            for p in paths:
                with open(p, "rb") as fh:
                    await update.effective_message.reply_document(fh, filename=p.name)


STALE_BUTTON = "该按钮已失效，请重新打开草案浏览。"


def consult_preview_text(draft: cons.LoadedDraft, deadline: datetime, spec: aud.AudienceSpec,
                         recipients: int) -> str:
    chapters, articles = cons.draft_counts(draft)
    size = f"共 {chapters} 章、{articles} 条" if chapters else f"共 {articles} 条"
    remind = ("，并在截止前 1 天提醒尚未提交意见的代表"
              if deadline - cons.DEFAULT_REMIND_BEFORE > utcnow() else "")
    return (f"征求意见预览（尚未发布）\n草案：《{draft.title}》\n{size}\n截止：{_bj(deadline)}（北京时间）\n"
            f"征求范围：{spec.describe()}（{recipients} 人）\n\n确认发布后向以上代表发送邀请{remind}。")


def _bj(t: datetime | None) -> str:
    return "" if t is None else t.replace(tzinfo=UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def progress_markup(rep: service.DeliveryReport) -> InlineKeyboardMarkup | None:
    """The live progress message keeps a 停止发送 button while rows are still waiting."""
    if rep.pending and rep.state in (BroadcastState.SCHEDULED.value, BroadcastState.SENDING.value):
        return _kb([[("停止发送", f"bc:stop:{rep.broadcast_id}")]])
    return None


def _wake(app: Application) -> None:
    ev = app.bot_data.get("bc_wake")
    if ev is not None:
        ev.set()


def answered(callback):
    """A button handled here is not also seen by the bot's catch-all button handler (group 0), which
    would answer the same query a second time (“该按钮已失效”, refused by Telegram)."""
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception:
            # Answered here, as bot.errors.on_error would: an exception escaping a handler only ends its
            # group in PTB, so the catch-all of group 0 would answer the same query a second time.
            from bot import texts
            from bot.errors import new_incident_id

            incident = new_incident_id()
            log.exception("incident=%s button %r failed", incident, update.callback_query.data)
            try:
                await update.callback_query.answer(texts.ERROR.format(incident=incident), show_alert=True)
            except TelegramError:
                log.warning("incident=%s apology not delivered", incident)
        raise ApplicationHandlerStop

    return run


def register_broadcast_handlers(app: Application, deps, *, group: int = -1) -> BroadcastHandlers:
    h = BroadcastHandlers(deps)
    db = deps.core.db

    async def received(user) -> set[str]:  # attachments of briefings sent to a level, tag or list
        async with db.session() as s:
            return await aud.received_scopes(s, user.id, staff=user.is_staff)

    deps.core.qa.scope_providers.append(received)
    app.add_handler(CommandHandler("broadcast", h.broadcast), group)
    app.add_handler(CommandHandler("bcreport", h.report_cmd), group)
    app.add_handler(CommandHandler("profile", h.profile_cmd), group)
    app.add_handler(CommandHandler("consult", h.consult_cmd), group)
    app.add_handler(CommandHandler("consultexport", h.export_cmd), group)
    app.add_handler(CommandHandler("bccancel", h.bccancel_cmd), group)
    app.add_handler(CommandHandler("cancel", h.cancel_cmd), group)
    app.add_handler(CallbackQueryHandler(answered(h.confirm_cb), pattern=r"^bc:(ok|no|stop):\d+$"), group)
    app.add_handler(CallbackQueryHandler(answered(h.read_cb), pattern=r"^rd:\d+$"), group)
    app.add_handler(CallbackQueryHandler(answered(h.browse_cb), pattern=r"^(cs:\d+|cc:\d+:\d+|ca:\d+:\d+)$"), group)
    app.add_handler(CallbackQueryHandler(answered(h.opinion_cb), pattern=r"^co:\d+:\d+$"), group)
    app.add_handler(CallbackQueryHandler(answered(h.held_cb), pattern=r"^cf:(ok|re|tx|qa):[0-9a-f]{8}$"), group)
    app.add_handler(CallbackQueryHandler(answered(h.consult_cb), pattern=r"^cp:(ok|no):[0-9a-f]{8}$"), group)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & (filters.TEXT | filters.VOICE | filters.AUDIO),
                                   h.opinion_msg), group - 1)
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

    async def progress(rep: service.DeliveryReport, b: Broadcast) -> None:
        if b.progress_chat_id and b.progress_message_id:
            await bot.edit_message_text(rep.render(), chat_id=b.progress_chat_id, message_id=b.progress_message_id,
                                        reply_markup=progress_markup(rep))

    worker = OutboxWorker(db, make_send(bot), config, on_progress=progress)

    async def reminder_loop() -> None:
        while not stop.is_set():
            wait = 60.0
            try:
                async with db.session() as s, s.begin():
                    if await reminders.tick(s, before=reminder_before):
                        wake.set()
                await ingest_due_attachments(deps, bot)
                async with db.session() as s:
                    nxt = await reminders.next_attachment_due(s)
                if nxt is not None:  # a scheduled briefing's file: searchable soon after it goes out
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


def _raise_unusable(summary, file_name: str, outcome: str = "通知未创建") -> None:
    if summary.errors or not summary.chunks:
        why = "；".join(summary.errors) or "未读出任何文字"
        raise service.BroadcastError(f"附件《{file_name}》无法收入资料库（{why}），{outcome}。"
                                     "请检查文件后重新上传。")
