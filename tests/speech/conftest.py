"""Fixtures of the speech tests: committed audio files and the real Vosk model (skips if absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture(scope="session")
def vosk_model_dir() -> Path:
    from deputy_assistant.models import ModelMissingError, model_path

    try:
        return model_path("vosk-model-small-cn-0.22")
    except ModelMissingError as exc:
        pytest.skip(f"Vosk model not provisioned (run `deputy-assistant models fetch`): {exc}")


@pytest.fixture(scope="session")
def recognizer(vosk_model_dir):
    from speech.recognizer import Recognizer

    rec = Recognizer(vosk_model_dir)
    yield rec
    rec.close()


def tone(seconds: float, rate: int = 16_000, amp: float = 0.3, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amp * 32767).astype(np.int16)
