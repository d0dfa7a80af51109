"""Helpers for provider tests: providers wired to the fake server through the config, waits recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from promptlab_tui.config import AppConfig, ProviderSettings, RetrySettings
from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.providers.base import Provider
from promptlab_tui.providers.registry import provider_for
from tests.fakeprovider.server import FakeProviderServer

TEST_KEY = "sk-test-provider-key-0123456789"

PROMPT = PromptSpec(
    messages=[ChatMessage("system", "You are terse."), ChatMessage("user", "Name three primes.")],
    model="gpt-4o-mini",
    max_tokens=64,
)


class RecordedWaits(list):
    """Stands in for the retry sleep: records each wait instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> RecordedWaits:
    return RecordedWaits()


def fake_config(server: FakeProviderServer, *, key: str = TEST_KEY, **retry: float) -> AppConfig:
    """A config whose built-in providers all point at the fake server, with a key in the file."""
    providers = {
        "openai": ProviderSettings(base_url=server.openai_base_url, api_key=key),
        "anthropic": ProviderSettings(base_url=server.anthropic_base_url, api_key=key),
        "openrouter": ProviderSettings(base_url=server.openai_base_url, api_key=key),
        "groq": ProviderSettings(base_url=server.openai_base_url, api_key=key),
    }
    settings = {"max_attempts": 3, "base_delay_seconds": 0.001, "max_total_wait_seconds": 5.0, **retry}
    return AppConfig(providers=providers, retry=RetrySettings(**settings), request_timeout_seconds=10.0)


@pytest.fixture
def make_provider(fake_provider: FakeProviderServer, waits: RecordedWaits) -> Callable[..., Provider]:
    def make(model: str = "gpt-4o-mini", provider: str = "openai", *, key: str = TEST_KEY,
             timeout: float | None = None, **retry: float) -> Provider:
        config = fake_config(fake_provider, key=key, **retry)
        if timeout is not None:
            config.request_timeout_seconds = timeout
        return provider_for(model, provider, config, sleep=waits)

    return make
