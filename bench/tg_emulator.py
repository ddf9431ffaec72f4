"""A local Telegram Bot API emulator on 127.0.0.1 that enforces the broadcast limit.

* at most ``--rate`` accepted sendMessage calls in any sliding 1-second window; over it: 429 retry_after
* ``--p429`` of requests answered 429 (retry_after 1-3 s) and ``--p5xx`` answered 500/502 at random,
  in both cases without delivering
* chats listed in ``--blocked-every N`` (every N-th chat id) answer 403 Forbidden
* every delivery is appended (and flushed) to ``--log`` as "chat_id<TAB>message_id", so the benchmark can
  count duplicates and losses even when the *sender* is SIGKILLed. Like Telegram, a request that has
  arrived is processed even if its client dies meanwhile (the acceptance happens after the 20-80 ms latency).
* ``--trace FILE``: one line per sendMessage (monotonic time, HTTP status, chat id) for profiling.

Run: python bench/tg_emulator.py --port 8081 --log /tmp/delivered.tsv
GET /stats returns counters as JSON (``retry_after_s``: RetryAfter seconds demanded; ``first_request_t`` /
``last_delivery_t``: time.monotonic(), the same clock in every process on the machine).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import random
import time
from urllib.parse import parse_qs

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "代表履职助手", "username": "deputy_bench_bot"}


class Emulator:
    def __init__(self, rate: float, p429: float, p5xx: float, blocked_every: int, latency: tuple[float, float],
                 log_path: str, seed: int = 1) -> None:
        self.rate = rate
        self.p429 = p429
        self.p5xx = p5xx
        self.blocked_every = blocked_every
        self.latency = latency
        self.rng = random.Random(seed)
        self.window: collections.deque[float] = collections.deque()
        self.ids = itertools.count(1)
        self.log = open(log_path, "a", buffering=1)
        self.stats = collections.Counter()
        self.max_window = 0
        self.trace = None
        self.first_request = self.last_delivery = 0.0  # time.monotonic(): the same clock in every process

    def handle(self, method: str, params: dict) -> tuple[int, dict]:
        status, payload = self._handle(method, params)
        if self.trace is not None and method == "sendMessage":
            self.trace.write(f"{time.monotonic():.4f}\t{status}\t{params.get('chat_id', 0)}\n")
        return status, payload

    def _handle(self, method: str, params: dict) -> tuple[int, dict]:
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method != "sendMessage":
            return 200, {"ok": True, "result": True}
        self.stats["requests"] += 1
        now = time.monotonic()
        self.first_request = self.first_request or now
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if self.rate and len(self.window) >= self.rate:
            self.stats["429_limit"] += 1
            self.stats["retry_after_s"] += 1
            return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}}
        r = self.rng.random()
        if r < self.p429:
            ra = self.rng.randint(1, 3)
            self.stats["429_injected"] += 1
            self.stats["retry_after_s"] += ra
            return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {ra}",
                         "parameters": {"retry_after": ra}}
        if r < self.p429 + self.p5xx:
            code = self.rng.choice((500, 502))
            self.stats[f"{code}_injected"] += 1
            return code, {"ok": False, "error_code": code, "description": "Internal Server Error"}
        chat_id = int(params.get("chat_id", 0))
        if self.blocked_every and chat_id % self.blocked_every == 0:
            self.stats["403_blocked"] += 1
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        self.window.append(now)
        self.max_window = max(self.max_window, len(self.window))
        mid = next(self.ids)
        self.log.write(f"{chat_id}\t{mid}\n")
        self.stats["delivered"] += 1
        self.last_delivery = now
        return 200, {"ok": True, "result": {"message_id": mid, "date": int(time.time()),
                                            "chat": {"id": chat_id, "type": "private"},
                                            "from": BOT_USER, "text": params.get("text", "")}}

    async def serve_conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                verb, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                if path.startswith("/stats"):
                    status, payload = 200, {**self.stats, "max_in_1s_window": self.max_window,
                                            "first_request_t": self.first_request,
                                            "last_delivery_t": self.last_delivery}
                else:
                    params = _params(headers.get("content-type", ""), body)
                    await asyncio.sleep(self.rng.uniform(*self.latency))
                    status, payload = self.handle(path.rsplit("/", 1)[-1], params)
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                             f"Connection: keep-alive\r\n\r\n".encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
            pass
        finally:
            writer.close()


def _params(ctype: str, body: bytes) -> dict:
    if not body:
        return {}
    if "json" in ctype:
        return json.loads(body)
    if "multipart" in ctype:  # minimal: name="x"\r\n\r\nvalue parts
        out = {}
        for part in body.split(b"--"):
            if b'name="' in part and b"\r\n\r\n" in part:
                name = part.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
                out[name] = part.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n").decode("utf-8", "replace")
        return out
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--rate", type=float, default=30.0)
    ap.add_argument("--p429", type=float, default=0.002)
    ap.add_argument("--p5xx", type=float, default=0.01)
    ap.add_argument("--blocked-every", type=int, default=97)
    ap.add_argument("--latency-ms", type=float, nargs=2, default=(20.0, 80.0))
    ap.add_argument("--log", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trace", default=None, help="append monotonic-time, status, chat_id per sendMessage")
    a = ap.parse_args()
    emu = Emulator(a.rate, a.p429, a.p5xx, a.blocked_every, (a.latency_ms[0] / 1000, a.latency_ms[1] / 1000),
                   a.log, a.seed)
    if a.trace:
        emu.trace = open(a.trace, "a", buffering=1)
    server = await asyncio.start_server(emu.serve_conn, "127.0.0.1", a.port)
    print(f"ready {a.port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
