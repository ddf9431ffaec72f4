"""Round 9 of the new-user tester's findings on broadcasts and consultations: the /bcreport list line, the
report's delivery numbers said once, a read-receipt button for no broadcast, relative /consult deadlines and
the past-deadline refusal. The real PTB Application; Telegram faked at HTTP (bot.testing.FakeTelegram)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document as Docx
from telegram import Update

from bot.testing import UpdateFactory
from storage.clock import BEIJING

from broadcasts.commands import deadline_day, parse_deadline
from broadcasts.consultation import ConsultationError
from broadcasts.telegram_adapter import make_send
from broadcasts.worker import OutboxWorker, WorkerConfig

STAFF, DEP1, DEP2 = 500, 100, 101
LINES = ("某某法（草案）", "第一章 总则", "第一条 为了规范某某工作，制定本法。", "第二条 本法适用于某某活动。",
         "第二章 管理", "第三条 国务院负责管理。")


async def feed(app, payload):
    await app.process_update(Update.de_json(payload, app.bot))


async def send_to_all(app, db, upd, text: str) -> dict[str, str]:
    """/broadcast 全体 text, confirmed and sent; the 已阅 button's data per recipient chat id."""
    await feed(app, upd.text(STAFF, f"/broadcast 全体 {text}"))
    await feed(app, upd.callback(STAFF, dict(app.tg.sent("sendMessage")[-1].buttons())["确认发送"]))
    app.tg.clear()
    await OutboxWorker(db, make_send(app.bot), WorkerConfig(rate=1000)).drain()
    return {str(m.params["chat_id"]): dict(m.buttons())["已阅"] for m in app.tg.sent("sendMessage")}


# ---- 1, 2: /bcreport --------------------------------------------------------------------------------------

@pytest.mark.db
async def test_bcreport_list_line_is_the_first_line_clipped(app, db):
    upd = UpdateFactory()
    title = "【征求意见】宁夏回族自治区实施《中华人民共和国某某法》办法（草案征求意见稿）"
    await send_to_all(app, db, upd, f"{title}\n共三章二十条，请于三月二十日前反馈。")
    await send_to_all(app, db, upd, "明天  九点\t集合")
    await feed(app, upd.text(STAFF, "/bcreport"))
    lines = app.tg.texts()[-1].split("\n")
    assert lines[0].startswith("最近的通知")
    assert len(lines) == 3, lines  # one line per broadcast: no stray “共” line
    assert lines[1] == "#2 [已完成] 明天 九点 集合"
    assert lines[2].startswith("#1 [已完成] 【征求意见】宁夏") and lines[2].endswith("…")
    assert len(lines[2].split("] ", 1)[1]) == 30


@pytest.mark.db
async def test_bcreport_detail_states_the_numbers_once(app, db):
    upd = UpdateFactory()
    read = await send_to_all(app, db, upd, "会议通知")
    await feed(app, upd.callback(DEP1, read[str(DEP1)]))
    await feed(app, upd.text(STAFF, "/bcreport 1"))
    report = app.tg.texts()[-1]
    assert report.count("已送达") == 1 and report.count("已阅") == 1, report
    assert "已阅 1 人，未阅 1 人" in report and "1/2" not in report
    assert report.startswith("通知 #1 发送情况：共 2 人") and "发送已完成。" in report
    assert report.rstrip().endswith("· 李四（四川代表团）")


# ---- 3: a read receipt for no broadcast ------------------------------------------------------------------

