"""Real recognition with vosk-model-small-cn-0.22 over the committed fixtures (skips without the model)."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from speech_testutil import FIXTURES, tone

from speech.decode import SAMPLE_RATE, Pcm, decode, encode
from speech.errors import NoSpeech, NotAudio, RecognizerBusy, SilentAudio
from speech.recognizer import Recognizer, Transcript

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["liexi.ogg", "liexi.mp3", "liexi.m4a", "liexi_8k_stereo.wav"])
def test_each_format_is_recognised_and_corrected(recognizer, name):
    t = recognizer.transcribe_sync(FIXTURES / name)
    assert isinstance(t, Transcript)
    # the small model hears 练习 (practise) for 列席 (attend as a non-voting member) ...
    assert "练习" in t.raw_text
    # ... and the domain correction puts it right, leaving the rest of the sentence alone
    assert t.text.startswith("代表可以列席本级人大常委会会议")
    assert ("练习", "列席") in t.corrections
    assert 0.0 < t.confidence <= 1.0
    assert t.duration_s == pytest.approx(3.34, abs=0.1)


def test_place_name_and_month_are_normalised(recognizer):
    t = recognizer.transcribe_sync(FIXTURES / "ningxia.ogg")
    assert t.text == "宁夏代表团8月有什么安排"
    assert "八月份" in t.raw_text


def test_everyday_speech_is_left_alone(recognizer):
    t = recognizer.transcribe_sync(FIXTURES / "plain.ogg")
    assert t.text == t.raw_text == "今天天气很好我们去公园散步"
    assert t.corrections == []


def test_stage_timings_are_reported_but_not_serialised(recognizer):
    t = recognizer.transcribe_sync(FIXTURES / "plain.ogg")
    stages = ("decode", "recognise", "correct")
    assert set(t.timings) == {f"{s}_s" for s in stages} | {f"{s}_cpu_s" for s in stages}
    assert all(v >= 0 for v in t.timings.values())
    assert t.timings["recognise_cpu_s"] > 0
    assert "timings" not in t.to_json()


def test_reused_kaldi_recogniser_carries_nothing_from_the_previous_note(vosk_model_dir):
    """The Kaldi recogniser is kept between notes (its on-the-fly graph cache makes later notes
    about 2.5x cheaper), but every note must start a new feature pipeline. The previous note here
    is loud and noisy and ends in 2 s of silence, so Vosk reports an endpoint at its end, where
    FinalResult() alone would leave the pipeline open: the next note's best-path score then fell
    by 10 % and its text changed (CMVN / i-vector adaptation carried over)."""
    rec = Recognizer(vosk_model_dir, max_workers=1)
    try:
        note = decode(FIXTURES / "liexi.ogg")
        first = rec.recognize_pcm(note)
        kaldi = rec._idle[0]
        rng = np.random.default_rng(0)
        loud = np.clip(np.tile(note.samples.astype(np.float64) * 4, 3) + rng.normal(0, 3000, 3 * note.samples.size), -32768, 32767)
        rec.recognize_pcm(Pcm(np.concatenate([loud, np.zeros(2 * SAMPLE_RATE)]).astype(np.int16)))
        again = rec.recognize_pcm(note)
        assert rec._idle == [kaldi]  # the same recogniser served all three notes
        assert again.text == first.text
        # Kaldi's dither moves the best-path score by about 0.5 %.
        assert again.score == pytest.approx(first.score, rel=0.03)
    finally:
        rec.close()


def test_alternatives_are_distinct_readings(recognizer):
    t = recognizer.transcribe_sync(FIXTURES / "liexi.ogg")
    assert t.text not in t.alternatives
    assert len(set(t.alternatives)) == len(t.alternatives)


def test_bad_inputs_raise_typed_errors(recognizer):
    with pytest.raises(NotAudio):
        recognizer.transcribe_sync(b"not audio" * 100)
    with pytest.raises(SilentAudio):
        recognizer.transcribe_sync(encode(Pcm(np.zeros(2 * SAMPLE_RATE, np.int16)), "ogg"))


def test_a_pure_tone_yields_no_speech(recognizer):
    with pytest.raises(NoSpeech) as err:
        recognizer.transcribe_sync(encode(Pcm(tone(2.0, freq=1000.0)), "ogg"))
    assert "没有识别出" in err.value.user_message


async def test_async_transcribe_matches_sync(recognizer):
    data = (FIXTURES / "ningxia.ogg").read_bytes()
    t = await recognizer.transcribe(data)
    assert t.text == recognizer.transcribe_sync(data).text


async def test_ten_voice_notes_at_once_keep_the_event_loop_responsive(recognizer):
    """Ten simultaneous notes: all are recognised, at most two at a time, and the event loop keeps
    serving other work (a text query would not wait for speech)."""
    notes = [(FIXTURES / n).read_bytes() for n in ["liexi.ogg", "ningxia.ogg", "plain.ogg", "liexi.mp3", "liexi.m4a"]] * 2
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker():
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    results = await asyncio.gather(*(recognizer.transcribe(n) for n in notes))
    stop.set()
    await tick
    assert [r.text for r in results[:3]] == [results[5].text, results[6].text, results[7].text]
    assert results[1].text == "宁夏代表团8月有什么安排"
    assert recognizer.pending == 0
    # recognition takes seconds; the loop never stalls for anything near that
    assert len(gaps) > 20 and max(gaps) < 0.5


async def test_queue_is_bounded(vosk_model_dir):
    rec = Recognizer(vosk_model_dir, max_workers=1, max_pending=2)
    try:
        data = (FIXTURES / "liexi.ogg").read_bytes()
        results = await asyncio.gather(*(rec.transcribe(data) for _ in range(5)), return_exceptions=True)
        busy = [r for r in results if isinstance(r, RecognizerBusy)]
        done = [r for r in results if isinstance(r, Transcript)]
        assert len(done) == 2 and len(busy) == 3
        assert "稍后再试" in busy[0].user_message
        # once the queue drains, new work is accepted again
        assert (await rec.transcribe(data)).text == done[0].text
    finally:
        rec.close()


def test_long_note_split_by_pauses_is_recognised_whole(recognizer):
    """Vosk ends an utterance at a pause; segments must be joined, not lost."""
    a = decode(FIXTURES / "plain.ogg").samples
    b = decode(FIXTURES / "ningxia.ogg").samples
    gap = np.zeros(SAMPLE_RATE * 2, np.int16)
    t = recognizer.transcribe_sync(Pcm(np.concatenate([a, gap, b, gap, a])))
    assert t.text.count("公园散步") == 2 and "宁夏代表团8月" in t.text
    assert t.duration_s == pytest.approx((2 * len(a) + len(b) + 2 * len(gap)) / SAMPLE_RATE, abs=0.01)


def test_shared_recognizer_is_one_per_process(vosk_model_dir, monkeypatch):
    monkeypatch.setattr(Recognizer, "_shared", None)
    a = Recognizer.shared(vosk_model_dir)
    assert Recognizer.shared() is a
    a.close()
