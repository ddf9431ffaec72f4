"""Staff-side review findings through the whole bot: same-named briefing attachments for two audiences,
a scheduled briefing's file searchable only once it is due, /cancel after a preview, a crashing button
answered once, /addevent with a time of day, an audience and past dates."""

from __future__ import annotations

from datetime import datetime

from botharness import feed, register
from storage.models import Role

from bot.deps import BotDeps
from broadcasts import consultation as cons
from broadcasts.bot_handlers import ingest_due_attachments
from broadcasts.models import Broadcast
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

STAFF, NX, GS = 720, 721, 722
NX_BODY = "关于黄河流域生态保护视察的通知\n\n视察时间定于九月十六日至十八日，集合地点为中卫市沙坡头区政府会议室。"
GS_BODY = "关于祁连山生态环境保护视察的通知\n\n视察时间定于十月八日至十日，集合地点为张掖市甘州区人民政府第三会议室。"
NX_Q, GS_Q = "黄河流域生态保护视察集合地点在哪里", "祁连山生态环境保护视察集合地点在哪里"


async def _users(app, core, tg, upd):
    await register(core, app, upd, tg, STAFF, role=Role.STAFF)
    await register(core, app, upd, tg, NX, delegation="宁夏代表团")
    await register(core, app, upd, tg, GS, delegation="甘肃代表团")


async def _propose(app, tg, upd, file_id: str, body: str, command: str, name: str = "通知.txt"):
    tg.add_file(file_id, body.encode())
    upload = upd.document(STAFF, file_id, name, file_size=len(body.encode()))
    await feed(app, upd.text(STAFF, command, reply_to=upload))
    return tg.sent("sendMessage")[-1]


async def _asks(app, tg, upd, uid: int, question: str) -> str:
    tg.clear()
    await feed(app, upd.text(uid, question))
    return tg.texts()[-1]


async def test_two_attachments_with_one_file_name_both_stay(app, core, tg, upd):
    await _users(app, core, tg, upd)
    for fid, body, who in (("nx", NX_BODY, "宁夏代表团"), ("gs", GS_BODY, "甘肃代表团")):
        preview = await _propose(app, tg, upd, fid, body, f"/broadcast 代表团:{who} 请查收视察通知。")
        await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发送"]))
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert "沙坡头区政府会议室" in await _asks(app, tg, upd, NX, NX_Q)
    assert "甘州区人民政府第三会议室" in await _asks(app, tg, upd, GS, GS_Q)
    assert "甘州区人民政府第三会议室" not in await _asks(app, tg, upd, NX, GS_Q)  # each keeps its scope


async def test_scheduled_attachment_is_searchable_only_when_due(app, core, tg, upd):
    await _users(app, core, tg, upd)
    preview = await _propose(app, tg, upd, "later", NX_BODY, "/broadcast 全体 @2030-03-05 08:30 请查收视察通知。")
    assert "定时发送时收入资料库" in preview.text
    await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发送"]))
    assert "定时于 2030-03-05 08:30 发送" in tg.sent("editMessageText")[-1].text
    deps = BotDeps(core=core)
    assert await ingest_due_attachments(deps, app.bot) == 0  # not yet
    assert "沙坡头区政府会议室" not in await _asks(app, tg, upd, NX, NX_Q)
    assert await ingest_due_attachments(deps, app.bot, now=datetime(2030, 3, 5, 0, 31)) == 1
    assert "沙坡头区政府会议室" in await _asks(app, tg, upd, NX, NX_Q)
    assert await ingest_due_attachments(deps, app.bot, now=datetime(2030, 3, 6)) == 0  # once


async def test_cancelled_scheduled_attachment_never_enters_the_knowledge_base(app, core, tg, upd):
    await _users(app, core, tg, upd)
    preview = await _propose(app, tg, upd, "later", NX_BODY, "/broadcast 全体 @2030-03-05 08:30 请查收视察通知。")
    await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发送"]))
    await feed(app, upd.text(STAFF, "/bccancel 1"))
    assert "2 人不会收到" in tg.texts()[-1]
    assert await ingest_due_attachments(BotDeps(core=core), app.bot, now=datetime(2030, 3, 6)) == 0
    assert "沙坡头区政府会议室" not in await _asks(app, tg, upd, NX, NX_Q)


