"""Text questions: answer card, sources, buttons, ratings, scopes, limits and bad input."""

from __future__ import annotations

import asyncio

from bot import texts
from botharness import feed, register
from sqlalchemy import select
from storage.models import QueryRecord, Rating, Role


async def _ask(app, tg, upd, uid, text):
    tg.clear()
    await feed(app, upd.text(uid, text))
    return tg.sent("sendMessage")


async def test_answer_card_with_sources_and_buttons(app, core, tg, upd):
    await register(core, app, upd, tg, 100)
    (card,) = await _ask(app, tg, upd, 100, "代表享有哪些权利")
    assert card.params["parse_mode"] == "HTML"
    assert card.text.startswith("<b>答：</b>") and "代表享有下列权利" in card.text.split("出处")[0]
    assert "[1] 《全国人民代表大会和地方各级人民代表大会代表法》 第三条" in card.text
    labels = [b[0] for b in card.buttons()]
    assert "原文1" in labels and "更多结果" in labels and "👍 有用" in labels and "👎 没用" in labels


async def test_source_button_opens_full_passage(app, core, tg, upd):
    await register(core, app, upd, tg, 101)
    (card,) = await _ask(app, tg, upd, 101, "代表享有哪些权利")
    data = dict(card.buttons())["原文1"]
    tg.clear()
    await feed(app, upd.callback(101, data))
    passage = tg.sent("sendMessage")[-1].text
    assert "第三条" in passage and "依法联名提出议案、质询案、罢免案等" in passage
    assert tg.sent("answerCallbackQuery")


async def test_more_results_lists_further_hits(app, core, tg, upd):
    await register(core, app, upd, tg, 102)
    (card,) = await _ask(app, tg, upd, 102, "代表履职要求")
    assert "[5]" in card.text and "[6]" not in card.text
    tg.clear()
    await feed(app, upd.callback(102, dict(card.buttons())["更多结果"]))
    more = tg.sent("sendMessage")[-1]
    assert more.text.startswith("<b>更多相关资料：</b>") and "[6]" in more.text
    labels = [label for label, _ in more.buttons()]
    assert labels[0] == "原文6" and len(labels) == more.text.count("\n[") + more.text.startswith("[")  # one per item
    # the new numbers open the right passages
    first_cited = more.text.split("[6] ")[1].split("\n")[0]
    await feed(app, upd.callback(102, more.buttons()[0][1]))
    assert first_cited in tg.sent("sendMessage")[-1].text
    # a second press finds nothing new
    tg.clear()
    await feed(app, upd.callback(102, dict(card.buttons())["更多结果"]))
    assert tg.sent("sendMessage")[-1].text == "没有更多相关结果了。"


async def test_rating_is_stored_and_can_change(app, core, tg, upd, db):
    await register(core, app, upd, tg, 103)
    (card,) = await _ask(app, tg, upd, 103, "代表享有哪些权利")
    buttons = dict(card.buttons())
    await feed(app, upd.callback(103, buttons["👍 有用"]))
    assert tg.sent("answerCallbackQuery")[-1].params["text"] == "谢谢反馈！"
    await feed(app, upd.callback(103, buttons["👎 没用"]))
    async with db.session() as s:
        ratings = list((await s.execute(select(Rating))).scalars())
    assert [(r.useful) for r in ratings] == [False]


async def test_forged_callback_of_someone_elses_query_is_refused(app, core, tg, upd):
    await register(core, app, upd, tg, 104)
    await register(core, app, upd, tg, 105)
    (card,) = await _ask(app, tg, upd, 104, "代表享有哪些权利")
    tg.clear()
    await feed(app, upd.callback(105, dict(card.buttons())["原文1"]))
    (ans,) = tg.sent("answerCallbackQuery")
    assert "失效" in ans.params["text"]
    assert not tg.sent("sendMessage")
    await feed(app, upd.callback(105, "garbage"))
    assert "失效" in tg.sent("answerCallbackQuery")[-1].params["text"]


