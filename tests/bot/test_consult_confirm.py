"""Law-draft consultations through the whole bot (Telegram faked at HTTP only): a recognised voice note or a
question typed after 对本条提意见 waits for the deputy's button; 这是提问 goes to the normal question
answering (schedule, knowledge base); /consult previews before publishing."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from botharness import feed, register
from storage.models import Role

from broadcasts import consultation as cons
from broadcasts.models import Consultation, DraftArticle, Opinion

STAFF, NX = 730, 731


@pytest.fixture
def transcribe():
    async def heard(data: bytes):  # the voice note's bytes are what the recogniser "hears"
        return SimpleNamespace(text=data.decode(), confidence=0.9, duration_s=2.0)

    return heard


def _draft() -> bytes:
    d = Docx()
    for line in ("某某法（草案）", "第一章 总则", "第一条 为了规范某某工作，制定本法。", "第二条 本法适用于某某活动。",
                 "第三条 国务院负责管理。"):
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


async def _publish(app, core, tg, upd) -> int:
    """Staff: /consult as a reply to the uploaded draft, preview, 确认发布."""
    await register(core, app, upd, tg, STAFF, role=Role.STAFF)
    await register(core, app, upd, tg, NX, delegation="宁夏代表团")
    tg.add_file("draft", _draft())
    upload = upd.document(STAFF, "draft", "某某法草案.docx")
    await feed(app, upd.text(STAFF, "/consult 2026-12-31 代表团:宁夏代表团", reply_to=upload))
    preview = tg.sent("sendMessage")[-1]
    assert "共 1 章、3 条" in preview.text and "代表团：宁夏代表团（1 人）" in preview.text
    async with core.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Consultation))).scalar_one() == 0
    await feed(app, upd.callback(STAFF, dict(preview.buttons())["确认发布"]))
    assert "已发布" in tg.sent("editMessageText")[-1].text
    async with core.db.session() as s:
        c = (await s.execute(select(Consultation))).scalar_one()
        first = (await cons.articles(s, c.id))[0]
    await feed(app, upd.callback(NX, f"co:{c.id}:{first.id}"))
    assert "请直接发送您的意见" in tg.texts()[-1]
    tg.clear()
    return c.id


async def _opinions(core) -> list[str]:
    async with core.db.session() as s:
        return list((await s.execute(select(Opinion.text))).scalars())


async def test_voice_question_goes_to_the_schedule_not_the_record(app, core, tg, upd):
    await _publish(app, core, tg, upd)
    words = "宁夏代表团8月有什么安排"
    tg.add_file("v1", words.encode())
    await feed(app, upd.voice(NX, "v1"))
    held = tg.sent("editMessageText")[-1]
    assert f"语音识别结果：\n{words}" in held.text and "第一条" in held.text
    assert await _opinions(core) == []
    await feed(app, upd.callback(NX, dict(held.buttons())["这是提问"]))
    answer = "\n".join(tg.texts())
    assert "2026年8月工作安排" in answer and "做好代表集中视察服务保障工作" in answer
    assert tg.texts()[-1].startswith("您仍在对《某某法（草案）》第一条提意见")
    assert await _opinions(core) == []


async def test_typed_question_is_answered_by_the_knowledge_base(app, core, tg, upd):
    await _publish(app, core, tg, upd)
    await feed(app, upd.text(NX, "代表有哪些权利？"))
    asked = tg.sent("sendMessage")[-1]
    assert [label for label, _ in asked.buttons()] == ["作为意见提交", "这是提问"]
    await feed(app, upd.callback(NX, dict(asked.buttons())["这是提问"]))
    assert any("代表享有下列权利" in t for t in tg.texts())
    assert await _opinions(core) == []
    await feed(app, upd.text(NX, "建议第一条增加立法目的。"))  # still on 第一条: saved as the opinion
    assert tg.texts()[-1] == "意见已收到，谢谢！"
    received = tg.sent("sendMessage")[-1]
    assert [label for label, _ in received.buttons()] == ["对本条再提意见", "对草案整体提意见", "返回章节"]
    await feed(app, upd.callback(NX, dict(received.buttons())["返回章节"]))  # the way on works in the whole bot
    assert "请选择章节" in tg.texts()[-1]
    assert await _opinions(core) == ["建议第一条增加立法目的。"]
    await feed(app, upd.text(NX, "代表有哪些权利？"))  # no opinion awaited: the usual answer
    assert "代表享有下列权利" in tg.texts()[-1] and await _opinions(core) == ["建议第一条增加立法目的。"]


async def test_question_naming_an_article_is_answered_from_the_draft(app, core, tg, upd):
    """The knowledge base does not hold the draft: “第3条是什么意思” shows the draft's own 第三条."""
    await _publish(app, core, tg, upd)
    await feed(app, upd.text(NX, "第3条是什么意思？"))
    await feed(app, upd.callback(NX, dict(tg.sent("sendMessage")[-1].buttons())["这是提问"]))
    shown = tg.sent("sendMessage")[1]  # after the 作为意见提交 / 这是提问 prompt
    assert shown.text == "《某某法（草案）》中的相关条文：\n\n第三条　国务院负责管理。"
    assert [label for label, _ in shown.buttons()] == ["对第三条提意见"]
    assert len(tg.sent("sendMessage")) == 3  # no knowledge-base card for the draft's own article
    assert tg.texts()[-1].startswith("您仍在对《某某法（草案）》第一条提意见")
    await feed(app, upd.callback(NX, dict(shown.buttons())["对第三条提意见"]))
    await feed(app, upd.text(NX, "建议写明具体主管部门。"))
    assert await _opinions(core) == ["建议写明具体主管部门。"]


