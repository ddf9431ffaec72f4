"""Helpers for the suggestion conversation tests: an Application with a hand-moved clock, button
lookup, and a draft written through the bot from /suggest to the preview."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

from bot.app import build_application
from bot.deps import BotDeps
from bot.suggestion_services import SuggestionServices
from bot.testing import FakeTelegram, UpdateFactory
from botharness import TOKEN, feed, register

T0 = datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)

TITLE = "关于完善城市公共厕所指引标识系统的建议"
PROBLEM = ("全市现有公厕 1,200 座，但导向标识覆盖率<40% & 各区标准不一，游客集中的老城区尤为突出；"
           "12345 热线去年收到相关投诉 860 件，其中七成反映找不到公厕或标识指向错误。")
CAUSE = "一是标识设置没有统一标准，各区各自为政；二是公厕信息未接入地图平台；三是维护经费未列入年度预算。"
MEASURES = ("1. 建议市城管局在 2026 年底前制定公厕导向标识设置标准，统一式样和设置间距；"
            "2. 建议市大数据局将全部公厕位置接入地图平台并每月更新；"
            "3. 建议市财政局将标识维护经费列入年度预算。")


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@asynccontextmanager
async def sugg_app(core, tg: FakeTelegram, *, clock: Clock | None = None, transcribe=None):  # noqa: ANN001
    """A fresh Application (as after a process restart) over ``core``'s database."""
    svc = SuggestionServices.build(core, clock=clock or Clock())
    app = build_application(BotDeps(core=core, transcribe=transcribe, suggestions=svc), token=TOKEN, request=tg,
                            get_updates_request=tg)
    async with app:
        tg.clear()
        yield app


def last_with_buttons(tg: FakeTelegram):  # noqa: ANN201
    return next(c for c in reversed(tg.sent()) if c.markup and c.markup.get("inline_keyboard"))


def button(tg: FakeTelegram, label: str) -> str:
    """Callback data of the newest button whose label starts with ``label``."""
    for call in reversed(tg.sent()):
        for text, data in call.buttons():
            if text.startswith(label):
                return data
    raise AssertionError(f"no button {label!r} in {[c.buttons() for c in tg.sent()]}")


def to(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [c.text for c in tg.sent("sendMessage") if str(c.params.get("chat_id")) == str(chat_id)]


async def press(app, upd: UpdateFactory, tg: FakeTelegram, uid: int, label: str, *,  # noqa: ANN001
                clear: bool = False) -> None:
    """Press the newest button labelled ``label`` (``clear``: forget the calls so far first)."""
    data = button(tg, label)
    if clear:
        tg.clear()
    await feed(app, upd.callback(uid, data))


async def say(app, upd: UpdateFactory, uid: int, text: str) -> None:  # noqa: ANN001
    await feed(app, upd.text(uid, text))


async def write_to_attachments(app, upd: UpdateFactory, tg: FakeTelegram, uid: int, *,  # noqa: ANN001
                               title: str = TITLE, problem: str = PROBLEM) -> None:
    """A suggestion written step by step up to its 附件 step."""
    await say(app, upd, uid, "/suggest")
    await press(app, upd, tg, uid, "建议")
    for text in (title, problem, CAUSE, MEASURES):
        await say(app, upd, uid, text)
    await press(app, upd, tg, uid, "无联名")
    assert "附件" in tg.texts()[-1], tg.texts()[-3:]


async def write_to_preview(app, upd: UpdateFactory, tg: FakeTelegram, uid: int, *, title: str = TITLE,  # noqa: ANN001
                           problem: str = PROBLEM) -> None:
    await write_to_attachments(app, upd, tg, uid, title=title, problem=problem)
    await press(app, upd, tg, uid, "完成")
    assert "建议预览" in tg.texts()[-1], tg.texts()[-3:]


async def author(core, uid: int) -> str:  # noqa: ANN001
    return str((await core.access.check(uid)).user.id)


def draft_id_of(tg: FakeTelegram) -> int:
    return int(button(tg, "暂存").split(":")[2])


async def draft_content(app, core, tg: FakeTelegram, uid: int):  # noqa: ANN001, ANN201
    """The open draft's saved content, read through the bot's own drafting service."""
    return await app.bot_data["suggestions"].drafts.content(draft_id_of(tg), await author(core, uid))


async def start_suggestion(app, core, upd: UpdateFactory, tg: FakeTelegram, uid: int, *texts: str) -> None:  # noqa: ANN001
    """Register ``uid``, open a 建议 with /suggest and type ``texts`` into the steps in order."""
    await register(core, app, upd, tg, uid)
    await say(app, upd, uid, "/suggest")
    await press(app, upd, tg, uid, "建议")
    for text in texts:
        await say(app, upd, uid, text)
