"""A deputy drafting a suggestion and a bill step by step (a tester's findings, 2026-11-30): a question typed
mid-draft, the attachment step, a bill's co-signers, the self-check of an unfinished bill, a Word file at a
text step, changing 建议 → 议案 from the preview, the kind in other words, /cancel, nested book-title marks,
double taps on 提交. Runs on SQLite, or PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import io
import re

import pytest

from botharness import feed, register
from suggharness import CAUSE, MEASURES, PROBLEM, TITLE, button, last_with_buttons, press, say, sugg_app, to, \
    write_to_attachments, write_to_preview

pytestmark = pytest.mark.db

DEPUTY = 301
BILL_TITLE = "关于制定城市公共厕所管理条例的议案"


def labels(tg) -> list[str]:  # noqa: ANN001
    return [label for label, _ in last_with_buttons(tg).buttons()]


async def author(core, uid: int) -> str:  # noqa: ANN001 - the storage user id, as suggestions store it
    return str((await core.access.check(uid)).user.id)


async def test_a_question_mid_draft_is_held_then_answered_and_the_step_stays(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        tg.clear()
        # on the draft's own topic: it might be the step's content, so the deputy is asked (with a way out)
        await say(app, upd, DEPUTY, "城市公共厕所为什么这么少？")
        asked = last_with_buttons(tg)
        assert "像是一个问题" in asked.text and "内容偏少" not in "\n".join(tg.texts())
        assert labels(tg) == ["作为“问题与现状”的内容", "这是提问，请回答", "暂存，以后再写", "放弃草稿"]
        ask = button(tg, "这是提问")
        await press(app, upd, tg, DEPUTY, "这是提问", clear=True)
        out = tg.texts()
        assert out[-1] == "草稿仍停在“问题与现状”一步，接着发送内容即可。"
        assert len(out) >= 2 and ("答：" in out[0] or "没有找到" in out[0])  # the Q&A's answer card
        draft_id = int(button(tg, "暂存").split(":")[2])
        assert (await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))).problem == ""  # nothing saved
        # a second tap on the old button does nothing more
        tg.clear()
        await feed(app, upd.callback(DEPUTY, ask))
        assert tg.sent("sendMessage") == []
        await say(app, upd, DEPUTY, PROBLEM)
        assert "已记录“问题与现状”" in tg.texts()[-1] and "原因分析" in tg.texts()[-1]


async def test_a_question_at_a_bills_title_goes_to_the_schedule_or_is_taken_as_the_title(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest 议案")
        await say(app, upd, DEPUTY, "下个月有什么安排")
        assert "可改为" not in tg.texts()[-1] and "像是一个问题" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "这是提问", clear=True)
        assert any("工作安排" in x or "暂无登记的安排" in x for x in tg.texts())  # /schedule's reply
        assert "标题" in tg.texts()[-1]
        # the same kind of message, this time meant as the title: the step's usual check applies
        await say(app, upd, DEPUTY, "公厕怎么管")
        await press(app, upd, tg, DEPUTY, "作为“标题”的内容", clear=True)
        assert "标题太短" in tg.texts()[-1]
        # a proper title with a question word is content, not a question
        tg.clear()
        await say(app, upd, DEPUTY, "关于如何规范城市公共厕所管理的议案")
        assert "已记录“标题”" in tg.texts()[-1]


async def test_attachment_step_takes_done_words_and_never_stores_text(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await write_to_attachments(app, upd, tg, DEPUTY)
        await feed(app, upd.photo(DEPUTY))  # a photo is named by when it came
        assert re.search(r"照片（\d\d月\d\d日 \d\d:\d\d）", tg.texts()[-1]), tg.texts()[-1]
        await say(app, upd, DEPUTY, "调研报告")  # a word is no file
        assert "请直接发送文件或照片" in tg.texts()[-1] and "附件" in last_with_buttons(tg).text
        assert not any("文字或语音均可" in x for x in tg.texts()[-3:])  # files, not text, are asked for
        await say(app, upd, DEPUTY, "没附件了")
        preview = tg.texts()[-1]
        assert "建议预览" in preview and "附件：照片（" in preview
        assert any("附件这一步已完成" in x for x in tg.texts()[-3:]) and not any("已记录“附件”" in x for x in tg.texts())


@pytest.mark.parametrize("word", ["好的", "没有附件", "不用了", "就这些", "可以了", "下一步"])
async def test_ways_of_saying_no_more_attachments(core, tg, upd, word):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await write_to_attachments(app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, word)
        assert "建议预览" in tg.texts()[-1] and "附件：" not in tg.texts()[-1]


async def test_selfcheck_of_an_unfinished_bill_says_what_is_missing(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest 议案")
        for text in (BILL_TITLE, PROBLEM, CAUSE, MEASURES, "《中华人民共和国立法法》第八十一条。",
                     "第一章 总则；第二章 规划与建设；第三章 标识与信息服务；第四章 管理与维护；第五章 法律责任；第六章 附则。"):
            await say(app, upd, DEPUTY, text)
        prompt = last_with_buttons(tg)
        assert "联名代表" in prompt.text and "至少 30 名" in prompt.text
        draft_id = button(tg, "暂存").split(":")[2]
        tg.clear()
        await feed(app, upd.callback(DEPUTY, f"sg:c:{draft_id}"))  # a 自检 button kept from an earlier preview
        report = tg.sent("sendMessage")[-1].text
        assert "可以提交" not in report and "还不能提交" in report
        assert "至少 30 名代表联名" in report and "还没有联名代表" in report


async def test_a_part_reopened_from_the_preview_keeps_its_saved_value_for_selfcheck_and_submit(core, tg, upd):
    """改联名代表, a refused new list, then 自检 / 提交 from the preview: the saved 代表团 stands (it was reported as
    “正在填写‘联名代表’” and 提交 refused until 保持不变 was pressed)."""
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest 议案")
        for text in (BILL_TITLE, PROBLEM, CAUSE, MEASURES, "《中华人民共和国立法法》第八十一条。",
                     "第一章 总则；第二章 规划与建设；第三章 标识与信息服务；第四章 管理与维护；第五章 法律责任；第六章 附则。",
                     "代表团：宁夏代表团", "完成"):
            await say(app, upd, DEPUTY, text)
        assert "议案预览" in tg.texts()[-1]
        check, submit = button(tg, "🔍 自检"), button(tg, "📨 提交")
        await press(app, upd, tg, DEPUTY, "改联名代表")
        await say(app, upd, DEPUTY, "张三、李四")  # too few for a bill: refused, the saved delegation stays
        assert "至少 30 名" in "\n".join(tg.texts()[-3:])
        tg.clear()
        await feed(app, upd.callback(DEPUTY, check))
        assert "正在填写" not in "\n".join(tg.texts())
        tg.clear()
        await feed(app, upd.callback(DEPUTY, submit))
        assert not any("草稿还没写完" in x for x in tg.texts())
        assert any("已提交" in x for x in tg.texts()), tg.texts()


async def test_a_word_file_at_a_text_step_is_read_as_the_answer_once_the_deputy_agrees(core, tg, upd):
    import docx

    d = docx.Document()
    d.add_paragraph(PROBLEM)
    buf = io.BytesIO()
    d.save(buf)
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        tg.clear()
        tg.add_file("problem-doc", buf.getvalue())
        await feed(app, upd.document(DEPUTY, "problem-doc", "问题.docx",
                                     mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        # read, and asked about first: nothing goes into the draft before the deputy says so
        assert "已读取文件“问题.docx”" in tg.texts()[-1] and "已记录" not in "\n".join(tg.texts())
        await press(app, upd, tg, DEPUTY, "作为“问题与现状”的内容")
        out = "\n".join(tg.texts())
        assert "已记录“问题与现状”" in out and "原因分析" in tg.texts()[-1]
        assert "这一步请用文字或语音回答" not in out


async def test_kind_changed_from_the_preview_offers_the_fixed_title(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await write_to_preview(app, upd, tg, DEPUTY)
        await press(app, upd, tg, DEPUTY, "改类别")
        await press(app, upd, tg, DEPUTY, "议案")
        prompt = last_with_buttons(tg)
        assert "标题" in prompt.text and "关于制定城市公共厕所管理条例的议案" in prompt.text  # the bill's example
        fixed = TITLE.removesuffix("建议") + "议案"
        assert "保持不变" not in labels(tg) and f"采用：{fixed}" in labels(tg)
        await press(app, upd, tg, DEPUTY, "采用：")
        assert "已记录“标题”" in tg.texts()[-1] and "法律依据" in tg.texts()[-1]
        # a rejected title gets the same one-tap fix
        await press(app, upd, tg, DEPUTY, "暂存")
        await say(app, upd, DEPUTY, "/suggest 议案")
        await say(app, upd, DEPUTY, "关于修改物业管理条例的建议")
        assert "可改为：关于修改物业管理条例的议案" in tg.texts()[-1]
        assert "保持不变" not in labels(tg)
        await press(app, upd, tg, DEPUTY, "采用：关于修改物业管理条例的议案")
        assert "已记录“标题”" in tg.texts()[-1]


async def test_kind_in_other_words_cancel_asks_and_titles_do_not_nest(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await say(app, upd, DEPUTY, "建议吧")
        assert "标题" in tg.texts()[-1] and "请回复“建议”或“议案”" not in tg.texts()[-1]
        await say(app, upd, DEPUTY, "关于修改《物业管理条例》第二十条的建议")
        await say(app, upd, DEPUTY, "/drafts")
        assert "《关于修改〈物业管理条例〉第二十条的建议》" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "/cancel")
        assert "确定放弃草稿《关于修改〈物业管理条例〉第二十条的建议》吗" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "不放弃", clear=True)
        assert "问题与现状" in tg.texts()[-1]  # nothing lost
        await say(app, upd, DEPUTY, "/drafts")
        assert "进行到：问题与现状" in tg.texts()[-1]


async def test_double_tap_on_submit_gives_one_receipt(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await write_to_preview(app, upd, tg, DEPUTY)
        data = button(tg, "📨 提交")
        tg.clear()
        await asyncio.gather(feed(app, upd.callback(DEPUTY, data)), feed(app, upd.callback(DEPUTY, data)))
        await feed(app, upd.callback(DEPUTY, data))  # and a late one
        mine = to(tg, DEPUTY)
        assert len([m for m in mine if "已提交，编号 1" in m]) == 1
        assert not any("不能再修改" in m for m in mine)  # stale taps get no message
        assert not any(c.params.get("show_alert") for c in tg.sent("answerCallbackQuery"))
        assert len(await app.bot_data["suggestions"].status.my_suggestions(await author(core, DEPUTY))) == 1
