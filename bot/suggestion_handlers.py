"""The deputy's side of suggestions and bills: /suggest (or “提建议”) step by step, voice answers,
preview with per-step edits, self-check, submit; /drafts, /cancel, /mysuggestions, evaluation.

Every step is stored by ``suggestions.draft.DraftService``; which draft the chat is writing is a
chat-state row, so a restart (or another worker) continues the conversation where it stood."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts
from bot import suggestion_texts as t
from bot import suggestion_views as v
from bot.awaited import Awaited
from bot.deps import BotDeps
from bot.formatting import e
from bot.guard import require_user
from bot.qa_handlers import QAHandlers
from bot.suggestion_outbox import deliver
from bot.suggestion_services import SuggestionServices, author_of
from bot.voice_handlers import transcribe_message
from storage.clock import BEIJING
from storage.views import UserView
from suggestions.draft import (
    STEP_BY_KEY, DraftClosed, DraftError, Prompt, StepResult, clearly_question, earlier_step_for, inner_title,
    looks_like_question, typed_button, whole_draft,
)
from suggestions.status import EVALUATIONS, StatusError
from suggestions.types import KIND_BILL, KIND_SUGGESTION, KINDS, SEVERITY_ERROR

log = logging.getLogger(__name__)

TRIGGER = re.compile(r"^\s*(提建议|提议案|写建议|写议案)\s*$")
_PHOTO_NAME = "照片"
REPORT_SHOWN = "sugg_report_shown"  # user_data: (draft id, the self-check report last shown)
EVAL_REASON = Awaited("sugg_eval_reason")  # the suggestion whose 不满意 awaits its reason
_SKIP = ("跳过", "不填", "不用了", "算了", "无")
# A file sent at a text step is read as the step's answer (corpus.loaders reads these).
_TEXT_FILES = (".docx", ".pdf", ".txt", ".md")
_TEXT_STEPS = ("title", "problem", "cause", "measures", "legal_basis", "outline", "cosponsors")
_BODY_STEPS = ("title", "problem", "cause", "measures", "legal_basis", "outline")  # where a whole draft is read
MAX_TEXT_FILE_MB = 10
_PASTED_UNTITLED_CHARS = 300  # a paste with 问题 / 建议 parts but no “关于…的建议” title is a draft only when this long


async def send(update: Update, pages: list[str], keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Pages into the update's chat (works for messages and button presses); keyboard on the last."""
    chat = update.effective_chat
    for i, page in enumerate(pages):
        await chat.send_message(page, parse_mode=ParseMode.HTML,
                                reply_markup=keyboard if i == len(pages) - 1 else None)


