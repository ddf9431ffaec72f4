from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bot"))

from emulator_client import Emulator, EmulatorUnavailable  # noqa: E402
from fixture_docs import cached_index, fresh_copy  # noqa: E402
from storage.testing import database_url_for_tests, isolated_database  # noqa: E402


@pytest.fixture(scope="module")
def emulator():
    try:
        emu = Emulator().start()
    except EmulatorUnavailable as exc:
        pytest.skip(f"telegram-test-api emulator unavailable: {exc}")
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def kb_index(request):
    from deputy_assistant.models import ModelMissingError, model_path

    try:
        model_path("multilingual-e5-small")
    except ModelMissingError as exc:
        pytest.skip(f"embedding model not provisioned (run `deputy-assistant models fetch`): {exc}")
    return cached_index(request.config.cache.mkdir("deputy_bot_kb"))


@pytest.fixture
def kb(kb_index, tmp_path):
    return fresh_copy(kb_index, tmp_path / "kb")


