"""A briefing with an attachment: staff reply to an uploaded file with /broadcast; the file is ingested
into the knowledge base for the audience, sent by file_id with the text as its caption, and answerable."""

from __future__ import annotations

from botharness import feed, register
from storage.models import Role

from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

STAFF, NX, GS = 710, 711, 712
BODY = "关于黄河流域生态保护视察的通知\n\n视察时间定于九月十六日至十八日，集合地点为中卫市沙坡头区政府会议室。"


async def _users(app, core, tg, upd):
    await register(core, app, upd, tg, STAFF, role=Role.STAFF)
    await register(core, app, upd, tg, NX, delegation="宁夏代表团")
    await register(core, app, upd, tg, GS, delegation="甘肃代表团")


async def _propose(app, tg, upd, file_id: str, command: str):
    """Staff upload 视察通知.txt and reply to it with ``command``; returns the preview message."""
    tg.add_file(file_id, BODY.encode())
    upload = upd.document(STAFF, file_id, "视察通知.txt", file_size=len(BODY.encode()))
    await feed(app, upd.text(STAFF, command, reply_to=upload))
    return tg.sent("sendMessage")[-1]


async def test_broadcast_with_attachment_is_sent_and_searchable(app, core, tg, upd):
    await _users(app, core, tg, upd)
    preview = await _propose(app, tg, upd, "att-1", "/broadcast 代表团:宁夏代表团 请查收视察通知。")
    assert "（1 人）" in preview.text and "附件：《视察通知.txt》（2 个片段，确认发送时收入资料库" in preview.text
    assert "可查阅范围：代表团：宁夏代表团）" in preview.text
    tg.clear()
    await feed(app, upd.text(NX, "黄河流域生态保护视察集合地点在哪里"))
    assert "沙坡头区政府会议室" not in tg.texts()[-1]  # not in the knowledge base before 确认发送
    ok = [d for t, d in preview.buttons() if t == "确认发送"][0]
    await feed(app, upd.callback(STAFF, ok))
    tg.clear()
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert not tg.sent("sendMessage")  # the attachment carries the text as its caption
    (sent,) = tg.sent("sendDocument")
    assert str(sent.params["chat_id"]) == str(NX) and sent.params["document"] == "att-1"
    assert sent.params["caption"] == "请查收视察通知。" and [t for t, _ in sent.buttons()] == ["已阅"]
    # ingested for the audience only
    tg.clear()
    await feed(app, upd.text(NX, "黄河流域生态保护视察集合地点在哪里"))
    assert "沙坡头区政府会议室" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(GS, "黄河流域生态保护视察集合地点在哪里"))
    assert "视察通知" not in tg.texts()[-1]


async def test_bad_attachments_create_no_broadcast(app, core, tg, upd):
    await _users(app, core, tg, upd)
    tg.add_file("empty", b"")
    empty = upd.document(STAFF, "empty", "空白.txt", file_size=0)
    await feed(app, upd.text(STAFF, "/broadcast 全体 请查收。", reply_to=empty))
    assert "无法收入资料库" in tg.texts()[-1] and "通知未创建" in tg.texts()[-1]
    picture = upd.document(STAFF, "pic", "照片.png")
    await feed(app, upd.text(STAFF, "/broadcast 全体 请查收。", reply_to=picture))
    assert "只能导入" in tg.texts()[-1]
    tg.add_file("att-2", BODY.encode())
    fine = upd.document(STAFF, "att-2", "通知.txt", file_size=len(BODY.encode()))
    await feed(app, upd.text(STAFF, "/broadcast 全体 " + "很长的说明。" * 200, reply_to=fine))
    assert "1024 字以内" in tg.texts()[-1]
    assert not [c for c in tg.sent("sendMessage") if c.buttons()]  # no preview, nothing to confirm
    tg.clear()
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert not tg.sent("sendMessage") and not tg.sent("sendDocument")


async def test_cancelled_preview_leaves_the_knowledge_base_as_it_was(app, core, tg, upd):
    await _users(app, core, tg, upd)
    preview = await _propose(app, tg, upd, "att-3", "/broadcast 全体 请查收视察通知。")
    no = [d for t, d in preview.buttons() if t == "取消"][0]
    await feed(app, upd.callback(STAFF, no))
    assert any("已取消" in t for t in tg.texts())
    tg.clear()
    await feed(app, upd.text(NX, "黄河流域生态保护视察集合地点在哪里"))
    assert "沙坡头区政府会议室" not in tg.texts()[-1]
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert not tg.sent("sendDocument")


