"""Runs the npm ``telegram-test-api`` emulator (tests/e2e/emulator.js) and plays the user's side
over its client HTTP API. Used by the end-to-end tests and bench/bot_latency.py."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
MODULE = HERE / "node_modules" / "telegram-test-api"


class EmulatorUnavailable(RuntimeError):
    pass


def ensure_installed(timeout_s: float = 180) -> None:
    """Install the emulator into tests/e2e/node_modules from package.json if it is not there."""
    if MODULE.is_dir():
        return
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise EmulatorUnavailable("node/npm not found")
    proc = subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                          text=True, timeout=timeout_s)
    if proc.returncode != 0 or not MODULE.is_dir():
        raise EmulatorUnavailable(f"npm install failed: {proc.stderr[-500:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 20) -> "Emulator":
        ensure_installed()
        self.proc = subprocess.Popen(["node", str(HERE / "emulator.js"), str(self.port)], cwd=HERE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("READY"):
                return self
            if self.proc.poll() is not None:
                break
        self.stop()
        raise EmulatorUnavailable("emulator did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class EmulatedUser:
    """One Telegram user talking to the bot through the emulator's client API."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, token: str, user_id: int, name: str = "张三") -> None:
        self.http, self.api, self.token, self.id = http, api_url, token, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": name}
        self.chat = {"id": user_id, "type": "private", "first_name": name}
        self._msg_ids = 1

    def _message(self, text: str) -> dict:
        self._msg_ids += 1
        return {"botToken": self.token, "from": self.user, "chat": self.chat, "date": int(time.time()),
                "text": text}

    async def send(self, text: str) -> None:
        msg = self._message(text)
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            r = await self.http.post(f"{self.api}/sendCommand", json=msg)
        else:
            r = await self.http.post(f"{self.api}/sendMessage", json=msg)
        r.raise_for_status()

    async def press(self, data: str, message_id: int) -> None:
        cq = {"botToken": self.token, "from": self.user, "data": data,
              "message": {"message_id": message_id, "date": int(time.time()), "chat": self.chat, "text": "…"}}
        (await self.http.post(f"{self.api}/sendCallback", json=cq)).raise_for_status()

    async def replies(self, n: int = 1, timeout_s: float = 120) -> list[dict]:
        """Wait for ``n`` new bot messages to this chat; each is {text, reply_markup, message_id, …}."""
        got: list[dict] = []
        deadline = time.monotonic() + timeout_s
        while len(got) < n:
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                raise TimeoutError(f"expected {n} replies, got {len(got)}")
            r = await self.http.post(f"{self.api}/waitUpdates",
                                     json={"token": self.token, "chatId": self.id, "timeoutMs": left_ms},
                                     timeout=left_ms / 1000 + 5)
            r.raise_for_status()
            for item in r.json().get("result", []):
                got.append({**item["message"], "message_id": item["messageId"]})
        return got


def buttons(message: dict) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}
