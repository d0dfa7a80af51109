"""Pytest fixtures for the fake provider (registered in tests/conftest.py through pytest_plugins).

    def test_x(fake_provider):            # a started FakeProviderServer, fresh for each test
        fake_provider.script(Behaviour.rate_limited(), Behaviour.reply("ok"))

    def test_y(fake_provider_env):        # same server, and OPENAI_/ANTHROPIC_ BASE_URL + API_KEY set
        ...                               # so code that reads the environment talks to it
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeprovider.server import FakeProviderServer

FAKE_API_KEY = "sk-test-fake-key"


@pytest.fixture
def fake_provider() -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        yield server


@pytest.fixture
def fake_provider_env(fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch) -> FakeProviderServer:
    for name, value in fake_provider.env(FAKE_API_KEY).items():
        monkeypatch.setenv(name, value)
    return fake_provider
