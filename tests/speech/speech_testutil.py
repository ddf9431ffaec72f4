"""Helpers of the speech tests (a uniquely named module: ``conftest`` is ambiguous across test folders)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def tone(seconds: float, rate: int = 16_000, amp: float = 0.3, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amp * 32767).astype(np.int16)
