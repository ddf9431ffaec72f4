"""Tester's findings on law-draft consultations: a voice opinion was saved straight from speech recognition,
a question typed after 对本条提意见 was saved as the opinion, and /consult published at once (twice when
sent twice). Now: voice and question-like opinions wait for a button, /consult shows a preview first."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from docx import Document as Docx
from sqlalchemy import func, select
from telegram import Update

from bot.testing import UpdateFactory
from storage.clock import utcnow

from broadcasts import audience as aud
from broadcasts import consultation as cons
from broadcasts.models import Consultation, Opinion

pytestmark = pytest.mark.db
STAFF, DEP1, DEP2 = 500, 100, 101
QUESTION_HEARD = "宁夏代表团8月有什么安排"
OPINION_HEARD = "建议删去第二条中的某某二字"
LINES = ("某某法（草案）", "第一章 总则", "第一条 为了规范某某工作，制定本法。", "第二条 本法适用于某某活动。",
         "第二章 管理", "第三条 国务院负责管理。")


async def heard(data: bytes):
    """The recogniser: the voice note's bytes say what was 'heard'."""
    return SimpleNamespace(text=data.decode(), confidence=0.9, duration_s=2.0)


@pytest.fixture
async def app(add_staff_and_deputies, bot_app):
    await add_staff_and_deputies()
    async with bot_app(heard) as application:
        yield application


async def feed(app, payload):
    await app.process_update(Update.de_json(payload, app.bot))


def buttons(call) -> dict[str, str]:
    return dict(call.buttons())


def alerts(tg) -> list[str]:
    return [c.params.get("text") or "" for c in tg.sent("answerCallbackQuery")]


def draft_bytes() -> bytes:
    d = Docx()
    for line in LINES:
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


async def consultation(db, tmp_path, days: int = 3) -> Consultation:
    (tmp_path / "d.docx").write_bytes(draft_bytes())
    async with db.session() as s, s.begin():
        return await cons.publish(s, cons.load_draft(tmp_path / "d.docx"), deadline=utcnow() + timedelta(days=days),
                                  spec=aud.AudienceSpec(), invite=False)


async def article_id(db, c: Consultation, locator: str) -> int:
    async with db.session() as s:
        return next(a.id for a in await cons.articles(s, c.id) if a.locator == locator)


async def opinions(db) -> list[tuple[str, str]]:
    async with db.session() as s:
        return [(o.kind, o.text) for o in (await s.execute(select(Opinion).order_by(Opinion.id))).scalars()]


async def consultations(db) -> int:
    async with db.session() as s:
        return (await s.execute(select(func.count()).select_from(Consultation))).scalar_one()


async def close(db, c: Consultation) -> None:
    async with db.session() as s, s.begin():
        (await cons.get(s, c.id)).deadline = utcnow() - timedelta(minutes=1)


async def say(app, upd, uid: int, words: str):
    """A voice note that the recogniser hears as ``words``; returns the message with the buttons."""
    file_id = "v" + words.encode().hex()
    app.tg.add_file(file_id, words.encode())
    await feed(app, upd.voice(uid, file_id))
    return app.tg.sent("editMessageText")[-1]


# ---- 1a: a voice opinion is confirmed before it is saved ---------------------------------------------

async def test_voice_opinion_is_shown_and_saved_only_on_confirm(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:{await article_id(db, c, '第二条')}"))
    held = await say(app, upd, DEP1, QUESTION_HEARD)
    assert "语音识别结果：\n宁夏代表团8月有什么安排" in held.text and "《某某法（草案）》第二条" in held.text
    assert set(buttons(held)) == {"确认提交", "重新说", "改为文字", "这是提问"}
    assert await opinions(db) == []  # nothing in the record yet
    await feed(app, upd.callback(DEP1, buttons(held)["重新说"]))
    assert tg.texts()[-1].startswith("请重新发送语音，或直接输入文字，作为对《某某法（草案）》第二条的意见")
    await feed(app, upd.callback(DEP1, buttons(held)["确认提交"]))  # the discarded recognition
    assert "已处理过" in alerts(tg)[-1] and await opinions(db) == []
    again = await say(app, upd, DEP1, OPINION_HEARD)  # still on 第二条
    assert "这是提问" not in buttons(again)
    tg.clear()
    ok = buttons(again)["确认提交"]
    await asyncio.gather(feed(app, upd.callback(DEP1, ok)), feed(app, upd.callback(DEP1, ok)))
    assert alerts(tg).count("已提交") == 1 and sum("已处理过" in a for a in alerts(tg)) == 1  # a double tap
    assert await opinions(db) == [("voice", OPINION_HEARD)]
    async with db.session() as s:
        assert [r.article for r in await cons.grouped_opinions(s, c.id)] == ["第二条"]
    n = len(tg.sent("sendMessage"))
    await feed(app, upd.text(DEP1, "随便说一句"))  # the opinion is no longer awaited
    assert len(tg.sent("sendMessage")) == n and len(await opinions(db)) == 1


async def test_change_to_text_then_typed_opinion(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))
    held = await say(app, upd, DEP1, "总体赞成")
    assert "《某某法（草案）》（草案整体）" in held.text
    await feed(app, upd.callback(DEP1, buttons(held)["改为文字"]))
    assert tg.texts()[-1].startswith("请直接输入文字，作为对《某某法（草案）》（草案整体）的意见")
    await feed(app, upd.text(DEP1, "总体赞成，建议尽快出台。"))
    assert tg.texts()[-1] == "意见已收到，谢谢！"
    assert await opinions(db) == [("text", "总体赞成，建议尽快出台。")]