async def test_step_by_step_briefing_with_a_file(app, core, tg, upd):
    await _users(app, core, tg, upd)
    await feed(app, upd.text(STAFF, "/broadcast"))
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["代表团：宁夏代表团"]))
    tg.add_file("att-4", BODY.encode())
    await feed(app, upd.document(STAFF, "att-4", "视察通知.txt", file_size=len(BODY.encode())))
    assert "说明文字里写上通知内容" in tg.texts()[-1]  # a file without its text: asked again, nothing lost
    await feed(app, upd.document(STAFF, "att-4", "视察通知.txt", file_size=len(BODY.encode()),
                                 caption="请查收视察通知。"))
    assert "第 3/3 步" in tg.texts()[-1]
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["立即发送"]))
    preview = tg.sent("sendMessage")[-1]
    assert "代表团：宁夏代表团（1 人）" in preview.text and "附件：《视察通知.txt》" in preview.text
    await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发送"]))
    tg.clear()
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    (sent,) = tg.sent("sendDocument")
    assert str(sent.params["chat_id"]) == str(NX) and sent.params["caption"] == "请查收视察通知。"
    tg.clear()
    await feed(app, upd.text(NX, "黄河流域生态保护视察集合地点在哪里"))
    assert "沙坡头区政府会议室" in tg.texts()[-1]


async def test_file_gone_at_confirmation_keeps_the_draft(app, core, tg, upd):
    await _users(app, core, tg, upd)
    ok = dict((await _propose(app, tg, upd, "att-5", "/broadcast 全体 请查收视察通知。")).buttons())["确认发送"]
    tg.files.pop("att-5")  # Telegram cannot serve the file right now
    await feed(app, upd.callback(STAFF, ok))
    alert = tg.sent("answerCallbackQuery")[-1].params
    assert "暂时无法从 Telegram 取回" in alert["text"] and alert.get("show_alert")
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert not tg.sent("sendDocument")  # still a draft: nothing sent
    tg.add_file("att-5", BODY.encode())
    await feed(app, upd.callback(STAFF, ok))  # confirming again works
    tg.clear()
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert sorted(str(c.params["chat_id"]) for c in tg.sent("sendDocument")) == [str(NX), str(GS)]


async def test_each_button_press_is_answered_once(app, core, tg, upd):
    await _users(app, core, tg, upd)
    await feed(app, upd.text(STAFF, "/broadcast 全体 明天上午九点开会。"))
    ok = dict(tg.sent("sendMessage")[-1].buttons())["确认发送"]
    tg.clear()
    await feed(app, upd.callback(STAFF, ok))
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    read = [d for t, d in tg.sent("sendMessage")[-1].buttons() if t == "已阅"][0]
    await feed(app, upd.callback(NX, read))
    answers = [c.params.get("text") for c in tg.sent("answerCallbackQuery")]
    assert len(answers) == 2 and "该按钮已失效，请重新提问。" not in answers  # 已确认 and 已确认阅读, nothing else


async def test_attachment_sent_to_a_list_is_readable_by_its_recipients_only(app, core, tg, upd):
    await _users(app, core, tg, upd)
    nx = next(u for u in await core.access.list_users() if u.telegram_id == NX)
    preview = await _propose(app, tg, upd, "att-6", f"/broadcast 名单:{nx.id} 请查收视察通知。")
    assert "可查阅范围：仅本通知的接收人和工作人员）" in preview.text
    await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发送"]))
    await OutboxWorker(core.db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    question = "黄河流域生态保护视察集合地点在哪里"
    for uid, sees in ((NX, True), (GS, False), (STAFF, True)):
        tg.clear()
        await feed(app, upd.text(uid, question))
        assert ("沙坡头区政府会议室" in tg.texts()[-1]) is sees, uid


async def test_a_file_sent_at_the_content_step_survives_a_restart(app, core, tg, upd):
    """Step by step: the file (its text in the caption) is kept with the half-written notice in chat_state, and the
    preview after a restart still carries it."""
    from suggharness import sugg_app  # a fresh Application over the same database, as after a restart

    await _users(app, core, tg, upd)
    await feed(app, upd.text(STAFF, "/broadcast"))
    await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["代表团：宁夏代表团"]))
    tg.add_file("att-3", BODY.encode())
    await feed(app, upd.document(STAFF, "att-3", "视察通知.txt", file_size=len(BODY.encode()), caption="请查收视察通知。"))
    assert "第 3/3 步" in tg.texts()[-1]
    async with sugg_app(core, tg) as second:
        await feed(second, upd.text(STAFF, "立即"))
        preview = tg.sent("sendMessage")[-1]
        assert "附件：《视察通知.txt》" in preview.text and preview.text.endswith("请查收视察通知。")
