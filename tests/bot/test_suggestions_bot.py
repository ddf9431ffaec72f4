"""The deputy's suggestion conversation through the real Application (Telegram faked at HTTP):
draft → self-check → submit, resume after a restart, edit from the preview, a voice answer,
/cancel. Runs on SQLite, or PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.formatting import TELEGRAM_LIMIT
from botharness import feed, register
from storage.models import Role
from suggharness import CAUSE, MEASURES, PROBLEM, TITLE, Clock, button, last_with_buttons, press, say, sugg_app, to, \
    write_to_preview

pytestmark = pytest.mark.db

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
DEPUTY, STAFF = 300, 900


async def test_draft_selfcheck_submit(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, STAFF, role=Role.STAFF)
        await register(core, app, upd, tg, DEPUTY, delegation="宁夏代表团")
        await say(app, upd, DEPUTY, "提建议")
        first = last_with_buttons(tg)
        assert "类别" in first.text and "例如：" in first.text
        assert [label for label, _ in first.buttons()][:2] == ["建议", "议案"]
        await press(app, upd, tg, DEPUTY, "建议")
        assert "（2/7）标题" in tg.texts()[-1] and "关于……的建议" in tg.texts()[-1]

        tg.clear()
        await say(app, upd, DEPUTY, "城市公共厕所标识问题")  # not in the usual form: specific feedback, asked again
        assert "可改为：关于城市公共厕所标识问题的建议" in tg.texts()[-1] and "标题" in tg.texts()[-1]
        await say(app, upd, DEPUTY, TITLE)
        assert "已记录“标题”" in tg.texts()[-1] and "问题与现状" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "公厕太少")  # too thin
        assert "内容偏少（4 字，至少 60 字）" in tg.texts()[-1]
        for text in (PROBLEM, CAUSE, MEASURES):
            await say(app, upd, DEPUTY, text)
        assert "联名代表" in tg.texts()[-1]
        await press(app, upd, tg, DEPUTY, "无联名")
        await press(app, upd, tg, DEPUTY, "完成")
        preview = last_with_buttons(tg)
        assert "建议预览" in preview.text and TITLE in preview.text
        assert "&lt;40% &amp;" in preview.text  # HTML escaped
        labels = [label for label, _ in preview.buttons()]
        assert {"改标题", "改问题与现状", "改原因分析", "改具体建议", "🔍 自检", "📨 提交"} <= set(labels)

        await press(app, upd, tg, DEPUTY, "🔍 自检", clear=True)
        report = tg.sent("sendMessage")[-1].text
        assert report.startswith("<b>自检结果") and "修改建议：" in report and "摘要：" in report
        # the legal-basis search ran (scoped to the user) and found nothing as close as a basis: the bot's
        # documents hold only 代表法 articles, the draft is about public toilets
        assert "【参考】知识库中没有找到与本件相关的法律条文" in report
        assert len(report) <= TELEGRAM_LIMIT

        await press(app, upd, tg, DEPUTY, "📨 提交", clear=True)
        mine = to(tg, DEPUTY)
        # one receipt (with the summary); the outbox copy is not sent as well
        assert [m for m in mine if "已提交" in m] == [m for m in mine if "已提交，编号 1" in m and "摘要：" in m]
        assert len([m for m in mine if "已提交" in m]) == 1
        assert to(tg, STAFF) == [f"新建议待交办：《{TITLE}》（编号 1）"]

        tg.clear()
        await say(app, upd, DEPUTY, "/mysuggestions")
        listing = tg.texts()[-1]
        assert f"1. 《{TITLE}》 建议｜已提交｜提交 2026-03-05" in listing
        await say(app, upd, DEPUTY, "/drafts")
        assert "没有未完成的草稿" in tg.texts()[-1]


async def test_conversation_survives_a_restart(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        await say(app, upd, DEPUTY, PROBLEM)
        assert "原因分析" in tg.texts()[-1]
    # a new process: new Application, new services, same database
    async with sugg_app(core, tg) as app:
        await say(app, upd, DEPUTY, CAUSE)
        assert "已记录“原因分析”" in tg.texts()[-1] and "具体建议" in tg.texts()[-1]
    async with sugg_app(core, tg) as app:
        await say(app, upd, DEPUTY, "/drafts")
        listing = tg.texts()[-1]
        assert f"《{TITLE}》 建议｜进行到：具体建议" in listing
        await press(app, upd, tg, DEPUTY, "接着写")
        assert f"接着写草稿《{TITLE}》" in tg.texts()[-1] and "具体建议" in tg.texts()[-1]
        await say(app, upd, DEPUTY, MEASURES)
        assert "联名代表" in tg.texts()[-1]


async def test_edit_a_part_from_the_preview(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await write_to_preview(app, upd, tg, DEPUTY)
        await press(app, upd, tg, DEPUTY, "改原因分析")
        prompt = last_with_buttons(tg)
        assert "原因分析" in prompt.text and "当前内容：" + CAUSE in prompt.text
        assert "保持不变" in [label for label, _ in prompt.buttons()]
        await say(app, upd, DEPUTY, "太短")  # rejected: still editing the same part
        assert "内容偏少" in tg.texts()[-1]
        new_cause = "根本原因在于公厕管理职责分散在城管、园林、交通等多个部门，缺少牵头单位，标识设置和维护无人统筹。"
        await say(app, upd, DEPUTY, new_cause)
        preview = tg.texts()[-1]
        assert "建议预览" in preview and new_cause in preview and CAUSE not in preview  # back to the preview
        await press(app, upd, tg, DEPUTY, "改标题")
        await press(app, upd, tg, DEPUTY, "保持不变")
        assert "建议预览" in tg.texts()[-1] and TITLE in tg.texts()[-1]


async def test_report_is_escaped_and_fits_one_message(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        vague = "1. 加大力度<script>&nbsp; 高度重视。2. 进一步加强管理，提高认识。3. 加大宣传力度。4. 高度重视此事。"
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        for text in ("关于<b>加强</b>管理&amp;服务的建议", PROBLEM * 8, CAUSE * 10, vague * 6):
            await say(app, upd, DEPUTY, text)
        await press(app, upd, tg, DEPUTY, "无联名")
        await press(app, upd, tg, DEPUTY, "完成")
        assert all(len(x) <= TELEGRAM_LIMIT for x in tg.texts())
        await press(app, upd, tg, DEPUTY, "🔍 自检", clear=True)
        report = tg.sent("sendMessage")[-1].text
        assert len(report) <= TELEGRAM_LIMIT and "<script>" not in report and "&lt;b&gt;" in report
        assert "建议修改】措施" in report  # vague measures, with a concrete fix


async def test_voice_answer_goes_into_the_step(core, tg, upd):
    from deputy_assistant.models import ModelMissingError
    from speech.recognizer import Recognizer

    try:
        recognizer = Recognizer.shared()
    except ModelMissingError as exc:
        pytest.skip(f"Vosk model not provisioned: {exc}")

    async def transcribe(data: bytes):  # noqa: ANN202 - the bot's own pipeline (bot.deps.default_transcriber)
        return await recognizer.transcribe(data)

    async with sugg_app(core, tg, transcribe=transcribe) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        tg.clear()
        tg.add_file("title-note", (AUDIO / "liexi.ogg").read_bytes())
        await feed(app, upd.voice(DEPUTY, "title-note", duration=4))
        assert tg.sent("sendMessage")[0].text == "识别中…"
        heard = tg.sent("editMessageText")[-1].text
        assert heard.startswith("🎤 识别结果：") and "列席" in heard
        spoken = heard.removeprefix("🎤 识别结果：")
        feedback = tg.texts()[-1]
        assert f"可改为：关于{spoken}的建议" in feedback  # the transcript was the step's answer
        assert tg.downloads == ["title-note"]


async def test_cancel_ends_the_draft_and_questions_work_again(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/cancel")
        assert "当前没有正在填写的草稿" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        draft_id = button(tg, "暂存").split(":")[2]
        tg.clear()
        await say(app, upd, DEPUTY, "/cancel")
        assert tg.texts() == [f"确定放弃草稿《{TITLE}》吗？放弃后不能恢复。"]  # asked first
        await press(app, upd, tg, DEPUTY, "确认放弃", clear=True)
        assert tg.texts() == [f"已放弃草稿《{TITLE}》。"]
        await say(app, upd, DEPUTY, "/drafts")
        assert "没有未完成的草稿" in tg.texts()[-1]
        tg.clear()
        await say(app, upd, DEPUTY, "代表享有哪些权利")  # a question again, not a draft answer
        assert "代表法" in tg.texts()[-1]
        # a stale button of the cancelled draft is refused, nothing changes
        await feed(app, upd.callback(DEPUTY, f"sg:r:{draft_id}"))
        assert "已提交或已取消" in tg.sent("answerCallbackQuery")[-1].params["text"]


async def test_pause_then_questions_go_to_qa(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "暂存")
        assert "/drafts" in tg.texts()[-1]
        tg.clear()
        await say(app, upd, DEPUTY, "代表享有哪些权利")
        assert "代表法" in tg.texts()[-1]


async def test_bill_needs_legal_basis_outline_and_cosponsors(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, STAFF, role=Role.STAFF)
        await register(core, app, upd, tg, DEPUTY, delegation="宁夏代表团")
        await say(app, upd, DEPUTY, "/suggest 议案")
        assert "（2/9）标题" in tg.texts()[-1]
        await say(app, upd, DEPUTY, TITLE)  # ends in 建议 but the kind is 议案
        assert "标题以“建议”结尾，但所选类别是议案" in tg.texts()[-1]
        title = "关于制定城市公共厕所管理条例的议案"
        for text in (title, PROBLEM, CAUSE, MEASURES):
            await say(app, upd, DEPUTY, text)
        assert "法律依据" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "依据立法法的相关规定")
        assert "书名号" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "《中华人民共和国立法法》第十八条；《中华人民共和国城乡规划法》第四条。")
        await say(app, upd, DEPUTY, "第一章 总则；第二章 规划与建设；第三章 标识与信息服务；第四章 管理与维护；第五章 法律责任；第六章 附则。")
        assert "联名代表" in tg.texts()[-1] and "至少 30 名" in tg.texts()[-1]
        assert "无联名" not in [label for label, _ in last_with_buttons(tg).buttons()]  # a bill needs co-signers
        await say(app, upd, DEPUTY, "无")
        assert "至少 30 名代表联名" in tg.texts()[-1]
        await say(app, upd, DEPUTY, "代表团：宁夏代表团")
        assert "附件" in tg.texts()[-1]
        await feed(app, upd.document(DEPUTY, "report-1", "调研报告.pdf", mime="application/pdf"))
        assert tg.texts()[-1] == "已添加附件：调研报告.pdf。可继续上传，或点“完成”。"
        await press(app, upd, tg, DEPUTY, "完成")
        preview = tg.texts()[-1]
        assert "议案预览" in preview and "法律依据：《中华人民共和国立法法》第十八条" in preview
        assert "联名代表：代表团：宁夏代表团" in preview and "附件：调研报告.pdf" in preview
        await press(app, upd, tg, DEPUTY, "📨 提交", clear=True)
        assert to(tg, STAFF) == [f"新议案待交办：《{title}》（编号 1）"]
        await say(app, upd, STAFF, "/assign 1")
        assert "推荐的专门委员会（前三名" in tg.texts()[-1]


async def test_idle_draft_is_reminded_once(core, tg, upd):
    from bot.suggestion_outbox import deliver, housekeeping

    clock = Clock()
    async with sugg_app(core, tg, clock=clock) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        svc = app.bot_data["suggestions"]
        clock.advance(hours=23)
        await housekeeping(svc)
        assert await deliver(app.bot, svc) == 0
        clock.advance(hours=2)
        tg.clear()
        await housekeeping(svc)
        await housekeeping(svc)
        assert await deliver(app.bot, svc) == 1
        assert to(tg, DEPUTY) == [f"您的建议草稿《{TITLE}》已超过一天未继续，发送 /drafts 可接着写。"]



async def test_a_finished_draft_pasted_with_no_draft_open_is_offered_as_a_draft(core, tg, upd):
    """Round 12's bot tester pasted a finished suggestion without /suggest: it was searched as a question (or refused
    as too long). It is now held and offered as a new draft; 这是提问 still answers it as a question."""
    whole = f"{TITLE}\n一、存在的问题\n{PROBLEM}\n二、几点建议\n{MEASURES}"
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY, delegation="宁夏代表团")
        tg.clear()
        await say(app, upd, DEPUTY, whole)
        offer = last_with_buttons(tg)
        assert offer.text.startswith("这看起来是一份完整的建议稿（识别出：标题、问题与现状、具体建议）")
        assert [label for label, _ in offer.buttons()] == ["📝 存为草稿并自检", "这是提问"]
        save = button(tg, "📝 存为草稿并自检")
        await press(app, upd, tg, DEPUTY, "📝 存为草稿并自检", clear=True)
        assert "已从粘贴的全文中识别出：标题、问题与现状、具体建议。" in "\n".join(tg.texts())
        assert "原因分析" in last_with_buttons(tg).text  # the one part missing is asked next, as in /suggest
        tg.clear()
        await feed(app, upd.callback(DEPUTY, save))  # a second tap finds nothing held
        assert not any("已从粘贴的全文中识别出" in m for m in tg.texts())
        await say(app, upd, DEPUTY, CAUSE)  # the new draft is the chat's draft
        assert "联名代表" in last_with_buttons(tg).text
        await press(app, upd, tg, DEPUTY, "暂存")
        tg.clear()
        await say(app, upd, DEPUTY, whole)  # a draft put aside: pasted again, 这是提问 searches it and saves nothing
        await press(app, upd, tg, DEPUTY, "这是提问", clear=True)
        assert tg.texts() and not any("已从粘贴的全文中识别出" in m for m in tg.texts())
        await say(app, upd, DEPUTY, "/drafts")
        assert tg.texts()[-1].count(TITLE[2:10]) == 1  # still the one draft


async def test_a_long_question_is_not_offered_as_a_draft(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        tg.clear()
        await say(app, upd, DEPUTY, "代表在闭会期间提出的建议，交办以后承办单位一般多长时间内答复？如果超过期限还没有答复，"
                                    "代表可以通过什么途径督促？问题是我们县里有好几件建议都拖了半年，建议怎么处理比较好？")
        assert not any("这看起来是一份完整的" in m for m in tg.texts())


async def test_whole_draft_pasted_at_the_title_step(core, tg, upd):
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY, delegation="宁夏代表团")
        await say(app, upd, DEPUTY, "提建议")
        await press(app, upd, tg, DEPUTY, "建议")
        tg.clear()
        await say(app, upd, DEPUTY, f"{TITLE}\n一、存在的问题\n{PROBLEM}\n二、几点建议\n{MEASURES}")
        text = "\n".join(tg.texts())
        assert "已从粘贴的全文中识别出：标题、问题与现状、具体建议。" in text
        assert "已记录“标题”" not in text
        assert "原因分析" in last_with_buttons(tg).text  # the one part still missing is asked next
        await say(app, upd, DEPUTY, CAUSE)
        assert "联名代表" in last_with_buttons(tg).text  # then co-signers and attachments, as step by step
        await press(app, upd, tg, DEPUTY, "无联名")
        assert "附件" in last_with_buttons(tg).text
        await press(app, upd, tg, DEPUTY, "完成")
        preview = last_with_buttons(tg)
        assert "建议预览" in preview.text and MEASURES[:15] in preview.text


async def test_an_older_drafts_button_says_it_switches_drafts(core, tg, upd):
    """Round 12: 无联名 under an older draft's message silently made that draft the one being written."""
    async with sugg_app(core, tg) as app:
        await register(core, app, upd, tg, DEPUTY)
        await say(app, upd, DEPUTY, "/suggest")
        first_kind = button(tg, "建议")
        await press(app, upd, tg, DEPUTY, "暂存")
        await say(app, upd, DEPUTY, "/suggest")
        if any(label.startswith("新建") for label, _ in last_with_buttons(tg).buttons()):
            await press(app, upd, tg, DEPUTY, "新建")
        await press(app, upd, tg, DEPUTY, "建议")
        await say(app, upd, DEPUTY, TITLE)
        tg.clear()
        await feed(app, upd.callback(DEPUTY, first_kind))  # the first draft's button, pressed now
        assert any(m.startswith("已切换到草稿 1《未命名》") and "草稿 2 已保存" in m for m in tg.texts())