async def test_typed_opinion_supersedes_a_held_voice_note(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))
    held = await say(app, upd, DEP1, "总体赞成")
    await feed(app, upd.text(DEP1, "总体赞成，建议尽快出台。"))
    await feed(app, upd.callback(DEP1, buttons(held)["确认提交"]))
    assert "已处理过" in alerts(tg)[-1]
    assert await opinions(db) == [("text", "总体赞成，建议尽快出台。")]


# ---- 1b: a question typed where an opinion was awaited ------------------------------------------------

async def test_question_like_text_is_asked_about(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:{await article_id(db, c, '第一条')}"))
    await feed(app, upd.text(DEP1, "代表有哪些权利？"))
    asked = tg.sent("sendMessage")[-1]
    assert "这看起来像是一个提问" in asked.text and list(buttons(asked)) == ["作为意见提交", "这是提问"]
    assert await opinions(db) == []
    await feed(app, upd.callback(DEP1, buttons(asked)["作为意见提交"]))
    assert "意见已收到" in tg.sent("editMessageText")[-1].text
    assert await opinions(db) == [("text", "代表有哪些权利？")]
    await feed(app, upd.callback(DEP1, buttons(asked)["这是提问"]))  # too late: already decided
    assert "已处理过" in alerts(tg)[-1]


async def test_this_is_a_question_saves_nothing_and_keeps_the_article(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:{await article_id(db, c, '第一条')}"))
    await feed(app, upd.text(DEP1, "12月有什么安排"))  # the schedule: this app has no knowledge base
    await feed(app, upd.callback(DEP1, buttons(tg.sent("sendMessage")[-1])["这是提问"]))
    assert "已按提问处理" in tg.sent("editMessageText")[-1].text
    assert "12月" in tg.texts()[-2]  # answered as a question (tests/bot: by the knowledge base)
    assert tg.texts()[-1].startswith("您仍在对《某某法（草案）》第一条提意见")
    await feed(app, upd.text(DEP1, "建议增加立法目的。"))  # plain opinions are saved at once, as before
    assert tg.texts()[-1] == "意见已收到，谢谢！"
    assert await opinions(db) == [("text", "建议增加立法目的。")]


# ---- 1d: “意见已收到” offers a way on (a new-user tester was left at a dead end) ---------------------------

async def test_received_opinion_offers_the_way_on(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    art = await article_id(db, c, "第二条")
    await feed(app, upd.callback(DEP1, f"co:{c.id}:{art}"))
    await feed(app, upd.text(DEP1, "建议删去第二条中的某某二字。"))
    got = tg.sent("sendMessage")[-1]
    assert got.text == "意见已收到，谢谢！"
    assert got.buttons() == [("对本条再提意见", f"co:{c.id}:{art}"), ("对草案整体提意见", f"co:{c.id}:0"),
                             ("返回章节", f"cs:{c.id}")]
    await feed(app, upd.callback(DEP1, buttons(got)["对本条再提意见"]))
    assert tg.texts()[-1].startswith("请直接发送您的意见")
    await feed(app, upd.text(DEP1, "第二条还应写明适用范围。"))
    assert tg.texts()[-1] == "意见已收到，谢谢！"
    async with db.session() as s:
        assert [r.article for r in await cons.grouped_opinions(s, c.id)] == ["第二条", "第二条"]
    await feed(app, upd.callback(DEP1, buttons(got)["返回章节"]))  # an older message's buttons work too
    chapters = tg.sent("sendMessage")[-1]
    assert "请选择章节" in chapters.text and "对草案整体提意见" in buttons(chapters)
    await feed(app, upd.callback(DEP1, buttons(got)["对草案整体提意见"]))
    await feed(app, upd.text(DEP1, "总体赞成。"))
    whole = tg.sent("sendMessage")[-1]
    assert whole.text == "意见已收到，谢谢！"
    assert whole.buttons() == [("再提一条意见", f"co:{c.id}:0"), ("返回章节", f"cs:{c.id}")]
    # a voice opinion confirmed by button: the edited message carries the same way on
    await feed(app, upd.callback(DEP1, buttons(whole)["再提一条意见"]))
    held = await say(app, upd, DEP1, "建议尽快出台")
    await feed(app, upd.callback(DEP1, buttons(held)["确认提交"]))
    done = tg.sent("editMessageText")[-1]
    assert done.text.startswith("意见已收到，谢谢！") and list(buttons(done)) == ["再提一条意见", "返回章节"]
    assert len(await opinions(db)) == 4
    await close(db, c)  # after the deadline the button says so and awaits nothing
    await feed(app, upd.callback(DEP1, buttons(done)["再提一条意见"]))
    assert "截止" in alerts(tg)[-1]
    n = len(tg.sent("sendMessage"))
    await feed(app, upd.text(DEP1, "再补充一点。"))
    assert len(await opinions(db)) == 4 and all("意见已收到" not in m.text for m in tg.sent("sendMessage")[n:])


# ---- 1c: after the deadline no button saves anything ---------------------------------------------------

async def test_buttons_after_the_deadline_save_nothing(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))
    voice = await say(app, upd, DEP1, "总体赞成")
    await close(db, c)
    await feed(app, upd.callback(DEP1, buttons(voice)["确认提交"]))
    assert "截止" in alerts(tg)[-1] and "未提交" in tg.sent("editMessageText")[-1].text
    await feed(app, upd.callback(DEP1, buttons(voice)["确认提交"]))
    assert "已处理过" in alerts(tg)[-1]

    c2 = await consultation(db, tmp_path, days=5)
    await feed(app, upd.callback(DEP1, f"co:{c2.id}:0"))
    await feed(app, upd.text(DEP1, "这部法什么时候施行？"))
    asked = tg.sent("sendMessage")[-1]
    voice2 = await say(app, upd, DEP1, "总体赞成")  # replaces the held question
    await close(db, c2)
    await feed(app, upd.callback(DEP1, buttons(asked)["作为意见提交"]))
    assert "已处理过" in alerts(tg)[-1]
    await feed(app, upd.callback(DEP1, buttons(voice2)["重新说"]))
    assert "截止" in alerts(tg)[-1]
    assert await opinions(db) == []


async def test_opinion_sent_after_the_deadline_is_refused_before_recognition(app, db, tmp_path):
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))
    await close(db, c)
    tg.add_file("late", "总体赞成".encode())
    await feed(app, upd.voice(DEP1, "late"))
    assert "截止" in tg.texts()[-1] and "late" not in tg.downloads
    await feed(app, upd.text(DEP1, "这部法什么时候施行？"))
    assert not [m for m in tg.sent("sendMessage") if m.buttons()] and await opinions(db) == []


