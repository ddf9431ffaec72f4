"""The drafting state machine against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from suggestions.draft import DraftError, DraftService, Prompt, assess
from suggestions.repository import make_sessionmaker, pending_events
from sugg_drafts import BILL, GOOD

AUTHOR = "deputy-1"


async def fill_good(svc: DraftService, draft_id: int) -> str:
    for text in (GOOD.title, GOOD.problem, GOOD.cause, GOOD.measures, "无", "完成"):
        res = await svc.answer(draft_id, AUTHOR, text)
        assert res.accepted, res.feedback
    return res.preview


async def test_full_flow_submit(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR)
    assert p.step == "kind" and p.hint and p.example and p.position == 1
    res = await svc.answer(p.draft_id, AUTHOR, "建议")
    assert res.prompt.step == "title" and res.prompt.total == 7  # kind, title, 3 parts, cosponsors, attachments
    preview = None
    for text in (GOOD.title, GOOD.problem, GOOD.cause, GOOD.measures, "张三、李四", "完成"):
        res = await svc.answer(p.draft_id, AUTHOR, text)
        assert res.accepted, res.feedback
        preview = res.preview
    assert preview and GOOD.title in preview and "张三、李四" in preview
    done = await svc.submit(p.draft_id, AUTHOR)
    assert done.suggestion_id > 0 and 0 < len(done.summary) <= 150
    assert await svc.list_drafts(AUTHOR) == []
    with pytest.raises(DraftError):
        await svc.answer(p.draft_id, AUTHOR, "再改一下")
    async with sm() as s:
        events = await pending_events(s)
    assert {(e.kind, e.recipient) for e in events} == {("suggestion.submitted", AUTHOR), ("suggestion.submitted", "staff")}


async def test_thin_answer_rejected_with_specific_feedback_and_kept(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    res = await svc.answer(p.draft_id, AUTHOR, "共享单车")
    assert not res.accepted and "太短" in res.feedback[0]
    res = await svc.answer(p.draft_id, AUTHOR, "共享单车停放管理问题")
    assert not res.accepted and "关于共享单车停放管理问题的建议" in res.feedback[0]
    assert res.prompt.step == "title"
    await svc.answer(p.draft_id, AUTHOR, GOOD.title)
    res = await svc.answer(p.draft_id, AUTHOR, "单车太多了。")
    assert not res.accepted and "数据" in res.feedback[0] and "6 字" in res.feedback[0]
    async with sm() as s:
        from suggestions.repository import get_draft
        row = await get_draft(s, p.draft_id)
        assert row.content["_rejected"]["problem"] == "单车太多了。"  # nothing typed is lost
    res = await svc.answer(p.draft_id, AUTHOR, "共享单车乱停乱放问题十分突出，地铁站口、人行道被大量占用，老年人和视障人士出行受到明显影响，"
                                                "群众反映非常强烈，城市形象也受到损害。")
    assert res.accepted and any("数据" in f for f in res.feedback)  # accepted, with a tip


async def test_vague_measures_get_a_tip(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    for t in (GOOD.title, GOOD.problem, GOOD.cause):
        await svc.answer(p.draft_id, AUTHOR, t)
    res = await svc.answer(p.draft_id, AUTHOR, "1. 要高度重视，加大力度，形成合力，切实解决好这个问题。\n2. 要进一步加强管理，营造良好氛围。")
    assert res.accepted and any("由谁" in f for f in res.feedback)


async def test_edit_from_preview_returns_to_preview(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    await fill_good(svc, p.draft_id)
    prompt = await svc.edit(p.draft_id, AUTHOR, "cause")
    assert prompt.step == "cause" and prompt.current == GOOD.cause
    new_cause = "根本原因是停放设施规划滞后于投放规模，企业运维责任和政府监管责任划分不清，违规停放缺少信用约束。"
    res = await svc.answer(p.draft_id, AUTHOR, new_cause)
    assert res.preview is not None and new_cause in res.preview and res.prompt is None
    assert (await svc.content(p.draft_id, AUTHOR)).cause == new_cause
    with pytest.raises(DraftError, match="没有"):
        await svc.edit(p.draft_id, AUTHOR, "legal_basis")  # a suggestion has no legal basis step


async def test_changing_kind_to_bill_walks_the_bill_steps(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议", congress_level="township")
    await fill_good(svc, p.draft_id)
    await svc.edit(p.draft_id, AUTHOR, "kind")
    res = await svc.answer(p.draft_id, AUTHOR, "议案")
    assert res.prompt.step == "title"  # walk on: the title must now end in 议案
    res = await svc.answer(p.draft_id, AUTHOR, GOOD.title)
    assert not res.accepted and "议案" in res.feedback[0]
    res = await svc.answer(p.draft_id, AUTHOR, GOOD.title.replace("建议", "议案"))
    assert res.prompt.step == "legal_basis"  # filled parts are skipped, empty bill-only parts asked
    res = await svc.answer(p.draft_id, AUTHOR, BILL.legal_basis)
    assert res.prompt.step == "outline"
    res = await svc.answer(p.draft_id, AUTHOR, BILL.outline)
    assert res.prompt.step == "cosponsors"  # a township bill needs five co-sponsors
    res = await svc.answer(p.draft_id, AUTHOR, "甲、乙、丙、丁、戊")
    assert res.preview and "法律依据" in res.preview and GOOD.problem in res.preview


async def test_bill_cosponsor_thresholds_per_level(sm, clock):
    for level, needed in (("national", 30), ("township", 5)):
        svc = DraftService(sm, clock=clock)
        p = await svc.start(AUTHOR, kind="议案", congress_level=level)
        for t in (BILL.title, BILL.problem, BILL.cause, BILL.measures, BILL.legal_basis, BILL.outline):
            assert (await svc.answer(p.draft_id, AUTHOR, t)).accepted
        res = await svc.answer(p.draft_id, AUTHOR, "张三、李四、王五")
        assert not res.accepted and f"至少需要 {needed} 名" in res.feedback[0]
        names = "、".join(f"代表{i}" for i in range(needed))
        assert (await svc.answer(p.draft_id, AUTHOR, names)).accepted
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="议案")
    for t in (BILL.title, BILL.problem, BILL.cause, BILL.measures, BILL.legal_basis, BILL.outline):
        await svc.answer(p.draft_id, AUTHOR, t)
    assert (await svc.answer(p.draft_id, AUTHOR, "代表团：宁夏代表团")).accepted


def test_thresholds_are_configurable():
    assert assess("cosponsors", "张三、李四", "议案", cosponsor_needed=2)[0]
    assert not assess("cosponsors", "张三", "议案", cosponsor_needed=2)[0]
    assert assess("cosponsors", "无", "建议", cosponsor_needed=0)[0]


async def test_custom_thresholds_in_service(sm, clock):
    svc = DraftService(sm, clock=clock, thresholds={"议案": {"provincial": 2}})
    assert svc.cosponsors_needed("议案", "provincial") == 2 and svc.cosponsors_needed("建议", "national") == 0


async def test_resume_after_restart(db, clock):
    engine = db.engine()
    svc = DraftService(make_sessionmaker(engine), clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    await svc.answer(p.draft_id, AUTHOR, GOOD.title)
    await svc.answer(p.draft_id, AUTHOR, GOOD.problem)
    await engine.dispose()  # the process goes away

    engine2 = db.engine()
    svc2 = DraftService(make_sessionmaker(engine2), clock=clock)
    drafts = await svc2.list_drafts(AUTHOR)
    assert [(d.draft_id, d.title, d.step) for d in drafts] == [(p.draft_id, GOOD.title, "cause")]
    prompt = await svc2.prompt(p.draft_id, AUTHOR)
    assert isinstance(prompt, Prompt) and prompt.step == "cause"
    assert (await svc2.content(p.draft_id, AUTHOR)).problem == GOOD.problem
    await engine2.dispose()


async def test_reminder_after_a_day_once(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    await svc.answer(p.draft_id, AUTHOR, GOOD.title)
    assert await svc.due_reminders(clock.now + timedelta(hours=23)) == []
    later = clock.now + timedelta(days=1, minutes=1)
    rem = await svc.due_reminders(later)
    assert [r.draft_id for r in rem] == [p.draft_id] and GOOD.title in rem[0].text
    assert await svc.due_reminders(later + timedelta(hours=5)) == []  # once per idle period
    clock.now = later + timedelta(hours=6)
    await svc.answer(p.draft_id, AUTHOR, GOOD.problem)  # activity resets
    assert len(await svc.due_reminders(clock.now + timedelta(days=2))) == 1
    async with sm() as s:
        assert sum(e.kind == "draft.reminder" for e in await pending_events(s)) == 2


async def test_bad_inputs(sm, clock):
    svc = DraftService(sm, clock=clock)
    with pytest.raises(DraftError, match="层级"):
        await svc.start(AUTHOR, congress_level="galactic")
    p = await svc.start(AUTHOR)
    res = await svc.answer(p.draft_id, AUTHOR, "提案")
    assert not res.accepted and "建议" in res.feedback[0]
    with pytest.raises(DraftError, match="找不到"):
        await svc.answer(p.draft_id, "someone-else", "建议")
    await svc.answer(p.draft_id, AUTHOR, "建议")
    await svc.answer(p.draft_id, AUTHOR, GOOD.title)
    with pytest.raises(DraftError, match="还缺少"):
        await svc.submit(p.draft_id, AUTHOR)
    with pytest.raises(DraftError, match="不能跳过"):
        await svc.skip(p.draft_id, AUTHOR)
    await svc.cancel(p.draft_id, AUTHOR)
    assert await svc.list_drafts(AUTHOR) == []


async def test_attachments(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    for t in (GOOD.title, GOOD.problem, GOOD.cause, GOOD.measures, "无"):
        await svc.answer(p.draft_id, AUTHOR, t)
    await svc.add_attachment(p.draft_id, AUTHOR, "调研报告.pdf", "file-123")
    res = await svc.skip(p.draft_id, AUTHOR)
    assert "调研报告.pdf" in res.preview
    assert (await svc.content(p.draft_id, AUTHOR)).attachments == [{"name": "调研报告.pdf", "ref": "file-123"}]
    assert await svc.prompt(p.draft_id, AUTHOR) == res.preview


async def test_whole_draft_pasted_at_once_fills_its_parts(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    whole = (f"{GOOD.title}\n一、存在的问题\n{GOOD.problem}\n二、原因分析\n{GOOD.cause}\n三、几点建议\n{GOOD.measures}")
    res = await svc.answer(p.draft_id, AUTHOR, whole)
    assert res.accepted and res.feedback[0] == "已从粘贴的全文中识别出：标题、问题与现状、原因分析、具体建议。"
    # every part is there, but the co-signers and the attachments are still offered before the preview
    assert res.prompt.step == "cosponsors" and res.preview is None
    res = await svc.answer(p.draft_id, AUTHOR, "无")
    assert res.prompt.step == "attachments"
    res = await svc.answer(p.draft_id, AUTHOR, "没附件了")
    assert res.preview and GOOD.title in res.preview and GOOD.measures[:20] in res.preview
    done = await svc.submit(p.draft_id, AUTHOR)
    assert done.suggestion_id > 0


async def test_a_pasted_drafts_cosigners_are_kept(sm, clock):
    """“联名代表：张三、李四、王五” in a pasted draft was silently dropped."""
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    whole = (f"{GOOD.title}\n一、存在的问题\n{GOOD.problem}\n二、原因分析\n{GOOD.cause}\n三、几点建议\n{GOOD.measures}"
             "\n联名代表：张三、李四、王五")
    res = await svc.answer(p.draft_id, AUTHOR, whole)
    assert "联名代表" in res.feedback[0]
    assert (await svc.content(p.draft_id, AUTHOR)).cosponsors == ["张三", "李四", "王五"]


async def test_pasted_draft_without_cause_asks_for_it_then_returns_to_the_preview(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="建议")
    await svc.answer(p.draft_id, AUTHOR, GOOD.title)
    whole = f"{GOOD.problem}\n为此建议：{GOOD.measures}"  # no headings, no cause, pasted at 问题与现状
    res = await svc.answer(p.draft_id, AUTHOR, whole)
    assert res.accepted and "问题与现状、具体建议" in res.feedback[0]
    assert res.prompt.step == "cause"
    res = await svc.answer(p.draft_id, AUTHOR, GOOD.cause)
    assert res.accepted and res.prompt.step == "cosponsors"  # the parts the paste filled are not asked again
    await svc.answer(p.draft_id, AUTHOR, "无")
    res = await svc.answer(p.draft_id, AUTHOR, "完成")
    assert res.accepted and res.preview and GOOD.title in res.preview
    # an ordinary answer is still just that step's answer
    p2 = await svc.start(AUTHOR, kind="建议")
    await svc.answer(p2.draft_id, AUTHOR, GOOD.title)
    res = await svc.answer(p2.draft_id, AUTHOR, GOOD.problem)
    assert res.accepted and res.prompt.step == "cause"
