"""Staff-only commands: document upload, invitations, user management, events."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import formatting, texts
from bot.deps import BotDeps
from bot.guard import require_user
from storage.access import AccountChangeRefused, UnknownInvitationError, UnknownUserError
from storage.clock import BEIJING, beijing_minute
from storage.models import Role
from storage.schedule import parse_day
from storage.state import UPLOAD_SCOPE
from storage.uploads import parse_scope, upload_problem

log = logging.getLogger(__name__)

def _role(arg: str) -> Role | None:
    aliases = {"代表": Role.DEPUTY, "工作人员": Role.STAFF, "管理员": Role.ADMIN}
    try:
        return Role(arg.lower())
    except ValueError:
        return aliases.get(arg)


def _int(arg: str) -> int | None:
    try:
        return int(arg)
    except ValueError:
        return None

_SAVE_AS_DOCX = (".doc", ".wps", ".rtf", ".odt")  # word processors save these as .docx in one step
_LAW_DRAFT_NAME = re.compile(r"草案|征求意见稿|送审稿|修改稿|修订稿")


_COMMITTEE = re.compile(r"(委员会|委)$")


def _invite_affiliations(words: list[str]) -> tuple[str | None, list[str], list[str]]:
    """The words after an invitee's name: (delegation, committees, words that are neither).

    A word ending in 代表团 is the delegation; one ending in 委员会 / 委 a committee (“财经委”); with no 代表团
    word, the first other word is the delegation (“/invite 代表 张三 宁夏”). Anything further is reported, not
    guessed: a county typed before the delegation had become the delegation."""
    words = [w for raw in words if (w := re.sub(r"^(代表团|委员会)[:：]", "", raw))]
    named = [w for w in words if w.endswith("代表团")]
    committees = [w for w in words if _COMMITTEE.search(w) and w not in named]
    rest = [w for w in words if w not in named and w not in committees]
    if not named and rest:
        named, rest = rest[:1], rest[1:]
    return (named[0] if named else None), committees, named[1:] + rest


async def _reply_listing(update: Update, head: str | None, empty: str, lines: list[str]) -> None:
    """A staff listing (/users, /invites, /uploads): the head and one line each, paged; ``empty`` when there is none."""
    if not lines:
        await update.effective_message.reply_text(empty)
        return
    for page in formatting.paginate(formatting.e(x) for x in ([head] if head else []) + lines):
        await update.effective_message.reply_text(page, parse_mode=ParseMode.HTML)


class StaffHandlers:
    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps
        self.core = deps.core

    async def document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps, staff=True, forbidden=texts.DEPUTY_DOCUMENT)
        if user is None:
            return
        msg = update.effective_message
        doc = msg.document
        problem = upload_problem(doc.file_name, doc.file_size)
        if problem == "type":
            saved_as = (doc.file_name or "").lower().endswith(_SAVE_AS_DOCX)  # say how to convert, not just “no”
            await msg.reply_text(texts.UPLOAD_OLD_OFFICE.format(name=doc.file_name) if saved_as
                                 else texts.UPLOAD_BAD_TYPE)
            return
        if problem == "size":
            await msg.reply_text(texts.UPLOAD_TOO_LARGE)
            return
        scope = parse_scope(msg.caption)
        consultable = (doc.file_name or "").lower().endswith((".docx", ".pdf"))
        if scope is None and not msg.caption:
            saved = await self.core.state.get(user, UPLOAD_SCOPE)
            scope = saved.get("scope") if saved else None
            if scope is not None and consultable and _LAW_DRAFT_NAME.search(doc.file_name or ""):
                # a law draft sent for /consult must not be indexed by the /scope default and then answer
                # deputies' questions as if it were law (round 12's bot tester); a caption still indexes it
                await msg.reply_text(texts.UPLOAD_LAW_DRAFT.format(name=doc.file_name))
                return
        if scope is None:
            # A DOCX/PDF may be a law draft for /consult (which takes no caption): both ways on are named.
            await msg.reply_text(texts.UPLOAD_NEED_SCOPE_OR_CONSULT if consultable else texts.UPLOAD_NEED_SCOPE)
            return
        status = await msg.reply_text(texts.UPLOAD_WORKING.format(name=doc.file_name))
        try:
            data = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
        except TelegramError as exc:
            log.info("upload download failed user=%s reason=%s", user.id, type(exc).__name__)
            await status.edit_text(texts.UPLOAD_DOWNLOAD_FAILED)
            return
        summary = await self.core.uploads.ingest_bytes(doc.file_name, data, scope)
        log.info("upload user=%s scope=%s chunks=%d errors=%d", user.id, scope, summary.chunks, len(summary.errors))
        await status.edit_text(formatting.upload_summary(summary), parse_mode=ParseMode.HTML)

    async def scope(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        scope = parse_scope(" ".join(context.args or []))
        if scope is None:
            await update.effective_message.reply_text(texts.SCOPE_BAD)
            return
        await self.core.state.put(user, UPLOAD_SCOPE, {"scope": scope})
        await update.effective_message.reply_text(texts.SCOPE_SET.format(scope=formatting.scope_label(scope)))

    async def invite(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        args = context.args or []
        role = _role(args[0]) if args else None
        if role is None or len(args) < 2:
            await update.effective_message.reply_text(texts.INVITE_USAGE)
            return
        if role is Role.ADMIN and user.role is not Role.ADMIN:
            await update.effective_message.reply_text(texts.ADMIN_ONLY)
            return
        name = args[1]
        delegation, committees, unknown = _invite_affiliations(args[2:])
        if unknown:  # “/invite 代表 马建国 同心县 宁夏代表团” stored 同心县 as the delegation
            example = " ".join(["/invite", args[0], name, *([delegation] if delegation else []), *committees])
            await update.effective_message.reply_text(texts.INVITE_UNKNOWN_WORDS.format(
                words="、".join(unknown), example=example))
            return
        code, _inv = await self.core.access.create_invitation(
            name=name, role=role, delegation=delegation, committees=committees, ttl=self.deps.invite_ttl,
            created_by=f"user:{user.id}",
        )
        log.info("invitation created by user=%s role=%s", user.id, role.value)
        await update.effective_message.reply_text(
            texts.INVITE_DONE.format(
                code=code, role=texts.ROLE_NAMES[role.value], hours=int(self.deps.invite_ttl.total_seconds() // 3600),
                name=escape(name) + "".join(f"，{label}：{escape(value)}" for label, value in
                                            (("代表团", delegation), ("专门委员会", "、".join(committees))) if value)),
            parse_mode=ParseMode.HTML,
        )

    async def invites(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/invites: the codes not yet used, with the number /revoke takes."""
        if await require_user(update, self.deps, staff=True) is None:
            return
        await _reply_listing(update, texts.INVITES_HEAD, texts.INVITES_EMPTY, [
            f"{i.id}. {i.name} · {texts.ROLE_NAMES[i.role]}" + (f" · {i.delegation}" if i.delegation else "")
            + f" · {beijing_minute(i.expires_at)} 前有效" for i in await self.core.access.open_invitations()])

    async def revoke(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/revoke 编号: withdraw an unused code (given to the wrong person, or with a wrong name)."""
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        args = context.args or []
        target = _int(args[0].lstrip("#")) if len(args) == 1 else None
        if target is None:
            await update.effective_message.reply_text(texts.REVOKE_USAGE)
            return
        try:
            inv = await self.core.access.revoke_invitation(target, by=user)
        except UnknownInvitationError:
            await update.effective_message.reply_text(texts.INVITE_UNKNOWN.format(id=target))
            return
        except AccountChangeRefused as exc:
            await update.effective_message.reply_text(str(exc))
            return
        log.info("invitation %s withdrawn by user=%s", inv.id, user.id)
        await update.effective_message.reply_text(texts.REVOKE_DONE.format(id=inv.id, name=inv.name))

    async def uploads(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/uploads: the documents staff sent, each with the code /delupload takes."""
        if await require_user(update, self.deps, staff=True) is None:
            return
        await _reply_listing(update, texts.UPLOADS_HEAD, texts.UPLOADS_EMPTY, [
            f"{d.code} · 《{d.title}》 · {formatting.scope_label(d.scope)} · {d.chunks} 个片段"
            for d in await self.core.uploads.listed()])

    async def delupload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/delupload 代码: an upload sent with the wrong scope, or superseded, had to be removed on the server."""
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        args = context.args or []
        if len(args) != 1:
            await update.effective_message.reply_text(texts.DELUPLOAD_USAGE)
            return
        doc = await self.core.uploads.delete(args[0])
        if doc is None:
            await update.effective_message.reply_text(texts.DELUPLOAD_UNKNOWN.format(code=args[0]))
            return
        log.info("upload %s deleted by user=%s", doc.doc_id, user.id)
        await update.effective_message.reply_text(texts.DELUPLOAD_DONE.format(title=doc.title, chunks=doc.chunks))

    async def users(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        await _reply_listing(update, None, texts.USERS_EMPTY, [
            f"{u.id}. {u.name} · {texts.ROLE_NAMES[u.role.value]}" + (f" · {u.delegation}" if u.delegation else "")
            + ("" if u.active else " · 已停用") for u in await self.core.access.list_users()])

    async def suspend(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._change_status(update, context, suspend=True)

    async def reactivate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reactivate 编号: a suspended account could only be restored from the server's console."""
        await self._change_status(update, context, suspend=False)

    async def _change_status(self, update: Update, context: ContextTypes.DEFAULT_TYPE, *, suspend: bool) -> None:
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        args = context.args or []
        target = _int(args[0]) if args else None
        if target is None:
            await update.effective_message.reply_text(texts.SUSPEND_USAGE if suspend else texts.REACTIVATE_USAGE)
            return
        change = self.core.access.suspend if suspend else self.core.access.reactivate
        try:
            u = await change(target, by=user)
        except UnknownUserError:
            await update.effective_message.reply_text(texts.USER_UNKNOWN.format(id=target))
            return
        except AccountChangeRefused as exc:
            await update.effective_message.reply_text(str(exc))
            return
        log.info("user=%s %s user=%s", user.id, "suspended" if suspend else "reactivated", u.id)
        done = texts.SUSPEND_DONE if suspend else texts.REACTIVATE_DONE
        await update.effective_message.reply_text(done.format(name=u.name, id=u.id))

    async def setrole(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        args = context.args or []
        target = _int(args[0]) if args else None
        role = _role(args[1]) if len(args) > 1 else None
        if target is None or role is None:
            await update.effective_message.reply_text(texts.SETROLE_USAGE)
            return
        if role is Role.ADMIN and user.role is not Role.ADMIN:
            await update.effective_message.reply_text(texts.ADMIN_ONLY)
            return
        try:
            u = await self.core.access.set_role(target, role, by=user)
        except UnknownUserError:
            await update.effective_message.reply_text(texts.USER_UNKNOWN.format(id=target))
            return
        except AccountChangeRefused as exc:
            await update.effective_message.reply_text(str(exc))
            return
        await update.effective_message.reply_text(
            texts.SETROLE_DONE.format(name=u.name, id=u.id, role=texts.ROLE_NAMES[u.role.value])
        )

    async def addevent(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/addevent 日期 [时:分] [范围] 活动名称 (范围 as in /broadcast: 全体, 代表团:…, 委员会:…)."""
        user = await require_user(update, self.deps, staff=True)
        if user is None:
            return
        try:
            day, at, scope, title = await self._parse_event(context.args or [])
        except ValueError as exc:
            await update.effective_message.reply_text(str(exc))
            return
        # The events table has a day only: the time leads the title (broadcasts.reminders.event_time).
        full = f"{at:%H:%M} {title}" if at else title
        ev = await self.core.schedule.add_event(user, day, full, scope=scope)
        done = texts.ADDEVENT_DONE.format(day=ev.day.isoformat(), title=ev.title)
        await update.effective_message.reply_text(f"{done}\n范围：{formatting.scope_label(scope)}")

    async def _parse_event(self, args: list[str]) -> tuple[date, time | None, str, str]:
        """Raises ValueError with the Chinese message to show."""
        from broadcasts import audience as aud
        from broadcasts.commands import parse_audience, read_day, split_audience
        from broadcasts.reminders import parse_time_of_day

        today = self.core.schedule.today()
        day = parse_day(args[0], today) if args else None
        if day is None and (read := read_day(args, today)):  # “明天 10:00”, “下周三 下午3点”, as /broadcast takes them
            day, at, used = read
            args = [day.isoformat(), *([f"{at:%H:%M}"] if at else []), *args[used:]]
        if day is None or len(args) < 2:
            raise ValueError(texts.ADDEVENT_USAGE)
        rest = args[1:]
        at = parse_time_of_day(rest[0])
        if at is not None or re.match(r"^\d{1,2}[:：]\d{2}$", rest[0]):
            if at is None:
                raise ValueError(f"无法识别时间“{rest[0]}”，请写成 时:分，例如 14:30")
            rest = rest[1:]
        scope, words = "all", " ".join(rest)
        first = rest[0] if rest else ""
        if first.endswith("代表团") and len(rest) > 1 and ":" not in first and "：" not in first:
            async with self.core.db.session() as s:  # “宁夏代表团 赴中卫视察”: a delegation that exists is the audience
                if await aud.count(s, aud.AudienceSpec("delegation", first)):
                    first = f"代表团:{first}"
                    words = " ".join([first, *rest[1:]])
        if first in ("全体", "全部") or re.match(r"^(代表团|委员会|层级|标签|名单)[:：]", first):
            word, words = split_audience(words)
            spec = parse_audience(word)
            if spec.kind not in ("all", "delegation", "committee"):
                raise ValueError("活动的范围只能是 全体、代表团:名称 或 委员会:名称。\n" + texts.ADDEVENT_USAGE)
            async with self.core.db.session() as s:
                if not await aud.count(s, spec):
                    raise await aud.nobody_error(s, spec)
            scope = spec.scope()
        title = words.strip()
        if not title:
            raise ValueError(texts.ADDEVENT_USAGE)
        if day < today or (day == today and at is not None and at <= datetime.now(BEIJING).time()):
            raise ValueError(f"活动时间 {day.isoformat()}{f' {at:%H:%M}' if at else ''} 已经过去，请输入将来的日期。")
        return day, at, scope, title