# ---- 2: /consult previews before publishing -------------------------------------------------------------

async def consult(app, upd, command: str):
    app.tg.add_file("draft", draft_bytes())
    upload = upd.document(STAFF, "draft", "某某法草案.docx")
    await feed(app, upd.text(STAFF, command, reply_to=upload))
    return app.tg.sent("sendMessage")[-1]


async def test_consult_shows_a_preview_and_publishes_on_confirm(app, db):
    tg, upd = app.tg, UpdateFactory()
    # the deadline in the forms /addevent reads too (2030-03-20, 2030年3月20日)
    preview = await consult(app, upd, "/consult 2030年3月20日 代表团:广东代表团")
    assert preview.text.startswith("征求意见预览（尚未发布）")
    for part in ("草案：《某某法（草案）》", "共 2 章、3 条", "截止：2030-03-20 23:59（北京时间）",
                 "征求范围：代表团：广东代表团（1 人）"):
        assert part in preview.text, preview.text
    assert list(buttons(preview)) == ["确认发布", "取消"]
    assert await consultations(db) == 0
    tg.clear()
    ok = buttons(preview)["确认发布"]
    await asyncio.gather(feed(app, upd.callback(STAFF, ok)), feed(app, upd.callback(STAFF, ok)))
    assert sorted(alerts(tg))[0] == "已发布" and "已处理过" in sorted(alerts(tg))[1]
    assert await consultations(db) == 1
    (done,) = tg.sent("editMessageText")
    assert done.text.startswith("征求意见 #1《某某法（草案）》已发布，共 3 条") and "/consultexport 1" in done.text
    async with db.session() as s:
        c = await cons.get(s, 1)
    assert c.deadline == datetime(2030, 3, 20, 15, 59) and c.audience["kind"] == "delegation"


