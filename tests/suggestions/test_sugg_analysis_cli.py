"""Staff analysis (clusters, duplicates, counts, PNG, XLSX) and the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
from typer.testing import CliRunner

from suggestions.analysis import (Item, analyse, analyse_db, cluster_labels, counts, duplicate_pairs,
                                  groups_from_pairs, topic_clusters)
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


# A new-user tester's /analysis named its clusters “关于、加快、银川市”. Eight suggestions from Ningxia on three
# subjects, written the way deputies write them: every title opens with 关于/加快/进一步/加强, every body names a city.
NINGXIA = [
    ("关于加快银川市老旧小区加装电梯的建议",
     "银川市兴庆区、金凤区现有老旧小区多为六层以下住宅，没有电梯，老年人上下楼十分困难。加装电梯需要全体业主同意，"
     "低层住户反对的多，审批环节多、周期长。建议市住建局进一步简化加装电梯审批流程，加大财政补贴力度。"),
    ("关于推进老旧住宅加装电梯工作的建议",
     "石嘴山市大武口区有多层老旧住宅三百余栋，加装电梯的意愿强烈，但资金筹措难、管线迁改费用高。"
     "建议由市住建局牵头，统一管线迁改标准，对加装电梯给予每部二十万元补助。"),
    ("关于进一步加强既有住宅加装电梯资金保障的建议",
     "吴忠市利通区既有住宅加装电梯推进缓慢，主要问题是资金来源单一。建议允许提取住房公积金用于加装电梯，"
     "并明确电梯后期维护保养费用的分摊办法。"),
    ("关于加强农村饮水安全工程管护的建议",
     "固原市西吉县部分村庄自来水管网老化，冬季冻管停水时有发生，群众饮水安全得不到保障。"
     "建议县水务局落实农村供水工程管护经费，建立专业管护队伍，2026年底前完成老旧管网改造。"),
    ("关于解决山区群众饮水困难问题的建议",
     "中卫市海原县山区部分群众仍靠水窖储水，水质不达标，夏季缺水严重。建议加快实施农村饮水巩固提升工程，"
     "将自来水管网延伸到自然村，保障群众饮水安全。"),
    ("关于加快推进城乡供水一体化的建议",
     "宁夏回族自治区农村供水工程规模小、水源分散，水质检测覆盖不足。建议推进城乡供水一体化，"
     "由县水务局统一管理农村饮水工程，实现同水源、同水质、同服务。"),
    ("关于进一步做好中小学课后服务工作的建议",
     "银川市中小学全面开展课后服务以来，教师工作时间延长，负担加重，课后服务内容以看管作业为主。"
     "建议市教育局引入社会力量参与课后服务，丰富体育、艺术类课程，并落实教师课后服务补贴。"),
    ("关于加强义务教育阶段课后服务经费保障的建议",
     "永宁县义务教育学校课后服务经费主要靠家长缴费，标准不一，部分学校难以持续。建议将课后服务经费纳入财政预算，"
     "明确课后服务收费标准和教师补助标准。"),
]
SUBJECTS = [[1, 2, 3], [4, 5, 6], [7, 8]]
SUBJECT_WORDS = [{"电梯", "加装", "加装电梯"}, {"饮水", "供水", "农村饮水"}, {"课后", "课后服务"}]
UNINFORMATIVE = set("关于 加快 推进 进一步 加强 建议 问题 工作 发展 解决 做好 我省 我市 全市 宁夏 宁夏回族自治区 自治区 "
                    "银川 银川市 兴庆区 金凤区 石嘴山 石嘴山市 大武口区 吴忠 吴忠市 利通区 固原 固原市 西吉县 中卫 中卫市 "
                    "海原县 永宁县 市住建局 县水务局 市教育局".split())


def _assert_informative(clusters):
    for c in clusters:
        words = c.label.split("、")
        assert len(words) == 3, c.label
        assert not UNINFORMATIVE & set(words), c.label
        assert not any(w.endswith(("省", "市", "县")) for w in words), c.label
    for ids, subject in zip(SUBJECTS, SUBJECT_WORDS):
        label = next(c.label for c in clusters if c.members == ids)
        assert subject & set(label.split("、")), label


def test_cluster_labels_name_the_subject_not_function_words_or_places():
    base = np.eye(3, dtype=np.float32)
    topic = [0, 0, 0, 1, 1, 1, 2, 2]
    rng = np.random.default_rng(0)
    items = [Item(i + 1, t, b, embedding=_unit(*(base[topic[i]] + rng.normal(0, 0.01, 3))))
             for i, (t, b) in enumerate(NINGXIA)]
    clusters = topic_clusters(items)
    assert sorted(c.members for c in clusters) == SUBJECTS
    _assert_informative(clusters)
    # one group of everything: no other cluster to contrast with, still no 关于 or 银川市
    (whole,) = cluster_labels(NINGXIA, [list(range(len(NINGXIA)))])
    assert not UNINFORMATIVE & set(whole.split("、")), whole
    # in a larger set a word in nearly every suggestion (a place jieba does not know as one) labels nothing
    many = [(t, "贺兰山东麓" + b) for t, b in NINGXIA] * 2
    assert all("贺兰山东麓" not in lab for lab in cluster_labels(many, [[0, 1, 2, 8, 9, 10], [3, 4, 5, 11, 12, 13]]))


def test_cluster_labels_on_e5_vectors(embedder):
    """The same suggestions with their stored kind of vector (routing_text's e5 query vector): e5 puts any two
    suggestions within about 0.13 of each other, so the old threshold (0.22) made one cluster of everything."""
    from suggestions.text import routing_text
    from suggestions.types import DraftContent

    vecs = embedder.encode_queries([routing_text(DraftContent(title=t, problem=b)) for t, b in NINGXIA])
    clusters = topic_clusters([Item(i + 1, t, b, embedding=v) for i, ((t, b), v) in enumerate(zip(NINGXIA, vecs))])
    assert sorted(c.members for c in clusters) == SUBJECTS
    _assert_informative(clusters)


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
