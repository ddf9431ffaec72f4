"""A Telegram Bot API stand-in at the HTTP boundary, for tests and benchmarks.

``FakeTelegram`` is a ``telegram.request.BaseRequest``: the real ``Application`` and ``Bot`` run
unchanged; only the HTTP round trip is answered here. It records every API call, answers the
methods the bot uses with well-formed objects, and serves registered files for ``getFile``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "代表履职助手", "username": "deputy_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    # Uploaded files (sendDocument, sendPhoto …): part name -> (file name, content, mime type).
    uploads: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> dict | None:
        m = self.params.get("reply_markup")
        return json.loads(m) if isinstance(m, str) else m

    def buttons(self) -> list[tuple[str, str]]:
        m = self.markup or {}
        return [(b["text"], b.get("callback_data", "")) for row in m.get("inline_keyboard", []) for b in row]


_FILE_METHODS = {"sendDocument": ("document", "one"), "sendPhoto": ("photo", "sizes")}


class FakeTelegram(BaseRequest):
    def __init__(self, latency_s: float = 0.0) -> None:
        self.calls: list[ApiCall] = []
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []
        self.latency_s = latency_s
        self._ids = itertools.count(1000)
        self._event = asyncio.Event()

    # -- BaseRequest --------------------------------------------------------------------------
    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if "/file/bot" in url:
            path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            self.downloads.append(path)
            if path not in self.files:
                return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
            return 200, self.files[path]
        api_method = url.rsplit("/", 1)[1]
        params = dict(request_data.parameters) if request_data is not None else {}
        uploads = {}
        if request_data is not None and request_data.contains_files:
            for part, (name, content, mime) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                uploads[part] = (name, data, mime)
        self.calls.append(ApiCall(api_method, params, uploads))
        self._event.set()
        result = self._result(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict) -> dict:
        chat_id = int(params.get("chat_id", 1))
        msg = {"message_id": params.get("message_id") or next(self._ids), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER}
        if "text" in params:
            msg["text"] = params["text"]
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"] if isinstance(params["reply_markup"], dict) else json.loads(
                params["reply_markup"])
        return msg

    def _result(self, method: str, params: dict) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            return self._message(params)
        if method in _FILE_METHODS:
            msg = self._message(params)
            key, kind = _FILE_METHODS[method]
            media = {"file_id": f"sent-{msg['message_id']}", "file_unique_id": f"u-sent-{msg['message_id']}"}
            msg[key] = [dict(media, width=1, height=1)] if kind == "sizes" else media
            return msg
        if method == "getFile":
            fid = params["file_id"]
            return {"file_id": fid, "file_unique_id": f"u{fid}", "file_size": len(self.files.get(fid, b"")),
                    "file_path": fid}
        if method == "getUpdates":
            return []
        return True

    # -- helpers for tests ------------------------------------------------------------------
    def add_file(self, file_id: str, data: bytes) -> None:
        self.files[file_id] = data

    def sent(self, method: str | None = None) -> list[ApiCall]:
        wanted = (method,) if method else ("sendMessage", "editMessageText", "answerCallbackQuery")
        return [c for c in self.calls if c.method in wanted]

    def texts(self) -> list[str]:
        return [c.text for c in self.sent() if c.text]

    def clear(self) -> None:
        self.calls.clear()
        self.downloads.clear()


class UpdateFactory:
    """Builds real Bot API ``Update`` JSON as Telegram would deliver it."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @staticmethod
    def user(uid: int, name: str = "张三") -> dict:
        return {"id": uid, "is_bot": False, "first_name": name, "language_code": "zh-hans"}

    def _base(self, uid: int, **fields: Any) -> dict:
        msg = {"message_id": next(self._message_ids), "date": int(time.time()), "from": self.user(uid),
               "chat": {"id": uid, "type": "private", "first_name": "张三"}}
        msg.update(fields)
        return {"update_id": next(self._update_ids), "message": msg}

    def text(self, uid: int, text: str, *, reply_to: dict | None = None) -> dict:
        """``reply_to``: an update made by this factory; the new message replies to its message."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            fields["reply_to_message"] = reply_to["message"]
        return self._base(uid, **fields)

    def voice(self, uid: int, file_id: str, *, duration: int = 3, file_size: int = 1000,
              mime: str = "audio/ogg") -> dict:
        return self._base(uid, voice={"file_id": file_id, "file_unique_id": f"u{file_id}", "duration": duration,
                                      "mime_type": mime, "file_size": file_size})

    def audio(self, uid: int, file_id: str, *, duration: int = 3, file_size: int = 1000,
              mime: str = "audio/mpeg", file_name: str = "question.mp3") -> dict:
        return self._base(uid, audio={"file_id": file_id, "file_unique_id": f"u{file_id}", "duration": duration,
                                      "mime_type": mime, "file_size": file_size, "file_name": file_name})

    def document(self, uid: int, file_id: str, file_name: str, *, file_size: int = 1000, caption: str | None = None,
                 mime: str = "application/octet-stream") -> dict:
        fields: dict[str, Any] = {"document": {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                               "file_name": file_name, "mime_type": mime, "file_size": file_size}}
        if caption is not None:
            fields["caption"] = caption
        return self._base(uid, **fields)

    def sticker(self, uid: int) -> dict:
        return self._base(uid, sticker={"file_id": "stk", "file_unique_id": "ustk", "type": "regular", "width": 512,
                                        "height": 512, "is_animated": False, "is_video": False})

    def photo(self, uid: int) -> dict:
        return self._base(uid, photo=[{"file_id": "ph", "file_unique_id": "uph", "width": 90, "height": 90,
                                       "file_size": 1000}])

    def callback(self, uid: int, data: str, message_id: int = 1) -> dict:
        return {"update_id": next(self._update_ids),
                "callback_query": {"id": str(next(self._update_ids)), "from": self.user(uid), "chat_instance": "ci",
                                   "data": data,
                                   "message": {"message_id": message_id, "date": int(time.time()),
                                               "chat": {"id": uid, "type": "private"}, "from": BOT_USER,
                                               "text": "…"}}}
