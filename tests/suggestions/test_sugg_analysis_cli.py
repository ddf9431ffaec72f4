"""Staff analysis (clusters, duplicates, counts, PNG, XLSX) and the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
from typer.testing import CliRunner

from suggestions.analysis import Item, analyse, analyse_db, counts, duplicate_pairs, groups_from_pairs
from suggestions.cli import app
from sugg_drafts import BILL, GOOD, PETITION, PUBLIC_LITIGATION

runner = CliRunner()


def _unit(*xs):
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_duplicates_by_shingles_and_embeddings():
    texts = [GOOD.full_text(), GOOD.full_text().replace("2026 年 6 月底前", "年内").replace("建议", "请"),
             PUBLIC_LITIGATION.full_text(), "完全不同的一段文字，讲的是农村饮水安全。", "另一段关于农村饮水的不同文字。"]
    vecs = np.stack([_unit(1, 0, 0), _unit(1, 0.05, 0), _unit(0, 1, 0), _unit(0, 0, 1), _unit(0, 0.1, 1)])
    pairs = duplicate_pairs(texts, vecs)
    assert {(i, j) for i, j, _ in pairs} == {(0, 1), (3, 4)}  # (3, 4) by embedding only
    assert groups_from_pairs(5, pairs) == [[0, 1], [3, 4]]
    assert {(i, j) for i, j, _ in duplicate_pairs(texts, None)} == {(0, 1)}


def test_analysis_outputs(tmp_path):
    items = [
        Item(1, GOOD.title, GOOD.body(), "城乡建设", ["交通运输部"], "甲代表团", "已交办", _unit(1, 0, 0)),
        Item(2, GOOD.title, GOOD.body(), "城乡建设", [], "乙代表团", "已提交", _unit(1, 0.01, 0)),
        Item(3, BILL.title, BILL.body(), "统战综合", ["民族委员会"], "甲代表团", "已答复", _unit(0, 1, 0)),
        Item(4, PUBLIC_LITIGATION.title, PUBLIC_LITIGATION.body(), "法制建设", ["司法部"], "", "已交办", _unit(0, 0, 1)),
    ]
    a = analyse(items, tmp_path)
    assert a.duplicates == [[1, 2]]
    assert sorted(len(c.members) for c in a.clusters) == [1, 1, 2]
    assert a.counts["主题"]["城乡建设"] == 2 and a.counts["办理状态"]["已交办"] == 2
    assert a.counts["承办单位"]["（未交办）"] == 1 and a.counts["代表团"]["（未填写）"] == 1
    assert a.chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.font_warning == ""  # fonts-noto-cjk installed (set-up step)
    from openpyxl import load_workbook

    wb = load_workbook(a.xlsx)
    assert wb.sheetnames == ["建议清单", "按主题", "按承办单位", "按代表团", "按办理状态", "主题聚类", "重复建议"]
    assert wb["建议清单"]["B2"].value == GOOD.title and wb["重复建议"]["B2"].value == "1、2"


def test_counts_empty():
    assert counts([]) == {"主题": {}, "承办单位": {}, "代表团": {}, "办理状态": {}}


async def test_analyse_db(sm, clock, tmp_path, embedder):
    from suggestions.draft import DraftService
    from suggestions.status import StatusService

    svc = DraftService(sm, clock=clock, embedder=embedder)
    ids = []
    for d in (GOOD, dataclasses.replace(GOOD, title="关于规范共享单车停放的建议"), PUBLIC_LITIGATION):
        p = await svc.start("d1", kind="建议")
        for t in (d.title, d.problem, d.cause, d.measures, "无", "完成"):
            await svc.answer(p.draft_id, "d1", t)
        ids.append((await svc.submit(p.draft_id, "d1")).suggestion_id)
    await StatusService(sm, clock=clock).assign(ids[2], ["司法部"], actor="staff")
    a = await analyse_db(sm, tmp_path)
    assert a.duplicates == [ids[:2]]
    assert a.counts["办理状态"] == {"已提交": 2, "已交办": 1} and a.xlsx.exists()


def _write(tmp_path, text, name="d.txt", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _as_text(d):
    return f"{d.title}\n问题与现状：{d.problem}\n原因分析：{d.cause}\n具体建议：\n{d.measures}\n"


def test_cli_check_json(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPUTY_DATA_DIR", str(tmp_path / "data"))
    from deputy_assistant.config import get_settings

    get_settings.cache_clear()
    res = runner.invoke(app, ["check", str(_write(tmp_path, _as_text(PETITION))), "--json", "--no-kb"])
    out = json.loads(res.stdout)
    assert res.exit_code == 1 and out["passed"] is False
    assert out["findings"][0]["code"] == "not_a_suggestion"
    res = runner.invoke(app, ["check", str(_write(tmp_path, _as_text(GOOD), "g.txt")), "--json", "--no-kb"])
    assert res.exit_code == 0 and json.loads(res.stdout)["title"] == GOOD.title
    get_settings.cache_clear()


def test_cli_bad_inputs(tmp_path):
    res = runner.invoke(app, ["check", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "找不到文件" in res.output
    # a draft saved as GBK (Chinese Windows) is read as such; a binary file is refused
    res = runner.invoke(app, ["check", str(_write(tmp_path, _as_text(GOOD), encoding="gbk")), "--no-kb"])
    assert res.exit_code == 0 and GOOD.title[2:12] in res.output, res.output
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    res = runner.invoke(app, ["check", str(binary)])
    assert res.exit_code == 2 and "不是文本文件" in res.output
    res = runner.invoke(app, ["check", str(tmp_path)])
    assert res.exit_code == 2 and "是一个文件夹" in res.output
    res = runner.invoke(app, ["check", str(_write(tmp_path, "  \n", "e.txt"))])
    assert res.exit_code == 2 and "空的" in res.output
    res = runner.invoke(app, ["route", str(_write(tmp_path, _as_text(GOOD), "r.txt")), "--kind", "提案"])
    assert res.exit_code == 2 and "类别" in res.output


def test_cli_route_json(tmp_path, monkeypatch, embedder):
    monkeypatch.setenv("DEPUTY_DATA_DIR", str(tmp_path / "data"))
    from deputy_assistant.config import get_settings

    get_settings.cache_clear()
    bill = f"{BILL.title}\n问题与现状：{BILL.problem}\n法律依据：{BILL.legal_basis}\n草案框架：{BILL.outline}\n"
    res = runner.invoke(app, ["route", str(_write(tmp_path, bill)), "--json"])
    get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["kind"] == "议案" and out["committees"][0]["name"] == "民族委员会"
    assert len(out["units"]) == 3 and all(0 <= u["score"] <= 1 and u["reasons"] for u in out["units"])


def test_cli_check_reads_no_database_into_being_and_says_why_no_law_was_searched(tmp_path, monkeypatch):
    """A read-only check on a fresh install must not leave an empty deputy.db behind; without --index there is
    no law to search (the built-in corpus is plans), and the deputy is told so. An empty variable means unset."""
    monkeypatch.setenv("DEPUTY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DEPUTY_TORCH_THREADS", "")
    from deputy_assistant.config import get_settings

    get_settings.cache_clear()
    try:
        res = runner.invoke(app, ["check", str(_write(tmp_path, _as_text(GOOD), "g.txt")), "--json"])
        out = json.loads(res.stdout)
        assert res.exit_code == 0, res.output
        assert any("未检索法律依据" in n and "--index" in n for n in out["notes"])
        assert any("数据库尚未建立" in n for n in out["notes"])
        assert not list((tmp_path / "data").glob("*.db"))
    finally:
        get_settings.cache_clear()


def test_cli_reads_a_word_draft_and_names_other_formats(tmp_path):
    """A real .docx was refused as “不是文本文件”; the bot reads Word drafts with corpus' loaders, and so does the CLI."""
    import docx

    doc = docx.Document()
    doc.add_paragraph(GOOD.title)
    for heading, body in (("问题与现状", GOOD.problem), ("原因分析", GOOD.cause), ("具体建议", GOOD.measures)):
        doc.add_heading(heading, level=2)
        for line in body.split("\n"):
            doc.add_paragraph(line)
    path = tmp_path / "draft.docx"
    doc.save(path)
    res = runner.invoke(app, ["check", str(path), "--json", "--no-kb"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["title"] == GOOD.title and out["passed"] and "停放区域设置标准" in out["summary"]
    old = tmp_path / "draft.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    res = runner.invoke(app, ["check", str(old)])
    assert res.exit_code == 2 and "不支持的文件类型 .doc" in res.output and ".docx" in res.output
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    res = runner.invoke(app, ["check", str(broken)])
    assert res.exit_code == 2 and "DOCX" in res.output


def test_cli_route_text_names_a_law_title_without_nested_marks_and_caps_a_huge_draft(tmp_path, monkeypatch, embedder):
    monkeypatch.setenv("DEPUTY_DATA_DIR", str(tmp_path / "data"))
    from deputy_assistant.config import get_settings
    from suggestions.text import TOO_LONG_CHARS

    get_settings.cache_clear()
    try:
        bill = f"{BILL.title}\n问题与现状：{BILL.problem}\n法律依据：{BILL.legal_basis}\n草案框架：{BILL.outline}\n"
        res = runner.invoke(app, ["route", str(_write(tmp_path, bill))])
        assert res.exit_code == 0, res.output
        assert res.output.startswith("《关于修改〈中华人民共和国民族区域自治法〉的议案》") and "《《" not in res.output
        huge = _as_text(GOOD) + "地铁站口的共享单车堆放占用人行道，群众意见很大。" * 4000
        res = runner.invoke(app, ["route", str(_write(tmp_path, huge, "huge.txt"))])
        assert res.exit_code == 0, res.output
        assert f"篇幅过长，只按前 {TOO_LONG_CHARS} 字推荐" in res.output
    finally:
        get_settings.cache_clear()
