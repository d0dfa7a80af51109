"""A RunService wired to the fake provider through the environment (real SDKs, real SQLite history)."""

from __future__ import annotations

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.services.runner import RunService
from promptlab_tui.store.repository import HistoryRepository


def prompt(text: str = "Name three primes.", model: str = "gpt-4o-mini", max_tokens: int = 64,
           system: str | None = "You are terse.", name: str | None = "primes") -> PromptSpec:
    messages = ([ChatMessage("system", system)] if system else []) + [ChatMessage("user", text)]
    return PromptSpec(messages=messages, model=model, max_tokens=max_tokens, name=name)


def set_budget(**fields: object) -> BudgetSettings:
    settings = BudgetSettings(timezone="UTC", **fields)  # type: ignore[arg-type]
    HistoryRepository().save_budget(settings)
    return settings


@pytest.fixture
def service(fake_provider_env) -> RunService:
    return RunService()


@pytest.fixture
def history() -> HistoryRepository:
    return HistoryRepository()
