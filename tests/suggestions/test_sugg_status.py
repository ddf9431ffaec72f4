"""Handling status: transitions, dates, deadlines (代表法第五十一条), overdue flags and the outbox."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest

from storage.clock import BEIJING
from suggestions import repository as repo
from suggestions.draft import DraftService
from suggestions.models import SuggestionRow
from suggestions.status import (
    STATUS_ANSWERED, STATUS_ASSIGNED, STATUS_EVALUATED, STATUS_IN_PROGRESS, STATUS_MERGED, STATUS_SUBMITTED,
    StatusError, StatusService, add_months, beijing_day, deadline,
)
from sugg_drafts import GOOD

AUTHOR = "deputy-7"


async def new_suggestion(sm, clock, title=GOOD.title, recommended=None) -> int:
    async with sm.begin() as s:
        row = await repo.add_suggestion(s, SuggestionRow(
            author_id=AUTHOR, kind="建议", title=title, content=GOOD.to_dict(), status=STATUS_SUBMITTED,
            submitted_at=clock.now, recommended=recommended or [{"name": "交通运输部", "score": 0.4}], units=[]))
        return row.id


def test_add_months_clamps_month_end():
    assert add_months(datetime(2026, 11, 30), 3) == datetime(2027, 2, 28)
    assert add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)
    t = datetime(2026, 3, 5, tzinfo=timezone.utc)
    assert deadline(t) == datetime(2026, 6, 5, tzinfo=timezone.utc)
    assert deadline(t, complex_case=True) == datetime(2026, 9, 5, tzinfo=timezone.utc)


async def test_full_lifecycle_with_dates_and_notifications(sm, clock):
    sid = await new_suggestion(sm, clock)
    st = StatusService(sm, clock=clock)
    due = await st.assign(sid, ["交通运输部"], actor="staff-1")
    assert due == datetime(2026, 6, 5, 9, 0, tzinfo=timezone.utc)
    clock.now += timedelta(days=3)
    await st.start(sid, actor="交通运输部")
    clock.now += timedelta(days=40)
    await st.record_reply(sid, "已会同有关城市制定共享单车停放区域设置指南，将于年内印发实施。", actor="staff-1")
    clock.now += timedelta(days=2)
    await st.evaluate(sid, AUTHOR, "满意")
    hist = await st.history(sid)
    assert [(a, b) for a, b, _, _ in hist] == [
        (STATUS_SUBMITTED, STATUS_ASSIGNED), (STATUS_ASSIGNED, STATUS_IN_PROGRESS),
        (STATUS_IN_PROGRESS, STATUS_ANSWERED), (STATUS_ANSWERED, STATUS_EVALUATED)]
    assert hist[0][3].startswith("采纳推荐")
    assert hist[-1][2] == datetime(2026, 4, 19, 9, 0, tzinfo=timezone.utc)
    [view] = await st.my_suggestions(AUTHOR)
    assert view.status == STATUS_EVALUATED and view.evaluation == "满意" and not view.overdue
    async with sm() as s:
        events = [e for e in await repo.pending_events(s) if e.recipient == AUTHOR]
    assert len(events) == 4 and "2026年06月05日" in events[0].text and "第五十一条" in events[0].text
    async with sm.begin() as s:
        await repo.mark_delivered(s, [e.id for e in events])
    async with sm() as s:
        assert [e for e in await repo.pending_events(s) if e.recipient == AUTHOR] == []


async def test_override_recorded_and_invalid_transitions(sm, clock):
    sid = await new_suggestion(sm, clock)
    st = StatusService(sm, clock=clock)
    with pytest.raises(StatusError, match="不能变更"):
        await st.record_reply(sid, "这是一份足够长的答复内容，说明了办理情况。", actor="staff")
    with pytest.raises(StatusError, match="至少指定"):
        await st.assign(sid, [" "], actor="staff")
    await st.assign(sid, ["住房和城乡建设部", "公安部"], actor="staff")
    assert (await st.history(sid))[0][3] == "人工指定：住房和城乡建设部、公安部"
    with pytest.raises(StatusError, match="过短"):
        await st.record_reply(sid, "已办", actor="staff")
    with pytest.raises(StatusError, match="不能变更"):
        await st.evaluate(sid, AUTHOR, "满意")
    with pytest.raises(StatusError, match="找不到"):
        await st.start(9999, actor="x")
    # round 13: “/reply 99 短” complained about the reply's length before saying there is no item 99
    with pytest.raises(StatusError, match="找不到"):
        await st.record_reply(9999, "短", actor="staff")
    with pytest.raises(StatusError, match="不能变更"):
        await st.record_reply(await new_suggestion(sm, clock), "短", actor="staff")


async def test_evaluation_rules_and_rehandle(sm, clock):
    sid = await new_suggestion(sm, clock)
    st = StatusService(sm, clock=clock)
    await st.assign(sid, ["交通运输部"], actor="staff", complex_case=True)
    await st.record_reply(sid, "经研究，目前条件尚不成熟，将适时开展研究论证。", actor="staff")
    with pytest.raises(StatusError, match="只能是"):
        await st.evaluate(sid, AUTHOR, "还行")
    with pytest.raises(StatusError, match="本人"):
        await st.evaluate(sid, "other", "满意")
    await st.evaluate(sid, AUTHOR, "不满意")
    async with sm() as s:
        assert any(e.kind == "suggestion.unsatisfied" and e.recipient == "staff" for e in await repo.pending_events(s))
    clock.now += timedelta(days=10)
    await st.rehandle(sid, actor="staff")
    [view] = await st.my_suggestions(AUTHOR)
    assert view.status == STATUS_IN_PROGRESS and view.due_at == add_months(clock.now, 6)


async def test_overdue_flagged_once_to_staff(sm, clock):
    a = await new_suggestion(sm, clock, "关于甲的建议")
    b = await new_suggestion(sm, clock, "关于乙的建议")
    st = StatusService(sm, clock=clock)
    await st.assign(a, ["交通运输部"], actor="staff")
    await st.assign(b, ["公安部"], actor="staff", complex_case=True)
    soon = await st.due_soon(clock.now + timedelta(days=80))
    assert [x.suggestion_id for x in soon] == [a]
    later = clock.now + timedelta(days=100)  # past 3 months, within 6
    over = await st.flag_overdue(later)
    assert [(o.suggestion_id, o.days_over) for o in over] == [(a, 8)]
    assert [o.suggestion_id for o in await st.flag_overdue(later + timedelta(days=1))] == [a]  # still listed
    async with sm() as s:
        flags = [e for e in await repo.pending_events(s) if e.kind == "suggestion.overdue"]
    assert len(flags) == 1 and flags[0].recipient == "staff" and "关于甲的建议" in flags[0].text
    [va, vb] = sorted(await st.my_suggestions(AUTHOR, now=later), key=lambda v: v.suggestion_id)
    assert va.overdue and not vb.overdue and "已逾期" in va.to_text()
    await st.record_reply(a, "已答复：将在年内完成停放区域规划并向社会公布。", actor="staff")
    assert await st.flag_overdue(later) == []


async def test_merge_duplicates(sm, clock):
    a = await new_suggestion(sm, clock)
    b = await new_suggestion(sm, clock, "关于加强共享单车停放秩序的建议")
    st = StatusService(sm, clock=clock)
    await st.merge(a, [b, a], actor="staff")
    views = {v.suggestion_id: v for v in await st.my_suggestions(AUTHOR)}
    assert views[b].status == STATUS_MERGED and views[a].status == STATUS_SUBMITTED
    with pytest.raises(StatusError):
        await st.assign(b, ["公安部"], actor="staff")


async def test_a_merged_items_author_hears_the_reply(sm, clock):
    """Round 12: after /merge 1 3 the second deputy was told “答复将一并告知您”, and /reply 1 told only the first."""
    a = await new_suggestion(sm, clock)
    async with sm.begin() as s:
        b = (await repo.add_suggestion(s, SuggestionRow(
            author_id="孙丽", kind="建议", title="关于规范共享单车停放的建议", content=GOOD.to_dict(),
            status=STATUS_SUBMITTED, submitted_at=clock.now, recommended=[], units=[]))).id
    st = StatusService(sm, clock=clock)
    await st.merge(a, [b], actor="staff")
    await st.assign(a, ["交通运输部"], actor="staff")
    await st.record_reply(a, "已答复：将在年内完成停放区域规划并向社会公布。", actor="staff")
    async with sm() as s:
        theirs = [e.text for e in await repo.pending_events(s) if e.recipient == "孙丽"]
        merged = await repo.get_suggestion(s, b)
    assert len(theirs) == 2 and "合并办理，答复将一并告知您" in theirs[0]
    assert "承办单位已答复：已答复：将在年内完成停放区域规划并向社会公布。" in theirs[1]
    assert merged.status == STATUS_MERGED and merged.reply.startswith("已答复：将在年内")
    view = next(v for v in await st.my_suggestions("孙丽"))
    assert f"已合并（并入编号 {a}）" in view.to_text() and "答复：已答复：将在年内" in view.to_text()


async def test_submission_with_routing_becomes_history(sm, clock, embedder):
    """Submit through the draft service with the real embedder: topic and recommendations are stored,
    and an assignment by staff feeds the next routing."""
    from suggestions.routing import build_router

    svc = DraftService(sm, clock=clock, embedder=embedder)
    p = await svc.start(AUTHOR, kind="建议")
    for t in (GOOD.title, GOOD.problem, GOOD.cause, GOOD.measures, "无", "完成"):
        await svc.answer(p.draft_id, AUTHOR, t)
    done = await svc.submit(p.draft_id, AUTHOR)
    assert len(done.recommendations) == 3 and done.recommendations[0]["score"] >= done.recommendations[1]["score"]
    async with sm() as s:
        row = await repo.get_suggestion(s, done.suggestion_id)
        assert row.embedding and row.topic
    await StatusService(sm, clock=clock).assign(done.suggestion_id, ["国家数据局"], actor="staff")
    router = await build_router(sm, "建议", embedder)
    assert router.history_size == 1
    # the self-check of a new, near-identical draft finds the submitted one in the database
    from suggestions.selfcheck import acheck

    near = dataclasses.replace(GOOD, title="关于加强共享单车停放秩序管理的建议")
    report = await acheck(near, sm=sm, embedder=embedder, author_id="deputy-9")
    assert [f.details["suggestion_id"] for f in report.by_code("similar_existing")] == [done.suggestion_id]


async def test_deadline_is_one_day_for_staff_and_deputy_across_midnight_in_beijing(sm, clock):
    # 22:50 UTC on 30 November is 06:50 on 1 December in Beijing: three months on is 1 March for everyone
    # (the deputy was told 28 February while staff saw 2027-03-01, a new user's finding)
    clock.now = datetime(2026, 11, 30, 22, 50, tzinfo=timezone.utc)
    sid = await new_suggestion(sm, clock)
    st = StatusService(sm, clock=clock)
    due = await st.assign(sid, ["交通运输部"], actor="staff-1")
    assert due.astimezone(BEIJING).date() == date(2027, 3, 1)
    async with sm() as s:
        [event] = [e for e in await repo.pending_events(s) if e.recipient == AUTHOR]
    assert "2027年03月01日" in event.text


async def test_rehandle_tells_the_deputy_the_new_deadline(sm, clock):
    sid = await new_suggestion(sm, clock)
    st = StatusService(sm, clock=clock)
    await st.assign(sid, ["交通运输部"], actor="staff-1")
    await st.record_reply(sid, "已会同有关城市制定共享单车停放区域设置指南，将于年内印发实施。", actor="staff-1")
    await st.evaluate(sid, AUTHOR, "不满意")
    clock.now += timedelta(days=10)
    await st.rehandle(sid, actor="staff-1")
    async with sm() as s:
        events = [e for e in await repo.pending_events(s) if e.recipient == AUTHOR]
    expected = beijing_day(deadline(clock.now))
    assert "重新办理" in events[-1].text and expected in events[-1].text


async def test_a_bill_is_sent_for_deliberation_not_answered_under_article_51(sm, clock):
    """Round 13: a deputy's 议案 was told it would be answered within three months under 代表法第五十一条, which
    is the rule for suggestions; a bill goes to a committee for deliberation."""
    async with sm.begin() as s:
        sid = (await repo.add_suggestion(s, SuggestionRow(
            author_id=AUTHOR, kind="议案", title="关于修改《中华人民共和国民族区域自治法》的议案", content=GOOD.to_dict(),
            status=STATUS_SUBMITTED, submitted_at=clock.now, recommended=[], units=[]))).id
    st = StatusService(sm, clock=clock)
    await st.assign(sid, ["民族委员会"], actor="staff")
    await st.assign(sid, ["宪法和法律委员会"], actor="staff")
    async with sm() as s:
        texts = [e.text for e in await repo.pending_events(s) if e.kind == "suggestion.status"]
    assert texts[0].startswith("您的议案《关于修改〈中华人民共和国民族区域自治法〉的议案》已交民族委员会审议，审议结果将及时告知您")
    assert texts[1].startswith("您的议案") and "已改交宪法和法律委员会审议" in texts[1]
    assert not any("第五十一条" in t for t in texts)
    assert (await st.history(sid))[-1][3] == "改派：民族委员会 → 宪法和法律委员会"
