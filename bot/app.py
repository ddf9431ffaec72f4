"""Builds the python-telegram-bot Application: handlers wired to the core."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.account_handlers import BARE_CODE, CODE_TOKEN, AccountHandlers
from bot.deps import BotDeps
from bot.errors import on_error
from bot.qa_handlers import QAHandlers
from bot.staff_handlers import StaffHandlers
from bot.suggestion_handlers import TRIGGER, SuggestionHandlers
from bot.suggestion_services import SuggestionServices
from bot.suggestion_staff import SuggestionStaffHandlers
from bot.voice_handlers import VoiceHandlers

AUDIO_DOCUMENT = filters.Document.Category("audio/")
# New messages only: an edited question is not asked again.
NEW = filters.UpdateType.MESSAGE

COMMANDS = [
    BotCommand("help", "使用说明"),
    BotCommand("schedule", "本月和下月的工作安排"),
    BotCommand("suggest", "起草建议或议案"),
    BotCommand("drafts", "接着写保存的草稿"),
    BotCommand("mysuggestions", "我的建议办理情况"),
    BotCommand("cancel", "放弃当前草稿"),
    BotCommand("start", "注册：/start 邀请码"),
]
# Messages that may answer an open draft step (checked in handler group -1, before Q&A and voice).
DRAFT_INPUT = NEW & ((filters.TEXT & ~filters.COMMAND) | filters.VOICE | filters.AUDIO | filters.Document.ALL
                     | filters.PHOTO)


def build_application(
    deps: BotDeps,
    *,
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    builder = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url or base_url.replace("/bot", "/file/bot"))
        # Different users must not wait on each other; the core is safe under concurrency.
        .concurrent_updates(True)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app = builder.build()
    register_handlers(app, deps)
    return app


def register_handlers(app: Application, deps: BotDeps) -> None:
    qa = QAHandlers(deps)
    account = AccountHandlers(deps, qa)
    voice = VoiceHandlers(deps, qa)
    staff = StaffHandlers(deps)

    app.add_handler(CommandHandler("start", account.start))
    app.add_handler(CommandHandler("help", account.help))
    app.add_handler(CommandHandler("schedule", qa.schedule))
    app.add_handler(CommandHandler("invite", staff.invite))
    app.add_handler(CommandHandler("invites", staff.invites))
    app.add_handler(CommandHandler("revoke", staff.revoke))
    app.add_handler(CommandHandler("users", staff.users))
    app.add_handler(CommandHandler("suspend", staff.suspend))
    app.add_handler(CommandHandler("reactivate", staff.reactivate))
    app.add_handler(CommandHandler("setrole", staff.setrole))
    app.add_handler(CommandHandler("addevent", staff.addevent))
    app.add_handler(CommandHandler("scope", staff.scope))
    app.add_handler(CommandHandler("uploads", staff.uploads))
    app.add_handler(CommandHandler("delupload", staff.delupload))
    register_suggestion_handlers(app, deps)
    code_like = filters.Regex(BARE_CODE) | filters.Regex(CODE_TOKEN)  # the code alone, or inside a sentence
    app.add_handler(MessageHandler(NEW & code_like & ~filters.COMMAND, account.bare_code))
    app.add_handler(MessageHandler(NEW & filters.TEXT & ~filters.COMMAND, qa.text))
    app.add_handler(MessageHandler(NEW & filters.COMMAND, account.unknown_command))
    app.add_handler(MessageHandler(NEW & (filters.VOICE | filters.AUDIO | AUDIO_DOCUMENT), voice.voice))
    app.add_handler(MessageHandler(NEW & filters.Document.ALL, staff.document))
    app.add_handler(CallbackQueryHandler(voice.alternative, pattern=r"^a:"))
    app.add_handler(CallbackQueryHandler(qa.callback))
    app.add_handler(MessageHandler(NEW, account.unsupported))
    app.add_error_handler(on_error)
    # Broadcasts, consultations, read receipts (issue 6): their own handler groups, run first.
    from broadcasts.bot_handlers import register_broadcast_handlers

    register_broadcast_handlers(app, deps)


def register_suggestion_handlers(app: Application, deps: BotDeps) -> SuggestionServices:
    """Suggestions and bills (issue 5). Commands and buttons join group 0 ahead of the catch-alls;
    answers to an open draft step are taken in group -1, before questions and voice questions."""
    svc = deps.suggestions or SuggestionServices.build(deps.core)
    deps.suggestions = svc
    app.bot_data["suggestions"] = svc
    deputy = SuggestionHandlers(deps, svc)
    staff = SuggestionStaffHandlers(deps, svc)
    app.add_handler(CommandHandler("suggest", deputy.suggest))
    app.add_handler(MessageHandler(NEW & filters.Regex(TRIGGER), deputy.suggest))
    app.add_handler(CommandHandler("drafts", deputy.list_drafts))
    app.add_handler(CommandHandler("cancel", deputy.cancel))
    app.add_handler(CommandHandler("mysuggestions", deputy.mine))
    app.add_handler(CommandHandler("pending", staff.pending))
    app.add_handler(CommandHandler("assign", staff.assign))
    app.add_handler(CommandHandler("reply", staff.reply))
    app.add_handler(CommandHandler("progress", staff.progress))
    app.add_handler(CommandHandler("rehandle", staff.rehandle))
    app.add_handler(CommandHandler("overdue", staff.overdue))
    app.add_handler(CommandHandler("merge", staff.merge))
    app.add_handler(CommandHandler("analysis", staff.analysis))
    app.add_handler(CallbackQueryHandler(staff.assign_button, pattern=r"^sg:a:"))
    app.add_handler(CallbackQueryHandler(deputy.callback, pattern=r"^sg:"))
    app.add_handler(MessageHandler(DRAFT_INPUT, deputy.intercept), group=-1)
    return svc
