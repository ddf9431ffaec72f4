"""New-user test round (tester_bot report, problems 4, 7, 9, 10, 11, 12): the bot's shell around the core.

Telegram is faked at the HTTP boundary (bot.testing.FakeTelegram); speech is a fake transcriber here, so
these tests need no Vosk model.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from botharness import feed, register
from bot import texts
from bot.testing import FakeTelegram
from storage.clock import BEIJING
from storage.models import Role


@pytest.fixture
def transcribe():
    """Stands in for Vosk: every note is heard as the same question."""
    heard: list[bytes] = []

    async def _t(data: bytes):
        heard.append(data)
        return SimpleNamespace(text="代表有哪些权利", confidence=0.9, alternatives=[], low_confidence=False,
                               duration_s=2.0)

    _t.heard = heard
    return _t


# -- problem 7: voice download failure, voice past the rate limit ---------------------------------------


async def test_voice_download_failure_edits_the_status_line(app, core, tg, upd, transcribe):
    await register(core, app, upd, tg, 700)
    # no tg.add_file: the file endpoint answers 404, as for an expired file_id
    await feed(app, upd.voice(700, "gone-file", duration=4, file_size=9000))
    assert tg.sent("sendMessage")[0].text == texts.VOICE_WORKING
    assert tg.sent("editMessageText")[-1].text == "语音下载失败，请重新发送或改用文字。"
    assert not any("事件编号" in t for t in tg.texts())
    assert transcribe.heard == []


async def test_voice_past_the_rate_limit_is_told_even_after_a_typed_notice(app, core, tg, upd):
    await register(core, app, upd, tg, 701)
    for _ in range(5):  # the fixture core allows 5 per window
        assert (await core.limiter.hit(await _user_id(core, 701))).allowed
    await feed(app, upd.text(701, "代表有哪些权利"))
    assert len(tg.texts()) == 1 and tg.texts()[0].startswith("提问太频繁了")
    tg.clear()
    await feed(app, upd.text(701, "代表有哪些义务"))
    assert tg.texts() == []  # a burst of typed lines: one notice per wait, as documented
    tg.add_file("v-limit", b"OggS")
    await feed(app, upd.voice(701, "v-limit", duration=3))
    assert len(tg.texts()) == 1 and tg.texts()[0].startswith("提问太频繁了，请 ")
    assert tg.downloads == []  # nothing downloaded or recognised past the limit


async def _user_id(core, telegram_id: int) -> int:
    return next(u.id for u in await core.access.list_users() if u.telegram_id == telegram_id)


# -- problems 9 and 10: staff managing users -----------------------------------------------------------


async def test_staff_creating_an_admin_is_told_only_admins_may(app, core, tg, upd):
    await register(core, app, upd, tg, 710, role=Role.STAFF)
    await register(core, app, upd, tg, 711)
    await feed(app, upd.text(710, "/invite admin 钱某"))
    assert tg.texts()[-1] == "只有管理员可以邀请或任命管理员。"
    await feed(app, upd.text(710, "/invite 管理员 钱某"))
    assert tg.texts()[-1] == "只有管理员可以邀请或任命管理员。"
    await feed(app, upd.text(710, f"/setrole {await _user_id(core, 711)} admin"))
    assert tg.texts()[-1] == "只有管理员可以邀请或任命管理员。"


async def test_invite_and_setrole_speak_chinese_role_names(app, core, tg, upd):
    await register(core, app, upd, tg, 720, role=Role.STAFF)
    await feed(app, upd.text(720, "/invite"))
    usage = tg.texts()[-1]
    assert "代表、工作人员 或 管理员" in usage and "/invite 代表 张三" in usage
    assert "deputy、staff 或 admin" not in usage
    await feed(app, upd.text(720, "/setrole"))
    assert "代表、工作人员 或 管理员" in tg.texts()[-1] and "deputy" not in tg.texts()[-1]
    await feed(app, upd.text(720, "/help"))
    help_text = tg.texts()[-1]
    assert "/invite deputy" not in help_text
    assert "/invite 角色 姓名" in help_text and "代表、工作人员 或 管理员" in help_text
    await feed(app, upd.text(720, "/invite 代表 赵六 宁夏代表团"))
    reply = tg.texts()[-1]
    code = reply.split("<code>")[1].split("</code>")[0]
    assert "身份：代表" in reply
    assert f"请让对方向机器人发送：<code>/start {code}</code>" in reply  # as the CLI prints it
    await feed(app, upd.text(721, f"/start {code}"))
    assert "您的身份：代表，宁夏代表团" in tg.texts()[-1]


def test_cli_invite_prints_chinese_role_and_beijing_expiry(tmp_path, monkeypatch):
    import deputy_assistant.cli  # noqa: F401  (installs the Chinese typer messages, as the console script does)
    from deputy_assistant.config import get_settings
    from storage.cli import app as cli_app

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        before = datetime.now(UTC)
        res = CliRunner().invoke(cli_app, ["users", "invite", "--role", "管理员", "--name", "王管理",
                                           "--ttl-hours", "72"])
        assert res.exit_code == 0, res.output
        assert "身份：管理员" in res.stderr and "身份：admin" not in res.stderr
        assert "UTC" not in res.stderr
        shown = re.search(r"有效期至（北京时间）：(\d{4}-\d\d-\d\d \d\d:\d\d)", res.stderr)
        assert shown is not None, res.stderr
        expected = (before + timedelta(hours=72)).astimezone(BEIJING)
        got = datetime.strptime(shown[1], "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
        assert abs(got - expected) < timedelta(minutes=2)
        code = res.stdout.strip().splitlines()[0]
        assert f"/start {code}" in res.stderr
        help_out = CliRunner().invoke(cli_app, ["users", "invite", "--help"]).output
        assert "Show this message and exit." not in help_out and "显示本帮助并退出。" in help_out
    finally:
        get_settings.cache_clear()


# -- problem 11: a staff DOCX without a caption --------------------------------------------------------


async def test_staff_docx_without_caption_names_the_consult_route(app, core, tg, upd):
    await register(core, app, upd, tg, 730, role=Role.STAFF)
    tg.add_file("draft-docx", b"PK")
    await feed(app, upd.document(730, "draft-docx", "社区服务促进法草案.docx"))
    reply = tg.texts()[-1]
    assert "说明栏" in reply and "/scope" in reply  # the upload route
    assert "回复这条文件消息" in reply and "/consult 截止日期" in reply  # the consultation route
    assert tg.downloads == []
    tg.add_file("notes-txt", b"x")
    await feed(app, upd.document(730, "notes-txt", "会议纪要.txt"))
    assert tg.texts()[-1] == texts.UPLOAD_NEED_SCOPE  # a TXT cannot be consulted on


async def test_staff_upload_whose_download_fails_says_so(app, core, tg, upd):
    await register(core, app, upd, tg, 731, role=Role.STAFF)
    await feed(app, upd.document(731, "gone-docx", "材料.docx", caption="全部"))
    assert tg.sent("editMessageText")[-1].text == "文件下载失败，请重新发送。"
    assert not any("事件编号" in t for t in tg.texts())


# -- problem 12: a code inside a sentence, a photo -----------------------------------------------------


async def test_code_inside_a_sentence_registers(app, core, tg, upd):
    code, _ = await core.access.create_invitation(name="张代表", role=Role.DEPUTY, delegation="宁夏代表团")
    await feed(app, upd.text(740, f"您好，我是张代表，工作人员给了我一个码 {code}"))
    assert "欢迎使用" in tg.texts()[-1] and "宁夏代表团" in tg.texts()[-1]
    tg.clear()
    code2, _ = await core.access.create_invitation(name="李代表", role=Role.DEPUTY)
    await feed(app, upd.text(741, f"邀请码是{code2.lower()[:5]}-{code2.lower()[5:]}，谢谢"))  # no space, dashed
    assert "欢迎使用" in tg.texts()[-1]
    tg.clear()
    # two code-shaped tokens: which one was meant is a guess, so nothing is redeemed
    await feed(app, upd.text(742, "码 ABCDE23456 还是 FGHJK23456？"))
    assert tg.texts()[-1] == texts.NOT_REGISTERED
    await feed(app, upd.text(742, "我没有码"))
    assert tg.texts()[-1] == texts.NOT_REGISTERED


async def test_photo_reply_names_what_is_handled(app, core, tg, upd):
    await register(core, app, upd, tg, 750)
    await feed(app, upd.photo(750))
    reply = tg.texts()[-1]
    assert "文字、语音和文件" in reply and "附件" in reply


# -- problem 4: models warmed at start-up, not on the first message --------------------------------------


@pytest.fixture
def runner_env(tmp_path, monkeypatch):
    from deputy_assistant.config import get_settings

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _fake_kb(monkeypatch, kb, *, fail: bool = False) -> list[str]:
    asked: list[str] = []

    def answer(question, *a, **kw):
        asked.append(question)
        if fail:
            raise RuntimeError("model files missing")
        return None

    monkeypatch.setattr(kb, "answer", answer)
    monkeypatch.setattr("bot.runner.load_knowledge_base", lambda: kb)
    return asked


async def _start_and_stop(app, check) -> None:
    await app.initialize()
    try:
        await app.post_init(app)
        await check()
    finally:
        await app.post_shutdown(app)
        await app.shutdown()


async def test_runner_warms_the_models_before_the_first_message(runner_env, monkeypatch, kb):
    from bot import runner
    from bot.deps import WARM_UP_QUESTION

    asked = _fake_kb(monkeypatch, kb)
    speech: list[int] = []
    monkeypatch.setattr("bot.deps.warm_up_speech", lambda: speech.append(1))
    monkeypatch.setattr("bot.runner.default_transcriber", lambda: (lambda data: None))
    opts = runner.RunOptions.from_settings()
    assert opts.warm_up is True  # on by default for `bot run`
    tg = FakeTelegram()
    app = runner.build(opts, request=tg)
    assert asked == []  # not while building

    async def check() -> None:
        assert asked == [WARM_UP_QUESTION] and speech == [1]

    await _start_and_stop(app, check)


async def test_failed_warm_up_is_logged_and_the_bot_still_answers(runner_env, monkeypatch, kb, upd, caplog):
    from bot import runner

    asked = _fake_kb(monkeypatch, kb, fail=True)

    def broken_speech() -> None:
        raise OSError("vosk model missing")

    monkeypatch.setattr("bot.deps.warm_up_speech", broken_speech)
    monkeypatch.setattr("bot.runner.default_transcriber", lambda: (lambda data: None))
    tg = FakeTelegram()
    app = runner.build(runner.RunOptions.from_settings(), request=tg)

    async def check() -> None:
        assert asked  # it was tried
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any("warm-up retrieval failed" in w for w in warnings)
        assert any("warm-up speech failed" in w for w in warnings)
        tg.clear()
        await feed(app, upd.text(760, "/start"))
        assert texts.NOT_REGISTERED in tg.texts()[-1]

    with caplog.at_level(logging.INFO, logger="bot.deps"):
        await _start_and_stop(app, check)


async def test_warm_up_can_be_switched_off(runner_env, monkeypatch, kb):
    from bot import runner

    monkeypatch.setenv("DEPUTY_BOT_WARM_UP", "false")
    from deputy_assistant.config import get_settings

    get_settings.cache_clear()
    asked = _fake_kb(monkeypatch, kb)
    opts = runner.RunOptions.from_settings()
    assert opts.warm_up is False
    app = runner.build(opts, request=FakeTelegram())

    async def check() -> None:
        await asyncio.sleep(0)
        assert asked == []

    await _start_and_stop(app, check)
