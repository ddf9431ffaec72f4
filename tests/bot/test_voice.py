"""Voice notes through the real Vosk recogniser (speech package); Telegram faked at HTTP only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from botharness import feed, register

SHARED = Path(__file__).resolve().parents[3] / "shared"
SPEECH = SHARED / "eval" / "speech"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recognizer():
    if not SPEECH.is_dir():
        pytest.skip("../shared/eval/speech is absent")
    from deputy_assistant.models import ModelMissingError
    from speech.recognizer import Recognizer

    try:
        return Recognizer.shared()
    except ModelMissingError as exc:
        pytest.skip(f"Vosk model not provisioned: {exc}")


@pytest.fixture
def transcribe(recognizer):
    async def _t(data: bytes):
        return await recognizer.transcribe(data)

    return _t


def _ogg(name: str, snr_db: float | None = None) -> bytes:
    """A Telegram-like voice note (OGG/Opus 48 kHz) from a shared recording, optionally noisy."""
    from speech.decode import Pcm, decode, encode

    pcm = decode((SPEECH / name).read_bytes())
    if snr_db is None:
        return encode(pcm, "ogg")
    s = pcm.samples.astype(np.float32)
    noise = np.random.default_rng(0).normal(0, np.sqrt(np.mean(s**2) / 10 ** (snr_db / 10)), len(s))
    return encode(Pcm(np.clip(s + noise, -32768, 32767).astype(np.int16)), "ogg")


async def test_voice_note_is_transcribed_then_answered(app, core, tg, upd):
    await register(core, app, upd, tg, 200)
    tg.add_file("voice-1", _ogg("wenet_aishell-BAC009S0724W0121.wav"))
    await feed(app, upd.voice(200, "voice-1", duration=4))
    first = tg.sent("sendMessage")[0]
    assert first.text == "识别中…"
    edit = tg.sent("editMessageText")[-1]
    assert edit.text.startswith("您问的是：广州市房地产中介协会")
    assert "《广州市房地产中介协会简介》" in edit.text
    assert any(label == "原文1" for label, _ in edit.buttons())
    assert tg.downloads == ["voice-1"]


async def test_unsure_transcript_offers_alternatives(core, tg, upd):
    """Vosk's confidence on noisy audio is not stable enough to pin a test on, so this one test
    hands the bot a real ``Transcript`` value marked unsure instead of running the recogniser."""
    from bot.app import build_application
    from bot.deps import BotDeps
    from botharness import TOKEN
    from speech.recognizer import Transcript

    heard = Transcript(text="广州市房地产中介学会分析", raw_text="广州市房地产中介学会分析", confidence=0.41,
                       duration_s=3.0, alternatives=["广州市房地产中介协会分析", "广州是房地产中介协会分析"])

    async def unsure(data: bytes) -> Transcript:
        assert data == b"note"
        return heard

    application = build_application(BotDeps(core=core, transcribe=unsure), token=TOKEN, request=tg,
                                     get_updates_request=tg)
    async with application:
        await register(core, application, upd, tg, 201)
        tg.add_file("voice-2", b"note")
        await feed(application, upd.voice(201, "voice-2", duration=3))
        edit = tg.sent("editMessageText")[-1]
        assert edit.text.startswith("您问的是：广州市房地产中介学会分析") and "听得不太准" in edit.text
        assert [label for label, _ in edit.buttons()] == [*heard.alternatives, "都不对，我打字"]
        # the best guess is answered right away as well
        assert "《广州市房地产中介协会简介》" in tg.sent("sendMessage")[-1].text
        tg.clear()
        await feed(application, upd.callback(201, edit.buttons()[0][1]))
        assert tg.sent("sendMessage")[-1].text.startswith("您问的是：广州市房地产中介协会分析")
        tg.clear()  # none of the readings: the deputy is asked to type, nothing is answered
        await feed(application, upd.callback(201, edit.buttons()[-1][1]))
        assert tg.texts() == ["好的，请直接输入文字问题。"]
        assert tg.sent("editMessageReplyMarkup")  # the readings' buttons are gone


async def test_corrupted_voice_note_gets_clear_message(app, core, tg, upd):
    await register(core, app, upd, tg, 202)
    tg.add_file("bad", b"OggS" + bytes(range(256)) * 40)
    await feed(app, upd.voice(202, "bad"))
    edit = tg.sent("editMessageText")[-1]
    assert "语音" in edit.text or "音频" in edit.text
    assert "出错了" not in edit.text


async def test_twenty_megabyte_audio_is_refused_without_download(app, core, tg, upd):
    await register(core, app, upd, tg, 203)
    await feed(app, upd.audio(203, "huge", file_size=20 * 1024 * 1024 + 1, duration=40))
    assert tg.texts() == ["文件太大，请发送不超过 20 MB 的语音。"]
    assert tg.downloads == []


async def test_overlong_voice_is_refused_without_download(app, core, tg, upd):
    await register(core, app, upd, tg, 204)
    await feed(app, upd.voice(204, "long", duration=600, file_size=900_000))
    assert tg.texts() == ["语音太长，请控制在 60 秒以内。"]
    assert tg.downloads == []


async def test_audio_file_sent_as_document_is_transcribed(app, core, tg, upd):
    from speech.decode import decode, encode

    await register(core, app, upd, tg, 205)
    mp3 = encode(decode((SPEECH / "wenet_aishell-BAC009S0724W0121.wav").read_bytes()), "mp3")
    tg.add_file("doc-audio", mp3)
    await feed(app, upd.document(205, "doc-audio", "问题.mp3", mime="audio/mpeg", file_size=len(mp3)))
    assert tg.sent("editMessageText")[-1].text.startswith("您问的是：")
