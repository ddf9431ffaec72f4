"""`python -m bot.cli run` as a real process (what `deputy-assistant bot run` starts), polling the
emulator: migrations at start-up, the built-in knowledge base, registration and an answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator_client import EmulatedUser

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "555:RUN-TOKEN"

pytestmark = pytest.mark.slow


async def test_bot_run_process_answers_over_the_emulator(emulator, tmp_path):
    from deputy_assistant.models import ModelMissingError, model_path

    try:
        model_path("multilingual-e5-small")
    except ModelMissingError as exc:
        pytest.skip(f"embedding model not provisioned: {exc}")
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{emulator.url}/bot",
           "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "bot.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        invite = subprocess.run([sys.executable, "-m", "storage.cli", "users", "invite", "--name", "王五"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert invite.returncode == 0, invite.stderr
        code = invite.stdout.strip()
        async with httpx.AsyncClient(timeout=30) as http:
            user = EmulatedUser(http, emulator.url, TOKEN, 777)
            await user.send(f"/start {code}")
            (welcome,) = await user.replies(timeout_s=180)  # start-up loads the models
            assert "王五，欢迎使用代表履职助手" in welcome["text"]
            await user.send("两摘两推是什么")
            (card,) = await user.replies(timeout_s=60)
            assert card["text"].startswith("<b>答：</b>") and "代表工作计划" in card["text"]
        assert proc.poll() is None, (tmp_path / "bot.log").read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    output = (tmp_path / "bot.log").read_text()
    assert "bot ready mode=polling" in output
    assert "两摘两推" not in output  # no message contents in the logs
    assert TOKEN not in output  # nor the token (httpx request logging is turned down)