async def test_question_about_the_drafts_content_shows_the_article_then_the_answer(app, core, tg, upd):
    await _publish(app, core, tg, upd)
    await feed(app, upd.text(NX, "草案里国务院负责什么？"))
    await feed(app, upd.callback(NX, dict(tg.sent("sendMessage")[-1].buttons())["这是提问"]))
    texts = tg.texts()
    assert texts[1] == "已按提问处理，未作为意见提交：草案里国务院负责什么？"
    assert texts[2].startswith("《某某法（草案）》中的相关条文：") and "第三条　国务院负责管理。" in texts[2]
    assert "第一条" not in texts[2] and "第二条" not in texts[2]
    assert len(texts) == 5 and "出处" in texts[3]  # then the knowledge-base card and where the deputy was


async def test_question_unrelated_to_the_draft_gets_no_draft_articles(app, core, tg, upd):
    await _publish(app, core, tg, upd)
    await feed(app, upd.text(NX, "代表建议什么时候交办？"))
    await feed(app, upd.callback(NX, dict(tg.sent("sendMessage")[-1].buttons())["这是提问"]))
    assert not any("相关条文" in t for t in tg.texts())


async def test_opinion_typed_without_choosing_an_article_is_held_for_one_press(app, core, tg, upd):
    """“我对…草案第三条有意见：…” with no article chosen was searched as a question (unrelated sources), then
    (round 13) had to be typed again after choosing the article: it is now held for the article it names."""
    cid = await _publish(app, core, tg, upd)
    await feed(app, upd.text(NX, "/cancel"))  # no opinion awaited any more
    tg.clear()
    opinion = "我对草案第3条有意见：应当写明具体由哪个部门管理。"
    await feed(app, upd.text(NX, opinion))
    (reply,) = tg.sent("sendMessage")
    assert "要把这段话作为对《某某法（草案）》第三条的意见提交吗？" in reply.text and "尚未提交" in reply.text
    labels = dict(reply.buttons())
    assert list(labels) == ["作为意见提交", "这是提问", "选择条文"] and labels["选择条文"] == f"cs:{cid}"
    assert await _opinions(core) == []
    await feed(app, upd.callback(NX, labels["作为意见提交"]))
    assert tg.sent("editMessageText")[-1].text.startswith("意见已收到，谢谢！\n对《某某法（草案）》第三条的意见：")
    async with core.db.session() as s:
        (row,) = (await s.execute(select(Opinion))).scalars()
        assert row.text == opinion and (await s.get(DraftArticle, row.article_id)).locator == "第三条"
    tg.clear()
    await feed(app, upd.text(NX, "我对草案有意见：第二条的适用范围太宽。"))  # no article in the lead: the whole draft
    assert "作为对《某某法（草案）》（草案整体）的意见提交吗" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(NX, "代表有哪些权利？"))  # a question is still answered
    assert "代表享有下列权利" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(STAFF, "建议第三条增加部门职责。"))  # staff are not in the audience: no hint
    assert not any("提意见吗" in t for t in tg.texts())
