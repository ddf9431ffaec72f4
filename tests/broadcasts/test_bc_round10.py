"""Round 10 of the new-user tester's findings on staff broadcasts (通知群发):

1. a send time as staff write it (@明天 8:30, @明天上午9点, @12月5日 14:30, @下周一 9:00, @今晚8点) is read, the same
   by the one-line command and the step-by-step composer; a past one (@昨天, a passed hour today) and an unreadable
   time-like word are refused, never sent as part of the text (the tester's preview read «确认后立即发送 … @昨天 测试»);
2. a sent briefing's own text is searchable like its attachment: same scope, taken in when it is sent (never at the
   preview, never for a cancelled one), one document per broadcast whatever the retries, titled «通知（日期）：…»
   (the deputy asked 履职报告什么时候交 and got the national plan's item 26 instead of the notice just received).

The real PTB Application; Telegram faked at HTTP (bot.testing.FakeTelegram)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.testing import FakeTelegram, UpdateFactory
from storage.clock import BEIJING, utcnow
from storage.models import Role

from broadcasts import reminders, service
from broadcasts.bot_handlers import ingest_due_notices, take_in_notice
from broadcasts.commands import parse_when, read_when
from broadcasts.models import Broadcast, BroadcastState, OutboxMessage, Reminder
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))
from botharness import register  # noqa: E402
from fixture_docs import kb, kb_index  # noqa: E402,F401  (the real knowledge base, for the search test)

STAFF, DEP1, DEP2 = 500, 100, 101
# Tuesday 2026-12-01 13:47 Beijing
NOW = datetime(2026, 12, 1, 5, 47)
NOTICE = "请于12月10日前报送年度履职报告。"  # 16 Chinese characters: substantive


def bj(t: datetime | None) -> str:
    return "" if t is None else t.replace(tzinfo=UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def today_bj() -> date:
    return datetime.now(BEIJING).date()


async def feed(app, payload):
    await app.process_update(Update.de_json(payload, app.bot))


def previews(tg) -> list:
    return [m for m in tg.sent("sendMessage") if "确认发送" in dict(m.buttons())]


# ---- 1. send times ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "when", "rest"), [
    ("@明天 8:30 请到驻地大厅集合", "2026-12-02 08:30", "请到驻地大厅集合"),
    ("@明天上午9点 请到驻地大厅集合", "2026-12-02 09:00", "请到驻地大厅集合"),
    ("@12月5日 14:30 座谈会改期", "2026-12-05 14:30", "座谈会改期"),
    ("@下周一 9:00 开会", "2026-12-07 09:00", "开会"),
    ("@今晚8点 开会", "2026-12-01 20:00", "开会"),
    ("@明早 7:30 出发", "2026-12-02 07:30", "出发"),
    ("@明天下午 3点半 开会", "2026-12-02 15:30", "开会"),
    ("@十二月五日 下午三点 开会", "2026-12-05 15:00", "开会"),
    ("@12月5号 八点一刻 开会", "2026-12-05 08:15", "开会"),
    ("@2026-12-05 14:30 开会", "2026-12-05 14:30", "开会"),
    ("@2026/12/05 14:30 开会", "2026-12-05 14:30", "开会"),
    ("＠明天 8:30 开会", "2026-12-02 08:30", "开会"),
    ("@3天后 10:00 开会", "2026-12-04 10:00", "开会"),
    ("@明天 8:30\n第一行\n第二行", "2026-12-02 08:30", "第一行\n第二行"),
    # a day alone: 09:00 Beijing, shown as such in the preview
    ("@明天 请于九点前到会", "2026-12-02 09:00", "请于九点前到会"),
    ("@下周五 开会", "2026-12-11 09:00", "开会"),
    # a time alone: today
    ("@晚上8点 开会", "2026-12-01 20:00", "开会"),
    # no space between a written time and the text (the preview shows the time it read)
    ("@明天8点开会", "2026-12-02 08:00", "开会"), ("@明天8:30请到驻地大厅集合", "2026-12-02 08:30", "请到驻地大厅集合"),
    ("@12月5日14:30座谈会改期", "2026-12-05 14:30", "座谈会改期"), ("@明天8点半出发", "2026-12-02 08:30", "出发"),
])
def test_send_times_as_staff_write_them(text, when, rest):
    at, left = parse_when(text, NOW)
    assert (bj(at), left) == (when, rest)


def test_a_written_time_that_has_passed_is_returned_for_the_caller_to_refuse():
    at, left = parse_when("@今天 8:00 开会", NOW)  # 08:00 < 13:47: the preview refuses it, naming the time
    assert bj(at) == "2026-12-01 08:00" and left == "开会"


@pytest.mark.parametrize(("text", "said"), [
    ("@昨天 测试", "“昨天”（2026年11月30日）已经过去"),
    ("@前天 测试", "已经过去"),
    ("@昨晚8点 测试", None),  # a past time with a time of day: returned, refused by the callers
    ("@今天 测试", "今天的 09:00 已经过去"),
    ("@2026年12月1日 测试", "今天的 09:00 已经过去"),
])
def test_past_days_are_refused(text, said):
    if said is None:
        at, _ = parse_when(text, NOW)
        assert at < NOW
        return
    with pytest.raises(service.BroadcastError, match="已经过去") as e:
        parse_when(text, NOW)
    assert said in str(e.value) and "定时格式" in str(e.value) and "@明天 8:30" in str(e.value)


@pytest.mark.parametrize("text", [
    "@明天下午 开会", "@周末 开会", "@下个月 开会", "@月底 交材料", "@2026-13-45 09:00 内容",
    "@12月32日 内容", "@25:00 内容", "@3号下午 内容", "@ 明天下午 内容", "@十点钟 内容",
    "@今天下午的会议改到明天", "@明天请各位代表到会",  # a day without a time, the text running on: too ambiguous
])
def test_time_like_words_that_cannot_be_read_are_refused(text):
    with pytest.raises(service.BroadcastError, match="无法识别发送时间.*定时格式"):
        parse_when(text, NOW)


@pytest.mark.parametrize("text", ["@各位代表 请查收", "@所有人 明天开会", "请查收 @明天", "@张三 你好"])
def test_other_texts_are_content(text):
    assert parse_when(text, NOW) == (None, text)


def test_composer_reads_the_same_words_without_the_at_sign():
    assert bj(read_when("下周一 9:00", NOW, at_sign="")) == "2026-12-07 09:00"
    assert bj(read_when("今晚8点", NOW, at_sign="")) == "2026-12-01 20:00"
    assert bj(read_when("明天", NOW, at_sign="")) == "2026-12-02 09:00"
    with pytest.raises(service.BroadcastError, match="无法识别发送时间“明天 8点 开会”。定时格式：2026-12-05"):
        read_when("明天 8点 开会", NOW, at_sign="")


def test_event_times_keep_their_reading():
    from datetime import time

    assert reminders.parse_time_of_day("14:30 代表座谈会") == time(14, 30)  # /addevent's titles
    assert reminders.parse_time_of_day("晚上八点三十分") == time(20, 30)
    assert reminders.parse_time_of_day("九点整") == time(9, 0)
    assert reminders.parse_time_of_day("晚上十二点") is None  # midnight, not noon (a review of this change)
    assert reminders.parse_time_of_day("专题调研 3点") is None and reminders.parse_time_of_day("十点钟") is None


async def test_one_line_command_refuses_past_and_unreadable_times_and_shows_the_time_read(app, db):
    tg, upd = app.tg, UpdateFactory()
    await feed(app, upd.text(STAFF, "/broadcast 全体 @昨天 测试"))  # the tester's command
    assert "“昨天”" in tg.texts()[-1] and "已经过去" in tg.texts()[-1] and "定时格式" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 全体 @今天 00:00 测试"))  # a passed hour today
    assert "（北京时间）已经过去" in tg.texts()[-1] and "立即发送请去掉 @ 部分" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "/broadcast 全体 @周末 测试"))
    assert "无法识别发送时间“@周末”" in tg.texts()[-1] and "@下周一 9:00" in tg.texts()[-1]
    assert not previews(tg)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 0  # nothing stored
    # read: the preview says which time it read, with the weekday, and the text has no "@…" left in it
    await feed(app, upd.text(STAFF, "/broadcast 全体 @明天上午9点 测试"))
    tomorrow = today_bj() + timedelta(days=1)
    (preview,) = previews(tg)
    weekday = "星期" + "一二三四五六日"[tomorrow.weekday()]
    assert f"定时：{tomorrow.isoformat()} 09:00（{weekday}，北京时间）" in preview.text
    assert preview.text.endswith("\n\n测试") and "@" not in preview.text
    await feed(app, upd.text(STAFF, "/broadcast 全体 @明天 测试"))  # a day alone: 09:00
    assert f"定时：{tomorrow.isoformat()} 09:00" in previews(tg)[-1].text


async def test_composer_uses_the_same_reader(app, db):
    tg, upd = app.tg, UpdateFactory()

    async def to_step3(text: str = "请查收会议材料") -> None:
        await feed(app, upd.text(STAFF, "/broadcast"))
        await feed(app, upd.callback(STAFF, dict(tg.sent("sendMessage")[-1].buttons())["全体代表"]))
        await feed(app, upd.text(STAFF, text))
        assert "第 3/3 步" in tg.texts()[-1] and "明天 8:30" in tg.texts()[-1]

    await to_step3()
    await feed(app, upd.text(STAFF, "昨天"))
    assert "已经过去" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "今天 00:00"))
    assert "已经过去" in tg.texts()[-1] and "立即发送" in tg.texts()[-1]
    await feed(app, upd.text(STAFF, "明天8点开会"))
    assert "定时格式" in tg.texts()[-1] and tg.texts()[-1].endswith("或点“立即发送”。")
    assert not previews(tg)  # still at step 3
    await feed(app, upd.text(STAFF, "明天 8:30"))
    tomorrow = today_bj() + timedelta(days=1)
    assert f"定时：{tomorrow.isoformat()} 08:30" in previews(tg)[-1].text
    await to_step3()
    await feed(app, upd.text(STAFF, "@明晚11点"))  # the one-line form is understood here too
    assert f"定时：{tomorrow.isoformat()} 23:00" in previews(tg)[-1].text
    await to_step3()
    await feed(app, upd.text(STAFF, "立即发送"))  # typed instead of pressed
    assert "确认后立即发送" in previews(tg)[-1].text


# ---- 2. the text of a sent briefing, searchable -----------------------------------------------------------

class RecordingKB:
    """A knowledge base that keeps what UploadService hands it, by document id (as the real one replaces)."""

    def __init__(self) -> None:
        self.docs: dict[str, object] = {}
        self.calls = 0
        self.fail = 0

    def iter_chunks(self):
        return iter(())

    async def aingest_paths(self, paths, collection: str = "default", scope: str = "all"):
        from types import SimpleNamespace

        from corpus import load_path

        self.calls += 1
        if self.fail:
            self.fail -= 1
            raise OSError("index locked")
        report = SimpleNamespace(documents=0, chunks=0, pages=0, skipped=[])  # what UploadService reads
        for p in paths:
            for d in load_path(Path(p), collection=collection, scope=scope):
                self.docs[d.doc_id] = d
                report.documents += 1
                report.chunks += 1
        return report


@pytest.fixture
async def kb_app(db, add_users):
    """The broadcast handlers over ``db`` with a RecordingKB (``app.kb``)."""
    from telegram.ext import Application

    from bot.deps import BotDeps
    from storage.core import Core

    from broadcasts.bot_handlers import register_broadcast_handlers

    await add_users([{"telegram_id": STAFF, "name": "秘书", "role": Role.STAFF.value},
                     {"telegram_id": DEP1, "name": "张三", "delegation": "广东代表团"},
                     {"telegram_id": DEP2, "name": "李四", "delegation": "四川代表团"}])
    tg, rkb = FakeTelegram(), RecordingKB()
    application = Application.builder().token("1:T").request(tg).get_updates_request(tg).build()
    deps = BotDeps(core=Core.build(db, rkb))
    register_broadcast_handlers(application, deps)
    async with application:
        tg.clear()
        application.tg, application.deps, application.kb = tg, deps, rkb
        yield application


async def propose(app, text: str, audience: str = "全体"):
    await feed(app, upd_.text(STAFF, f"/broadcast {audience} {text}"))
    return previews(app.tg)[-1]


upd_ = UpdateFactory()


async def press(app, preview, label: str) -> None:
    await feed(app, upd_.callback(STAFF, dict(preview.buttons())[label]))


@pytest.mark.db
async def test_sent_text_is_taken_in_once_titled_and_scoped(kb_app, db):
    app = kb_app
    preview = await propose(app, NOTICE)
    assert "通知正文确认发送时收入资料库，代表可提问查阅（可查阅范围：全部）" in preview.text
    assert not app.kb.docs  # not at the preview
    await press(app, preview, "确认发送")
    (doc,) = app.kb.docs.values()
    assert doc.title == f"通知（{today_bj().isoformat()}）：请于12月10日前报送年度履职报告"
    assert doc.scope == "all" and NOTICE in doc.text
    # taking it in again (the background loop, a retry) makes no second document, and the row is closed
    assert await take_in_notice(app.deps, 1) is False and await ingest_due_notices(app.deps) == 0
    from broadcasts.bot_handlers import ingest_notice

    async with db.session() as s:
        b = await s.get(Broadcast, 1)
        sent_at = await reminders.notice_sent_at(s, 1)
    await ingest_notice(app.deps, 1, b.text, b.audience, sent_at)
    assert len(app.kb.docs) == 1
    # a double tap on 确认发送 confirms nothing twice
    await press(app, preview, "确认发送")
    assert len(app.kb.docs) == 1
    # short texts are not worth searching
    short = await propose(app, "明天九点集合")
    assert "收入资料库" not in short.text
    await press(app, short, "确认发送")
    assert len(app.kb.docs) == 1
    # a list's text: readable by its recipients (and staff) only
    listed = await propose(app, "请各位代表于本周五前提交闭会期间调研报告的电子版。", audience="名单:2")
    assert "仅本通知的接收人和工作人员" in listed.text
    await press(app, listed, "确认发送")
    (doc3,) = [d for d in app.kb.docs.values() if "调研报告" in d.title]
    assert doc3.scope == "broadcast:3"
    async with db.session() as s:
        assert await reminders.notice_scopes(s, 2) == {"broadcast:3"}  # user 2 = 张三, the recipient
        assert await reminders.notice_scopes(s, 3) == set()  # 李四 got the others (全体: scope "all"), not this one
        assert await reminders.notice_scopes(s, 1, staff=True) == {"broadcast:3"}
    # the worker sends them as usual
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.state == "sent")) == 2 + 2 + 1


@pytest.mark.db
async def test_cancelled_previews_and_scheduled_briefings_never_enter(kb_app, db):
    app = kb_app
    await press(app, await propose(app, NOTICE), "取消")
    await feed(app, upd_.text(STAFF, f"/broadcast 全体 {NOTICE}"))
    await feed(app, upd_.text(STAFF, "/cancel"))
    assert app.kb.calls == 0
    # scheduled: taken in at its send time, not at confirmation
    later = datetime.now(BEIJING).date() + timedelta(days=3)
    preview = await propose(app, f"@{later.month}月{later.day}日 14:30 {NOTICE}")
    assert "通知正文定时发送时收入资料库" in preview.text
    await press(app, preview, "确认发送")
    assert app.kb.calls == 0 and await ingest_due_notices(app.deps) == 0
    due = datetime(later.year, later.month, later.day, 6, 31)  # 14:31 Beijing
    assert await ingest_due_notices(app.deps, now=due) == 1
    (doc,) = app.kb.docs.values()
    assert doc.title.startswith(f"通知（{later.isoformat()}）：")  # dated by its send day
    assert await ingest_due_notices(app.deps, now=due + timedelta(days=1)) == 0  # once
    # another scheduled one, cancelled before its time: never
    preview = await propose(app, f"@{later.month}月{later.day}日 15:30 另行通知：{NOTICE}")
    await press(app, preview, "确认发送")
    await feed(app, upd_.text(STAFF, "/bccancel 4"))
    assert "不会收到" in app.tg.texts()[-1]
    assert await ingest_due_notices(app.deps, now=due + timedelta(days=2)) == 0
    assert len(app.kb.docs) == 1 and app.kb.calls == 1
    async with db.session() as s:  # the row is closed: the loop does not wake for it again
        assert await reminders.next_attachment_due(s) is None


@pytest.mark.db
async def test_a_failed_taking_in_is_retried_later_and_the_briefing_goes_out(kb_app, db):
    app = kb_app
    app.kb.fail = 1
    preview = await propose(app, NOTICE)
    await press(app, preview, "确认发送")
    assert "开始发送" in app.tg.sent("editMessageText")[-1].text  # sent anyway
    assert not app.kb.docs
    async with db.session() as s:
        b = await s.get(Broadcast, 1)
        assert b.state == BroadcastState.SENDING.value
        nxt = await reminders.next_attachment_due(s)
    assert nxt > utcnow() + timedelta(minutes=4)  # not retried every second
    assert await ingest_due_notices(app.deps) == 0
    assert await ingest_due_notices(app.deps, now=nxt) == 1
    (doc,) = app.kb.docs.values()
    assert doc.title.startswith(f"通知（{today_bj().isoformat()}）")  # still the day it was sent
    async with db.session() as s:
        rows = (await s.execute(select(Reminder).where(Reminder.kind == reminders.NOTICE))).scalars().all()
    assert len(rows) == 1 and rows[0].broadcast_id == 1


@pytest.mark.db
async def test_reminders_do_not_dispatch_the_text_rows(kb_app, db):
    app = kb_app
    later = datetime.now(BEIJING).date() + timedelta(days=3)
    await press(app, await propose(app, f"@{later.month}月{later.day}日 14:30 {NOTICE}"), "确认发送")
    async with db.session() as s, s.begin():
        assert await reminders.dispatch_due(s, now=datetime(later.year, later.month, later.day, 7)) == []


# ---- the deputy's question, answered from the notice (real knowledge base, whole bot) -----------------------

@pytest.fixture
async def whole_bot(db, kb):
    from bot.app import build_application
    from bot.deps import BotDeps
    from storage.core import Core

    core = Core.build(db, kb, rate_limit=50, rate_window_s=3600)
    tg = FakeTelegram()
    application = build_application(BotDeps(core=core), token="123456:TEST-TOKEN", request=tg,
                                     get_updates_request=tg)
    async with application:
        tg.clear()
        application.tg, application.core = tg, core
        yield application


async def test_deputy_finds_the_notice_just_received(whole_bot, db):
    app, tg, upd = whole_bot, whole_bot.tg, UpdateFactory()
    await register(app.core, app, upd, tg, STAFF, role=Role.STAFF)
    await register(app.core, app, upd, tg, DEP1, delegation="宁夏代表团")
    await register(app.core, app, upd, tg, DEP2, delegation="甘肃代表团")
    question = "履职报告什么时候交"
    await feed(app, upd.text(DEP1, question))
    assert "12月10日" not in tg.texts()[-1]
    await feed(app, upd.text(STAFF, f"/broadcast 代表团:宁夏代表团 {NOTICE}"))
    await feed(app, upd.callback(STAFF, dict(previews(tg)[-1].buttons())["确认发送"]))
    tg.clear()
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    assert [m.text for m in tg.sent("sendMessage")] == [NOTICE]
    tg.clear()
    await feed(app, upd.text(DEP1, question))
    answer = tg.texts()[-1]
    assert "12月10日" in answer and f"通知（{today_bj().isoformat()}）" in answer
    tg.clear()
    await feed(app, upd.text(DEP2, question))  # another delegation's deputy: not theirs to read
    assert "12月10日" not in tg.texts()[-1]
    # a list's notice (scope broadcast:<id>): its recipient finds it, nobody else does
    async with db.session() as s:
        from storage.models import User

        dep2 = await s.scalar(select(User.id).where(User.telegram_id == DEP2))
    await feed(app, upd.text(STAFF, f"/broadcast 名单:{dep2} 请于12月15日前提交集中视察的书面总结材料。"))
    assert "仅本通知的接收人和工作人员" in previews(tg)[-1].text
    await feed(app, upd.callback(STAFF, dict(previews(tg)[-1].buttons())["确认发送"]))
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    tg.clear()
    await feed(app, upd.text(DEP2, "集中视察书面总结材料什么时候交"))
    assert "12月15日" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(DEP1, "集中视察书面总结材料什么时候交"))
    assert "12月15日" not in tg.texts()[-1]