class SuggestionHandlers:
    def __init__(self, deps: BotDeps, svc: SuggestionServices) -> None:
        self.deps = deps
        self.core = deps.core
        self.svc = svc
        self.drafts = svc.drafts
        self.qa = QAHandlers(deps)  # a question typed mid-draft is answered the usual way

    # -- commands ---------------------------------------------------------------------------------
    async def suggest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        # "/suggest 议案" skips the kind step; "/suggest" and “提建议” ask for it with buttons.
        kind = next((k for k in KINDS if k in " ".join(context.args or [])), None)
        others = await self.drafts.list_drafts(author_of(user))
        p = await self.drafts.start(author_of(user), kind=kind, congress_level=await self.svc.congress_level(user),
                                    delegation=user.delegation or "")
        await self.svc.set_current(user, p.draft_id)
        log.info("draft started user=%s draft=%s", user.id, p.draft_id)
        lead = [e(t.START.format(kind=kind or "建议或议案"))]
        if others:
            lead.append(e(t.OTHER_DRAFTS.format(n=len(others))))
        await send(update, v.prompt_pages(p, lead + [""]), v.prompt_keyboard(p))

    async def list_drafts(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        pages, keyboard = v.drafts_list(await self.drafts.list_drafts(author_of(user)))
        await send(update, pages, keyboard)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        draft_id = await self.svc.current(user)
        if draft_id is None:
            await update.effective_message.reply_text(t.NO_CURRENT)
            return
        await self._confirm_cancel(update, user, draft_id)

    async def mine(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps)
        if user is None:
            return
        pages, keyboard = v.my_suggestions(await self.svc.status.my_suggestions(author_of(user)))
        await send(update, pages, keyboard)

    # -- messages while a step is open (handler group -1) -------------------------------------------
    async def intercept(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answers to the current step. Does nothing (other handlers run) when the user is not writing
        a draft or the draft is at its preview: a question asked then goes to the Q&A as usual."""
        msg = update.effective_message
        if msg is None or update.effective_user is None or (msg.text and TRIGGER.match(msg.text)):
            return
        res = await self.core.access.check(update.effective_user.id)
        if not res.ok:
            return
        user = res.user
        if msg.text and context.user_data is not None and (
                sid := await EVAL_REASON.get(self.core.state, user, context.user_data)):
            await EVAL_REASON.clear(self.core.state, user, context.user_data)
            if not msg.text.startswith("/"):  # a command means the deputy moved on: it runs as usual
                await self._unsatisfied_reason(update, context, user, sid, msg.text.strip())
                raise ApplicationHandlerStop
        draft_id = await self.svc.current(user)
        try:
            p = await self.drafts.prompt(draft_id, author_of(user)) if draft_id is not None else None
        except DraftError:
            await self.svc.clear_current(user)
            p = None
        if not isinstance(p, Prompt):  # no step open: a whole draft pasted here is offered as a new draft
            # “接着写” with drafts saved lists them; a bare “继续” here may ask for more of an answer: not taken
            if msg.text and typed_button(msg.text, "") == "resume" and re.search(r"写|起草|草稿|建议|议案", msg.text) \
                    and (drafts := await self.drafts.list_drafts(author_of(user))):
                await send(update, *v.drafts_list(drafts))
                raise ApplicationHandlerStop
            if msg.text and not msg.text.startswith("/") and await self._offer_pasted_draft(update, user, msg.text):
                raise ApplicationHandlerStop
            return
        if msg.text:
            await self._take_text(update, user, p, msg.text)
        elif msg.voice or msg.audio or (msg.document and (msg.document.mime_type or "").startswith("audio/")):
            await self._voice(update, context, user, p)
        elif (msg.document or msg.photo) and p.step == "attachments":
            await self._attach(update, user, p)
        elif msg.document and p.step in _TEXT_STEPS and (msg.document.file_name or "").lower().endswith(_TEXT_FILES):
            await self._document_answer(update, context, user, p)
        else:
            await msg.reply_text(t.ONLY_TEXT_HERE)
        raise ApplicationHandlerStop

    async def _take_text(self, update: Update, user: UserView, p: Prompt, text: str) -> None:
        """A typed (or spoken) answer. A plain question (“宁夏1月有什么工作？”, on another topic than the draft)
        is answered at once, the open draft mentioned once per step; one that might be either is held and the
        deputy asked which it is. Neither is refused as thin nor saved into the draft. A button's label typed
        (“暂存”“放弃”“跳过”, or “算了不写了”“改天再写”) does what the button does; a required step cannot be skipped;
        “上一步” reopens the step before. Prose sent at 联名代表/附件 that continues an earlier part (the second message of
        the 具体建议) is held and offered to be added there."""
        action = typed_button(text, p.step)
        if action == "back":
            await self._back(update, user, p)
            return
        if action == "pause":
            await self._pause(update, user, p.draft_id)
            return
        if action == "cancel":
            await self._confirm_cancel(update, user, p.draft_id)
            return
        if action == "skip":
            await send(update, v.prompt_pages(p, [e(t.CANNOT_SKIP.format(label=p.label)), ""]), v.prompt_keyboard(p))
            return
        if action == "resume":  # already writing: the step again, nothing saved
            title = (await self.drafts.content(p.draft_id, author_of(user))).title
            await send(update, v.prompt_pages(p, [e(t.RESUMED.format(title=inner_title(title) or t.UNTITLED)), ""]),
                       v.prompt_keyboard(p))
            return
        if looks_like_question(text, p.step) and await asyncio.to_thread(whole_draft, text, p.kind) is None:
            title = (await self.drafts.content(p.draft_id, author_of(user))).title
            if clearly_question(text, title):
                await self._ask_question(update, user, text)
                if await self.svc.remind_once(user, p.draft_id, p.step):
                    await send(update, [e(t.QUESTION_DRAFT_OPEN.format(title=inner_title(title) or t.UNTITLED,
                                                                       label=p.label))],
                               v.draft_open_keyboard(p.draft_id))
                return
            await self.svc.hold_question(user, p.draft_id, p.step, text)
            short = text if len(text) <= 40 else text[:40] + "…"
            await send(update, [e(t.QUESTION_OR_ANSWER.format(text=short, label=p.label))], v.question_keyboard(p))
            return
        target = earlier_step_for(text, p.step, p.kind)
        if target is not None:
            # held like a question (chat_state ``sugg_question``); its step names both ends, so a [作为…的内容]
            # button of an older held question cannot take it
            await self.svc.hold_question(user, p.draft_id, f"{p.step}>{target}", text)
            short = text if len(text) <= 40 else text[:40] + "…"
            await send(update, [e(t.CONTINUATION_ASK.format(text=short, label=STEP_BY_KEY[target].label, step=p.label,
                                                            what=t.CONTINUATION_WHAT.get(p.step, p.label)))],
                       v.continuation_keyboard(p, target))
            return
        await self._answer(update, user, p, text)

    async def _back(self, update: Update, user: UserView, p: Prompt) -> None:
        """“上一步” typed: the step before, what was entered kept; a part reopened from the preview: the preview."""
        try:
            where = await self.drafts.back(p.draft_id, author_of(user))
        except DraftError as exc:
            await send(update, v.prompt_pages(p, [e(str(exc)), ""]), v.prompt_keyboard(p))
            return
        if isinstance(where, Prompt):
            await send(update, v.prompt_pages(where, [e(t.BACK_DONE.format(label=where.label)), ""]),
                       v.prompt_keyboard(where))
            return
        await self._show_next(update, user, p.draft_id, None, [e(t.BACK_TO_PREVIEW.format(label=p.label)), ""])

    async def _continuation(self, update: Update, user: UserView, where: Prompt, c: v.Cb) -> None:
        """[补充到“具体建议”] / [不用，接着填“联名代表”] under a held continuation."""
        cq = update.callback_query
        target, add = (c.args + ("", ""))[:2]
        held = await self.svc.take_question(user, where.draft_id)
        if held is None or held.get("step") != f"{where.step}>{target}" or target not in STEP_BY_KEY:
            await cq.answer(t.EXPIRED)
            return
        await cq.answer()
        if add != "1":
            await send(update, v.prompt_pages(where, [e(t.APPEND_DROPPED), ""]), v.prompt_keyboard(where))
            return
        res = await self.drafts.append_to(where.draft_id, author_of(user), target, held["text"])
        prompt = res.prompt or where
        await send(update, v.prompt_pages(prompt, v.tip_blocks(t.APPENDED.format(label=STEP_BY_KEY[target].label),
                                                               res.feedback)),
                   v.prompt_keyboard(prompt))

    async def _document_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView,
                               p: Prompt) -> None:
        """A Word/PDF/TXT file at a text step is read, and nothing goes into the draft before the deputy chooses:
        a plain document as this step's content or not; a whole draft, when the draft already holds a title or
        text, replacing it, giving only this step's part, or as a new draft. A whole draft sent to an empty
        draft fills it at once (nothing to lose)."""
        doc = update.effective_message.document
        name = doc.file_name or "文件"
        if (doc.file_size or 0) > MAX_TEXT_FILE_MB * 1024 * 1024:
            await update.effective_message.reply_text(t.DOC_TOO_BIG.format(mb=MAX_TEXT_FILE_MB))
            return
        text = await self._read_document(update, context, doc.file_id, name)
        if text is None:
            return
        parts = await asyncio.to_thread(whole_draft, text, p.kind) if p.step in _BODY_STEPS else None
        content = await self.drafts.content(p.draft_id, author_of(user))
        has_text = bool(content.title) or any(getattr(content, k) for k in _BODY_STEPS if k != "title")
        if parts is not None and not has_text:
            await self._take_whole_file(update, user, p, text, parts, name)
            return
        token = await self.svc.hold_file(user, p.draft_id, p.step, doc.file_id, name, parts is not None)
        if parts is None:
            ask = t.DOC_ASK_PLAIN.format(name=name, n=len(text), label=p.label)
        else:
            new_title = parts.get("title", "")
            differs = (t.DOC_TITLE_DIFFERS.format(title=inner_title(new_title))
                       if new_title and content.title and new_title != content.title else "")
            ask = t.DOC_ASK_WHOLE.format(name=name, n=len(text), labels=self._labels(parts), differs=differs,
                                         title=inner_title(content.title) or t.UNTITLED)
        await send(update, [e(ask)],
                   v.file_keyboard(p, token, whole=parts is not None, step_part=bool(parts and parts.get(p.step))))

    async def _read_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE, file_id: str,
                             name: str) -> str | None:
        """The file's text (corpus.loaders), or None after telling the deputy why it could not be read."""
        from corpus.loaders import LoadError
        from suggestions.text import document_file_text

        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / ("draft" + Path(name).suffix.lower())
                path.write_bytes(data)
                text = await asyncio.to_thread(document_file_text, path)
        except LoadError as exc:
            await update.effective_chat.send_message(t.DOC_UNREADABLE.format(name=name, reason=exc))
            return None
        if not text:
            await update.effective_chat.send_message(t.DOC_UNREADABLE.format(name=name, reason="文件中没有文字"))
            return None
        return text

    async def _offer_pasted_draft(self, update: Update, user: UserView, text: str) -> bool:
        """A finished draft pasted with no step open (“关于…的建议” with its 问题 / 原因 / 建议) had been searched as
        a question, or refused as too long: it is held, and the deputy chooses 存为草稿并自检 or 这是提问."""
        first = text.strip().splitlines()[0].strip() if text.strip() else ""
        kind = KIND_BILL if first.endswith("议案") else KIND_SUGGESTION
        parts = await asyncio.to_thread(whole_draft, text, kind)  # ~20 ms on a 3,500-character paste
        if not parts or ("title" not in parts and len(text) < _PASTED_UNTITLED_CHARS):
            return False
        token = await self.svc.hold_pasted(user, text, kind)
        await update.effective_message.reply_text(
            t.PASTED_DRAFT.format(kind=kind, labels=self._labels(parts)), reply_markup=v.pasted_keyboard(token))
        return True

    async def _pasted(self, update: Update, user: UserView, c: v.Cb) -> None:
        """The buttons under a pasted draft: s (存为草稿并自检) or q (这是提问)."""
        cq = update.callback_query
        choice, token = (c.args + ("", ""))[:2]
        held = await self.svc.take_pasted(user, token)
        if held is None:
            await cq.answer(t.EXPIRED, show_alert=True)
            return
        await cq.answer()
        with contextlib.suppress(TelegramError):
            await cq.edit_message_reply_markup(reply_markup=None)
        if choice != "s":
            await self.qa.answer_text(update, user, held["text"])
            return
        new = await self.drafts.start(author_of(user), kind=held["kind"],
                                      congress_level=await self.svc.congress_level(user),
                                      delegation=user.delegation or "")
        await self.svc.set_current(user, new.draft_id)
        log.info("draft started from a paste user=%s draft=%s", user.id, new.draft_id)
        await self._answer(update, user, new, held["text"])

    @staticmethod
    def _labels(parts: dict[str, str]) -> str:
        return "、".join(STEP_BY_KEY[k].label for k in STEP_BY_KEY if k in parts)

    async def _take_whole_file(self, update: Update, user: UserView, p: Prompt, text: str, parts: dict[str, str],
                               name: str, lead: list[str] | None = None) -> None:
        """A whole draft from a file into draft ``p``: one message saying what the file filled (not “已读取…
        作为‘问题与现状’的内容” followed by “已从粘贴的全文中识别出…”)."""
        try:
            res = await self.drafts.answer(p.draft_id, author_of(user), text)
        except DraftError as exc:
            await update.effective_chat.send_message(str(exc))
            return
        head = t.DOC_TAKEN_WHOLE.format(name=name, labels=self._labels(parts))
        await self._show_result(update, user, p, res, (lead or []) + v.tip_blocks(head, res.feedback[1:]))

    async def _file_choice(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, where: Prompt,
                           c: v.Cb) -> None:
        """A button under a held file: 替换当前草稿 / 只取其中的“××” / 另存为新草稿 / 作为“××”的内容 / 不用这个文件."""
        cq = update.callback_query
        choice, token = (c.args + ("", ""))[:2]
        held = await self.svc.take_file(user, where.draft_id, token)
        if held is None or held.get("step") != where.step:
            await cq.answer(t.EXPIRED)
            return
        await cq.answer()
        name = held.get("name") or "文件"
        if choice == "d":
            await send(update, [e(t.DOC_SKIPPED.format(label=where.label))], v.prompt_keyboard(where))
            return
        text = await self._read_document(update, context, held["file_id"], name)
        if text is None:
            return
        parts = await asyncio.to_thread(whole_draft, text, where.kind) if where.step in _BODY_STEPS else None
        if choice == "u":
            await self._answer(update, user, where, text)
        elif choice == "r" and parts is not None:
            await self._take_whole_file(update, user, where, text, parts, name)
        elif choice == "s" and parts and parts.get(where.step):
            await self._answer(update, user, where, parts[where.step])
        elif choice == "n" and parts is not None:
            old_title = (await self.drafts.content(where.draft_id, author_of(user))).title
            new = await self.drafts.start(author_of(user), kind=where.kind,
                                          congress_level=await self.svc.congress_level(user),
                                          delegation=user.delegation or "")
            await self.svc.set_current(user, new.draft_id)
            log.info("draft started from a file user=%s draft=%s", user.id, new.draft_id)
            lead = [e(t.DOC_NEW_DRAFT.format(id=new.draft_id, title=inner_title(old_title) or t.UNTITLED))]
            await self._take_whole_file(update, user, new, text, parts, name, lead)
        else:
            await update.effective_chat.send_message(t.EXPIRED)

    async def _ask_question(self, update: Update, user: UserView, question: str) -> None:
        """The Q&A path for a question held mid-draft (bot.qa_handlers.QAHandlers.answer_text)."""
        await self.qa.answer_text(update, user, question)

    async def _voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, p: Prompt) -> None:
        async def allowed() -> bool:
            decision = await self.core.limiter.hit(user.id)
            if not decision.allowed:
                await update.effective_message.reply_text(texts.RATE_LIMITED.format(s=decision.retry_after_s))
            return decision.allowed

        got = await transcribe_message(self.deps, update, context, user.id, allowed)
        if got is None:
            return
        status, tr = got
        await status.edit_text(e(t.VOICE_HEARD.format(text=tr.text)), parse_mode=ParseMode.HTML)
        await self._take_text(update, user, p, tr.text)

    async def _attach(self, update: Update, user: UserView, p: Prompt) -> None:
        msg = update.effective_message
        if msg.document is not None:
            name, ref = msg.document.file_name or msg.document.file_id, msg.document.file_id
        else:
            # named by its caption, else by when it was sent (“照片140” named it by a message id)
            name = (msg.caption or "").strip()[:40] or f"{_PHOTO_NAME}（{msg.date.astimezone(BEIJING):%m月%d日 %H:%M}）"
            ref = msg.photo[-1].file_id
        await self.drafts.add_attachment(p.draft_id, author_of(user), name, ref)
        await msg.reply_text(t.ATTACHED.format(name=name), reply_markup=v.prompt_keyboard(p))

    async def _answer(self, update: Update, user: UserView, p: Prompt, text: str) -> None:
        try:
            res = await self.drafts.answer(p.draft_id, author_of(user), text)
        except DraftError as exc:
            await update.effective_chat.send_message(str(exc))
            return
        await self._show_result(update, user, p, res)

    async def _show_result(self, update: Update, user: UserView, p: Prompt, res: StepResult,
                           lead: list[str] | None = None) -> None:
        """``lead``: replaces the usual “已记录…” (or “已从粘贴的全文中识别出…”) of an accepted answer."""
        if not res.accepted:
            prompt = res.prompt or p
            await send(update, v.prompt_pages(prompt, v.rejected_blocks(res.feedback, p.label, p.step)),
                       v.prompt_keyboard(prompt))
            return
        if lead is None and res.head:  # the 类别 answer that also held the title
            lead = [e(res.head), *(f"· {e(f)}" for f in res.feedback), ""]
        elif lead is None and res.whole_draft:  # “已从粘贴的全文中识别出：……” instead of “已记录<this step>”
            lead = v.tip_blocks(res.feedback[0], res.feedback[1:])
        elif lead is None:
            lead = v.accepted_blocks(p.label, res.feedback, p.step)
        await self._show_next(update, user, p.draft_id, res.prompt, lead)

    async def _show_next(self, update: Update, user: UserView, draft_id: int, prompt: Prompt | None,
                         lead: list[str]) -> None:
        if prompt is not None:
            await send(update, v.prompt_pages(prompt, lead), v.prompt_keyboard(prompt))
            return
        content = await self.drafts.content(draft_id, author_of(user))  # the preview shows each part clipped
        await send(update, v.preview_pages(draft_id, content.kind, v.clipped_preview(content), lead),
                   v.preview_keyboard(draft_id, content.kind))

    async def _kind(self, user: UserView, draft_id: int) -> str:
        return (await self.drafts.content(draft_id, author_of(user))).kind

    async def _show(self, update: Update, user: UserView, draft_id: int, lead: list[str] | None = None) -> None:
        """Where the draft stands: its current step, or the preview."""
        where = await self.drafts.prompt(draft_id, author_of(user))
        await self._show_next(update, user, draft_id, where if isinstance(where, Prompt) else None, lead or [])

    async def _pause(self, update: Update, user: UserView, draft_id: int) -> None:
        """[暂存，以后再写] (or “暂存” typed): the draft is kept, the chat is free for questions."""
        if await self.svc.current(user) == draft_id:
            await self.svc.clear_current(user)
        await update.effective_chat.send_message(t.PAUSED)

    async def _confirm_cancel(self, update: Update, user: UserView, draft_id: int) -> None:
        """Ask first: a cancelled draft cannot be brought back."""
        title = (await self.drafts.content(draft_id, author_of(user))).title or t.UNTITLED
        await send(update, [e(t.CANCEL_CONFIRM.format(title=inner_title(title)))], v.cancel_keyboard(draft_id))

    async def _cancel(self, update: Update, user: UserView, draft_id: int) -> None:
        try:
            title = (await self.drafts.content(draft_id, author_of(user))).title
            await self.drafts.cancel(draft_id, author_of(user))
        except DraftError as exc:
            await update.effective_chat.send_message(str(exc))
            return
        finally:
            if await self.svc.current(user) == draft_id:
                await self.svc.clear_current(user)
        await update.effective_chat.send_message(t.CANCELLED.format(title=inner_title(title) or t.UNTITLED))

    # -- buttons ------------------------------------------------------------------------------------
    async def callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        cq = update.callback_query
        c = v.parse_cb(cq.data)
        if c is None:
            await cq.answer(t.EXPIRED, show_alert=True)
            return
        user = await require_user(update, self.deps)
        if user is None:
            return
        if c.op == "v":
            await self._evaluate(update, context, user, c)
            return
        if c.op == "w":
            await self._pasted(update, user, c)
            return
        try:
            await self._draft_button(update, context, user, c)
        except DraftClosed as exc:
            await cq.answer(str(exc))  # a stale tap (a second 提交): a quiet notice, no alert, no message
        except DraftError as exc:
            await cq.answer(str(exc), show_alert=True)

    async def _draft_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView,
                            c: v.Cb) -> None:
        cq = update.callback_query
        author, draft_id = author_of(user), c.id
        where = await self.drafts.prompt(draft_id, author)  # ownership and state (raises DraftError)
        if c.op == "x":
            await cq.answer()
            if c.args[:1] == ("1",):
                await self._cancel(update, user, draft_id)
            else:
                await self._confirm_cancel(update, user, draft_id)
            return
        if c.op == "p":
            await cq.answer()
            await self._pause(update, user, draft_id)
            return
        before = await self.svc.current(user)
        await self.svc.set_current(user, draft_id)  # any button of a draft makes it the chat's draft
        if before is not None and before != draft_id:  # an older message's button: say the switch (it was silent)
            title = (await self.drafts.content(draft_id, author)).title
            await update.effective_chat.send_message(t.SWITCHED_DRAFT.format(
                id=draft_id, title=inner_title(title) or t.UNTITLED, old=before))
        if c.op in ("k", "n", "u"):
            if not isinstance(where, Prompt):
                await cq.answer(t.AT_PREVIEW, show_alert=True)
                return
            if not self._button_fits(c, where):  # an older step's button: it must not answer this step
                await cq.answer(t.STALE_STEP_BUTTON.format(label=where.label), show_alert=True)
                return
            await cq.answer()
            if c.op == "k":
                answer = KINDS[int(c.args[0]) % 2] if c.args and c.args[0].isdigit() else ""
            else:
                answer = "无" if c.op == "n" else where.current
            await self._answer(update, user, where, answer)
        elif c.op == "T":  # the corrected title offered after a refusal
            if not isinstance(where, Prompt) or not where.suggested:
                await cq.answer(t.EXPIRED, show_alert=True)
                return
            await cq.answer()
            await self._answer(update, user, where, where.suggested)
        elif c.op in ("t", "q"):  # a held message: the step's content, or a question for the Q&A
            held = await self.svc.take_question(user, draft_id)
            if held is None or not isinstance(where, Prompt) or held.get("step") != where.step:
                await cq.answer(t.EXPIRED)
                return
            await cq.answer()
            if c.op == "t":
                await self._answer(update, user, where, held["text"])
            else:
                await self._ask_question(update, user, held["text"])
                await send(update, [e(t.BACK_TO_STEP.format(label=where.label))], v.prompt_keyboard(where))
        elif c.op == "m":  # a held message that continues an earlier part
            if not isinstance(where, Prompt):
                await cq.answer(t.EXPIRED)
                return
            await self._continuation(update, user, where, c)
        elif c.op == "f":  # a file held at a text step
            if not isinstance(where, Prompt):
                await cq.answer(t.EXPIRED)
                return
            await self._file_choice(update, context, user, where, c)
        elif c.op == "e":
            step = c.args[0] if c.args else ""
            if step not in STEP_BY_KEY:
                await cq.answer(t.EXPIRED, show_alert=True)
                return
            p = await self.drafts.edit(draft_id, author, step)
            await cq.answer()
            await send(update, v.prompt_pages(p), v.prompt_keyboard(p))
        elif c.op in ("r", "b"):
            await cq.answer()
            title = (await self.drafts.content(draft_id, author)).title or t.UNTITLED
            await self._show(update, user, draft_id,
                             [e(t.RESUMED.format(title=inner_title(title)))] if c.op == "r" else [])
        elif c.op == "c":
            await cq.answer(t.CHECKING)
            report = await self.svc.check(draft_id, user)
            keyboard = (v.prompt_keyboard(where) if isinstance(where, Prompt)
                        else v.preview_keyboard(draft_id, await self._kind(user, draft_id)))
            text = v.report_text(report)
            await send(update, [text], keyboard)
            if context.user_data is not None:  # 提交 right after: not the same report again
                context.user_data[REPORT_SHOWN] = (draft_id, text)
        elif c.op in ("s", "S"):
            await cq.answer(t.SUBMITTING)
            await self._submit(update, context, user, draft_id, where, check_first=c.op == "s")
        else:
            await cq.answer(t.EXPIRED, show_alert=True)

    @staticmethod
    def _button_fits(c: v.Cb, where: Prompt) -> bool:
        """A step's own button ([建议]/[议案] at 类别, [无联名]/[完成], [保持不变]) pressed while that step is open.
        [无联名]/[完成] and [保持不变] carry their step (older ones without it: where such a button is shown)."""
        if c.op == "k":
            return where.step == "kind"
        step = c.args[0] if c.args else ""
        if c.op == "n":
            return where.step == step if step else where.step in ("cosponsors", "attachments")
        return (where.step == step if step else True) and bool(where.current) and where.current_ok

    async def _submit(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, draft_id: int,
                      where: Prompt | str, *, check_first: bool) -> None:
        if isinstance(where, Prompt):
            if not await self.drafts.leave_edit(draft_id, author_of(user)):
                await send(update, v.prompt_pages(where, [e(t.NOT_FINISHED.format(label=where.label))]),
                           v.prompt_keyboard(where))
                return
            where = await self.drafts.preview(draft_id, author_of(user))  # the edit is left, the saved part stands
        if check_first:
            report = await self.svc.check(draft_id, user)
            if v.has_errors(report):
                text = v.report_text(report)
                shown = context.user_data.get(REPORT_SHOWN) if context.user_data is not None else None
                if shown == (draft_id, text):  # the deputy has just read it
                    n = sum(f.severity == SEVERITY_ERROR for f in report.findings)
                    await send(update, [e(t.SUBMIT_BLOCKED_SAME.format(n=n))], v.blocked_keyboard(draft_id))
                else:
                    await send(update, [text, e(t.SUBMIT_BLOCKED)], v.blocked_keyboard(draft_id))
                return
        try:
            done = await self.svc.submit(draft_id, user)
        except DraftClosed:
            return  # a second tap lost the race: the first one has sent the receipt
        except DraftError as exc:
            await update.effective_chat.send_message(str(exc))
            return
        await self.svc.clear_current(user)
        log.info("suggestion submitted user=%s draft=%s suggestion=%s", user.id, draft_id, done.suggestion_id)
        # One receipt: this message (with the summary) stands for the outbox copy, unless that went out already.
        async with self.svc.outbox_lock:
            if await self.svc.claim_receipt(done.receipt_outbox_id):
                try:
                    await update.effective_chat.send_message(
                        t.SUBMITTED.format(id=done.suggestion_id, summary=done.summary))
                except Exception:
                    await self.svc.release_receipt(done.receipt_outbox_id)
                    raise
        await deliver(context.bot, self.svc)  # the staff notice

    async def _evaluate(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, c: v.Cb) -> None:
        cq = update.callback_query
        try:
            evaluation = EVALUATIONS[int(c.args[0])]
            await self.svc.status.evaluate(c.id, author_of(user), evaluation)
        except (StatusError, IndexError, ValueError) as exc:
            await cq.answer(str(exc) if isinstance(exc, StatusError) else t.EXPIRED, show_alert=True)
            return
        await cq.answer(t.EVALUATED.format(evaluation=evaluation))
        await deliver(context.bot, self.svc)
        if evaluation == "不满意":  # staff need the why to press the units (it was answered as a question)
            await EVAL_REASON.set(self.core.state, user, context.user_data, c.id)
            await update.effective_chat.send_message(t.ASK_UNSATISFIED_REASON)

    async def _unsatisfied_reason(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, sid: int,
                                  reason: str) -> None:
        if reason in _SKIP:
            await update.effective_message.reply_text(t.UNSATISFIED_REASON_SKIPPED)
            return
        try:
            await self.svc.status.unsatisfied_reason(sid, author_of(user), reason)
        except StatusError as exc:
            await update.effective_message.reply_text(str(exc))
            return
        await update.effective_message.reply_text(t.UNSATISFIED_REASON_SAVED)
        await deliver(context.bot, self.svc)

