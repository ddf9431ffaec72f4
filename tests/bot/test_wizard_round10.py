"""A new user's round with /suggest (tester report, round 10), through the real Application (Telegram faked at HTTP):
a terse 原因分析 listing three causes is accepted; the second message of the 具体建议, arriving at 联名代表, is offered
to be added to 具体建议 instead of being refused as a name; connectives are not co-signers; the title offered at 类别
drops the chat around the topic (and none is offered for narration); “上一步” goes back a step and “算了不写了” asks
the same confirmation as 放弃. Runs on SQLite, or PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import pytest

from botharness import feed, register
from suggharness import (
    CAUSE, PROBLEM, TITLE, author, button, draft_content, last_with_buttons, press, say, start_suggestion, sugg_app,
    write_to_preview,
)

pytestmark = pytest.mark.db

DEPUTY = 310
TITLE_MEALS = "关于解决农村老年人吃饭难问题的建议"
PROBLEM_MEALS = ("我县 60 岁以上农村老年人 3.2 万人，其中独居、留守老人约 8,000 人；走访的 12 个行政村中只有 2 个设有"
                 "老年助餐点，不少老人一天只做一顿饭。")
MEASURE_1 = "1.建议县民政局在每个行政村设立老年助餐点，由村委会提供场地，2026年底前覆盖全部行政村；"
MEASURE_2 = "2.建议县财政局将助餐补贴列入年度预算，按每人每餐 3 元标准给予补助。"


async def content(app, core, tg):  # noqa: ANN001, ANN201
    return await draft_content(app, core, tg, DEPUTY)


def labels(tg) -> list[str]:  # noqa: ANN001
    return [label for label, _ in last_with_buttons(tg).buttons()]


# -- 1. a terse 原因分析 listing three causes ---------------------------------------------------------------------
async def test_three_short_causes_like_the_example_are_accepted(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE_MEALS, PROBLEM_MEALS)
        await say(app, upd, DEPUTY, "一是经费没有来源；二是场地难落实；三是部门职责不清。")
        out = tg.texts()[-1]
        assert "已记录“原因分析”" in out and "具体建议" in out and "内容偏少" not in out, out
        await say(app, upd, DEPUTY, "资金不足。")  # a one-liner is still refused at the next step's length
        assert "内容偏少" in tg.texts()[-1]


async def test_two_short_causes_or_stock_phrases_are_still_refused(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE_MEALS, PROBLEM_MEALS)
        for text in ("一是经费没有来源；二是场地难落实。", "资金，人员，制度，机制"):
            await say(app, upd, DEPUTY, text)
            assert "内容偏少" in tg.texts()[-1], text


# -- 2./3. measures in two messages; connectives among the co-signers -----------------------------------------------
async def test_the_second_measure_at_the_cosigner_step_is_offered_to_be_added(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE_MEALS, PROBLEM_MEALS, CAUSE, MEASURE_1)
        assert "联名代表" in tg.texts()[-1]
        tg.clear()
        await say(app, upd, DEPUTY, MEASURE_2)
        out = tg.texts()[-1]
        assert "不像姓名" not in out and "“具体建议”的接续" in out and "联名代表" in out, out
        assert labels(tg) == ["补充到“具体建议”", "不用，接着填“联名代表”", "暂存，以后再写", "放弃草稿"]
        assert (await content(app, core, tg)).cosponsors == []  # nothing stored before the deputy chooses
        await press(app, upd, tg, DEPUTY, "补充到“具体建议”")
        out = tg.texts()[-1]
        assert "已补充到“具体建议”" in out and "联名代表" in out, out  # back at the 联名代表 step
        got = await content(app, core, tg)
        assert got.measures == MEASURE_1 + "\n" + MEASURE_2
        await say(app, upd, DEPUTY, "张三、李四，还有王五")
        assert "附件" in tg.texts()[-1]
        assert (await content(app, core, tg)).cosponsors == ["张三", "李四", "王五"]
        await press(app, upd, tg, DEPUTY, "完成")
        preview = tg.texts()[-1]
        assert "联名代表：张三、李四、王五" in preview and "还有" not in preview
        assert "县财政局将助餐补贴列入年度预算" in preview


async def test_a_continuation_can_be_dropped_and_a_stale_button_cannot_take_it(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE_MEALS, PROBLEM_MEALS, CAUSE, MEASURE_1)
        await say(app, upd, DEPUTY, MEASURE_2)
        append = button(tg, "补充到")
        await press(app, upd, tg, DEPUTY, "不用，接着填")
        assert "没有写入草稿" in tg.texts()[-1] and "联名代表" in tg.texts()[-1]
        got = await content(app, core, tg)
        tg.clear()
        await feed(app, upd.callback(DEPUTY, append))  # pressed after the choice: nothing happens
        assert tg.sent("sendMessage") == []
        assert got.measures == MEASURE_1 == (await app.bot_data["suggestions"].drafts.content(
            int(append.split(":")[2]), await author(core, DEPUTY))).measures
        await say(app, upd, DEPUTY, "无")
        assert "附件" in tg.texts()[-1]


async def test_the_measure_sent_at_the_attachment_step_is_offered_too(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE_MEALS, PROBLEM_MEALS, CAUSE, MEASURE_1, "无")
        assert "附件" in tg.texts()[-1]
        await say(app, upd, DEPUTY, MEASURE_2)
        assert "“具体建议”的接续" in tg.texts()[-1] and "还需要完善" not in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "补充到“具体建议”")
        assert "已补充到“具体建议”" in tg.texts()[-1] and "附件" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "完成")
        assert "建议预览" in tg.texts()[-1] and "县财政局" in tg.texts()[-1]


# -- 4. the title offered at 类别 ------------------------------------------------------------------------------------
async def test_a_chatty_topic_at_the_kind_step_is_offered_as_a_grammatical_title(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await say(app, upd, DEPUTY, "我们村的老人吃饭难，想提个建议")
        assert "已记录“类别”（建议）" in tg.texts()[-1]
        offered = [x for x in labels(tg) if x.startswith("采用：")]
        assert offered == ["采用：关于我们村老人吃饭难的建议"], labels(tg)
        await press(app, upd, tg, DEPUTY, "采用：")
        assert "已记录“标题”" in tg.texts()[-1]
        assert (await content(app, core, tg)).title == "关于我们村老人吃饭难的建议"


async def test_narration_heard_at_the_title_step_is_offered_no_title(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, "今天天气很好我们去公园散步")
        out = tg.texts()[-1]
        assert "标题应采用" in out and "关于今天天气" not in out, out
        assert not [x for x in labels(tg) if x.startswith("采用：")]


# -- 5. typed navigation ------------------------------------------------------------------------------------------
async def test_back_a_step_keeps_what_was_entered(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE, PROBLEM)
        assert "原因分析" in tg.texts()[-1]
        for word in ("上一步", "返回上一步"):
            tg.clear()
            await say(app, upd, DEPUTY, word)
            out = tg.texts()[-1]
            assert "内容偏少" not in out and "已返回上一步" in out, out
        # 原因分析 → 问题与现状 → 标题: each with its saved value and [保持不变]
        assert "（2/7）标题" in out and f"当前内容：{TITLE}" in out
        assert "保持不变" in labels(tg)
        await press(app, upd, tg, DEPUTY, "保持不变")
        assert "问题与现状" in tg.texts()[-1] and "当前内容" in tg.texts()[-1]  # asked again on the way forward
        await press(app, upd, tg, DEPUTY, "保持不变")
        assert "原因分析" in tg.texts()[-1]
        got = await content(app, core, tg)
        assert (got.title, got.problem, got.cause) == (TITLE, PROBLEM, "")
        await say(app, upd, DEPUTY, CAUSE)
        assert "具体建议" in tg.texts()[-1]


async def test_back_at_the_first_step_and_from_a_part_reopened_at_the_preview(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        tg.clear()
        await say(app, upd, DEPUTY, "上一步")
        assert "已经是第一步" in tg.texts()[-1] and "请回复“建议”或“议案”" not in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, "暂存")
        await write_to_preview(app, upd, tg, DEPUTY)
        await press(app, upd, tg, DEPUTY, "改原因分析")
        await say(app, upd, DEPUTY, "退回上一步")
        out = tg.texts()[-1]
        assert "已返回预览" in out and "建议预览" in out and CAUSE in out, out


async def test_giving_up_in_words_asks_first_and_keeps_the_draft(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE, PROBLEM)
        for word in ("算了不写了", "不写了", "不想写了"):
            tg.clear()
            await say(app, upd, DEPUTY, word)
            out = tg.texts()[-1]
            assert "确定放弃草稿" in out and "内容偏少" not in out, (word, out)
            assert labels(tg) == ["确认放弃", "不放弃，接着写"]
        await press(app, upd, tg, DEPUTY, "不放弃，接着写")
        assert "原因分析" in tg.texts()[-1]
        got = await content(app, core, tg)
        assert (got.title, got.problem, got.cause) == (TITLE, PROBLEM, "")
        await say(app, upd, DEPUTY, CAUSE)
        await say(app, upd, DEPUTY, "算了，不写了。")
        await press(app, upd, tg, DEPUTY, "确认放弃")
        assert "已放弃草稿" in tg.texts()[-1]


async def test_typing_carry_on_shows_the_step_or_the_saved_drafts(core, tg, upd):
    """Round 13: “接着写” typed at a step became its content; typed after 暂存 it was searched as a question."""
    async with sugg_app(core, tg) as app:
        await start_suggestion(app, core, upd, tg, DEPUTY, TITLE, PROBLEM)
        tg.clear()
        await say(app, upd, DEPUTY, "接着写")
        assert tg.texts()[0].startswith(f"接着写草稿《{TITLE}》")
        assert "原因分析" in tg.texts()[-1]
        assert (await content(app, core, tg)).cause == ""  # nothing saved
        await press(app, upd, tg, DEPUTY, "暂存，以后再写")
        tg.clear()
        await say(app, upd, DEPUTY, "继续写我的建议")
        assert "您的草稿" in tg.texts()[-1] and labels(tg)[0].startswith("接着写：")
        await press(app, upd, tg, DEPUTY, labels(tg)[0])
        assert "原因分析" in tg.texts()[-1]
        assert (await content(app, core, tg)).problem == PROBLEM
