"""`users …` and `db upgrade` through typer, on a temporary SQLite database."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from storage.access import AccessService
from storage.cli import app
from storage.db import Database


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    from deputy_assistant.config import get_settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _redeem(url: str, code: str, telegram_id: int):
    async def go():
        db = Database(url)
        try:
            return await AccessService(db).redeem(code, telegram_id)
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_invite_list_set_role_suspend(cli_db):
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    res = runner.invoke(app, ["users", "invite", "--role", "deputy", "--name", "张三", "--delegation", "宁夏代表团",
                              "--committee", "财经委", "--committee", "教科文卫委"])
    assert res.exit_code == 0, res.output
    code = res.stdout.strip().splitlines()[0]
    assert len(code) == 10 and code.isalnum()
    assert _redeem(cli_db, code, 555).status.value == "ok"
    assert _redeem(cli_db, code, 556).status.value == "used"

    listing = runner.invoke(app, ["users", "list"]).stdout
    assert "张三\tdeputy\tactive\t宁夏代表团\t财经委,教科文卫委\t555" in listing
    assert runner.invoke(app, ["users", "set-role", "1", "staff"]).exit_code == 0
    assert runner.invoke(app, ["users", "suspend", "1"]).exit_code == 0
    assert "张三\tstaff\tsuspended" in runner.invoke(app, ["users", "list"]).stdout
    missing = runner.invoke(app, ["users", "suspend", "99"])
    assert missing.exit_code == 1 and "没有编号为 99 的用户" in missing.output
    bad = runner.invoke(app, ["users", "invite", "--role", "boss", "--name", "李四"])
    assert bad.exit_code != 0


def test_bad_admin_input_gets_one_chinese_line_not_a_traceback(cli_db):
    runner = CliRunner()
    cases = [
        (["users", "invite", "--name", "   "], 2, "姓名不能为空"),
        (["users", "invite", "--name", "张三", "--ttl-hours", "999999999"], 2, "有效期须在 1 到"),
        (["users", "invite", "--name", "张三", "--role", "boss"], 2, "角色“boss”无效"),
        (["users", "suspend", "99999999999999999999999"], 1, "没有编号为"),
        (["db", "upgrade", "nosuchrev"], 2, "无法迁移到数据库版本“nosuchrev”"),
    ]
    for args, code, message in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == code and message in res.output, (args, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), (args, repr(res.exception))
