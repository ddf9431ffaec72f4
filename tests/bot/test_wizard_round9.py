"""A new user's round with /suggest (tester report, round 9): a title typed at the 类别 step is kept, not thrown
away; an older step's button ([建议], [无联名], [保持不变]) pressed later changes nothing; a button's label typed
(“暂存”“放弃”“跳过”) does what the button does; a terse 原因分析 naming several causes is accepted.
Runs on SQLite, or PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import pytest

from botharness import feed, register
from suggharness import (
    CAUSE, MEASURES, PROBLEM, TITLE, author, button, draft_content, draft_id_of, last_with_buttons, press, say, sugg_app,
)

pytestmark = pytest.mark.db

DEPUTY = 309


async def content(app, core, tg):  # noqa: ANN001, ANN201
    return await draft_content(app, core, tg, DEPUTY)


def alerts(tg) -> list[str]:  # noqa: ANN001
    return [c.params.get("text") or "" for c in tg.sent("answerCallbackQuery") if c.params.get("show_alert")]


# -- 1. a title typed at the 类别 step ---------------------------------------------------------------------
async def test_a_title_typed_at_the_kind_step_gives_the_kind_and_is_kept_as_the_title(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        tg.clear()
        await say(app, upd, DEPUTY, "关于修缮村道的建议")
        out = tg.texts()[-1]
        assert "已记录“类别”（建议）和“标题”：关于修缮村道的建议" in out, out
        assert "问题与现状" in out and "（2/7）标题" not in out  # on to the step after 标题
        got = await content(app, core, tg)
        assert (got.kind, got.title) == ("建议", "关于修缮村道的建议")


async def test_a_title_in_the_wrong_form_at_the_kind_step_is_offered_corrected(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        tg.clear()
        await say(app, upd, DEPUTY, "修缮农村道路议案")
        out = tg.texts()[-1]
        assert "已记录“类别”（议案）" in out and "修缮农村道路议案" in out and "标题" in out, out
        await press(app, upd, tg, DEPUTY, "采用：关于修缮农村道路的议案")
        assert "已记录“标题”" in tg.texts()[-1]
        got = await content(app, core, tg)
        assert (got.kind, got.title) == ("议案", "关于修缮农村道路的议案")


async def test_the_kind_alone_in_words_still_only_sets_the_kind(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await say(app, upd, DEPUTY, "我要提议案")
        out = tg.texts()[-1]
        assert "已记录“类别”。" in out and "标题" in out
        assert (await content(app, core, tg)).title == ""


# -- 2. an older step's button ------------------------------------------------------------------------------
async def test_an_old_kind_button_pressed_at_the_title_step_changes_nothing(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        old_kind = button(tg, "建议")
        await press(app, upd, tg, DEPUTY, "建议")
        tg.clear()
        await feed(app, upd.callback(DEPUTY, old_kind))
        assert tg.sent("sendMessage") == []  # no “标题太短（2 字）”
        assert any("该按钮已失效" in a and "标题" in a for a in alerts(tg)), tg.sent("answerCallbackQuery")
        await say(app, upd, DEPUTY, TITLE)  # the title step is still open and untouched
        assert "已记录“标题”" in tg.texts()[-1]


async def test_an_old_none_or_keep_button_pressed_at_a_later_step_changes_nothing(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        for text in (TITLE, PROBLEM, CAUSE, MEASURES):
            await say(app, upd, DEPUTY, text)
        none_btn, draft_id = button(tg, "无联名"), draft_id_of(tg)
        await press(app, upd, tg, DEPUTY, "无联名")
        assert "附件" in tg.texts()[-1]
        # from the preview, reopen 标题: its [保持不变], then pressed again while 问题与现状 is reopened
        await press(app, upd, tg, DEPUTY, "完成")
        await press(app, upd, tg, DEPUTY, "改标题")
        keep_title = button(tg, "保持不变")
        await press(app, upd, tg, DEPUTY, "保持不变")
        assert "预览" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "改联名代表")
        tg.clear()
        await feed(app, upd.callback(DEPUTY, keep_title))  # 标题's button while 联名代表 is open
        assert tg.sent("sendMessage") == [] and any("该按钮已失效" in a for a in alerts(tg))
        await say(app, upd, DEPUTY, "张三、李四")  # nothing moved: still the 联名代表 step
        assert "预览" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "改附件")
        tg.clear()
        await feed(app, upd.callback(DEPUTY, none_btn))  # the 联名代表 step's [无联名] while 附件 is open
        assert tg.sent("sendMessage") == [] and any("该按钮已失效" in a for a in alerts(tg))
        got = await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))
        assert got.cosponsors == ["张三", "李四"] and got.title == TITLE
        await say(app, upd, DEPUTY, "完成")  # the 附件 step is still open
        assert "建议预览" in tg.texts()[-1]


# -- 3. a button's label typed ------------------------------------------------------------------------------
async def test_typed_pause_pauses_the_draft_like_the_button(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        draft_id = draft_id_of(tg)
        tg.clear()
        await say(app, upd, DEPUTY, "暂存")
        out = tg.texts()
        assert out == ["草稿已保存。发送 /drafts 可随时接着写；现在可以直接提问。"], out
        drafts = app.bot_data["suggestions"].drafts
        assert (await drafts.content(draft_id, await author(core, DEPUTY))).problem == ""
        assert await app.bot_data["suggestions"].current((await core.access.check(DEPUTY)).user) is None


async def test_typed_cancel_asks_for_confirmation_like_the_button(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        tg.clear()
        await say(app, upd, DEPUTY, "放弃")
        assert "确定放弃草稿" in tg.texts()[-1]
        assert [label for label, _ in last_with_buttons(tg).buttons()] == ["确认放弃", "不放弃，接着写"]
        await press(app, upd, tg, DEPUTY, "确认放弃")
        assert "已放弃草稿" in tg.texts()[-1]


async def test_typed_skip_at_a_required_step_is_refused_and_at_the_attachments_finishes_it(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        tg.clear()
        await say(app, upd, DEPUTY, "跳过")
        out = tg.texts()[-1]
        assert "“标题”这一步不能跳过" in out and "暂存" in out and "标题太短" not in out, out
        assert (await content(app, core, tg)).title == ""
        for text in (TITLE, PROBLEM, CAUSE, MEASURES):
            await say(app, upd, DEPUTY, text)
        await say(app, upd, DEPUTY, "跳过")  # 联名代表: like [无联名]
        assert "附件" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "跳过")  # 附件 (optional): like [完成]
        assert "建议预览" in tg.texts()[-1]


# -- 4. a terse 原因分析 that names several causes ---------------------------------------------------------
async def test_a_short_cause_naming_three_causes_is_accepted(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        await say(app, upd, DEPUTY, PROBLEM)
        await say(app, upd, DEPUTY, "主要原因是养护资金没有纳入县级财政预算，村集体经济薄弱，缺乏专业养护队伍。")
        assert "已记录“原因分析”" in tg.texts()[-1], tg.texts()[-1]
        await say(app, upd, DEPUTY, "加大力度，高度重视。")  # still refused as thin at the next step
        assert "内容偏少" in tg.texts()[-1]
