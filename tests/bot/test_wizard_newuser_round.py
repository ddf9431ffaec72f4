"""A new user's round with the suggestion wizard (tester report, 2026-12): a half-finished draft must not take
over the chat — a plain question is answered at once and the open draft mentioned once per step, an ambiguous
one is asked about with 暂存 / 放弃 as a way out; a file sent at a text step is never put into the draft unasked
(a whole draft does not replace the title the deputy typed); a very long draft's preview fits one message.
Runs on SQLite, or PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import io

import pytest

from bot.formatting import TELEGRAM_LIMIT
from botharness import feed, register
from suggharness import CAUSE, MEASURES, PROBLEM, TITLE, button, last_with_buttons, press, say, sugg_app

pytestmark = pytest.mark.db

DEPUTY = 302
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_TITLE = "关于规范农村集贸市场食品安全管理的建议"
FILE_PROBLEM = ("全县46个农村集贸市场中，有31个没有固定的农产品快速检测点，2025年抽检不合格率6.8%，"
                "高于城区市场两倍；散装熟食、自制豆制品无证摊贩占摊位总数的四成左右。")
FILE_CAUSE = "一是乡镇市场监管所人手少，每所平均只有3人；二是快检设备和试剂经费没有列入预算；三是摊贩流动性大，登记难。"
FILE_MEASURES = ("1.建议县市场监管局在2027年底前为每个集贸市场配备快检点，每周抽检不少于两次；"
                 "2.建议县财政局将快检经费列入年度预算；3.建议各乡镇政府建立摊贩登记和公示制度。")


def labels(tg) -> list[str]:  # noqa: ANN001
    return [label for label, _ in last_with_buttons(tg).buttons()]


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


WHOLE = (FILE_TITLE, "一、问题与现状", FILE_PROBLEM, "二、原因分析", FILE_CAUSE, "三、具体建议", FILE_MEASURES)


async def author(core, uid: int) -> str:  # noqa: ANN001
    return str((await core.access.check(uid)).user.id)


async def draft_id_of(tg) -> int:  # noqa: ANN001
    return int(button(tg, "暂存").split(":")[2])


async def start_with_title(app, upd, tg, title: str = TITLE) -> int:  # noqa: ANN001
    await say(app, upd, DEPUTY, "/suggest")
    await press(app, upd, tg, DEPUTY, "建议")
    await say(app, upd, DEPUTY, title)
    assert "已记录“标题”" in tg.texts()[-1] and "问题与现状" in tg.texts()[-1]
    return await draft_id_of(tg)


async def send_file(app, upd, tg, file_id: str, name: str, data: bytes, mime: str = DOCX) -> None:  # noqa: ANN001
    tg.add_file(file_id, data)
    await feed(app, upd.document(DEPUTY, file_id, name, mime=mime, file_size=len(data)))


# -- 1. a question mid-draft ------------------------------------------------------------------------------
async def test_a_plain_question_mid_draft_is_answered_and_the_open_draft_mentioned_once(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY, delegation="宁夏代表团")
        draft_id = await start_with_title(app, upd, tg)
        tg.clear()
        await say(app, upd, DEPUTY, "代表建议交办会几月开？")  # not about the draft: plainly a question
        out = tg.texts()
        assert not any("像是一个问题" in x for x in out), out
        assert len(out) >= 2 and ("答：" in out[0] or "没有找到" in out[0]), out  # the Q&A's reply first
        assert "还停在“问题与现状”一步" in out[-1] and TITLE in out[-1]
        assert labels(tg) == ["接着写草稿", "暂存", "放弃"]
        back = button(tg, "接着写草稿")
        # a second question at the same step: answered, the draft not mentioned again
        tg.clear()
        await say(app, upd, DEPUTY, "宁夏代表团8月有什么工作")
        out = tg.texts()
        assert out and not any("像是一个问题" in x or "还停在" in x for x in out), out
        content = await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))
        assert content.problem == ""  # nothing went into the draft
        # the reminder's buttons: back to the step, and 暂存
        tg.clear()
        await feed(app, upd.callback(DEPUTY, back))
        assert "问题与现状" in tg.texts()[-1] and "例如：" in tg.texts()[-1]
        await say(app, upd, DEPUTY, PROBLEM)
        assert "已记录“问题与现状”" in tg.texts()[-1]
        # a new step: the first plain question there mentions the draft again, once
        tg.clear()
        await say(app, upd, DEPUTY, "代表法第三条讲的是什么？")
        assert "还停在“原因分析”一步" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "暂存", clear=True)
        assert "草稿已保存" in tg.texts()[-1]


async def test_the_reminders_discard_button_asks_before_dropping_the_draft(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await start_with_title(app, upd, tg)
        await say(app, upd, DEPUTY, "代表建议交办会几月开？")
        await press(app, upd, tg, DEPUTY, "放弃", clear=True)
        assert "确定放弃草稿" in tg.texts()[-1]


async def test_an_ambiguous_question_is_asked_about_with_a_way_out(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await start_with_title(app, upd, tg)
        tg.clear()
        await say(app, upd, DEPUTY, "城市公共厕所为什么这么少？")  # on the draft's own topic: maybe its content
        assert "像是一个问题" in last_with_buttons(tg).text
        assert {"暂存，以后再写", "放弃草稿"} <= set(labels(tg))
        await press(app, upd, tg, DEPUTY, "暂存", clear=True)
        assert "草稿已保存" in tg.texts()[-1]
        tg.clear()
        await say(app, upd, DEPUTY, "代表法第三条讲的是什么？")  # the draft is paused: the Q&A as usual
        assert not any("还停在" in x or "像是一个问题" in x for x in tg.texts())


# -- 2. a file at a text step ------------------------------------------------------------------------------
async def test_a_plain_file_is_not_put_into_the_draft_unasked(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        draft_id = await start_with_title(app, upd, tg)
        tg.clear()
        await send_file(app, upd, tg, "law", "草案.docx", docx_bytes(PROBLEM))
        assert "要把它作为“问题与现状”的内容吗" in tg.texts()[-1] and not any("已记录" in x for x in tg.texts())
        assert labels(tg) == ["作为“问题与现状”的内容", "不用这个文件"]
        svc = app.bot_data["suggestions"]
        assert (await svc.drafts.content(draft_id, await author(core, DEPUTY))).problem == ""
        await press(app, upd, tg, DEPUTY, "不用这个文件", clear=True)
        assert "没有使用这个文件" in tg.texts()[-1]
        assert (await svc.drafts.content(draft_id, await author(core, DEPUTY))).problem == ""
        # a second tap on an answered file's button does nothing
        old = button(tg, "暂存").replace(":p:", ":f:") + ":u:x"
        tg.clear()
        await feed(app, upd.callback(DEPUTY, old))
        assert tg.sent("sendMessage") == []


async def test_a_whole_draft_file_asks_before_replacing_the_typed_title(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        draft_id = await start_with_title(app, upd, tg)
        tg.clear()
        await send_file(app, upd, tg, "whole", "整篇草稿.docx", docx_bytes(*WHOLE))
        ask = tg.texts()[-1]
        assert "一整篇草稿" in ask and f"标题为《{FILE_TITLE}》，与当前草稿不同" in ask and f"《{TITLE}》" in ask
        assert labels(tg) == ["替换当前草稿", "只取其中的“问题与现状”", "另存为新草稿", "不用这个文件"]
        assert len(tg.texts()) == 1  # not “作为‘问题与现状’的内容” and then “已从粘贴的全文中识别出…”
        content = await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))
        assert content.title == TITLE and content.problem == ""


async def test_a_whole_draft_file_only_this_steps_part(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        draft_id = await start_with_title(app, upd, tg)
        await send_file(app, upd, tg, "whole", "整篇草稿.docx", docx_bytes(*WHOLE))
        await press(app, upd, tg, DEPUTY, "只取其中的", clear=True)
        assert "已记录“问题与现状”" in tg.texts()[-1] and "原因分析" in tg.texts()[-1]
        content = await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))
        assert content.title == TITLE and content.problem == FILE_PROBLEM and content.cause == ""


async def test_a_whole_draft_file_replaces_the_draft_when_chosen(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        draft_id = await start_with_title(app, upd, tg)
        await send_file(app, upd, tg, "whole", "整篇草稿.docx", docx_bytes(*WHOLE))
        await press(app, upd, tg, DEPUTY, "替换当前草稿", clear=True)
        out = "\n".join(tg.texts())
        assert "已从文件“整篇草稿.docx”中识别出：标题、问题与现状、原因分析、具体建议。" in out
        assert "作为“问题与现状”的内容" not in out and "粘贴的全文" not in out
        assert "联名代表" in last_with_buttons(tg).text
        content = await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))
        assert content.title == FILE_TITLE and content.measures == FILE_MEASURES


async def test_a_whole_draft_file_saved_as_a_new_draft_keeps_the_old_one(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        draft_id = await start_with_title(app, upd, tg)
        await send_file(app, upd, tg, "whole", "整篇草稿.docx", docx_bytes(*WHOLE))
        await press(app, upd, tg, DEPUTY, "另存为新草稿", clear=True)
        out = "\n".join(tg.texts())
        assert "已另存为新草稿" in out and "已从文件“整篇草稿.docx”中识别出" in out
        new_id = await draft_id_of(tg)
        assert new_id != draft_id
        svc = app.bot_data["suggestions"]
        me = await author(core, DEPUTY)
        assert (await svc.drafts.content(draft_id, me)).title == TITLE
        assert (await svc.drafts.content(new_id, me)).title == FILE_TITLE
        await say(app, upd, DEPUTY, "/drafts")
        assert TITLE in tg.texts()[-1] and FILE_TITLE in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "无联名")  # the new draft is the chat's draft now
        assert "附件" in last_with_buttons(tg).text


async def test_a_whole_draft_file_into_an_empty_draft_fills_it_with_one_message(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议", clear=True)
        await send_file(app, upd, tg, "whole", "整篇草稿.docx", docx_bytes(*WHOLE))
        out = "\n".join(tg.texts())
        assert "已从文件“整篇草稿.docx”中识别出：标题、问题与现状、原因分析、具体建议。" in out
        assert "作为“标题”的内容" not in out and "粘贴的全文" not in out
        assert "联名代表" in last_with_buttons(tg).text


# -- 3. a very long draft ---------------------------------------------------------------------------------
async def test_a_very_long_drafts_preview_fits_one_message(core, tg, upd):
    long = "银川市老旧小区加装电梯需求大，老人下楼难，2025年全市只加装312部。" * 1800  # 64,800 characters
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await start_with_title(app, upd, tg)
        await send_file(app, upd, tg, "long", "调研材料.txt", long.encode("utf-8"), mime="text/plain")
        await press(app, upd, tg, DEPUTY, "作为“问题与现状”的内容")
        for text in (CAUSE, MEASURES):
            await say(app, upd, DEPUTY, text)
        await press(app, upd, tg, DEPUTY, "无联名")
        await press(app, upd, tg, DEPUTY, "完成", clear=True)
        sent = tg.sent("sendMessage")
        assert len(sent) == 1, [len(c.text) for c in sent]  # was 17 messages
        preview = sent[0].text
        assert "建议预览" in preview and len(preview) <= TELEGRAM_LIMIT
        assert f"……（全文共 {len(long)} 字）" in preview and CAUSE in preview and MEASURES in preview
        # reopening the long part shows it clipped as well
        await press(app, upd, tg, DEPUTY, "改问题与现状", clear=True)
        assert len(tg.sent("sendMessage")) == 1 and "全文共" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "保持不变")
        # 提交 with a must-fix finding: the report and, as docs/suggestions.md intends, “仍然提交”
        await press(app, upd, tg, DEPUTY, "📨 提交", clear=True)
        out = "\n".join(tg.texts())
        assert "【必须修改】正文共" in out and "篇幅过长" in out and "已提交" not in out
        assert "仍然提交" in labels(tg)
        # 自检 then 提交 (a tenth-round tester): the report just read is not sent a second time
        await press(app, upd, tg, DEPUTY, "返回预览")
        await press(app, upd, tg, DEPUTY, "🔍 自检", clear=True)
        assert "【必须修改】正文共" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "📨 提交", clear=True)
        assert tg.texts()[-1].startswith("自检结果与上面刚显示的相同：仍有 2 项必须修改的问题")
        assert not any("【必须修改】" in x for x in tg.texts()) and "仍然提交" in labels(tg)


async def test_the_preview_clips_each_long_part_and_keeps_short_ones_whole(core, tg, upd):
    long_problem = PROBLEM * 60  # typed (or pasted) straight into the step
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await start_with_title(app, upd, tg)
        for text in (long_problem, CAUSE, MEASURES):
            await say(app, upd, DEPUTY, text)
        await press(app, upd, tg, DEPUTY, "无联名")
        await press(app, upd, tg, DEPUTY, "完成", clear=True)
        sent = tg.sent("sendMessage")
        assert len(sent) == 1 and len(sent[0].text) <= TELEGRAM_LIMIT
        assert f"……（全文共 {len(long_problem)} 字）" in sent[0].text and sent[0].text.count("全文共") == 1
        assert TITLE in sent[0].text and CAUSE in sent[0].text and MEASURES in sent[0].text
        # the draft itself keeps the whole text
        draft_id = int(button(tg, "📨 提交").split(":")[2])
        content = await app.bot_data["suggestions"].drafts.content(draft_id, await author(core, DEPUTY))
        assert content.problem == long_problem