@pytest.mark.db
async def test_receipt_button_for_no_broadcast_is_expired_not_already_read(app, db):
    upd = UpdateFactory()
    read = await send_to_all(app, db, upd, "会议通知")
    app.tg.clear()
    await feed(app, upd.callback(DEP1, "rd:999"))
    (answer,) = [c.params for c in app.tg.sent("answerCallbackQuery")]
    assert "已失效" in answer["text"] and "已确认过" not in answer["text"]
    await feed(app, upd.callback(DEP1, read[str(DEP2)]))  # someone else's receipt: not theirs to confirm
    assert "已失效" in app.tg.sent("answerCallbackQuery")[-1].params["text"]
    await feed(app, upd.callback(DEP1, read[str(DEP1)]))
    assert app.tg.sent("answerCallbackQuery")[-1].params["text"].startswith("已确认阅读")
    await feed(app, upd.callback(DEP1, read[str(DEP1)]))
    assert app.tg.sent("answerCallbackQuery")[-1].params["text"] == "您已确认过。"


# ---- 6: /consult deadlines -------------------------------------------------------------------------------

def test_relative_deadline_words():
    thursday = date(2026, 3, 19)
    assert deadline_day("今天", thursday) == thursday
    assert deadline_day("明天", thursday) == date(2026, 3, 20)
    assert deadline_day("后天", thursday) == date(2026, 3, 21)
    assert deadline_day("下周五", thursday) == date(2026, 3, 27)
    assert deadline_day("下周一", thursday) == date(2026, 3, 23)
    assert deadline_day("下星期日", thursday) == date(2026, 3, 29)
    assert deadline_day("周三", thursday) == date(2026, 3, 25)  # the coming Wednesday
    assert deadline_day("10天后", thursday) == date(2026, 3, 29)
    assert deadline_day("三天后", thursday) == date(2026, 3, 22)
    assert deadline_day("十五天以后", thursday) == date(2026, 4, 3)
    assert deadline_day("2026-03-20", thursday) == date(2026, 3, 20)
    assert deadline_day("3月20日", thursday) == date(2026, 3, 20)
    assert deadline_day("尽快", thursday) is None and deadline_day("下周八", thursday) is None


def test_deadline_is_end_of_the_beijing_day_and_past_ones_are_named():
    now = datetime(2026, 3, 19, 17, 0)  # UTC: already 3月20日 01:00 in Beijing
    assert parse_deadline("明天", now) == datetime(2026, 3, 21, 15, 59)
    assert parse_deadline("今天", now) == datetime(2026, 3, 20, 15, 59)
    with pytest.raises(ConsultationError) as err:
        parse_deadline("2020-01-01", now)
    assert str(err.value) == "截止时间 2020年01月01日 已经过去，请写一个将来的日期。"
    with pytest.raises(ConsultationError) as err:
        parse_deadline("尽快", now)
    assert "无法识别截止日期" in str(err.value) and "明天" in str(err.value)


def draft_bytes() -> bytes:
    d = Docx()
    for line in LINES:
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


async def consult(app, upd, command: str):
    app.tg.add_file("draft", draft_bytes())
    upload = upd.document(STAFF, "draft", "某某法草案.docx")
    await feed(app, upd.text(STAFF, command, reply_to=upload))
    return app.tg.sent("sendMessage")[-1]


@pytest.mark.db
async def test_consult_accepts_tomorrow_and_names_a_past_date(app, db):
    upd = UpdateFactory()
    preview = await consult(app, upd, "/consult 明天 代表团:广东代表团")
    tomorrow = datetime.now(BEIJING).date().toordinal() + 1
    assert preview.text.startswith("征求意见预览（尚未发布）"), preview.text
    assert f"截止：{date.fromordinal(tomorrow):%Y-%m-%d} 23:59（北京时间）" in preview.text
    assert "征求范围：代表团：广东代表团（1 人）" in preview.text
    past = await consult(app, upd, "/consult 2020-01-01")
    assert past.text == "截止时间 2020年01月01日 已经过去，请写一个将来的日期。" and not past.buttons()
    assert "下周五" in (await consult(app, upd, "/consult 尽快")).text  # the hint names the words it reads
    await feed(app, upd.text(DEP1, "/consult 2020-01-01", reply_to=upd.document(DEP1, "draft", "d.docx")))
    assert app.tg.texts()[-1] == "该功能仅限工作人员使用。"
