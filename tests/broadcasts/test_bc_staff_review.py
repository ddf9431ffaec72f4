"""Findings of a staff-side review: double-tapped and stale buttons, audiences that match nobody, lists
written with spaces, stopping a confirmed broadcast, reports in Chinese, consultation access and
deadlines, duplicate consultations, short-notice and timed event reminders."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from telegram import Update

from bot.testing import UpdateFactory
from storage.clock import utcnow
from storage.models import Event, User, UserStatus

from broadcasts import audience as aud
from broadcasts import consultation as cons
from broadcasts import reminders, service
from broadcasts.commands import parse_audience, parse_when, split_audience
from broadcasts.models import Broadcast, OutboxMessage, Reminder
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

pytestmark = pytest.mark.db
STAFF, DEP1, DEP2 = 500, 100, 101


@pytest.fixture
async def app(add_staff_and_deputies, bot_app):
    await add_staff_and_deputies(committees=["财政经济委员会"])
    async with bot_app() as application:
        yield application


async def feed(app, payload):
    await app.process_update(Update.de_json(payload, app.bot))


def button(call, label: str) -> str:
    return dict(call.buttons())[label]


def answers(tg) -> list[dict]:
    return [c.params for c in tg.sent("answerCallbackQuery")]


async def drain(app, db):
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()


# ---- 1: confirm and cancel are compare-and-set on the draft ----------------------------------------

async def test_double_tap_confirm_sends_once_without_error(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 明天九点集合"))
    ok = button(tg.sent("sendMessage")[-1], "确认发送")
    tg.clear()
    await asyncio.gather(feed(app, upd.callback(STAFF, ok)), feed(app, upd.callback(STAFF, ok)))
    texts = sorted(a.get("text") or "" for a in answers(tg))
    assert len(texts) == 2 and texts[0] == "已确认" and "已确认过" in texts[1], texts
    async with db.session() as s:
        rows = (await s.execute(OutboxMessage.__table__.select())).all()
    assert len(rows) == 2


async def test_cancel_button_of_a_sent_broadcast_changes_nothing(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 明天九点集合"))
    preview = tg.sent("sendMessage")[-1]
    await feed(app, upd.callback(STAFF, button(preview, "确认发送")))
    await drain(app, db)
    tg.clear()
    await feed(app, upd.callback(STAFF, button(preview, "取消")))
    (alert,) = answers(tg)
    # a finished one: no advice to /bccancel what cannot be stopped any more
    assert alert.get("show_alert") and alert["text"] == "通知 #1 已发送完毕，无法取消"
    assert not tg.sent("editMessageText")
    async with db.session() as s:
        assert (await service.report(s, 1)).state == "done"


# ---- 2, 3: stale or forged buttons ------------------------------------------------------------------

async def _consultation(db, tmp_path, spec=None, days=3):
    deadline = datetime.combine(utcnow().date() + timedelta(days=days), datetime.min.time())
    from docx import Document as Docx

    d = Docx()
    for line in ("某某法（草案）", "第一章 总则", "第一条 为了规范某某工作，制定本法。", "第二条 本法适用于某某活动。",
                 "第三条 国务院负责管理。"):
        d.add_paragraph(line)
    d.save(tmp_path / "d.docx")
    async with db.session() as s, s.begin():
        return await cons.publish(s, cons.load_draft(tmp_path / "d.docx"), deadline=deadline,
                                  spec=spec or aud.AudienceSpec(), invite=False)


async def test_stale_chapter_button_gets_an_alert(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await _consultation(db, tmp_path)
    for data in (f"cc:{c.id}:99", f"ca:{c.id}:999", f"co:{c.id}:999", "cs:77"):
        tg.clear()
        await feed(app, upd.callback(DEP1, data))
        (alert,) = answers(tg)  # answered exactly once, in Chinese, no apology for a crash
        assert alert.get("show_alert") and ("失效" in alert["text"] or "找不到" in alert["text"]), alert


async def test_a_crashing_button_is_answered_once(app, db, tmp_path, monkeypatch):
    tg, upd = app.tg, UpdateFactory()
    c = await _consultation(db, tmp_path)

    async def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(cons, "chapters", boom)
    seen = []
    app.add_handler(__import__("telegram.ext", fromlist=["CallbackQueryHandler"]).CallbackQueryHandler(
        lambda u, c: seen.append(u)), 0)  # a catch-all in group 0, like the bot's
    await feed(app, upd.callback(DEP1, f"cs:{c.id}"))
    (alert,) = answers(tg)
    assert "事件编号" in alert["text"] and not seen


# ---- 5, 17: consultation audience and deadline --------------------------------------------------------

async def test_consultation_is_for_its_audience_only(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await _consultation(db, tmp_path, aud.AudienceSpec("delegation", "广东代表团"))
    await feed(app, upd.callback(DEP2, f"cs:{c.id}"))
    assert "不在本次征求意见的范围内" in answers(tg)[-1]["text"]
    await feed(app, upd.callback(DEP2, f"co:{c.id}:0"))
    assert "不在本次征求意见的范围内" in answers(tg)[-1]["text"]
    async with db.session() as s:
        other = (await s.execute(User.__table__.select().where(User.telegram_id == DEP2))).first()
    with pytest.raises(cons.ConsultationError, match="不在本次征求意见的范围内"):
        async with db.session() as s, s.begin():
            await cons.add_opinion(s, c.id, other.id, "我也想提")
    tg.clear()
    await feed(app, upd.callback(DEP1, f"cs:{c.id}"))  # a member browses as before
    assert "请选择章节" in tg.texts()[-1]
    await feed(app, upd.callback(STAFF, f"cs:{c.id}"))  # staff may look
    assert "请选择章节" in tg.texts()[-1]


async def test_opinion_button_after_the_deadline_says_closed_at_once(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await _consultation(db, tmp_path)
    async with db.session() as s, s.begin():
        (await cons.get(s, c.id)).deadline = utcnow() - timedelta(minutes=1)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))
    assert "已于" in answers(tg)[-1]["text"] and "截止" in answers(tg)[-1]["text"]
    assert not tg.sent("sendMessage")  # not asked to type an opinion


async def test_consultation_reminder_carries_the_browse_button(db, add_users, tmp_path):
    await add_users([{"telegram_id": DEP1}])
    c = await _consultation(db, tmp_path)
    async with db.session() as s, s.begin():
        made = await reminders.dispatch_due(s, now=c.deadline)
        b = await s.get(Broadcast, made[0])
    from broadcasts.worker import buttons_for

    assert buttons_for(b, 1) == [[("查看草案并提意见", f"cs:{c.id}")]]


async def test_same_consultation_twice_is_refused(db, add_users, tmp_path):
    await add_users([{"telegram_id": DEP1}])
    c = await _consultation(db, tmp_path)
    with pytest.raises(cons.ConsultationError, match=f"#{c.id}.*不会重复发布"):
        await _consultation(db, tmp_path)
    await _consultation(db, tmp_path, days=5)  # another deadline is another consultation


# ---- 7, 14: audiences, lists and times --------------------------------------------------------------

def test_list_with_spaces_and_slashed_time():
    word, rest = split_audience("名单:2, 6 @2026/12/01 09:00 请查收")
    assert word == "名单:2,6" and parse_audience(word).user_ids == (2, 6)
    at, text = parse_when(rest)
    assert at == datetime(2026, 12, 1, 1, 0) and text == "请查收"
    with pytest.raises(service.BroadcastError, match="定时格式"):
        parse_when("@2026年12月1日 请查收")
    assert "（" not in aud.AudienceSpec("list", user_ids=(2, 6)).describe()


async def test_preview_refuses_nobody_and_past_times(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 委员会:教科文卫委 请阅"))
    assert "没有可接收通知的代表" in tg.texts()[-1] and "现有委员会：财政经济委员会" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 代表团:火星代表团 请阅"))
    assert "现有代表团：" in tg.texts()[-1] and "广东代表团" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 全体 @2020-01-01 09:00 请阅"))
    assert "已经过去" in tg.texts()[-1]
    assert not [c for c in tg.sent("sendMessage") if c.buttons()]
    await feed(app, upd.text(STAFF, "/broadcast 名单:2, 3 请阅"))
    preview = tg.texts()[-1]
    assert "指定名单：用户 2、3（2 人）" in preview and preview.endswith("\n请阅")


# ---- 8: a suspended deputy's 已阅 ------------------------------------------------------------------

async def test_suspended_deputy_read_does_not_count(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 请阅"))
    await feed(app, upd.callback(STAFF, button(tg.sent("sendMessage")[-1], "确认发送")))
    tg.clear()
    await drain(app, db)
    read = {str(c.params["chat_id"]): button(c, "已阅") for c in tg.sent("sendMessage")}
    async with db.session() as s, s.begin():
        u = (await s.execute(User.__table__.select().where(User.telegram_id == DEP1))).first()
        (await s.get(User, u.id)).status = UserStatus.SUSPENDED.value
        row = await s.get(OutboxMessage, int(read[str(DEP1)].split(":")[1]))
        assert not await service.mark_read(s, row.id, DEP1)
    await feed(app, upd.callback(DEP1, read[str(DEP1)]))
    async with db.session() as s:
        assert (await service.report(s, 1)).read == 0


# ---- 12, 16: stop a confirmed broadcast; the report ---------------------------------------------------

async def test_scheduled_broadcast_can_be_cancelled_and_report_is_chinese(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 @2030-03-05 08:30 会议通知"))
    await feed(app, upd.callback(STAFF, button(tg.sent("sendMessage")[-1], "确认发送")))
    confirmation = tg.sent("editMessageText")[-1]
    assert "定时于 2030-03-05 08:30 发送" in confirmation.text and "/bccancel 1" in confirmation.text
    # round 13: the report said only “待发送 2”, as if the sending were stuck
    await feed(app, upd.text(STAFF, "/bcreport"))
    assert "#1 [定时待发 2030-03-05 08:30] 会议通知" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/bcreport 1"))
    assert "定时于 2030-03-05 08:30（北京时间）发送，尚未开始；/bccancel 1 可取消" in tg.texts()[-1]
    await feed(app, upd.callback(STAFF, button(confirmation, "取消发送")))
    stopped = tg.sent("editMessageText")[-1].text
    assert stopped.startswith("定时通知 #1 已取消：2 人不会收到")
    assert "通知已取消，未发送" in stopped and "发送已完成" not in stopped
    await feed(app, upd.text(STAFF, "/bcreport"))
    assert "#1 [已取消] 会议通知" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/bcreport #1"))
    assert tg.texts()[-1].startswith("通知 #1 发送情况") and "发送已完成" not in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/bccancel 1"))
    assert "已取消，无需取消" in tg.texts()[-1]


async def test_bccancel_on_an_unconfirmed_preview_cancels_it_and_its_button_says_so(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 明天九点集合"))
    preview = tg.sent("sendMessage")[-1]
    await feed(app, upd.text(STAFF, "/bccancel 1"))
    assert tg.texts()[-1] == "通知 #1 已取消，未发送。"
    tg.clear()
    await feed(app, upd.callback(STAFF, button(preview, "确认发送")))
    (alert,) = answers(tg)
    assert "已取消，不会发送" in alert["text"] and "已确认过" not in alert["text"]


async def test_bccancel_stops_a_sending_broadcast(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 会议通知"))
    await feed(app, upd.callback(STAFF, button(tg.sent("sendMessage")[-1], "确认发送")))
    async with db.session() as s, s.begin():  # one recipient already got it
        row = (await s.execute(OutboxMessage.__table__.select().order_by(OutboxMessage.id))).first()
        (await s.get(OutboxMessage, row.id)).state = "sent"
    confirmation = tg.sent("editMessageText")[-1]
    assert "停止发送" in dict(confirmation.buttons())
    tg.clear()
    await feed(app, upd.text(STAFF, "/bccancel 1"))
    assert "1 人不再收到" in tg.texts()[-1] and "已送达 1" in tg.texts()[-1] and "已停止发送" in tg.texts()[-1]
    # the confirmation message no longer offers to stop what is stopped
    (retired,) = tg.sent("editMessageText")
    assert retired.params["message_id"] == confirmation.params["message_id"]
    assert "已停止发送" in retired.text and not retired.buttons()
    tg.clear()
    await drain(app, db)
    assert not tg.sent("sendMessage")
    async with db.session() as s:
        assert (await s.get(Broadcast, 1)).state == "cancelled"


async def test_a_progress_report_in_flight_does_not_overwrite_the_stopped_message(app, db):
    from broadcasts.bot_handlers import progress_editor

    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 会议通知"))
    await feed(app, upd.callback(STAFF, button(tg.sent("sendMessage")[-1], "确认发送")))
    async with db.session() as s:  # the worker read its report while the broadcast was still sending
        rep = await service.report(s, 1)
    progress = progress_editor(app.bot)
    await feed(app, upd.text(STAFF, "/bccancel 1"))
    tg.clear()
    async with db.session() as s:
        b = await s.get(Broadcast, 1)
    await progress(rep, b)
    assert not tg.sent("editMessageText")  # the stopped text stays
    async with db.session() as s, s.begin():  # while sending, the same callback does edit
        (await s.get(Broadcast, 1)).state = "sending"
    async with db.session() as s:
        b = await s.get(Broadcast, 1)
    await progress(rep, b)
    (edit,) = tg.sent("editMessageText")
    assert "停止发送" in dict(edit.buttons())


# ---- 10, 11: event reminders ----------------------------------------------------------------------

async def test_short_notice_event_is_reminded_at_once_and_time_of_day_counts(db, add_users):
    await add_users([{"telegram_id": DEP1, "delegation": "广东代表团"}])
    now = datetime(2026, 12, 4, 8, 0)  # 16:00 Beijing, the day before
    async with db.session() as s, s.begin():
        s.add_all([Event(day=date(2026, 12, 5), title="09:30 代表座谈会", scope="all"),
                   Event(day=date(2026, 12, 6), title="14:30 视察", scope="delegation:广东代表团")])
        await s.flush()
        assert await reminders.schedule_event_reminders(s, now=now) == 2
        assert await reminders.schedule_event_reminders(s, now=now + timedelta(minutes=1)) == 0  # once each
        rows = {r.text: r for r in (await s.execute(Reminder.__table__.select())).all()}
    short = rows["【活动提醒】12月5日：09:30 代表座谈会"]
    assert short.remind_at == now  # its 09:30 − 1 day had passed: now
    timed = rows["【活动提醒】12月6日：14:30 视察"]
    assert timed.remind_at == datetime(2026, 12, 5, 6, 30)  # 14:30 Beijing the day before
    assert timed.audience["kind"] == "delegation"


@pytest.mark.parametrize(("said", "hour", "minute"), [
    ("14:30", 14, 30), ("下午3点", 15, 0), ("上午9点半", 9, 30), ("15点30分", 15, 30), ("晚上七点", 19, 0),
    ("中午12点", 12, 0)])
def test_a_time_of_day_as_people_say_it(said, hour, minute):
    from datetime import time

    assert reminders.parse_time_of_day(said) == time(hour, minute)


def test_what_is_no_time_of_day():
    assert reminders.parse_time_of_day("25:00") is None and reminders.parse_time_of_day("专题调研") is None
    assert reminders.event_time("下午3点 座谈会") is None  # a title is read by its HH:MM head only
