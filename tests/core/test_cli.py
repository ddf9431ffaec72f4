"""The CLI contract: index build, search --jsonl from stdin, ask on the built-in corpus, laws end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deputy_assistant import cli
from deputy_assistant.config import get_settings


@pytest.fixture
def runner(tmp_path, monkeypatch, embedder):
    monkeypatch.setenv("DEPUTY_INDEX_DIR", str(tmp_path / "builtin-index"))
    get_settings.cache_clear()
    import retrieval.builtin as b

    monkeypatch.setattr(b, "_KB", None)
    yield CliRunner()
    get_settings.cache_clear()


def test_ask_builtin_corpus_cites_plan_item_20(runner):
    res = runner.invoke(cli.app, ["ask", "代表建议交办会在几月开？"])
    assert res.exit_code == 0, res.output
    assert "3月" in res.output and "交办会" in res.output
    assert "《全国人大常委会2026年度代表工作计划》 六、提升代表议案建议工作质效 / 20" in res.output


def test_ask_reads_many_questions_from_stdin_with_the_model_loaded_once(runner):
    res = runner.invoke(cli.app, ["ask", "-"], input="代表建议交办会在几月开？\n\n宁夏8月份有哪些工作\n人大代表每个月工资多少钱\n")
    assert res.exit_code == 0, res.output
    # a question the built-in corpus cannot answer: its sources are not called the answer, and the user learns
    # that laws need an index of their own (new-user round 5: law questions got five plan items as “最相关的内容”)
    declined = res.output.split("=== [3/3]")[1]
    assert "可能相关" in declined and "最相关" not in declined and "index build" in declined
    assert "index build" not in res.output.split("=== [3/3]")[0]
    assert all(len(ln) <= 4 + 160 + 1 for ln in declined.splitlines() if ln.startswith("    "))  # snippets cut with …
    assert "=== [1/3] 代表建议交办会在几月开？" in res.output and "=== [2/3] 宁夏8月份有哪些工作" in res.output
    assert "六、提升代表议案建议工作质效 / 20" in res.output and " 8月" in res.output
    empty = runner.invoke(cli.app, ["ask", "-"], input="\n  \n")
    assert empty.exit_code == 2 and "没有问题" in empty.output


def test_ask_without_question_is_a_usage_error(runner):
    res = runner.invoke(cli.app, ["ask", "  "])
    assert res.exit_code == 2 and "请提供问题" in res.output


def test_build_then_search_jsonl(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 关于视察的通知\n\n## 时间\n\n集中视察安排在十一月。\n", encoding="utf-8")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    idx = tmp_path / "idx"
    res = runner.invoke(cli.app, ["index", "build", str(docs), "--index", str(idx)])
    assert res.exit_code == 0, res.output
    assert "文档 1 篇" in res.output and "empty.txt" in res.output
    res = runner.invoke(cli.app, ["search", "--index", str(idx), "--top-k", "2", "--jsonl"],
                        input="q1\t视察在几月\nq2\t集中视察\n")
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [x["qid"] for x in lines] == ["q1", "q2"]
    hit = lines[0]["hits"][0]
    assert set(hit) >= {"doc_id", "title", "locator", "text", "score"}
    assert hit["title"] == "关于视察的通知" and hit["locator"] == "时间"


def test_search_missing_index_is_clear(runner, tmp_path):
    res = runner.invoke(cli.app, ["search", "问题", "--index", str(tmp_path / "nothing")])
    assert res.exit_code == 1 and "index build" in res.output


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "deputy_assistant.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "models" in out.stdout and "ask" in out.stdout


@pytest.mark.slow
def test_laws_corpus_cites_daibiaofa_article(make_kb, shared_dir: Path):
    """Ingest ../shared/corpus/laws (90 laws) and ask about 代表法."""
    kb = make_kb("laws")
    rep = kb.ingest_paths([shared_dir / "corpus" / "laws"])
    assert rep.documents >= 90 and rep.chunks > 4000
    hits = kb.search("代表法规定代表建议应当在多长时间内答复", top_k=5)
    # the 2025 version's 第五十一条 first; the 2015 version (第四十二条) and the provinces' rules on the same rule
    # rank below the national law's other articles
    assert hits[0].title.endswith("代表法（2025-03-11）") and hits[0].locator == "第五十一条" and "三个月内答复" in hits[0].text
    assert not any("2015" in h.title or h.title.startswith(("山东", "浙江", "北京", "重庆", "河南", "上海")) for h in hits[:3])
    hits = kb.search("根据代表法，代表在人民代表大会会议上的发言和表决会被追究法律责任吗", top_k=5)
    assert any("代表大会代表法" in h.title and h.locator in ("第三十一条", "第三十八条") for h in hits)


def test_bad_questions_are_refused_in_chinese_and_a_batch_goes_on(runner):
    """What a tester fed the CLI (stop 14): GBK bytes, undecodable bytes, punctuation, a 10 MB line."""
    stdin = ("代表建议".encode("gbk") + b"\n" + b"\xff\xfe\xfd\n" + "代表建议交办会在几月开？\n？？？\n".encode()
             + ("很长的问题" * 200).encode() + b"\n")
    res = runner.invoke(cli.app, ["ask", "-"], input=stdin)
    assert res.exit_code == 1, res.output  # some refused, the rest answered
    assert "=== [1/5] 代表建议" in res.output  # GBK read as GBK
    assert "无法识别这一行的文字编码" in res.output
    assert "六、提升代表议案建议工作质效 / 20" in res.output  # the good question after the bad one
    assert "只有标点符号" in res.output and "问题太长（1000 字）" in res.output
    assert "Traceback" not in res.output
    for args, expected in ((["ask", "？？？！！"], "只有标点符号"), (["ask", "问" * 501], "问题太长"),
                           (["ask", "代表", "--top-k", "0"], "--top-k 须为正整数"),
                           (["search", "。。，"], "只有标点符号")):
        res = runner.invoke(cli.app, args)
        assert res.exit_code == 2 and expected in res.output, (args, res.output)
    assert runner.invoke(cli.app, ["ask", "代表", "--voice", "x.ogg"]).exit_code == 2


def test_search_jsonl_answers_a_bad_line_with_its_error_and_goes_on(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 关于视察的通知\n\n## 时间\n\n集中视察安排在十一月。\n", encoding="utf-8")
    idx = tmp_path / "idx"
    assert runner.invoke(cli.app, ["index", "build", str(docs), "--index", str(idx)]).exit_code == 0
    res = runner.invoke(cli.app, ["search", "--index", str(idx), "--jsonl"],
                        input=b"q1\t\xff\xfe\nq2\t\xbc\xaf\xd6\xd0\xca\xd3\xb2\xec\n")  # q2: 集中视察 in GBK
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert [r["qid"] for r in rows] == ["q1", "q2"] and res.exit_code == 1
    assert "编码" in rows[0]["error"] and rows[0]["hits"] == []
    assert rows[1]["hits"] and "集中视察" in rows[1]["hits"][0]["text"]


def test_index_build_names_what_it_left_out_and_fails_when_nothing_was_indexed(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("# 通知\n\n集中视察安排在十一月。\n", encoding="utf-8")
    (docs / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 not a docx")
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    (docs / "records.jsonl").write_text('{"id": "1", "title": "甲", "text": "代表视察"}\nnot json\n'
                                        '{"id": "2", "title": "乙", "text": null}\n', encoding="utf-8")
    idx = tmp_path / "idx"
    res = runner.invoke(cli.app, ["index", "build", str(docs), "--index", str(idx)])
    assert res.exit_code == 0, res.output
    assert "old.doc：不支持的文件类型 .doc，请另存为 .docx、.pdf 或 .txt" in res.output
    assert "broken.docx：文件已损坏，或不是有效的 DOCX 文件" in res.output
    assert "records.jsonl：2 行格式错误" in res.output  # the null text is not indexed as “None”
    assert "Error" not in res.output and "文档 2 篇" in res.output
    bad = runner.invoke(cli.app, ["index", "build", str(docs / "broken.docx"), "--index", str(tmp_path / "i2")])
    assert bad.exit_code == 1
    missing = runner.invoke(cli.app, ["index", "build", str(tmp_path / "nope.md"), "--index", str(tmp_path / "i3")])
    assert missing.exit_code == 2 and "找不到" in missing.output and not (tmp_path / "i3").exists()
    onto_file = runner.invoke(cli.app, ["index", "build", str(docs), "--index", str(docs / "good.md")])
    assert onto_file.exit_code == 2 and "应为目录" in onto_file.output


@pytest.mark.parametrize(("argv", "chinese", "english"), [
    (["ask", "--bogus"], "没有选项 --bogus", "No such option"),
    (["askk"], "没有命令 'askk'。是否想用 'ask'？", "Did you mean"),
    (["index", "build"], "缺少参数 'paths'。", "Missing argument"),
    (["search", "x", "--top-k", "abc"], "'--top-k' 的取值无效：须为整数", "Invalid value"),
    (["ask", "--index"], "选项 '--index' 需要取值。", "requires"),
    (["ask", "a", "b"], "多余的参数（b）", "unexpected extra"),
])
def test_usage_errors_are_in_chinese(argv, chinese, english):
    res = CliRunner().invoke(cli.app, argv)
    assert res.exit_code == 2
    assert chinese in res.output and english not in res.output
    assert "错误" in res.output


def test_unknown_usage_message_passes_through_unchanged():
    from deputy_assistant.cli_locale import translate

    assert translate("Something typer may say one day.") == "Something typer may say one day."
    assert translate("Invalid value for '--x': something new") == "'--x' 的取值无效：something new"


def test_ask_says_why_when_no_document_can_hold_the_fact(runner):
    """An office holder is in no law either: the reason is printed, not the hint to index the laws."""
    res = runner.invoke(cli.app, ["ask", "宁夏人大常委会主任是谁"])
    assert res.exit_code == 0, res.output
    assert "资料中没有具体人员的任职信息。" in res.output and "index build" not in res.output
