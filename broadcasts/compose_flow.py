"""Bare ``/broadcast``: compose a briefing step by step (audience → content, optionally a file →
now or a time), ending in the same preview as the one-line command. State lives in the staff
member's ``user_data``; nothing is stored until the preview creates the draft."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from storage.clock import utcnow

from broadcasts import audience as aud
from broadcasts import service
from broadcasts.commands import parse_audience, read_when
from broadcasts.handler_base import answered, beijing_time, keyboard

KEY = "bc_compose"
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

    @staticmethod
    def abandon(context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.user_data is not None:
            context.user_data.pop(KEY, None)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.h.db.session() as s:
            options = await aud.choices(s)
        context.user_data[KEY] = {"step": "audience", "options": [o.to_json() for o in options]}
        rows = [[(o.describe(), f"bw:a:{i}")] for i, o in enumerate(options)] + [[("放弃", "bw:x")]]
        await update.effective_message.reply_text(STEP_AUDIENCE, reply_markup=keyboard(rows))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        state = context.user_data.get(KEY) if context.user_data is not None else None
        if await self.h._staff(update) is None:
            return
        if state is None:
            await q.answer("这一步已失效，请重新发送 /broadcast。", show_alert=True)
            return
        await q.answer()
        if q.data == "bw:x":
            context.user_data.pop(KEY, None)
            await q.edit_message_text(CANCELLED)
        elif q.data == "bw:now" and state["step"] == "when":
            await q.edit_message_text("立即发送。")
            await self._finish(q.message, update, context, None)
        elif q.data.startswith("bw:a:") and state["step"] == "audience":
            i = int(q.data.rsplit(":", 1)[1])
            if i < len(state["options"]):
                await self._audience_chosen(q.message, context, aud.AudienceSpec.from_json(state["options"][i]))

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group before the other message handlers: acts only while this staff member composes."""
        state = context.user_data.get(KEY) if context.user_data is not None else None
        msg = update.effective_message
        if state is None or msg is None:
            return
        if msg.text and msg.text.startswith("/") and msg.text.strip() != "/cancel":
            return  # other commands still work (a new /broadcast starts over)
        if await self.h._staff(update) is None:
            context.user_data.pop(KEY, None)
            raise ApplicationHandlerStop
        if msg.text and msg.text.strip() == "/cancel":
            context.user_data.pop(KEY, None)
            await msg.reply_text(CANCELLED)
            raise ApplicationHandlerStop
        try:
            if state["step"] == "audience":
                if not msg.text:
                    await msg.reply_text("请先选择接收范围（按钮或输入范围）。")
                else:
                    await self._audience_chosen(msg, context, parse_audience(msg.text.strip()))
            elif state["step"] == "content":
                await self._content(msg, context, state)
            elif state["step"] == "when":
                if not msg.text:
                    await msg.reply_text("请输入发送时间，如 2026-03-05 08:30，或点“立即发送”。")
                else:
                    said = msg.text.strip().lstrip("@＠").strip()
                    if said in NOW_WORDS:
                        await self._finish(msg, update, context, None)
                        raise ApplicationHandlerStop
                    # the one-line command's reader (@明天 8:30, @下周一, @今晚8点 …), so both paths agree
                    at = read_when(said, at_sign="")
                    if at <= utcnow():  # asked again at this step instead of ending the flow
                        raise service.BroadcastError(f"{beijing_time(at)}（北京时间）已经过去，"
                                                     "请输入将来的时间，或点“立即发送”。")
                    await self._finish(msg, update, context, at)
        except (aud.AudienceError, service.BroadcastError) as e:
            tail = "，或点“立即发送”。" if state.get("step") == "when" and "定时格式" in str(e) else ""
            await msg.reply_text(str(e).rstrip("。") + tail if tail else str(e))
        raise ApplicationHandlerStop

    async def _audience_chosen(self, msg, context, spec: aud.AudienceSpec) -> None:
        async with self.h.db.session() as s:
            n = await aud.count(s, spec)
            if n == 0:
                raise await aud.nobody_error(s, spec)
        context.user_data[KEY] = {"step": "content", "spec": spec.to_json()}
        await msg.reply_text(STEP_CONTENT.format(audience=spec.describe(), n=n))

    async def _content(self, msg, context, state: dict) -> None:
        doc = msg.document
        text = (msg.caption if doc is not None else msg.text) or ""
        if not text.strip():
            raise service.BroadcastError("请在文件的说明文字里写上通知内容，再发送一次。" if doc is not None
                                         else "通知内容不能为空。")
        service.validate_text(text, caption=doc is not None)
        state.update(step="when", text=text.strip(), doc=doc)
        await msg.reply_text(STEP_WHEN, reply_markup=keyboard([[("立即发送", "bw:now"), ("放弃", "bw:x")]]))

    async def _finish(self, msg, update: Update, context, at) -> None:
        state = context.user_data.get(KEY)
        user = await self.h._staff(update)
        if state is None or user is None:
            return
        context.user_data.pop(KEY, None)  # the preview either holds the draft or said why there is none
        spec = aud.AudienceSpec.from_json(state["spec"])
        await self.h.preview(msg, user, spec, at, state["text"], state.get("doc"), context)
