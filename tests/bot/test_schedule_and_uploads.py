"""/schedule (table rows + staff events) and staff document upload."""

from __future__ import annotations

import re

from botharness import feed, register
from storage.models import Role


async def test_schedule_shows_this_month_and_next(app, core, tg, upd):
    await register(core, app, upd, tg, 300)
    await feed(app, upd.text(300, "/schedule"))
    text = "\n".join(tg.texts())
    assert "2026年8月工作安排" in text and "2026年9月工作安排" in text
    assert "做好代表集中视察服务保障工作" in text and "举办代表履职学习培训班" in text


async def test_staff_event_appears_in_schedule_for_its_scope(app, core, tg, upd):
    await register(core, app, upd, tg, 301, role=Role.STAFF)
    await register(core, app, upd, tg, 302)
    await feed(app, upd.text(301, "/addevent 2026-09-18 代表小组活动：乡村振兴调研"))
    assert "已登记：2026-09-18" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(302, "/schedule"))
    assert "9月18日 代表小组活动：乡村振兴调研" in "\n".join(tg.texts())
    await feed(app, upd.text(301, "/addevent 某天 无效日期"))
    assert "用法" in tg.texts()[-1]


async def test_natural_schedule_question(app, core, tg, upd):
    await register(core, app, upd, tg, 303)
    await feed(app, upd.text(303, "下个月有什么工作安排？"))
    text = tg.texts()[-1]
    assert "2026年9月工作安排" in text and "8月" not in text
    await feed(app, upd.text(303, "宁厦8约份有啥安牌"))  # round 13: typed on the move, the whole month's rows listed
    text = tg.texts()[-1]
    assert "2026年8月工作安排" in text and "暂无登记的安排" not in text


async def test_staff_upload_is_searchable_with_its_scope(app, core, tg, upd):
    await register(core, app, upd, tg, 310, role=Role.STAFF)
    await register(core, app, upd, tg, 311, delegation="宁夏代表团")
    await register(core, app, upd, tg, 312, delegation="甘肃代表团")
    body = "黄河流域生态保护专题调研方案\n\n调研时间定于九月中旬，地点在中卫市沙坡头区。".encode()
    tg.add_file("doc-1", body)
    await feed(app, upd.document(310, "doc-1", "调研方案.txt", caption="代表团:宁夏代表团", file_size=len(body)))
    assert tg.sent("sendMessage")[-1].text.startswith("正在导入")
    summary = tg.sent("editMessageText")[-1].text
    assert "导入完成" in summary and re.search(r"片段 [1-9]\d* 个", summary) and "代表团：宁夏代表团" in summary
    tg.clear()
    await feed(app, upd.text(311, "黄河流域生态保护调研时间地点"))
    # the title is the file's first line or its name, depending on the loader: match the common end
    assert "调研方案》" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(312, "黄河流域生态保护调研时间地点"))
    assert "调研方案》" not in tg.texts()[-1]
    # round 13: staff could not remove an upload from the bot (the operator's CLI only)
    await feed(app, upd.text(311, "/uploads"))
    assert tg.texts()[-1] == "该功能仅限工作人员使用。"
    await feed(app, upd.text(310, "/uploads"))
    listing = tg.texts()[-1]
    assert listing.startswith("已上传的文件") and "调研方案" in listing and "代表团：宁夏代表团" in listing
    code = listing.split("\n")[1].split(" · ")[0]
    await feed(app, upd.text(311, f"/delupload {code}"))  # a deputy cannot
    assert tg.texts()[-1] == "该功能仅限工作人员使用。"
    await feed(app, upd.text(310, "/delupload ffffffff"))
    assert tg.texts()[-1].startswith("没有代码为 ffffffff 的上传文件")
    await feed(app, upd.text(310, f"/delupload {code.upper()}"))
    assert tg.texts()[-1].startswith("已删除《") and "不再引用" in tg.texts()[-1]
    await feed(app, upd.text(310, "/uploads"))
    assert tg.texts()[-1] == "还没有上传过文件。"
    tg.clear()
    await feed(app, upd.text(311, "黄河流域生态保护调研时间地点"))
    assert "调研方案》" not in tg.texts()[-1]


async def test_upload_without_scope_asks_for_one_then_uses_saved_scope(app, core, tg, upd):
    await register(core, app, upd, tg, 320, role=Role.STAFF)
    tg.add_file("doc-2", "内部材料。".encode())
    await feed(app, upd.document(320, "doc-2", "材料.md"))
    assert "范围" in tg.texts()[-1] and not tg.downloads
    await feed(app, upd.text(320, "/scope 工作人员"))
    assert "工作人员" in tg.texts()[-1]
    await feed(app, upd.document(320, "doc-2", "材料.md"))
    assert "导入完成" in tg.texts()[-1] and "范围：工作人员" in tg.texts()[-1]
    # a law draft (for /consult) is not indexed by the default scope: it would answer questions as if it were law
    await feed(app, upd.document(320, "doc-3", "养老服务条例（草案）.docx"))
    assert tg.texts()[-1].startswith("《养老服务条例（草案）.docx》像是法律草案，未按默认范围入库")
    assert "/consult" in tg.texts()[-1] and tg.downloads == ["doc-2"]


