"""Every setting comes from the one config object (DEPUTY_ env vars), including the bot's and the suggestions'."""

from __future__ import annotations

import pytest

from deputy_assistant.config import get_settings


@pytest.fixture
def fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_bot_run_options_come_from_deputy_env_vars(monkeypatch, fresh_settings):
    from bot.runner import RunOptions

    monkeypatch.setenv("DEPUTY_WEBHOOK_URL", "https://bot.example.org/")
    monkeypatch.setenv("DEPUTY_WEBHOOK_PORT", "9443")
    monkeypatch.setenv("DEPUTY_RATE_LIMIT_PER_MINUTE", "7")
    monkeypatch.setenv("DEPUTY_WEBHOOK_SECRET", "")  # empty means unset
    opts = RunOptions.from_settings(webhook=True)
    assert (opts.webhook, opts.webhook_url, opts.port, opts.rate_limit, opts.secret, opts.listen) == (
        True, "https://bot.example.org/", 9443, 7, "", "0.0.0.0")


def test_a_bad_port_is_refused_by_name(monkeypatch, fresh_settings):
    from pydantic import ValidationError

    monkeypatch.setenv("DEPUTY_WEBHOOK_PORT", "99999")
    with pytest.raises(ValidationError, match="webhook_port"):
        get_settings()


def test_cosponsor_thresholds_override_only_what_it_names(monkeypatch, fresh_settings):
    from suggestions.draft import default_thresholds

    default_thresholds.cache_clear()
    monkeypatch.setenv("DEPUTY_SUGGESTION_COSPONSOR_THRESHOLDS", '{"议案": {"county": 3}}')
    try:
        data = default_thresholds()
        assert data["议案"]["county"] == 3
        assert data["议案"]["national"] == 30 and data["delegation_suffices"]["national"] is True
    finally:
        default_thresholds.cache_clear()
