"""Fixtures for the store tests: a repository on a fresh database in the test's own folder."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
DOLLAR = 1_000_000_000


@pytest.fixture
def repo(tmp_path: Path):
    repository = HistoryRepository(tmp_path / "history.db")
    yield repository
    repository.close()


def pending(worst: int | None = 100_000, *, model: str = "gpt-4o-mini", created_at: datetime | None = None,
            prompt_name: str | None = "greet", estimate_input: int = 100, **extra) -> PendingRun:
    return PendingRun(provider="openai", model=model, max_tokens=500, estimate_input_tokens=estimate_input,
                      estimate_output_tokens=200, expected_cost_nanos=None if worst is None else worst // 2,
                      worst_cost_nanos=worst, price_version="openai/gpt-4o-mini@2024-07-18",
                      prompt_name=prompt_name, **{"prompt_id": "abc123", "tags": ("demo",), **extra},
                      prompt_text="Hello", created_at=created_at)


def cost(total: int, version: str = "openai/gpt-4o-mini@2024-07-18") -> CostBreakdown:
    """A breakdown whose components add up to `total`."""
    return CostBreakdown(input_nanos=total // 3, output_nanos=total - total // 3, price_version=version)


def run_once(repo: HistoryRepository, actual: int | None, *, created_at: datetime | None = None,
             status: str = "completed", usage: Usage | None = None, **extra) -> str:
    reservation = repo.reserve_run(pending(max(actual or 0, 1), created_at=created_at, **extra), None,
                                   now=created_at)
    repo.settle_run(reservation.run_id, usage or Usage(input_tokens=90, output_tokens=150),
                    None if actual is None else cost(actual), status, response_text="Hi!", duration_ms=321,
                    finished_at=created_at)
    return reservation.run_id