async def test_cancel_command_after_step_by_step_preview_cancels_the_draft(app, core, tg, upd):
    await _users(app, core, tg, upd)
    await feed(app, upd.text(STAFF, "/broadcast"))
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["全体代表"]))
    await feed(app, upd.text(STAFF, "下午三点开会"))
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["立即发送"]))
    assert "通知 #1 预览" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/cancel"))
    assert tg.texts()[-1] == "通知 #1 已取消，未发送。"
    async with core.db.session() as s:
        assert (await s.get(Broadcast, 1)).state == "cancelled"
    await feed(app, upd.text(STAFF, "/cancel"))  # nothing of ours left: the suggestion module answers
    assert "通知" not in tg.texts()[-1]


async def test_crashing_button_is_answered_once_by_the_whole_bot(app, core, tg, upd, monkeypatch):
    await _users(app, core, tg, upd)

    async def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(cons, "get", boom)
    tg.clear()
    await feed(app, upd.callback(NX, "cs:1"))
    (answer,) = tg.sent("answerCallbackQuery")
    assert "事件编号" in answer.params["text"]


async def test_addevent_time_audience_and_past_dates(app, core, tg, upd):
    await _users(app, core, tg, upd)
    await feed(app, upd.text(STAFF, "/addevent 2026-12-05 14:30 代表座谈会"))
    assert tg.texts()[-1].startswith("已登记：2026-12-05 14:30 代表座谈会") and "范围：全部" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/addevent 12月8日 代表团:宁夏代表团 赴中卫视察"))
    assert "赴中卫视察" in tg.texts()[-1] and "范围：代表团：宁夏代表团" in tg.texts()[-1]
    # as staff say it: a spoken time, a delegation's bare name
    await feed(app, upd.text(STAFF, "/addevent 12月9日 下午3点 宁夏代表团 专题调研"))
    assert tg.texts()[-1].startswith("已登记：2026-12-09 15:00 专题调研") and "范围：代表团：宁夏代表团" in tg.texts()[-1]
    # round 12: the days and times /broadcast takes (明天 10:00, 下周三 下午3点) had got only the usage text
    await feed(app, upd.text(STAFF, "/addevent 明天 10:00 代表小组活动"))
    assert tg.texts()[-1].startswith("已登记：2026-08-11 10:00 代表小组活动")
    await feed(app, upd.text(STAFF, "/addevent 下周三 下午3点 宁夏代表团 走访选民"))
    assert tg.texts()[-1].startswith("已登记：2026-08-19 15:00 走访选民") and "代表团：宁夏代表团" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/addevent 后天 联络站接待"))
    assert tg.texts()[-1].startswith("已登记：2026-08-12 联络站接待")
    await feed(app, upd.text(STAFF, "/addevent 2026-01-05 代表座谈会"))  # the bot's today is 2026-08-10
    assert "已经过去" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/addevent 2026-12-05 25:00 代表座谈会"))
    assert "无法识别时间" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/addevent 2026-12-05 委员会:教科文卫委 座谈"))
    assert "没有可接收通知的代表" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/addevent 2026-12-05 层级:省 座谈"))
    assert "活动的范围只能是" in tg.texts()[-1]
    users = {u.telegram_id: u for u in await core.access.list_users()}

    async def titles(uid: int) -> list[str]:
        return [e.title for p in await core.schedule.plan(users[uid], months=[(2026, 12)]) for e in p.events]

    assert await titles(NX) == ["14:30 代表座谈会", "赴中卫视察", "15:00 专题调研"]  # December only
    assert await titles(GS) == ["14:30 代表座谈会"]  # 宁夏代表团's event is not on 甘肃's schedule
