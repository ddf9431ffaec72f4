"""Round 9 of the new-user tester's findings on the bot's own messages: plain /start says how to register once;
a voice note that does not decode is called a damaged recording, not "please send a voice message".
The real PTB Application; Telegram faked at HTTP; audio through the real decoder (speech.decode)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot import texts
from botharness import feed, register

DAMAGED = "这条语音无法解码，可能已损坏。请重新录制，或直接发送文字。"


@pytest.fixture
def transcribe():
    """The real decoder in front of a stand-in recogniser: bad bytes are refused exactly as in production."""
    from speech.decode import decode

    async def _t(data: bytes):
        decode(data)
        return SimpleNamespace(text="代表有哪些权利", confidence=0.9, duration_s=2.0, alternatives=[])

    return _t


async def test_plain_start_says_how_to_register_once(app, tg, upd):
    await feed(app, upd.text(46, "/start"))
    (reply,) = tg.texts()
    assert reply == texts.NOT_REGISTERED
    assert "/start 邀请码" in reply and "ABCD2345EF" in reply  # how, with an example
    assert "后面加上邀请码" not in reply and reply.count("索取邀请码") == 1  # said once


@pytest.mark.parametrize("data", [b"OggS" + bytes(range(256)) * 40, bytes(4096), b""],
                         ids=["corrupt-ogg", "all-zero", "empty"])
async def test_undecodable_voice_note_is_called_damaged(app, core, tg, upd, data):
    await register(core, app, upd, tg, 202)
    tg.add_file("bad", data)
    await feed(app, upd.voice(202, "bad", file_size=max(len(data), 1)))
    assert tg.sent("editMessageText")[-1].text == DAMAGED


async def test_undecodable_audio_document_keeps_the_format_hint(app, core, tg, upd):
    await register(core, app, upd, tg, 203)
    tg.add_file("bad", bytes(4096))
    await feed(app, upd.document(203, "bad", "录音.ogg", mime="audio/ogg", file_size=4096))
    text = tg.sent("editMessageText")[-1].text
    assert text == "无法识别该文件的音频内容，请发送语音消息或 OGG、MP3、M4A、WAV 格式的音频。"
