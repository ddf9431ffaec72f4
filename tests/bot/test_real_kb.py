"""Beyond the fixture documents: a real DOCX upload, and /schedule over the built-in corpus."""

from __future__ import annotations

import pytest

from bot.app import build_application
from bot.deps import BotDeps
from botharness import TODAY, TOKEN, feed, register
from storage.core import Core
from storage.models import Role

pytestmark = pytest.mark.slow


async def test_docx_upload_is_searchable(app, core, tg, upd, tmp_path):
    import docx

    await register(core, app, upd, tg, 503, role=Role.STAFF)
    d = docx.Document()
    d.add_heading("代表联络站值班安排", level=1)
    d.add_paragraph("银川市兴庆区代表联络站每周三下午由代表轮流值班，接待群众来访。")
    path = tmp_path / "值班安排.docx"
    d.save(path)
    tg.add_file("docx-1", path.read_bytes())
    await feed(app, upd.document(503, "docx-1", "值班安排.docx", caption="全部", file_size=path.stat().st_size))
    summary = tg.sent("editMessageText")[-1].text
    assert "导入完成" in summary and "片段 0 个" not in summary, summary
    tg.clear()
    await feed(app, upd.text(503, "代表联络站什么时候值班"))
    assert "每周三下午" in tg.texts()[-1]


async def test_corrupted_pdf_upload_reports_the_reason(app, core, tg, upd):
    await register(core, app, upd, tg, 505, role=Role.STAFF)
    tg.add_file("pdf-bad", b"%PDF-1.7 this is not really a pdf")
    await feed(app, upd.document(505, "pdf-bad", "坏文件.pdf", caption="全部", file_size=33))
    summary = tg.sent("editMessageText")[-1].text
    assert summary.startswith("《坏文件.pdf》未能导入：") and "出错了" not in summary


async def test_schedule_from_the_builtin_corpus(db, tg, upd):
    from deputy_assistant.models import ModelMissingError, model_path
    from retrieval.builtin import builtin_kb

    try:
        model_path("multilingual-e5-small")
    except ModelMissingError as exc:
        pytest.skip(f"embedding model not provisioned: {exc}")
    core = Core.build(db, builtin_kb(), today=lambda: TODAY)  # 2026-08-10: August and September
    app = build_application(BotDeps(core=core), token=TOKEN, request=tg, get_updates_request=tg)
    async with app:
        await register(core, app, upd, tg, 504)
        await feed(app, upd.text(504, "/schedule"))
    text = "\n".join(tg.texts())
    assert "2026年8月工作安排" in text and "2026年9月工作安排" in text
    assert "代表建议督办活动" in text  # an August row of the Ningxia table
    assert "组织列席代表座谈会" in text  # a September row
    assert "相关部门" not in text  # only what is planned
    # each document named, and the national plan's dated tasks of the month beside the province's table
    assert "《宁夏回族自治区人大常委会2026年度代表工作安排表》" in text
    assert "8月，召开代表建议办理工作推进会" in text and "《全国人大常委会2026年度代表工作计划》" in text