async def test_upload_bad_type_size_and_deputy(app, core, tg, upd):
    await register(core, app, upd, tg, 330, role=Role.STAFF)
    await register(core, app, upd, tg, 331)
    await feed(app, upd.document(330, "x", "图片.png", caption="全部"))
    assert "只能导入" in tg.texts()[-1]
    await feed(app, upd.document(330, "w", "会议通知.doc", caption="全部"))  # says how, not only “no”
    assert "另存为” .docx" in tg.texts()[-1] and "《会议通知.doc》" in tg.texts()[-1]
    await feed(app, upd.document(330, "y", "大文件.pdf", caption="全部", file_size=30 * 1024 * 1024))
    assert "超过 20 MB" in tg.texts()[-1]
    await feed(app, upd.document(331, "z", "a.txt", caption="全部"))
    # a deputy's file is not taken in, and the deputy learns where a suggestion's attachment goes
    assert tg.texts()[-1].startswith("文件入库仅限工作人员。") and "附件" in tg.texts()[-1]
    assert tg.downloads == []


async def test_empty_document_reports_error(app, core, tg, upd):
    await register(core, app, upd, tg, 340, role=Role.STAFF)
    tg.add_file("empty", b"")
    await feed(app, upd.document(340, "empty", "空.txt", caption="全部", file_size=0))
    assert "未能导入" in tg.texts()[-1]


async def test_schedule_lists_year_round_rows_after_the_months(app, core, tg, upd):
    await register(core, app, upd, tg, 304)
    await feed(app, upd.text(304, "/schedule"))
    text = "\n".join(tg.texts())
    assert text.index("2026年9月工作安排") < text.index("全年常态化工作") < text.index("邀请代表列席常委会会议")


async def test_one_month_mentions_year_round_rows_and_they_can_be_asked_for(app, core, tg, upd):
    await register(core, app, upd, tg, 305)
    await feed(app, upd.text(305, "8月有什么工作安排"))
    text = tg.texts()[-1]
    assert "另有全年常态化工作 1 项" in text and "邀请代表列席" not in text
    tg.clear()
    await feed(app, upd.text(305, "全年常态化工作有哪些"))
    text = "\n".join(tg.texts())
    assert "邀请代表列席常委会会议" in text and "工作安排</b>" not in text.replace("常态化工作</b>", "")
    tg.clear()
    await feed(app, upd.text(305, "今年全年的工作安排"))
    text = "\n".join(tg.texts())
    assert "2026年1月" in text and "2026年9月工作安排" in text and "2026年12月" in text
    assert "邀请代表列席常委会会议" in text


async def test_a_registered_event_answers_when_it_is(app, core, tg, upd):
    """Round 12's bot tester: staff registered “赴中卫视察”, a deputy asked “中卫视察是哪天” and was answered from
    the plans. The event's day now answers it; a question that only shares a word with an event does not."""
    await register(core, app, upd, tg, 320, role=Role.STAFF)
    await register(core, app, upd, tg, 321)
    await feed(app, upd.text(320, "/addevent 2026-08-20 15:00 赴中卫视察"))
    await feed(app, upd.text(320, "/addevent 2026-08-28 代表建议督办座谈会"))
    tg.clear()
    await feed(app, upd.text(321, "中卫视察是哪天？"))
    reply = tg.texts()[-1]
    assert "2026年8月20日（星期四） 15:00 赴中卫视察" in reply and "督办座谈会" not in reply
    await feed(app, upd.text(321, "座谈会在哪一天开"))
    assert "2026年8月28日（星期五） 代表建议督办座谈会" in tg.texts()[-1]
    await feed(app, upd.text(321, "代表建议什么时候答复？"))
    assert "工作人员登记的活动" not in tg.texts()[-1]


async def test_weeks_and_last_month_are_schedule_questions(app, core, tg, upd):
    await register(core, app, upd, tg, 322)
    await feed(app, upd.text(322, "下周有什么安排？"))  # today is Monday 2026-08-10: next week is in August
    assert "2026年8月工作安排" in tg.texts()[-1] and "2026年9月" not in tg.texts()[-1]
    await feed(app, upd.text(322, "上个月都有哪些工作安排"))
    assert tg.texts()[-1].startswith("2026年7月")  # the fixture table has no July row
