"""Round 9 CLI fixes: typer's range and usage messages in Chinese (用法：, 应不小于 1。), a note before the e5 model is
loaded on a terminal, and ``suggestion check --author`` recognising the author's own submitted item."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from deputy_assistant import cli
from deputy_assistant.cli_locale import translate

DRAFT = """关于规范城市共享单车停放管理的建议
问题与现状：近年来共享单车数量快速增长，全市投放量超过 30 万辆，但乱停乱放现象突出，地铁站口、人行道被大量占用，2025 年 12345 热线相关投诉达 4,200 件，老年人和视障人士出行受到明显影响。
原因分析：一是停放区域规划不足，地铁站周边缺少专门停放点；二是企业运维人员配备不足；三是缺乏有效的信用惩戒机制。
具体建议：
1. 建议市交通运输局在 2026 年 6 月底前制定共享单车停放区域设置标准，在地铁站周边施划电子围栏停放区。
2. 建议市城管局建立企业运维考核办法，每季度公布考核结果，并按考核结果核定各企业投放总量。
3. 建议市公安局将多次违规停放纳入用户信用记录，由企业暂停其骑行权限 7 天。
"""


def _mounted():
    """The full ``deputy-assistant`` app, with ``suggestion`` mounted once."""
    if not any(g.name == "suggestion" for g in cli.app.registered_groups):
        cli._mount_optional()
    return cli.app


@pytest.fixture
def draft(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text(DRAFT, encoding="utf-8")
    return p


# -- 1. typer's messages in Chinese ------------------------------------------------------------------
@pytest.mark.parametrize(("args", "chinese"), [
    (["--top", "0"], "'--top' 的取值无效：应不小于 1。"),
    (["--top", "11"], "'--top' 的取值无效：应不大于 10。"),
    (["--top", "x"], "'--top' 的取值无效：须为整数。"),
    (["--bogus"], "没有选项 --bogus"),
])
def test_route_usage_errors_are_chinese_from_label_to_message(draft, args, chinese):
    res = CliRunner().invoke(_mounted(), ["suggestion", "route", str(draft), *args])
    assert res.exit_code == 2, res.output
    assert chinese in res.output
    assert "用法：deputy-assistant suggestion route" in res.output or "用法：root suggestion route" in res.output
    for english in ("Usage", "Input should", "Invalid value", "Try '"):
        assert english not in res.output, res.output


def test_missing_argument_and_help_say_yongfa():
    app = _mounted()
    res = CliRunner().invoke(app, ["suggestion", "route"])
    assert res.exit_code == 2 and "缺少参数 'file'。" in res.output and "用法：" in res.output
    assert "Usage" not in res.output
    res = CliRunner().invoke(app, ["suggestion", "route", "--help"])
    assert res.exit_code == 0 and "用法：" in res.output and "Usage" not in res.output
    assert "推荐数量" in res.output and "显示本帮助并退出。" in res.output


@pytest.mark.parametrize(("english", "chinese"), [
    ("Input should be greater than or equal to 1", "应不小于 1。"),
    ("Input should be greater than 0", "应大于 0。"),
    ("Input should be less than or equal to 10", "应不大于 10。"),
    ("Input should be less than 2.5", "应小于 2.5。"),
    ("Input should be a valid integer, unable to parse string as an integer", "须为整数。"),
    ("Input should be a valid number, unable to parse string as a number", "须为数字。"),
    ("Input should be a valid boolean, unable to interpret input", "须为是或否（true/false、yes/no、1/0）。"),
    ("Input should be 'a', 'b' or 'c'", "应为 'a'、'b' 或 'c' 之一。"),
    ("Invalid value for '--top': Input should be greater than or equal to 1", "'--top' 的取值无效：应不小于 1。"),
    ("Invalid value for 'file': File 'x.txt' does not exist.", "'file' 的取值无效：文件 'x.txt' 不存在。"),
    ("Invalid value for 'file': File 'd' is a directory.", "'file' 的取值无效：文件 'd' 是文件夹，应为文件。"),
    ("Invalid value for 'f': Path 'd' is not readable.", "'f' 的取值无效：路径 'd' 不可读（请检查权限）。"),
])
def test_translate_pydantic_and_path_messages(english, chinese):
    assert translate(english) == chinese


@pytest.mark.parametrize("rich", ["1", "0"])
def test_installed_command_help_and_errors_say_yongfa_rich_and_plain(draft, rich):
    """The console script as a user runs it: typer's rich screens and the plain ones (TYPER_USE_RICH=0)."""
    env = {**os.environ, "COLUMNS": "100", "TYPER_USE_RICH": rich}
    run = [sys.executable, "-c", "from deputy_assistant.cli import main; main()", "suggestion", "route"]
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and "用法：" in shown.stdout and "Usage" not in shown.stdout, shown.stdout
    bad = subprocess.run([*run, str(draft), "--top", "0"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2
    assert "用法：" in bad.stderr and "'--top' 的取值无效：应不小于 1。" in bad.stderr, bad.stderr
    assert "查看帮助" in bad.stderr and "错误" in bad.stderr
    for english in ("Usage", "Input should", "Error", "Try '"):
        assert english not in bad.stderr, bad.stderr


# -- 2. a note before the model is loaded ---------------------------------------------------------------
class _FakeEmbedder:
    def encode_queries(self, texts):
        return [[1.0] for _ in texts]


@pytest.fixture
def lazy_parts(monkeypatch):
    """LazyEmbedder with the model neither in memory nor loaded for real."""
    import deputy_assistant.models as models
    import suggestions.embedding as emb
    from retrieval.embedder import Embedder

    monkeypatch.setattr(models, "model_path", lambda *a, **k: "/nowhere")
    monkeypatch.setattr(Embedder, "loaded", classmethod(lambda cls: False))
    loads = []
    monkeypatch.setattr(emb, "default_embedder", lambda: loads.append(1) or _FakeEmbedder())
    return emb, loads


@pytest.mark.parametrize("terminal", [True, False])
def test_lazy_embedder_says_it_is_loading_the_model_once_and_only_to_a_terminal(lazy_parts, monkeypatch, capsys,
                                                                                  terminal):
    emb, loads = lazy_parts
    monkeypatch.setattr(emb, "_stderr_is_terminal", lambda: terminal)
    lazy = emb.LazyEmbedder(loading_note="正在载入语义模型（约 10 秒）…")
    assert capsys.readouterr().err == "" and not loads  # nothing said, nothing loaded until a vector is needed
    lazy.encode_queries(["甲"])
    lazy.encode_queries(["乙"])
    err = capsys.readouterr().err
    assert loads == [1]
    assert err == ("正在载入语义模型（约 10 秒）…\n" if terminal else "")


def test_lazy_embedder_without_a_note_says_nothing(lazy_parts, monkeypatch, capsys):
    emb, _ = lazy_parts
    monkeypatch.setattr(emb, "_stderr_is_terminal", lambda: True)
    emb.LazyEmbedder().encode_queries(["甲"])
    assert capsys.readouterr().err == ""  # the bot's and other callers' embedders stay silent


def test_route_and_check_build_their_embedder_with_the_loading_note(monkeypatch):
    import suggestions.embedding as emb
    from suggestions import cli as scli

    made = []

    class Recorder:
        def __init__(self, loading_note=None):
            made.append(loading_note)

    monkeypatch.setattr(emb, "LazyEmbedder", Recorder)
    assert isinstance(scli._embedder_or_note([]), Recorder)
    assert made == ["正在载入语义模型（约 10 秒）…"]


# -- 3. suggestion check --author -----------------------------------------------------------------------
@pytest.fixture
def submitted(tmp_path, monkeypatch, embedder):
    """A database holding DRAFT as submitted by user 7, 张海燕 (and a second 李明 for the ambiguous-name case)."""
    import asyncio
    from datetime import datetime, timezone

    from deputy_assistant.config import get_settings
    from storage.models import User
    from suggestions.embedding import to_blob
    from suggestions.models import SuggestionRow
    from suggestions.repository import create_tables, make_engine, make_sessionmaker
    from suggestions.text import parse_draft_text, routing_text

    monkeypatch.setenv("DEPUTY_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    vec = embedder.encode_queries([routing_text(parse_draft_text(DRAFT, None))])[0]

    async def setup():
        engine = make_engine()
        await create_tables(engine)
        async with make_sessionmaker(engine)() as s:
            for uid, tg, name in ((7, 1007, "张海燕"), (8, 1008, "李明"), (9, 1009, "李明")):
                s.add(User(id=uid, telegram_id=tg, name=name, role="deputy"))
            s.add(SuggestionRow(author_id="7", kind="建议", title="关于规范城市共享单车停放管理的建议", status="submitted",
                                embedding=to_blob(vec), submitted_at=datetime.now(timezone.utc)))
            await s.commit()
        await engine.dispose()

    asyncio.run(setup())
    yield
    get_settings.cache_clear()


def _check(draft, *extra):
    from suggestions.cli import app

    res = CliRunner().invoke(app, ["check", str(draft), "--json", "--no-kb", *extra])
    return res, json.loads(res.stdout)


def _similar(out):
    return [f for f in out["findings"] if f["code"] == "similar_existing"]


def test_check_without_author_calls_the_resubmission_someone_elses(submitted, draft):
    res, out = _check(draft)
    (found,) = _similar(out)
    assert found["severity"] == "warning" and "联名附议" in found["fix"]


@pytest.mark.parametrize("author", ["张海燕", "7"])
def test_check_author_by_name_or_id_makes_a_resubmission_a_must_fix(submitted, draft, author):
    res, out = _check(draft, "--author", author)
    (found,) = _similar(out)
    assert found["severity"] == "error" and "您已提交过内容几乎相同的建议" in found["message"]
    assert "请勿重复提交" in found["fix"] and "联名附议" not in found["fix"]
    assert res.exit_code == 1


@pytest.mark.parametrize(("author", "note"), [("王五", "没有名为“王五”的用户"), ("李明", "有 2 位用户名为“李明”（编号 8、9）")])
def test_check_author_unknown_or_ambiguous_is_said_and_changes_nothing(submitted, draft, author, note):
    res, out = _check(draft, "--author", author)
    (found,) = _similar(out)
    assert found["severity"] == "warning"
    assert any(note in n for n in out["notes"]), out["notes"]


def test_check_author_empty_is_refused(draft):
    res = CliRunner().invoke(_mounted(), ["suggestion", "check", str(draft), "--author", " "])
    assert res.exit_code == 2 and "--author 不能为空" in res.output
