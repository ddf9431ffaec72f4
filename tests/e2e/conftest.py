from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bot"))

from emulator_client import Emulator, EmulatorUnavailable  # noqa: E402
from fixture_docs import kb, kb_index  # noqa: E402,F401  (shared fixtures)
from storage.testing import database_url_for_tests, isolated_database  # noqa: E402


@pytest.fixture(scope="module")
def emulator():
    try:
        emu = Emulator().start()
    except EmulatorUnavailable as exc:
        pytest.skip(f"telegram-test-api emulator unavailable: {exc}")
    yield emu
    emu.stop()


