"""Fixtures of the speech tests: the real Vosk model (skips with a reason if not provisioned)."""

from __future__ import annotations

from pathlib import Path

import pytest


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
