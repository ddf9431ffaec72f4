"""Bare ``/broadcast``: compose a briefing step by step (audience → content, optionally a file →
now or a time), ending in the same preview as the one-line command. The step and what was entered so far are
kept in chat_state (``bot.awaited``), so a restart half-way loses nothing (the bot tester's half-written notice was
gone after a redeploy); no broadcast row exists until the preview creates the draft."""

from __future__ import annotations

from telegram import Document, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.awaited import Awaited
from storage.clock import utcnow

from broadcasts import audience as aud
from broadcasts import service
from broadcasts.commands import parse_audience, read_when
from broadcasts.handler_base import answered, beijing_time, keyboard

COMPOSE = Awaited("bc_compose")  # {"step": audience|content|when, "options"|"spec", "text", "doc"}
STEP_AUDIENCE = ("发布通知（第 1/3 步）：请选择接收范围，或直接输入范围，"
                 "如 代表团:宁夏代表团、委员会:教育科学文化卫生委员会、层级:省、标签:教育、名单:3,8,15。\n"
                 "发送 /cancel 放弃。")
STEP_CONTENT = ("第 2/3 步：接收范围：{audience}（{n} 人）。\n请发送通知内容。需要附件时，直接发送文件"
                "（PDF/DOCX/MD/TXT），把通知内容写在文件的说明文字里。")
STEP_WHEN = ("第 3/3 步：立即发送，还是定时发送？定时请输入北京时间，如 2026-03-05 08:30、明天 8:30、"
             "明天上午9点、12月5日 14:30、下周一 9:00、今晚8点（只写日期按 09:00）。")
NOW_WORDS = ("立即", "立即发送", "现在", "现在发", "现在发送", "马上", "马上发", "马上发送")
CANCELLED = "已放弃发布通知，未保存任何内容。"


