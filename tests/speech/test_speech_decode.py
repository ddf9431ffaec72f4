"""Decoding every format phones and Telegram send, and refusing bad audio with Chinese messages."""

from __future__ import annotations

import re

import numpy as np
import pytest
from speech_testutil import FIXTURES, tone

from speech.decode import SAMPLE_RATE, Pcm, decode, encode
from speech.errors import AudioError, AudioTooLarge, AudioTooLong, NotAudio, SilentAudio

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name", ["liexi.ogg", "liexi.mp3", "liexi.m4a", "liexi_8k_stereo.wav"])
def test_each_format_decodes_to_16k_mono_int16(name):
    pcm = decode(FIXTURES / name)
    assert pcm.sample_rate == SAMPLE_RATE
    assert pcm.samples.dtype == np.int16 and pcm.samples.ndim == 1
    assert 3.2 < pcm.duration_s < 3.6  # the same 3.34-s sentence in every container
    assert np.abs(pcm.samples).max() > 3000


def test_bytes_and_path_give_the_same_samples():
    a = decode(FIXTURES / "liexi.ogg")
    b = decode((FIXTURES / "liexi.ogg").read_bytes())
    assert np.array_equal(a.samples, b.samples)


@pytest.mark.parametrize("rate,channels", [(8_000, 1), (22_050, 2), (44_100, 2), (48_000, 1)])
def test_any_rate_and_channel_count(rate, channels):
    src = Pcm(tone(2.0))
    wav = encode(src, "wav", rate=rate, channels=channels)
    out = decode(wav)
    assert abs(out.duration_s - 2.0) < 0.02
    # a 440 Hz tone stays a 440 Hz tone after resampling and down-mixing
    spectrum = np.abs(np.fft.rfft(out.samples.astype(np.float32)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(out.samples)
    assert abs(peak_hz - 440) < 5


def test_over_sixty_seconds_is_refused():
    ogg = encode(Pcm(tone(61.0)), "ogg")
    with pytest.raises(AudioTooLong) as err:
        decode(ogg)
    assert "60 秒" in err.value.user_message


def test_limits_are_arguments():
    ogg = encode(Pcm(tone(3.0)), "ogg")
    with pytest.raises(AudioTooLong):
        decode(ogg, max_seconds=2.0)
    with pytest.raises(AudioTooLarge):
        decode(ogg, max_bytes=len(ogg) - 1)
    assert decode(ogg, max_seconds=3.5).duration_s == pytest.approx(3.0, abs=0.05)


def test_over_twenty_megabytes_is_refused_before_decoding(tmp_path):
    big = b"\0" * (20 * 1024 * 1024 + 1)
    with pytest.raises(AudioTooLarge) as err:
        decode(big)
    assert "20 MB" in err.value.user_message
    f = tmp_path / "big.ogg"
    f.write_bytes(big)
    with pytest.raises(AudioTooLarge):
        decode(f)


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is not audio at all" * 10, "这是一段文字，不是音频。".encode() * 50, bytes(range(256)) * 64,
     b"OggS" + bytes(range(256)) * 40],
    ids=["empty", "ascii", "chinese-text", "random", "fake-ogg-header"],
)
def test_not_audio_is_refused_with_chinese_message(data):
    with pytest.raises(NotAudio) as err:
        decode(data)
    assert HAN.search(err.value.user_message)


def test_corrupted_voice_note_never_crashes():
    data = (FIXTURES / "corrupt.ogg").read_bytes()
    try:
        pcm = decode(data)
    except AudioError as exc:
        assert HAN.search(exc.user_message)
    else:  # what decoded cleanly before the damage is kept
        assert pcm.duration_s > 0.5


def test_truncated_files_of_every_format_never_crash():
    for name in ["liexi.ogg", "liexi.mp3", "liexi.m4a", "liexi_8k_stereo.wav"]:
        data = (FIXTURES / name).read_bytes()
        for cut in (10, 100, len(data) // 3, len(data) - 7):
            try:
                decode(data[:cut])
            except AudioError as exc:
                assert exc.user_message


def test_missing_file_is_not_audio(tmp_path):
    with pytest.raises(NotAudio):
        decode(tmp_path / "nope.ogg")


def test_silence_is_refused():
    with pytest.raises(SilentAudio) as err:
        decode(encode(Pcm(np.zeros(3 * SAMPLE_RATE, dtype=np.int16)), "ogg"))
    assert "没有声音" in err.value.user_message
    # faint hiss well below speech level is silence too
    hiss = (np.random.default_rng(1).normal(0, 20, 3 * SAMPLE_RATE)).astype(np.int16)
    with pytest.raises(SilentAudio):
        decode(encode(Pcm(hiss), "wav"))


def test_voice_note_encoding_matches_telegram():
    import io

    import av

    ogg = encode(decode(FIXTURES / "liexi.ogg"), "ogg")
    with av.open(io.BytesIO(ogg)) as c:
        s = c.streams.audio[0]
        assert (c.format.name, s.codec_context.name, s.rate, s.channels) == ("ogg", "opus", 48_000, 1)


def test_one_syllable_heard_in_noise_is_no_question():
    """5 s of noise came out as “我” (confidence 0.15) and was answered from an unrelated plan item."""
    from speech.errors import NoSpeech
    from speech.recognizer import RawResult, finish

    with pytest.raises(NoSpeech):
        finish(RawResult(nbest=["我"], posteriors=[1.0], confidence=0.15, duration_s=5.0), None)
    assert finish(RawResult(nbest=["视察 安排"], posteriors=[1.0], confidence=0.9, duration_s=2.0), None).text == "视察安排"
