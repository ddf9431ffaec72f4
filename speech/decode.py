"""Decode any audio a phone or Telegram sends into 16 kHz mono int16 PCM, in process (PyAV).

OGG/Opus voice notes, MP3, M4A/AAC, WAV, FLAC... at any sample rate and channel count.
Limits (size, duration, silence) raise typed ``AudioError`` subclasses with Chinese messages;
corrupted input raises ``NotAudio`` rather than crashing.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from .errors import AudioTooLarge, AudioTooLong, NotAudio, SilentAudio

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
MAX_SECONDS = 60.0
MAX_BYTES = 20 * 1024 * 1024
# Loudest 30 ms frame below this RMS (int16 units, about -50 dBFS) counts as silence.
SILENCE_RMS = 100.0
_FRAME = 480  # 30 ms at 16 kHz

AudioInput = bytes | bytearray | memoryview | str | Path


@dataclass(frozen=True)
class Pcm:
    """16 kHz mono signed 16-bit little-endian samples."""

    samples: np.ndarray  # int16, shape (n,)
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def to_bytes(self) -> bytes:
        return self.samples.astype("<i2", copy=False).tobytes()


def _read_input(data: AudioInput, max_bytes: int) -> bytes:
    if isinstance(data, (str, Path)):
        path = Path(data)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise NotAudio("找不到该音频文件。", detail=str(exc)) from exc
        if size > max_bytes:
            raise AudioTooLarge(detail=f"{size} bytes")
        return path.read_bytes()
    raw = bytes(data)
    if len(raw) > max_bytes:
        raise AudioTooLarge(detail=f"{len(raw)} bytes")
    return raw


def decode(
    data: AudioInput,
    *,
    max_seconds: float = MAX_SECONDS,
    max_bytes: int = MAX_BYTES,
    silence_rms: float = SILENCE_RMS,
) -> Pcm:
    """Decode ``data`` (bytes or a file path) to 16 kHz mono int16 PCM.

    Raises AudioTooLarge, AudioTooLong, NotAudio (empty, corrupt, no audio stream) or SilentAudio.
    """
    raw = _read_input(data, max_bytes)
    if not raw:
        raise NotAudio(detail="empty input")
    # Decoding stops a little past the limit so an hour-long file costs no more than a minute.
    max_samples = int((max_seconds + 0.5) * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(raw), mode="r", metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise NotAudio(detail="no audio stream")
            stream = streams[0]
            # Containers that state their duration let us refuse before decoding anything.
            if stream.duration is not None and stream.time_base is not None:
                declared = float(stream.duration * stream.time_base)
                if declared > max_seconds + 0.5:
                    raise AudioTooLong(detail=f"{declared:.1f} s")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    total += arr.size
                if total > max_samples:
                    raise AudioTooLong(detail=f"> {max_seconds:.0f} s")
            for out in resampler.resample(None):  # flush the resampler's delay line
                arr = out.to_ndarray().reshape(-1)
                chunks.append(arr)
                total += arr.size
    except (AudioTooLong, NotAudio):
        raise
    except (av.FFmpegError, ValueError, IndexError, EOFError, OSError) as exc:
        # Truncated or corrupt bytes: keep what decoded cleanly if it is substantial, else refuse.
        if total >= SAMPLE_RATE // 2:
            log.warning("audio partly corrupt, keeping %.1f s: %s", total / SAMPLE_RATE, exc)
        else:
            raise NotAudio(detail=f"{type(exc).__name__}: {exc}") from exc
    if total == 0:
        raise NotAudio(detail="no samples decoded")
    samples = np.concatenate(chunks).astype(np.int16, copy=False)
    if samples.size > int(max_seconds * SAMPLE_RATE) + SAMPLE_RATE // 10:
        raise AudioTooLong(detail=f"{samples.size / SAMPLE_RATE:.1f} s")
    if _loudest_frame_rms(samples) < silence_rms:
        raise SilentAudio()
    return Pcm(samples)


def _loudest_frame_rms(samples: np.ndarray) -> float:
    n = samples.size // _FRAME
    if n == 0:
        return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if samples.size else 0.0
    frames = samples[: n * _FRAME].astype(np.float32).reshape(n, _FRAME)
    return float(np.sqrt((frames**2).mean(axis=1)).max())


def encode(
    pcm: Pcm | np.ndarray,
    fmt: str,
    *,
    rate: int = 48_000,
    channels: int = 1,
    bitrate: int = 24_000,
) -> bytes:
    """Encode PCM to ``fmt`` ("ogg" Opus, "mp3", "m4a" AAC, "wav"). Used to make fixtures and
    benchmark audio the way Telegram and phones do (voice notes: OGG/Opus 48 kHz mono 24 kbit/s)."""
    samples = pcm.samples if isinstance(pcm, Pcm) else np.asarray(pcm, dtype=np.int16)
    src_rate = pcm.sample_rate if isinstance(pcm, Pcm) else SAMPLE_RATE
    container_fmt, codec = {
        "ogg": ("ogg", "libopus"),
        "opus": ("ogg", "libopus"),
        "mp3": ("mp3", "libmp3lame"),
        "m4a": ("mp4", "aac"),
        "wav": ("wav", "pcm_s16le"),
    }[fmt]
    layout = "mono" if channels == 1 else "stereo"
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container_fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        if codec != "pcm_s16le":
            stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = src_rate
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=rate)
        for rs in list(resampler.resample(frame)) + list(resampler.resample(None)):
            for packet in stream.encode(rs):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()
