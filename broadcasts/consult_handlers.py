"""Telegram handlers for law-draft consultations (征求意见): /consult with its preview, browsing by chapter and
article, opinions by text or voice (held for a check where they may be a question or a mishearing), export."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import datetime
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.awaited import Awaited
from storage.clock import utcnow
from storage.repositories import StateRepo

from broadcasts import audience as aud
from broadcasts import consultation as cons
from broadcasts import service
from broadcasts.models import Consultation, DraftArticle
from broadcasts.draft_search import draft_articles_text, related_articles
from broadcasts.commands import parse_audience, parse_deadline, split_audience
from broadcasts.handler_base import HandlerBase, beijing_time, keyboard, wake_sender

log = logging.getLogger(__name__)

OPINION = Awaited("bc_opinion")  # (consultation id, article id or None) while an opinion is awaited
PREVIEW_GONE = "该预览已处理过（已发布、已取消或已被新的预览取代），不会重复发布。"
HELD_GONE = "这条内容已处理过（已提交或已放弃），不会重复提交。"
_QUESTION_STEP = "problem"  # a free-text step of the suggestion wizard: its question test, no step exceptions


def looks_like_question(text: str) -> bool:
    """A question to the assistant sent where an opinion was awaited (“代表有哪些权利？”): the test the
    suggestion wizard applies to its free-text steps (ends with ？, or short with 什么/怎么/吗/哪/几…)."""
    from suggestions.draft import looks_like_question as asks

    return asks(text, _QUESTION_STEP)


STALE_BUTTON = "该按钮已失效，请重新打开草案浏览。"
OPINION_RECEIVED = "意见已收到，谢谢！"


def after_opinion_keyboard(cid: int, aid: int | None):
    """The way on from “意见已收到”: another opinion on the same article (or on the whole draft), and back to the
    chapters (the buttons browse_cb and opinion_cb already answer; the bot has no main menu to go back to)."""
    if aid:
        rows = [[("对本条再提意见", f"co:{cid}:{aid}"), ("对草案整体提意见", f"co:{cid}:0")]]
    else:
        rows = [[("再提一条意见", f"co:{cid}:0")]]
    rows.append([("返回章节", f"cs:{cid}")])
    return keyboard(rows)


def consult_preview_text(draft: cons.LoadedDraft, deadline: datetime, spec: aud.AudienceSpec,
                         recipients: int) -> str:
    chapters, articles = cons.draft_counts(draft)
    size = f"共 {chapters} 章、{articles} 条" if chapters else f"共 {articles} 条"
    remind = ("，并在截止前 1 天提醒尚未提交意见的代表"
              if deadline - cons.DEFAULT_REMIND_BEFORE > utcnow() else "")
    return (f"征求意见预览（尚未发布）\n草案：《{draft.title}》\n{size}\n截止：{beijing_time(deadline)}（北京时间）\n"
            f"征求范围：{spec.describe()}（{recipients} 人）\n\n确认发布后向以上代表发送邀请{remind}。")




class ConsultationHandlers(HandlerBase):
    def __init__(self, deps) -> None:  # bot.deps.BotDeps
        super().__init__(deps)
        self._qa = None  # bot.qa_handlers.QAHandlers, made on the first 这是提问

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
            # 23:59 Beijing time of 2026-03-20, 3月20日, 明天, 下周五, 10天后…; a past day is refused before the file
            # is fetched, naming it
            deadline = parse_deadline(args[0])
            word = split_audience(" ".join(args[1:]))[0] if len(args) > 1 else ""
            spec = parse_audience(word) if word else aud.AudienceSpec()
            async with self.db.session() as s:
                recipients = await aud.count(s, spec)
                if not recipients:
                    raise await aud.nobody_error(s, spec)
        except (aud.AudienceError, cons.ConsultationError) as e:
            await msg.reply_text(str(e))
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (doc.file_name or "draft.docx")
            await (await doc.get_file()).download_to_drive(path)
            try:
                draft = await asyncio.to_thread(cons.load_draft, path)
                async with self.db.session() as s, s.begin():
                    await cons.check_publishable(s, draft.title, deadline)
                    token = await StateRepo(s).hold(user.id, cons.CONSULT_PREVIEW, {
                        "draft": cons.draft_to_json(draft), "deadline": deadline.isoformat(),
                        "audience": spec.to_json()})
            except cons.ConsultationError as e:
                await msg.reply_text(str(e))
                return
        await msg.reply_text(consult_preview_text(draft, deadline, spec, recipients),
                             reply_markup=keyboard([[("确认发布", f"cp:ok:{token}"), ("取消", f"cp:no:{token}")]]))

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
                held = await StateRepo(s).take(user.id, cons.CONSULT_PREVIEW, token)
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
        wake_sender(context.application)

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
                text = f"《{c.title}》，截止 {beijing_time(c.deadline)}。请选择章节："
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
        await q.message.reply_text(text, reply_markup=keyboard(rows))

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
        await OPINION.set(self.deps.core.state, user, context.user_data, (c.id, int(aid) or None))
        await q.answer()
        await q.message.reply_text("请直接发送您的意见（文字或语音）。发送 /cancel 放弃。")

    async def opinion_msg(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group -2: only acts when an opinion is awaited, then stops other handlers. A plain text is the
        opinion; a voice note, or a text that reads like a question, is held until the deputy decides by
        button (speech recognition and a question typed into the wrong place must not reach the record)."""
        user, pending = await self._awaited(update, context)
        if not pending:
            await self._opinion_without_button(update, context)
            return
        msg = update.effective_message
        if msg.text and msg.text.startswith("/") and msg.text.strip() != "/cancel":
            # another command (/suggest, /schedule) means the deputy moved on: it runs, and what they type next is
            # no longer taken as an opinion (a suggestion's title had been filed as one); a held voice opinion stays
            await OPINION.clear(self.deps.core.state, user, context.user_data)
            return
        cid, aid = pending
        if msg.text and msg.text.strip() == "/cancel":
            await OPINION.clear(self.deps.core.state, user, context.user_data)
            async with self.db.session() as s, s.begin():
                await StateRepo(s).drop(user.id, cons.OPINION_HELD)
            await msg.reply_text("已放弃提交意见。")
        elif msg.voice or msg.audio:
            await self._voice_opinion(update, context, user, cid, aid)
        elif looks_like_question(msg.text or ""):
            await self._hold_opinion(update, context, user, cid, aid, msg.text or "", "text")
        else:
            await self._save_text_opinion(update, context, user, cid, aid, msg.text or "")
        raise ApplicationHandlerStop

    async def _awaited(self, update: Update, context: ContextTypes.DEFAULT_TYPE):
        """(user, (consultation id, article id or None)) when this user's opinion is awaited, else (None, None).
        Once this process knows nothing is awaited, no database is read for the message."""
        if context.user_data is None or update.effective_user is None or OPINION.known_empty(context.user_data):
            return None, None
        res = await self.deps.core.access.check(update.effective_user.id)
        if not res.ok:
            return None, None
        pending = await OPINION.get(self.deps.core.state, res.user, context.user_data)
        return (res.user, pending) if pending else (None, None)

    async def _opinion_without_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An opinion typed without choosing an article first (“我对养老条例草案第四条有意见：…”) would be searched
        as a question and answered with unrelated sources: when the deputy has a consultation open, show the way
        to give it instead. With one draft open the text is held (the article it names, else the whole draft) and
        one press submits it; nothing is saved without that press."""
        msg = update.effective_message
        text = msg.text or ""
        if not text or text.startswith("/") or text.rstrip().endswith(("？", "?")) or not cons.reads_as_opinion(text):
            return
        tg_user = update.effective_user
        res = await self.deps.core.access.check(tg_user.id) if tg_user is not None else None
        if res is None or not res.ok:
            return  # refused once, by the question handler that comes next
        async with self.db.session() as s:
            open_now = await cons.open_for(s, res.user.id)
            art = await cons.named_article(s, open_now[0].id, text) if len(open_now) == 1 else None
        if not open_now:
            return
        if len(open_now) == 1:  # one draft open: keep the text and let one press submit it (it had to be retyped)
            await self._hold_opinion(update, context, res.user, open_now[0].id, art.id if art else None, text, "text",
                                     typed_without_button=True)
            raise ApplicationHandlerStop
        titles = "、".join(f"《{c.title}》" for c in open_now[:3])
        await msg.reply_text(
            f"您是在对{titles}提意见吗？请点击下方按钮，选择章节和条文后再发送意见，意见才会被记录。"
            "（这条消息未作为意见提交。）",
            reply_markup=keyboard([[(f"查看《{c.title}》并提意见", f"cs:{c.id}")] for c in open_now[:3]]))
        raise ApplicationHandlerStop

    async def _save_text_opinion(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user, cid: int,
                                 aid: int | None, text: str) -> None:
        msg = update.effective_message
        try:
            async with self.db.session() as s, s.begin():
                await cons.add_opinion(s, cid, user.id, text, article_id=aid, kind="text")
                await StateRepo(s).drop(user.id, cons.OPINION_HELD)  # a voice note awaiting 确认提交 is superseded
        except cons.ConsultationError as e:
            await msg.reply_text(await self._refusal(e, context, user))
            return
        await OPINION.clear(self.deps.core.state, user, context.user_data)
        await msg.reply_text(OPINION_RECEIVED, reply_markup=after_opinion_keyboard(cid, aid))

    async def _refusal(self, e: cons.ConsultationError, context, user) -> str:
        """What to tell the deputy; after the deadline the opinion is no longer awaited."""
        if isinstance(e, cons.ConsultationClosed):
            await OPINION.clear(self.deps.core.state, user, context.user_data)
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
            await msg.reply_text(await self._refusal(e, context, user))
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
                            aid: int | None, text: str, kind: str, status=None,
                            typed_without_button: bool = False) -> None:
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
                token = await StateRepo(s).hold(user.id, cons.OPINION_HELD,
                                        {"cid": cid, "aid": aid, "text": text, "kind": kind, "target": target})
        except cons.ConsultationError as e:
            await say(await self._refusal(e, context, user))
            return
        if kind == "voice":
            body = f"语音识别结果：\n{text}\n\n以上内容将作为您对{target}的意见提交，请核对。"
            rows = [[("确认提交", f"cf:ok:{token}")], [("重新说", f"cf:re:{token}"), ("改为文字", f"cf:tx:{token}")]]
            if looks_like_question(text):
                body += "\n这段话像是一个提问；如是提问，请点“这是提问”。"
                rows.append([("这是提问", f"cf:qa:{token}")])
        else:
            short = text if len(text) <= 60 else text[:60] + "…"
            body = (f"“{short}”\n要把这段话作为对{target}的意见提交吗？（尚未提交，点“作为意见提交”后才记录；"
                    "要对其他条文提意见，请点“选择条文”。）" if typed_without_button else
                    f"“{short}”\n这看起来像是一个提问。要把它作为对{target}的意见提交，还是作为提问由助手回答？")
            rows = [[("作为意见提交", f"cf:ok:{token}"), ("这是提问", f"cf:qa:{token}")]]
            if typed_without_button:
                rows.append([("选择条文", f"cs:{cid}")])
        await say(body, reply_markup=keyboard(rows))

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
            held = await StateRepo(s).take(user.id, cons.OPINION_HELD, token)
        if held is None:
            await q.answer(HELD_GONE, show_alert=True)
            return
        closed = await self._closed(held["cid"])
        if action == "qa":
            await q.answer()
            await q.edit_message_text(f"已按提问处理，未作为意见提交：{held['text']}")
            await self._answer_question(update, user, held["text"], held["cid"])
            if closed is None:  # back where the deputy was, as after a question in a suggestion draft
                await self._await_again(q, context, user, held, f"您仍在对{held['target']}提意见：请直接发送意见（文字或语音）。")
            return
        if closed is not None:
            await OPINION.clear(self.deps.core.state, user, context.user_data)
            await q.answer(closed, show_alert=True)
            await q.edit_message_text(f"{closed}\n未提交：{held['text']}")
            return
        await q.answer()
        await q.edit_message_text(f"已放弃这段内容，未提交：{held['text']}")
        ask = "请重新发送语音，或直接输入文字" if action == "re" else "请直接输入文字"
        await self._await_again(q, context, user, held, f"{ask}，作为对{held['target']}的意见。")

    async def _submit_held(self, q, context, user, token: str) -> None:
        """确认提交 / 作为意见提交: take and save in one transaction; add_opinion checks the deadline (and the
        audience) at this moment, so nothing is saved after the deadline whenever the item was held."""
        held = None
        try:
            async with self.db.session() as s, s.begin():
                held = await StateRepo(s).take(user.id, cons.OPINION_HELD, token)
                if held is not None:
                    await cons.add_opinion(s, held["cid"], user.id, held["text"], article_id=held["aid"],
                                           kind=held["kind"])
        except cons.ConsultationError as e:  # rolled back: the item is useless now, forget it
            async with self.db.session() as s, s.begin():
                await StateRepo(s).drop(user.id, cons.OPINION_HELD, token)
            await self._done_with(context, user, held)
            await q.answer(str(e), show_alert=True)
            await q.edit_message_text(f"{e}\n未提交：{held['text']}")
            return
        if held is None:
            await q.answer(HELD_GONE, show_alert=True)
            return
        await self._done_with(context, user, held)
        await q.answer("已提交")
        way = "（语音）" if held["kind"] == "voice" else ""
        await q.edit_message_text(f"{OPINION_RECEIVED}\n对{held['target']}的意见{way}：{held['text']}",
                                  reply_markup=after_opinion_keyboard(held["cid"], held["aid"]))

    async def _closed(self, cid: int) -> str | None:
        """The deadline refusal, or None while the consultation is open."""
        try:
            async with self.db.session() as s:
                cons.check_open(await cons.get(s, cid))
        except cons.ConsultationError as e:
            return str(e)
        return None

    async def _done_with(self, context, user, held: dict) -> None:
        """The held opinion was the one awaited: no longer await it (another article's is kept)."""
        if await OPINION.get(self.deps.core.state, user, context.user_data) == (held["cid"], held["aid"]):
            await OPINION.clear(self.deps.core.state, user, context.user_data)

    async def _await_again(self, q, context, user, held: dict, ask: str) -> None:
        await OPINION.set(self.deps.core.state, user, context.user_data, (held["cid"], held["aid"]))
        await q.message.reply_text(ask + "发送 /cancel 放弃。")

    async def _answer_question(self, update: Update, user, question: str, cid: int) -> None:
        """这是提问: first the draft's own articles the question names or is about (the knowledge base does not
        hold the draft), then, unless it named an article, the answer to a typed question
        (bot.qa_handlers.QAHandlers.answer_text)."""
        from bot.qa_handlers import QAHandlers

        try:
            async with self.db.session() as s:
                c = await cons.get(s, cid)
                arts = await cons.articles(s, cid)
        except cons.ConsultationError:  # removed meanwhile: the question is still answered
            c, arts = None, []
        found = await asyncio.to_thread(related_articles, question, arts) if c is not None else []
        if found:
            await update.effective_message.reply_text(
                draft_articles_text(c.title, found),
                reply_markup=keyboard([[(f"对{m.article.locator or '该条'}提意见", f"co:{cid}:{m.article.id}")]
                                       for m in found]))
            if any(m.named for m in found):
                return
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
