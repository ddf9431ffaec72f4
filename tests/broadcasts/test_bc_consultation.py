from __future__ import annotations

from datetime import date, timedelta

import pytest
from docx import Document as Docx
from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import Event

from broadcasts import audience as aud
from broadcasts import consultation as cons
from broadcasts import reminders, service
from broadcasts.models import Broadcast, OutboxMessage, Reminder


@pytest.fixture
def draft_docx(tmp_path):
    d = Docx()
    d.add_paragraph("中华人民共和国某某法（草案）")
    d.add_paragraph("第一章 总则")
    d.add_paragraph("第一条 为了规范某某工作，制定本法。")
    d.add_paragraph("第二条 本法适用于中华人民共和国境内的某某活动。")
    d.add_paragraph("第二章 管理")
    d.add_paragraph("第三条 国务院有关部门负责某某管理工作。")
    p = tmp_path / "草案.docx"
    d.save(p)
    return p


def test_load_draft_splits_articles_with_chapters(draft_docx):
    draft = cons.load_draft(draft_docx)
    assert draft.title == "中华人民共和国某某法（草案）"
    assert [(a.chapter, a.locator) for a in draft.articles] == [
        ("第一章 总则", "第一条"), ("第一章 总则", "第二条"), ("第二章 管理", "第三条")]


def test_bad_draft_files_are_explained(tmp_path):
    notlaw = tmp_path / "通知.txt"
    notlaw.write_text("这是一份普通通知，没有条文。", encoding="utf-8")
    with pytest.raises(cons.ConsultationError, match="第X条"):
        cons.load_draft(notlaw)
    with pytest.raises(cons.ConsultationError, match="无法读取"):
        cons.load_draft(tmp_path / "missing.docx")
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(cons.ConsultationError, match="无法读取"):
        cons.load_draft(bad)


@pytest.mark.db
async def test_consultation_end_to_end(db, add_users, clock, draft_docx, tmp_path):
    u = await add_users([{"telegram_id": 100, "name": "张三", "delegation": "广东代表团"},
                         {"telegram_id": 101, "name": "李四", "delegation": "四川代表团"}])
    draft = cons.load_draft(draft_docx)
    deadline = clock() + timedelta(days=7)
    async with db.session() as s, s.begin():
        c = await cons.publish(s, draft, deadline=deadline, spec=aud.AudienceSpec(), now=clock())
        assert await cons.chapters(s, c.id) == [("第一章 总则", 2), ("第二章 管理", 1)]
        arts = await cons.articles(s, c.id, "第一章 总则")
        assert [a.locator for a in arts] == ["第一条", "第二条"]
        # The invitation went to the outbox with a "browse the draft" button.
        b = await s.get(Broadcast, c.broadcast_id)
        assert b.kind == "consultation" and b.document_ref == f"consultation:{c.id}"
        assert len((await s.execute(select(OutboxMessage).where(OutboxMessage.broadcast_id == b.id))).all()) == 2
        await cons.add_opinion(s, c.id, u[1].id, "建议明确“某某活动”的定义。", article_id=arts[1].id, now=clock())
        await cons.add_opinion(s, c.id, u[0].id, "总体赞成，建议尽快出台。", now=clock())
        await cons.add_opinion(s, c.id, u[0].id, "第一条建议增加立法目的。", article_id=arts[0].id, kind="voice",
                               now=clock())
        with pytest.raises(cons.ConsultationError, match="意见内容为空"):
            await cons.add_opinion(s, c.id, u[0].id, "  ", now=clock())
        with pytest.raises(cons.ConsultationError, match="已于.*截止"):
            await cons.add_opinion(s, c.id, u[0].id, "晚了", now=deadline + timedelta(seconds=1))
        rows = await cons.grouped_opinions(s, c.id)
        assert [(r.article, r.name) for r in rows] == [("总体意见", "张三"), ("第一条", "张三"), ("第二条", "李四")]
        xlsx, docx_path = await cons.export(s, c.id, tmp_path / "out")
    ws = load_workbook(xlsx).active
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [r[:5] for r in data] == [["总体意见", None, "张三", "广东代表团", "文字"],
                                     ["第一条", "第一章 总则", "张三", "广东代表团", "语音"],
                                     ["第二条", "第一章 总则", "李四", "四川代表团", "文字"]]
    assert ws["A1"].value.endswith("（共 3 条意见）") and ws["H2"].value == "条文内容"
    assert data[0][7] is None and data[2][7].startswith("第二条")  # each article's own text
    text = "\n".join(p.text for p in Docx(docx_path).paragraphs)
    assert "第二条（第一章 总则）" in text and "李四（四川代表团，文字）：建议明确" in text
    assert "条文：第二条" in text


@pytest.mark.db
async def test_deadline_reminder_goes_only_to_non_responders(db, add_users, clock, draft_docx):
    u = await add_users([{"telegram_id": 100, "name": "张三"}, {"telegram_id": 101, "name": "李四"}])
    async with db.session() as s, s.begin():
        c = await cons.publish(s, cons.load_draft(draft_docx), deadline=clock() + timedelta(days=3),
                               spec=aud.AudienceSpec(), now=clock())
        await cons.add_opinion(s, c.id, u[0].id, "同意。", now=clock())
        assert await reminders.dispatch_due(s, now=clock()) == []  # not due yet
        clock.advance(2 * 86400 + 1)
        made = await reminders.dispatch_due(s, now=clock())
        assert len(made) == 1
        rows = (await s.execute(select(OutboxMessage.chat_id).where(OutboxMessage.broadcast_id == made[0]))).all()
        assert [r[0] for r in rows] == [101]
        assert await reminders.dispatch_due(s, now=clock()) == []  # dispatched once only


@pytest.mark.db
async def test_event_reminders_before_the_event(db, add_users, clock):
    await add_users([{"telegram_id": 100, "delegation": "广东代表团"}, {"telegram_id": 101, "delegation": "四川代表团"}])
    day = date(2026, 3, 5)
    async with db.session() as s, s.begin():
        s.add(Event(day=day, title="赴广州调研乡村振兴", scope="delegation:广东代表团"))
        s.add(Event(day=date(2026, 2, 1), title="已经过去的活动", scope="all"))
        await s.flush()
        assert await reminders.schedule_event_reminders(s, before=timedelta(hours=2), now=clock()) == 1
        assert await reminders.schedule_event_reminders(s, before=timedelta(hours=2), now=clock()) == 0  # idempotent
        r = (await s.execute(select(Reminder))).scalar_one()
        assert r.remind_at == reminders.event_start_utc(day) - timedelta(hours=2)
        assert r.remind_at.hour == 23  # 09:00 Beijing = 01:00 UTC, minus 2 h
    clock.t = r.remind_at
    async with db.session() as s, s.begin():
        made = await reminders.tick(s, before=timedelta(hours=2), now=clock())
        rep = await service.report(s, made[0])
        rows = (await s.execute(select(OutboxMessage.chat_id).where(OutboxMessage.broadcast_id == made[0]))).all()
    assert rep.total == 1 and [r[0] for r in rows] == [100]
