"""Staff handling of submitted suggestions through the real Application: assign with the top-3
recommendation (accept, then override for six months), overdue after the deadline, record a reply,
the deputy's evaluation; the deputy is notified at each change. Deputies and strangers are refused."""

from __future__ import annotations

import pytest

from botharness import feed, register
from storage.models import Role
from suggharness import TITLE, Clock, last_with_buttons, press, say, sugg_app, to, write_to_preview

pytestmark = pytest.mark.db

DEPUTY, STAFF, STAFF2, STRANGER = 310, 910, 911, 999
REPLY = "住房和城乡建设部答复：已于2026年5月印发公厕导向标识设置导则，并将公厕位置接入全国地图服务平台。"


async def _submitted(app, core, tg, upd) -> None:  # noqa: ANN001
    await register(core, app, upd, tg, STAFF, role=Role.STAFF)
    await register(core, app, upd, tg, STAFF2, role=Role.ADMIN)
    await register(core, app, upd, tg, DEPUTY, delegation="宁夏代表团")
    await write_to_preview(app, upd, tg, DEPUTY)
    await press(app, upd, tg, DEPUTY, "📨 提交")
    assert any("已提交，编号 1" in m for m in to(tg, DEPUTY))
    assert to(tg, STAFF) == to(tg, STAFF2) == [f"新建议待交办：《{TITLE}》（编号 1）"]
    tg.clear()


async def test_assign_override_overdue_reply_evaluate(core, tg, upd):
    clock = Clock()
    async with sugg_app(core, tg, clock=clock) as app:
        await _submitted(app, core, tg, upd)
        await say(app, upd, STAFF, "/pending")
        assert f"1. 《{TITLE}》 建议｜宁夏代表团｜提交 2026-03-05" in tg.texts()[-1]

        # the top-3 recommendation with scores; accept the first
        await say(app, upd, STAFF, "/assign 1")
        view = last_with_buttons(tg)
        assert "推荐的承办单位（前三名" in view.text
        recs = [label.removeprefix("采纳：") for label, _ in view.buttons()]
        assert len(recs) == 3 and all(f"{i}. {name}　0." in view.text for i, name in enumerate(recs, 1))
        await press(app, upd, tg, STAFF, "采纳：", clear=True)
        assert f"已交办 1.《{TITLE}》给 {recs[0]}（采纳推荐），答复期限 2026-06-05（3 个月）" in to(tg, STAFF)[-1]
        (note,) = to(tg, DEPUTY)
        assert note.startswith(f"您的建议《{TITLE}》已交办给{recs[0]}") and "2026年06月05日 前答复" in note
        assert "代表法》第五十一条" in note

        # override: two other units, wide-ranging (six months)
        tg.clear()
        clock.advance(days=1)
        await say(app, upd, STAFF, "/assign 1 交通运输部、公安部 6个月")
        # round 13: a second /assign is a 改派, and says so to staff and deputy (it had read as a first 交办)
        assert f"给 交通运输部、公安部（改派，原承办单位：{recs[0]}），答复期限 2026-09-06（6 个月）" in to(tg, STAFF)[-1]
        assert "已改派给交通运输部、公安部" in to(tg, DEPUTY)[-1]
        tg.clear()
        await say(app, upd, STAFF, "/assign 1 交通运输部、公安部 6个月")  # the same again restarts no clock
        assert to(tg, STAFF)[-1] == "编号 1 已交办给交通运输部、公安部，未重复交办；改派请指定其他承办单位。"
        assert to(tg, DEPUTY) == []

        # nothing overdue yet; seven months later it is, and every staff member is told once
        tg.clear()
        await say(app, upd, STAFF, "/overdue")
        assert tg.texts()[-1] == "没有逾期的建议。"
        clock.advance(days=214)
        tg.clear()
        await say(app, upd, STAFF, "/overdue")
        listing = to(tg, STAFF)[0]
        assert "已逾期" in listing and "第五十一条" in listing
        assert f"1.《{TITLE}》｜承办：交通运输部、公安部｜期限 2026-09-06（6 个月）｜已逾期" in listing
        assert any("已超过答复期限" in m for m in to(tg, STAFF2))
        tg.clear()
        await say(app, upd, STAFF, "/overdue")
        assert not any("已超过答复期限" in m for m in to(tg, STAFF2))  # flagged once

        # the reply reaches the deputy with evaluation buttons
        tg.clear()
        await say(app, upd, STAFF, f"/reply 1 {REPLY}")
        assert to(tg, STAFF)[-1] == f"已录入 1.《{TITLE}》的答复，已通知代表评价。"
        answered = tg.sent("sendMessage")[-1]
        assert str(answered.params["chat_id"]) == str(DEPUTY)
        assert "已收到答复" in answered.text and REPLY in answered.text
        assert [label for label, _ in answered.buttons()] == ["满意", "基本满意", "不满意"]
        await press(app, upd, tg, DEPUTY, "满意", clear=True)
        assert "满意" in tg.sent("answerCallbackQuery")[-1].params["text"]
        assert to(tg, DEPUTY) == [f"已记录您对《{TITLE}》答复的评价：满意。"]

        tg.clear()
        await say(app, upd, DEPUTY, "/mysuggestions")
        mine = tg.texts()[-1]
        assert f"《{TITLE}》 建议｜已评价｜提交 2026-03-05" in mine and "承办：交通运输部、公安部" in mine
        assert "评价：满意" in mine