async def test_scopes_are_enforced_in_search(app, core, tg, upd):
    await register(core, app, upd, tg, 110)  # deputy, no delegation
    await register(core, app, upd, tg, 111, delegation="宁夏代表团")
    await register(core, app, upd, tg, 112, role=Role.STAFF)
    q = "闭会期间调研安排在银川集中进行联络人"
    outsider = (await _ask(app, tg, upd, 110, q))[0].text
    member = (await _ask(app, tg, upd, 111, q))[0].text
    assert "宁夏代表团内部工作通报" not in outsider
    assert "宁夏代表团内部工作通报" in member
    q2 = "议案建议交办系统账号分配"
    assert "工作人员内部备忘" not in (await _ask(app, tg, upd, 111, q2))[0].text
    assert "工作人员内部备忘" in (await _ask(app, tg, upd, 112, q2))[0].text


async def test_ten_thousand_characters_get_a_clear_message(app, core, tg, upd, db):
    await register(core, app, upd, tg, 120)
    (reply,) = await _ask(app, tg, upd, 120, "代" * 10_000)
    assert "问题太长" in reply.text and "10000" in reply.text
    assert "/suggest" in reply.text  # round 13: a pasted 5,300-character draft got no pointer to the wizard
    async with db.session() as s:
        assert list((await s.execute(select(QueryRecord))).scalars()) == []


async def test_html_in_question_and_answer_is_escaped(app, core, tg, upd):
    await register(core, app, upd, tg, 121)
    (card,) = await _ask(app, tg, upd, 121, "标签测试的规定")
    assert "《标签&lt;b&gt;测试&lt;/b&gt;文件》" in card.text
    assert "a&lt;b &amp; c&gt;d" in card.text


async def test_question_without_direct_answer_lists_closest_material(app, core, tg, upd):
    await register(core, app, upd, tg, 122)
    (reply,) = await _ask(app, tg, upd, 122, "ξψω")
    assert reply.text.startswith("没有找到能直接回答的句子") and "[1] 《" in reply.text
    assert "[3] 《" in reply.text and "[4]" not in reply.text  # the nearest few, not a page of noise
    assert [label for label, _ in reply.buttons() if label.startswith("原文")] == ["原文1", "原文2", "原文3"]
    tg.clear()  # and 更多结果 goes on at [4]
    await feed(app, upd.callback(122, dict(reply.buttons())["更多结果"]))
    more = tg.sent("sendMessage")[-1]
    assert "[4] 《" in more.text and [label for label, _ in more.buttons()][0] == "原文4"


def test_answer_card_without_hits_says_so():
    from bot.formatting import answer_card
    from storage.qa import QAResult

    assert answer_card(QAResult(1, "问", [], [])) == ["抱歉，没有找到相关资料。可以换个说法再问，或联系工作人员补充资料。"]


def test_long_texts_are_split_under_the_limit_without_breaking_escapes():
    from bot.formatting import TELEGRAM_LIMIT, passage

    text = ("代表<依法>履职&尽责。" * 900) + "结尾"
    pages = passage({"title": "长文", "locator": "第一条", "text": text, "page": None}, 1)
    assert len(pages) > 1 and all(len(p) <= TELEGRAM_LIMIT for p in pages)
    head = "<b>[1] 《长文》 第一条</b>"
    assert pages[0].startswith(head + "\n") and all("<" not in p for p in pages[1:])
    body = "\n".join(pages)[len(head) + 1 :].replace("\n", "")
    assert body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


async def test_sticker_and_photo_get_a_hint(app, core, tg, upd):
    await register(core, app, upd, tg, 130)
    await feed(app, upd.sticker(130))
    await feed(app, upd.photo(130))
    assert tg.texts() == [texts.UNSUPPORTED] * 2 and "文字、语音和文件" in texts.UNSUPPORTED
    tg.clear()
    await feed(app, upd.sticker(131))  # unregistered
    assert "邀请码" in tg.texts()[-1]


async def test_rate_limit_per_user(app, core, tg, upd):
    await register(core, app, upd, tg, 140)
    await register(core, app, upd, tg, 141)
    for _ in range(5):  # the fixture's limit
        (r,) = await _ask(app, tg, upd, 140, "代表享有哪些权利")
        assert r.text.startswith("<b>答")
    (r,) = await _ask(app, tg, upd, 140, "代表享有哪些权利")
    assert "提问太频繁" in r.text
    for _ in range(3):  # told once per wait, not once per message of a burst
        assert not await _ask(app, tg, upd, 140, "代表享有哪些权利")
    (r,) = await _ask(app, tg, upd, 141, "代表享有哪些权利")  # others are not affected
    assert r.text.startswith("<b>答")