async def test_consult_sent_twice_publishes_once(app, db):
    tg, upd = app.tg, UpdateFactory()
    first = await consult(app, upd, "/consult 2030-03-20")
    second = await consult(app, upd, "/consult 2030-03-20")
    await feed(app, upd.callback(STAFF, buttons(first)["确认发布"]))  # replaced by the second preview
    assert "已处理过" in alerts(tg)[-1] and await consultations(db) == 0
    await feed(app, upd.callback(STAFF, buttons(second)["确认发布"]))
    assert await consultations(db) == 1
    third = await consult(app, upd, "/consult 2030-03-20")  # the duplicate refused at the preview
    assert "不会重复发布" in third.text and not third.buttons()


async def test_cancelled_preview_publishes_nothing(app, db):
    tg, upd = app.tg, UpdateFactory()
    preview = await consult(app, upd, "/consult 2030-03-20 全体")
    await feed(app, upd.callback(STAFF, buttons(preview)["取消"]))
    assert tg.sent("editMessageText")[-1].text == "已取消，征求意见未发布。"
    await feed(app, upd.callback(STAFF, buttons(preview)["确认发布"]))
    assert "已处理过" in alerts(tg)[-1] and await consultations(db) == 0


async def test_preview_keeps_the_refusals(app, db):
    tg, upd = app.tg, UpdateFactory()
    assert "截止时间 2020年03月20日 已经过去" in (await consult(app, upd, "/consult 2020-03-20")).text
    assert "draft" not in tg.downloads  # refused before the file is fetched
    assert "没有可接收通知的代表" in (await consult(app, upd, "/consult 2030-03-20 委员会:教科文卫委")).text
    assert "无法识别截止日期" in (await consult(app, upd, "/consult 尽快")).text
    await feed(app, upd.text(DEP1, "/consult 2030-03-20", reply_to=upd.document(DEP1, "draft", "d.docx")))
    assert tg.texts()[-1] == "该功能仅限工作人员使用。"
    assert not [m for m in tg.sent("sendMessage") if m.buttons()] and await consultations(db) == 0


async def test_confirm_after_the_deadline_passed_is_refused(app, db, monkeypatch):
    tg, upd = app.tg, UpdateFactory()
    preview = await consult(app, upd, "/consult 2030-03-20")
    late = datetime(2030, 3, 21)
    monkeypatch.setattr(cons, "utcnow", lambda: late)  # the preview was left open past its deadline
    await feed(app, upd.callback(STAFF, buttons(preview)["确认发布"]))
    assert "截止时间必须晚于现在" in alerts(tg)[-1] and await consultations(db) == 0
    await feed(app, upd.callback(STAFF, buttons(preview)["取消"]))  # still there to be cancelled
    assert tg.sent("editMessageText")[-1].text == "已取消，征求意见未发布。"


async def test_another_command_ends_the_awaited_opinion(app, db, tmp_path):
    """A round-12 tester pressed 对草案整体提意见, then sent /help and typed a suggestion's title: it was filed as
    his opinion on the draft. A command other than /cancel now means the deputy moved on."""
    tg, upd = app.tg, UpdateFactory()
    c = await consultation(db, tmp_path)
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))
    assert tg.texts()[-1].startswith("请直接发送您的意见")
    await feed(app, upd.text(DEP1, "/help"))
    await feed(app, upd.text(DEP1, "关于解决老旧小区加装电梯费用分摊问题的建议"))
    assert "意见已收到，谢谢！" not in tg.texts()
    assert await opinions(db) == []
    await feed(app, upd.callback(DEP1, f"co:{c.id}:0"))  # pressed again, the opinion is taken as before
    await feed(app, upd.text(DEP1, "总体赞成，建议尽快出台。"))
    assert tg.texts()[-1] == "意见已收到，谢谢！"
    assert await opinions(db) == [("text", "总体赞成，建议尽快出台。")]


async def test_an_awaited_opinion_survives_a_restart(add_staff_and_deputies, bot_app, db, tmp_path):
    """The round-13 bot tester restarted the bot between 对本条提意见 and the opinion: the opinion was then
    searched as a question and never recorded. What is awaited is kept in the database, not in memory."""
    await add_staff_and_deputies()
    c = await consultation(db, tmp_path)
    aid = await article_id(db, c, "第二条")
    upd = UpdateFactory()
    async with bot_app(heard) as first:
        await feed(first, upd.callback(DEP1, f"co:{c.id}:{aid}"))
        assert first.tg.texts()[-1].startswith("请直接发送您的意见")
    async with bot_app(heard) as second:  # a new process on the same database
        await feed(second, upd.text(DEP1, "建议把适用范围写得更具体一些。"))
        assert second.tg.texts()[-1] == "意见已收到，谢谢！"
        await feed(second, upd.text(DEP1, "我再补充一点看法，供参考。"))  # answered once: no longer awaited
        assert second.tg.texts().count("意见已收到，谢谢！") == 1
    assert await opinions(db) == [("text", "建议把适用范围写得更具体一些。")]