async def test_analysis_sends_chart_and_workbook(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await _submitted(app, core, tg, upd)
        # a second suggestion on another matter (the same text again would be the author's own duplicate, a must-fix)
        await write_to_preview(app, upd, tg, DEPUTY, title="关于加强农村公共厕所建设管理的建议",
                               problem="全区农村户厕改造后，不少公厕无人保洁、化粪池满溢无人清掏，冬季管道冻裂后长期停用，"
                                       "群众只能回到旱厕，改厕资金和设施闲置浪费。")
        await press(app, upd, tg, DEPUTY, "📨 提交", clear=True)
        tg.clear()
        await say(app, upd, STAFF, "/analysis")
        assert tg.sent("sendMessage")[0].text == "正在分析全部建议…"
        summary = tg.sent("editMessageText")[-1].text
        assert "综合分析" in summary and "（2 件" in summary and "按办理状态：已提交 2" in summary
        docs = tg.sent("sendDocument")
        names = sorted(next(iter(d.uploads.values()))[0] for d in docs)
        assert names == ["suggestions_analysis.png", "suggestions_analysis.xlsx"]
        png = next(next(iter(d.uploads.values()))[1] for d in docs if d.uploads and
                   next(iter(d.uploads.values()))[0].endswith(".png"))
        assert png.startswith(b"\x89PNG")


async def test_deputies_and_strangers_are_refused(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        for cmd in ("/pending", "/assign 1", "/assign 1 公安部", "/reply 1 已经办理完毕并答复代表。", "/overdue",
                    "/merge 1 2", "/analysis"):
            tg.clear()
            await say(app, upd, DEPUTY, cmd)
            assert tg.texts() == ["该功能仅限工作人员使用。"], cmd
        tg.clear()
        await feed(app, upd.callback(DEPUTY, "sg:a:1:0:3"))
        assert tg.sent("answerCallbackQuery")[-1].params["text"] == "该功能仅限工作人员使用。"
        for cmd in ("/suggest", "提建议", "/drafts", "/mysuggestions", "/assign 1"):
            tg.clear()
            await say(app, upd, STRANGER, cmd)
            assert len(tg.texts()) == 1 and "邀请码" in tg.texts()[0], cmd


async def test_broadcast_commands_get_one_reply_in_the_full_bot(core, tg, upd):
    """Commands answered in another handler group are not also called unknown."""
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, STAFF, role=Role.STAFF)
        await say(app, upd, STAFF, "/bcreport")
        assert len(tg.texts()) == 1 and "没有这个命令" not in tg.texts()[0]
        tg.clear()
        await say(app, upd, STAFF, "/frobnicate")
        assert tg.texts() == ["没有这个命令。发送 /help 查看使用说明。"]


async def test_in_progress_and_rehandling_after_unsatisfied(core, tg, upd):
    clock = Clock()
    async with sugg_app(core, tg, clock=clock) as app:
        await _submitted(app, core, tg, upd)
        await say(app, upd, STAFF, "/progress 1")  # not assigned yet: the status machine says why
        assert tg.texts()[-1] == "当前状态为“已提交”，不能变更为“办理中”。"
        await say(app, upd, STAFF, "/progress")
        assert tg.texts()[-1].startswith("用法：/progress 编号")
        await say(app, upd, STAFF, "/assign 1 住房和城乡建设部")
        tg.clear()
        await say(app, upd, STAFF, "/progress 1")
        assert to(tg, STAFF)[-1] == f"已将 1.《{TITLE}》记为办理中，已通知代表。"
        assert to(tg, DEPUTY) == [f"您的建议《{TITLE}》正在办理中。"]
        await say(app, upd, STAFF, "/rehandle 1")  # only after 不满意
        assert tg.texts()[-1] == "只有评价为“不满意”的建议才需要重新办理。"

        await say(app, upd, STAFF, f"/reply 1 {REPLY}")
        await press(app, upd, tg, DEPUTY, "不满意", clear=True)
        # round 12: the reason typed next had been answered as a question; now it reaches staff
        assert to(tg, DEPUTY)[-1].startswith("请简要说明不满意的原因")
        tg.clear()
        await say(app, upd, DEPUTY, "答复只说了计划，没有说资金从哪里来，也没有时间表。")
        assert to(tg, DEPUTY) == ["已记录不满意的原因，并转给工作人员。"]
        assert any("答复不满意的原因：答复只说了计划，没有说资金从哪里来" in m for m in to(tg, STAFF))
        clock.advance(days=10)
        await say(app, upd, STAFF, "/rehandle 1")
        assert to(tg, STAFF)[-1] == f"已将 1.《{TITLE}》退回承办单位重新办理，新的答复期限 2026-06-15。已通知代表。"
        assert f"《{TITLE}》已退回承办单位重新办理，应于 2026年06月15日 前重新答复。" in to(tg, DEPUTY)
        await say(app, upd, DEPUTY, "/rehandle 1")
        assert tg.texts()[-1] == "该功能仅限工作人员使用。"


async def test_the_reason_for_unsatisfied_survives_a_restart(core, tg, upd):
    """Round 13: the bot restarted between 不满意 and the reason; the reason was then searched as a question.
    What the bot awaits is kept in the database."""
    async with sugg_app(core, tg) as app:
        await _submitted(app, core, tg, upd)
        await say(app, upd, STAFF, "/assign 1 住房和城乡建设部")
        await say(app, upd, STAFF, f"/reply 1 {REPLY}")
        await press(app, upd, tg, DEPUTY, "不满意", clear=True)
        assert to(tg, DEPUTY)[-1].startswith("请简要说明不满意的原因")
    async with sugg_app(core, tg) as app:  # a new process
        await say(app, upd, DEPUTY, "答复没有说明资金来源和完成时间。")
        assert to(tg, DEPUTY) == ["已记录不满意的原因，并转给工作人员。"]
        assert any("答复不满意的原因：答复没有说明资金来源和完成时间" in m for m in to(tg, STAFF))
        tg.clear()
        await say(app, upd, DEPUTY, "公厕导向标识归哪个部门管？")  # asked once: the next message is a question again
        assert "已记录不满意的原因，并转给工作人员。" not in to(tg, DEPUTY)


async def test_accept_pressed_twice_assigns_once_and_merge_into_itself_is_refused(core, tg, upd):
    import asyncio

    async with sugg_app(core, tg) as app:
        await _submitted(app, core, tg, upd)
        await say(app, upd, STAFF, "/assign 1")
        data = last_with_buttons(tg).buttons()[0][1]
        tg.clear()
        await asyncio.gather(feed(app, upd.callback(STAFF, data)), feed(app, upd.callback(STAFF, data)))
        await feed(app, upd.callback(STAFF, data))  # and once more later, from the stale message
        assert len(to(tg, DEPUTY)) == 1 and len([m for m in to(tg, STAFF) if m.startswith("已交办")]) == 1
        alerts = [c.params.get("text") for c in tg.sent("answerCallbackQuery") if c.params.get("show_alert")]
        assert len(alerts) == 2 and all("未重复交办" in a for a in alerts)
        tg.clear()
        await say(app, upd, STAFF, "/merge 1 1")
        assert tg.texts()[-1].startswith("不能把编号 1 并入它自己") and "已将" not in tg.texts()[-1]


def test_staff_lists_do_not_nest_book_title_marks():
    from datetime import datetime, timezone

    from bot.suggestion_views import assign_view, pending_list
    from suggestions.status import SuggestionDetail

    d = SuggestionDetail(7, "议案", "关于修改《物业管理条例》的议案", "u", "宁夏代表团", "已提交", "摘要", "住房",
                         [], [], datetime(2026, 3, 1, tzinfo=timezone.utc), None, False, "")
    (page,) = pending_list([d])
    assert "《关于修改〈物业管理条例〉的议案》" in page and "《《" not in page
    assert "关于修改〈物业管理条例〉的议案" in assign_view(d, False)[0]


def test_a_local_draft_is_assigned_to_the_local_office_it_names():
    """A provincial draft (“建议自治区民政厅牵头…”) offered 采纳：民政部, and pressing it told the deputy 已交办给民政部."""
    from datetime import datetime, timezone

    from bot.suggestion_views import assign_view
    from suggestions.status import SuggestionDetail, assignee

    recs = [{"name": "民政部", "score": 0.38, "reasons": ["草稿面向自治区一级：对应单位为自治区民政厅（国家层面对口：民政部）"],
             "local": "自治区民政厅"},
            {"name": "财政部", "score": 0.2, "reasons": []}]
    d = SuggestionDetail(8, "建议", "关于加强农村养老服务的建议", "u", "宁夏代表团", "已提交", "摘要", "民政",
                         recs, [], datetime(2026, 3, 1, tzinfo=timezone.utc), None, False, "")
    text, kb = assign_view(d, False)
    labels = [b.text for row in kb.inline_keyboard for b in row]
    assert labels == ["采纳：自治区民政厅", "采纳：财政部"]
    assert "1. 自治区民政厅" in text
    assert [assignee(r) for r in recs] == ["自治区民政厅", "财政部"]


def test_evaluation_buttons_name_the_item_only_when_several_await_one():
    """Round 13: /mysuggestions labelled its buttons “2 满意”, read as “two satisfied”."""
    from datetime import datetime

    from bot.suggestion_views import my_suggestions
    from suggestions.status import StatusView

    def answered(sid: int) -> StatusView:
        return StatusView(sid, "建议", f"关于第{sid}件事的建议", "已答复", ["交通运输部"], datetime(2026, 3, 5), None,
                          False, "")

    _, one = my_suggestions([answered(2)])
    assert [b.text for b in one.inline_keyboard[0]] == ["满意", "基本满意", "不满意"]
    _, two = my_suggestions([answered(2), answered(3)])
    assert [b.text for b in two.inline_keyboard[1]] == ["第3件：满意", "第3件：基本满意", "第3件：不满意"]
    assert one.inline_keyboard[0][0].callback_data == two.inline_keyboard[0][0].callback_data  # same item, same press