async def test_two_messages_at_once_are_both_answered(app, core, tg, upd, db):
    await register(core, app, upd, tg, 150)
    tg.clear()
    await asyncio.gather(
        feed(app, upd.text(150, "代表享有哪些权利")),
        feed(app, upd.text(150, "代表应当履行哪些义务")),
    )
    replies = [c.text for c in tg.sent("sendMessage")]
    assert len(replies) == 2
    assert any("第三条" in r for r in replies) and any("第四条" in r for r in replies)
    async with db.session() as s:
        assert len(list((await s.execute(select(QueryRecord))).scalars())) == 2


async def test_error_handler_apologises_with_incident_id(app, core, tg, upd, caplog):
    await register(core, app, upd, tg, 160)

    async def broken(*a, **k):
        raise RuntimeError("index corrupted")

    core.qa.kb.aanswer = broken  # a failing core component (the only stand-in: a crash)
    tg.clear()
    with caplog.at_level("ERROR"):
        await feed(app, upd.text(160, "代表享有哪些权利"))
    (reply,) = tg.sent("sendMessage")
    assert "出错了" in reply.text and "事件编号" in reply.text
    incident = reply.text.split("事件编号 ")[1].split("）")[0]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_failing_handler_gets_one_apology_and_no_later_handler_answers_too(app, core, tg, upd):
    """A crash in an early handler group (as the draft-step intercept is) must not also be answered by the
    question handler of group 0: one update, one reply."""
    from telegram.ext import MessageHandler, filters

    await register(core, app, upd, tg, 161)

    async def crashing(update, context):
        raise RuntimeError("draft store unavailable")

    app.add_handler(MessageHandler(filters.TEXT, crashing), group=-5)
    tg.clear()
    await feed(app, upd.text(161, "代表建议交办会在几月开？"))
    (reply,) = tg.sent("sendMessage")
    assert "事件编号" in reply.text


async def test_info_logs_do_not_contain_message_contents(app, core, tg, upd, caplog):
    await register(core, app, upd, tg, 170)
    with caplog.at_level("DEBUG", logger="bot"), caplog.at_level("DEBUG", logger="storage"):
        await _ask(app, tg, upd, 170, "代表享有哪些权利秘密问题")
    infos = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "storage"))]
    assert any("answered" in m for m in infos)
    assert not any("秘密问题" in m or "代表享有" in m for m in infos)


async def test_unknown_command_and_edited_message(app, core, tg, upd):
    await register(core, app, upd, tg, 180)
    await feed(app, upd.text(180, "/frobnicate"))
    assert tg.texts() == ["没有这个命令。发送 /help 查看使用说明。"]
    tg.clear()
    edited = upd.text(180, "代表享有哪些权利")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
    await feed(app, edited)
    assert tg.texts() == []  # an edit is not a new question


def test_more_results_have_a_button_for_every_item_listed():
    """“更多结果” lists up to ten further sources; buttons stopped at eight ([14], [15] could not be opened)."""
    from bot.keyboards import sources_keyboard

    labels = [b.text for row in sources_keyboard(7, 5, 10).inline_keyboard for b in row]
    assert labels == [f"原文{i}" for i in range(6, 16)]


def test_answer_card_says_why_nothing_was_answered():
    from bot.formatting import answer_card
    from storage.qa import QAResult

    hit = {"title": "全国人大常委会2026年度代表工作计划", "locator": "7", "text": "2月，书面通报。", "page": None}
    (card,) = answer_card(QAResult(1, "几号开幕", [], [hit], note="资料中没有写明具体日期。"))
    assert card.index("资料中没有写明具体日期。") < card.index("没有找到能直接回答的句子") < card.index("[1]")


def test_answer_card_puts_a_caveat_before_the_answer():
    from bot.formatting import answer_card
    from storage.qa import AnswerSentenceView, QAResult

    hit = {"title": "全国人大常委会2026年度代表工作计划", "locator": "20", "text": "3月，召开代表建议交办会。", "page": None}
    (card,) = answer_card(QAResult(1, "交办会几号开", [AnswerSentenceView("3月，召开代表建议交办会。", 0)], [hit],
                                   note="资料只写明月份，没有具体日期。"))
    assert card.index("资料只写明月份") < card.index("3月，召开代表建议交办会。[1]")