class ComposeFlow:
    def __init__(self, handlers) -> None:  # broadcasts.bot_handlers.BroadcastHandlers
        self.h = handlers

    def register(self, app, group: int) -> None:
        app.add_handler(CallbackQueryHandler(answered(self.button), pattern=r"^bw:(a:\d+|now|x)$"), group)
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & (filters.TEXT | filters.Document.ALL),
                                       self.message), group)

    async def _put(self, context, user, value: dict | None) -> None:
        if value is None:
            await COMPOSE.clear(self.h.deps.core.state, user, context.user_data)
        else:
            await COMPOSE.set(self.h.deps.core.state, user, context.user_data, value)

    async def _state(self, update: Update, context: ContextTypes.DEFAULT_TYPE):
        """(user, state) while this user composes, else (None, None); once this process knows nobody's notice is
        half-written, no database is read for the message."""
        if context.user_data is None or update.effective_user is None or COMPOSE.known_empty(context.user_data):
            return None, None
        res = await self.h.deps.core.access.check(update.effective_user.id)
        if not res.ok:
            return None, None
        state = await COMPOSE.get(self.h.deps.core.state, res.user, context.user_data)
        return (res.user, state) if state else (None, None)

    async def abandon(self, context: ContextTypes.DEFAULT_TYPE, user) -> None:
        if context.user_data is not None:
            await self._put(context, user, None)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user) -> None:
        async with self.h.db.session() as s:
            options = await aud.choices(s)
        await self._put(context, user, {"step": "audience", "options": [o.to_json() for o in options]})
        rows = [[(o.describe(), f"bw:a:{i}")] for i, o in enumerate(options)] + [[("放弃", "bw:x")]]
        await update.effective_message.reply_text(STEP_AUDIENCE, reply_markup=keyboard(rows))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        user = await self.h._staff(update)
        if user is None:
            return
        _, state = await self._state(update, context)
        if state is None:
            await q.answer("这一步已失效，请重新发送 /broadcast。", show_alert=True)
            return
        await q.answer()
        if q.data == "bw:x":
            await self._put(context, user, None)
            await q.edit_message_text(CANCELLED)
        elif q.data == "bw:now" and state["step"] == "when":
            await q.edit_message_text("立即发送。")
            await self._finish(q.message, context, user, state, None)
        elif q.data.startswith("bw:a:") and state["step"] == "audience":
            i = int(q.data.rsplit(":", 1)[1])
            if i < len(state["options"]):
                await self._audience_chosen(q.message, context, user, aud.AudienceSpec.from_json(state["options"][i]))

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group before the other message handlers: acts only while this staff member composes."""
        msg = update.effective_message
        if msg is None:
            return
        user, state = await self._state(update, context)
        if state is None:
            return
        if msg.text and msg.text.startswith("/") and msg.text.strip() != "/cancel":
            return  # other commands still work (a new /broadcast starts over)
        if not user.is_staff:  # no longer staff: what was half-written is dropped
            await self._put(context, user, None)
            await self.h._staff(update)  # says so
            raise ApplicationHandlerStop
        if msg.text and msg.text.strip() == "/cancel":
            await self._put(context, user, None)
            await msg.reply_text(CANCELLED)
            raise ApplicationHandlerStop
        try:
            if state["step"] == "audience":
                if not msg.text:
                    await msg.reply_text("请先选择接收范围（按钮或输入范围）。")
                else:
                    await self._audience_chosen(msg, context, user, parse_audience(msg.text.strip()))
            elif state["step"] == "content":
                await self._content(msg, context, user, state)
            elif state["step"] == "when":
                if not msg.text:
                    await msg.reply_text("请输入发送时间，如 2026-03-05 08:30，或点“立即发送”。")
                else:
                    said = msg.text.strip().lstrip("@＠").strip()
                    if said in NOW_WORDS:
                        await self._finish(msg, context, user, state, None)
                        raise ApplicationHandlerStop
                    # the one-line command's reader (@明天 8:30, @下周一, @今晚8点 …), so both paths agree
                    at = read_when(said, at_sign="")
                    if at <= utcnow():  # asked again at this step instead of ending the flow
                        raise service.BroadcastError(f"{beijing_time(at)}（北京时间）已经过去，"
                                                     "请输入将来的时间，或点“立即发送”。")
                    await self._finish(msg, context, user, state, at)
        except (aud.AudienceError, service.BroadcastError) as e:
            tail = "，或点“立即发送”。" if state.get("step") == "when" and "定时格式" in str(e) else ""
            await msg.reply_text(str(e).rstrip("。") + tail if tail else str(e))
        raise ApplicationHandlerStop

    async def _audience_chosen(self, msg, context, user, spec: aud.AudienceSpec) -> None:
        async with self.h.db.session() as s:
            n = await aud.count(s, spec)
            if n == 0:
                raise await aud.nobody_error(s, spec)
        await self._put(context, user, {"step": "content", "spec": spec.to_json()})
        await msg.reply_text(STEP_CONTENT.format(audience=spec.describe(), n=n))

    async def _content(self, msg, context, user, state: dict) -> None:
        doc = msg.document
        text = (msg.caption if doc is not None else msg.text) or ""
        if not text.strip():
            raise service.BroadcastError("请在文件的说明文字里写上通知内容，再发送一次。" if doc is not None
                                         else "通知内容不能为空。")
        service.validate_text(text, caption=doc is not None)
        await self._put(context, user, {**state, "step": "when", "text": text.strip(),
                                        "doc": doc.to_dict() if doc is not None else None})
        await msg.reply_text(STEP_WHEN, reply_markup=keyboard([[("立即发送", "bw:now"), ("放弃", "bw:x")]]))

    async def _finish(self, msg, context, user, state: dict, at) -> None:
        await self._put(context, user, None)  # the preview either holds the draft or said why there is none
        spec = aud.AudienceSpec.from_json(state["spec"])
        doc = Document.de_json(state["doc"], msg.get_bot()) if state.get("doc") else None
        await self.h.preview(msg, user, spec, at, state["text"], doc, context)
