"""The real PTB Application with the broadcast handlers; Telegram faked at the HTTP boundary
(bot.testing.FakeTelegram). Staff compose and confirm, the worker sends through the real Bot, a deputy
presses 已阅, staff read the report."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.testing import UpdateFactory

from broadcasts.commands import parse_audience, parse_profile, parse_when
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

pytestmark = pytest.mark.db
STAFF, DEP1, DEP2 = 500, 100, 101


async def feed(app, payload):
    await app.process_update(Update.de_json(payload, app.bot))


async def test_compose_confirm_send_read_report(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(DEP1, "/broadcast 全体 试试"))
    assert tg.texts()[-1] == "该功能仅限工作人员使用。"  # deputies cannot broadcast
    tg.clear()
    await feed(app, upd.text(STAFF, "/broadcast 代表团:广东代表团 明天九点集合"))
    preview = tg.sent("sendMessage")[-1]
    assert "接收范围：代表团：广东代表团（1 人）" in preview.text
    ok = [d for t, d in preview.buttons() if t == "确认发送"][0]
    await feed(app, upd.callback(STAFF, ok))
    assert "开始发送，共 1 人" in tg.sent("editMessageText")[-1].text
    tg.clear()
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    msg = tg.sent("sendMessage")[-1]
    assert msg.params["chat_id"] in (DEP1, str(DEP1)) and msg.text == "明天九点集合"
    (label, data), = msg.buttons()
    assert label == "已阅"
    await feed(app, upd.callback(DEP1, data))
    assert tg.sent("answerCallbackQuery")[-1].params["text"].startswith("已确认阅读")
    await feed(app, upd.text(STAFF, "/bcreport 1"))
    report = tg.texts()[-1]
    assert "已送达 1" in report and "已阅 1 人，未阅 0 人" in report


async def test_bad_commands_get_chinese_help(app):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体"))
    assert "/broadcast 范围 [@YYYY-MM-DD HH:MM] 通知内容" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 火星:某地 内容"))
    assert "无法识别接收范围" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 全体 @2026-13-45 09:00 内容"))
    assert "定时格式" in tg.texts()[-1]


async def test_step_by_step_compose(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast"))
    step1 = tg.sent("sendMessage")[-1]
    assert "第 1/3 步" in step1.text
    buttons = dict(step1.buttons())
    assert {"全体代表", "代表团：广东代表团", "代表团：四川代表团", "放弃"} <= set(buttons)
    await feed(app, upd.callback(STAFF, buttons["代表团：广东代表团"]))
    assert "第 2/3 步" in tg.texts()[-1] and "代表团：广东代表团（1 人）" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "  "))
    assert "不能为空" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "明天九点在驻地大厅集合"))
    step3 = tg.sent("sendMessage")[-1]
    assert "第 3/3 步" in step3.text and [t for t, _ in step3.buttons()] == ["立即发送", "放弃"]
    await feed(app, upd.text(STAFF, "下周"))  # no day (“下周一” alone is read as 09:00 that day)
    assert "定时格式" in tg.texts()[-1]  # still at step 3
    await feed(app, upd.text(STAFF, "2030-03-05 08:30"))
    preview = tg.sent("sendMessage")[-1]
    assert "接收范围：代表团：广东代表团（1 人）" in preview.text and "定时：2030-03-05 08:30" in preview.text
    assert preview.text.endswith("明天九点在驻地大厅集合") and "确认发送" in dict(preview.buttons())
    # the flow is over: the next message is not taken as a briefing
    n = len(tg.sent("sendMessage"))
    await feed(app, upd.text(STAFF, "随便说一句"))
    assert len(tg.sent("sendMessage")) == n
    # typed audience, unknown delegation, then /cancel: nothing is created
    await feed(app, upd.text(STAFF, "/broadcast"))
    await feed(app, upd.text(STAFF, "代表团:火星代表团"))
    assert "没有可接收通知的代表" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "代表团:四川代表团"))
    assert "代表团：四川代表团（1 人）" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/cancel"))
    assert tg.texts()[-1] == "已放弃发布通知，未保存任何内容。"
    await feed(app, upd.text(STAFF, "/bcreport 2"))
    assert tg.texts()[-1] == "找不到通知 #2"
    # a one-line /broadcast in the middle replaces the half-composed one
    await feed(app, upd.text(STAFF, "/broadcast"))
    await feed(app, upd.text(STAFF, "/broadcast 全体 一行写完的通知"))
    assert "一行写完的通知" in tg.texts()[-1]
    n = len(tg.sent("sendMessage"))
    await feed(app, upd.text(STAFF, "代表团:四川代表团"))
    assert len(tg.sent("sendMessage")) == n  # not taken as step 1 of the abandoned one
    # now at once: the step-by-step draft can be confirmed like any other
    await feed(app, upd.text(STAFF, "/broadcast"))
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["全体代表"]))
    await feed(app, upd.text(STAFF, "请查收会议材料"))
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["立即发送"]))
    preview = tg.sent("sendMessage")[-1]
    assert "全体代表（2 人）" in preview.text and "确认后立即发送" in preview.text
    await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发送"]))
    tg.clear()
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert sorted(str(c.params["chat_id"]) for c in tg.sent("sendMessage")) == [str(DEP1), str(DEP2)]



async def test_a_half_written_notice_survives_a_restart(add_staff_and_deputies, bot_app, db):
    """Round 13: the bot was redeployed between step 2 and step 3 of /broadcast; the text typed at step 3 was then
    searched as a question and the notice was gone. The step and what was entered are kept in chat_state."""
    await add_staff_and_deputies()
    upd = UpdateFactory()
    async with bot_app() as first:
        await feed(first, upd.text(STAFF, "/broadcast"))
        await feed(first, upd.callback(STAFF, dict(first.tg.sent("sendMessage")[-1].buttons())["代表团：广东代表团"]))
        await feed(first, upd.text(STAFF, "明天九点在驻地大厅集合"))
        assert "第 3/3 步" in first.tg.texts()[-1]
    async with bot_app() as second:  # a new process on the same database
        await feed(second, upd.text(STAFF, "2030-03-05 08:30"))
        preview = second.tg.sent("sendMessage")[-1]
        assert "接收范围：代表团：广东代表团（1 人）" in preview.text and "定时：2030-03-05 08:30" in preview.text
        assert preview.text.endswith("明天九点在驻地大厅集合")
        n = len(second.tg.sent("sendMessage"))
        await feed(second, upd.text(STAFF, "随便说一句"))  # the flow ended with the preview
        assert len(second.tg.sent("sendMessage")) == n
    async with bot_app() as third:  # …and stays ended after another restart
        await feed(third, upd.text(STAFF, "随便说一句"))
        assert third.tg.sent("sendMessage") == []

async def test_deputies_cannot_compose_step_by_step(app):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(DEP1, "/broadcast"))
    assert tg.texts()[-1] == "该功能仅限工作人员使用。"
    await feed(app, upd.callback(DEP1, "bw:a:0"))
    assert not [c for c in tg.sent("sendMessage") if "第 2/3 步" in c.text]


def test_parsers():
    assert parse_audience("委员会:财政经济委员会").kind == "committee"
    assert parse_audience("名单:3,4").user_ids == (3, 4)
    at, rest = parse_when("@2026-03-05 09:00 集合")
    assert (at.hour, rest) == (1, "集合")  # Beijing 09:00 = 01:00 UTC


async def test_browse_draft_and_send_opinion(app, db, tmp_path):
    from datetime import timedelta

    from docx import Document as Docx

    from broadcasts import audience as aud
    from broadcasts import consultation as cons
    from storage.clock import utcnow

    d = Docx()
    for line in ("某某法（草案）", "第一章 总则", "第一条 为了规范某某工作，制定本法。", "第二条 本法适用于某某活动。",
                 "第三条 国务院负责管理。"):
        d.add_paragraph(line)
    d.save(tmp_path / "d.docx")
    async with db.session() as s, s.begin():
        c = await cons.publish(s, cons.load_draft(tmp_path / "d.docx"), deadline=utcnow() + timedelta(days=3),
                               spec=aud.AudienceSpec(), invite=False)
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.callback(DEP1, f"cs:{c.id}"))
    chapter_btn = tg.sent("sendMessage")[-1].buttons()[0]
    assert chapter_btn[0] == "第一章 总则（3条）"
    await feed(app, upd.callback(DEP1, chapter_btn[1]))
    art_btn = tg.sent("sendMessage")[-1].buttons()[1]
    assert art_btn[0] == "第二条"
    await feed(app, upd.callback(DEP1, art_btn[1]))
    assert "本法适用于某某活动" in tg.texts()[-1]
    opinion_btn = tg.sent("sendMessage")[-1].buttons()[0]
    await feed(app, upd.callback(DEP1, opinion_btn[1]))
    await feed(app, upd.text(DEP1, "建议明确某某活动的范围。"))
    assert tg.texts()[-1] == "意见已收到，谢谢！"
    async with db.session() as s:
        rows = await cons.grouped_opinions(s, c.id)
    assert [(r.article, r.name, r.text) for r in rows] == [("第二条", "张三", "建议明确某某活动的范围。")]


async def test_background_sender_delivers_and_edits_progress(app, db):
    import asyncio

    from broadcasts.bot_handlers import start_background, stop_background

    tg, upd = app.tg, UpdateFactory()
    await start_background(app, app.deps, WorkerConfig(rate=1000, progress_interval=0))
    try:
        await feed(app, upd.text(STAFF, "/broadcast 全体 下午三点开会"))
        ok = [d for t, d in tg.sent("sendMessage")[-1].buttons() if t == "确认发送"][0]
        await feed(app, upd.callback(STAFF, ok))
        for _ in range(100):
            edits = [c.text for c in tg.sent("editMessageText")]
            if any("发送已完成" in t for t in edits):
                break
            await asyncio.sleep(0.05)
        delivered = sorted(int(c.params["chat_id"]) for c in tg.sent("sendMessage") if c.text == "下午三点开会")
        assert delivered == [DEP1, DEP2]
        assert any("已送达 2" in t and "发送已完成" in t for t in edits)
    finally:
        await stop_background(app)


async def test_profile_command_sets_level_and_tags_for_audiences(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(DEP1, "/profile 2 层级:省"))
    assert tg.texts()[-1] == "该功能仅限工作人员使用。"
    await feed(app, upd.text(STAFF, "/profile 2 层级:火星"))
    assert "无法识别“层级:火星”" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/profile 99 层级:省"))
    assert "找不到用户编号 99" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/profile 2 层级:省 标签:教育，医疗"))
    assert tg.texts()[-1] == "已更新用户 #2 的接收分组。层级：省；标签：教育、医疗"
    await feed(app, upd.text(STAFF, "/broadcast 标签:医疗 请阅读医改材料"))
    assert "标签：医疗（1 人）" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 层级:省 省人代会通知"))
    assert "人大层级：省（1 人）" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/profile 2 标签:无"))
    assert tg.texts()[-1].endswith("层级：省；标签：无")  # the level is kept when only tags change


def test_parse_profile():
    assert parse_profile(["12", "层级:全国", "标签:教育、农业"]) == (12, "全国", ["教育", "农业"])
    assert parse_profile(["12", "标签：无"]) == (12, None, [])
    for bad in ([], ["张三", "层级:省"], ["12"]):
        with pytest.raises(ValueError):
            parse_profile(bad)
