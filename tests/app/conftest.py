"""Fixtures for the app tests: a deterministic PromptLabApp, a settle helper, a seeded budget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timezone
from pathlib import Path

import pytest

FIXED_NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # mid-month: stable periods and projections


@pytest.fixture(autouse=True)
def test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cursor blink (stable snapshots)."""
    monkeypatch.setenv("PROMPTLAB_TEST", "1")


@pytest.fixture
def make_app() -> Callable[..., object]:
    """PromptLabApp with a frozen duration clock and a pinned 'now' for the budget."""
    from promptlab_tui.app import PromptLabApp

    made = []

    def factory(**kwargs):
        kwargs.setdefault("setup_wizard", False)
        kwargs.setdefault("cursor_blink", False)
        kwargs.setdefault("clock", lambda: 0.0)
        kwargs.setdefault("now", lambda: FIXED_NOW)
        app = PromptLabApp(**kwargs)
        made.append(app)
        return app

    yield factory
    for app in made:
        app.services.close()


async def settle(pilot, rounds: int = 200) -> None:
    """Wait until no worker runs and no preview is pending (polls; each round yields to the app)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        for worker in list(app.workers):
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):  # a superseded preview; failures surface in the app
                pass
        await pilot.pause()
        lab = lab_screen(app)
        busy = any(w.is_running for w in app.workers) or (lab is not None and lab.preview_pending)
        if not busy:
            return
        await pilot.pause(0.02)
    raise AssertionError("the app did not settle")


@pytest.fixture
def needs_vocab() -> None:
    """Skip when the tiktoken vocabularies are not cached (checked when the test runs, not at import)."""
    import os

    cache = os.environ.get("TIKTOKEN_CACHE_DIR")
    if not cache or not Path(cache, "fb374d419588a4632f3f557e76b4b70aebbca790").exists():
        pytest.skip("tiktoken vocabularies not cached")


def lab_screen(app):
    from promptlab_tui.screens.lab.lab_screen import LabScreen

    for screen in app.screen_stack:
        if isinstance(screen, LabScreen):
            return screen
    return None


def seed_budget(home: Path, *, monthly_usd: str | None = "10", daily_usd: str | None = None,
                thresholds: tuple[int, ...] = (75, 90, 100), mode: str = "hard",
                max_tokens_per_prompt: int | None = None) -> None:
    """Write a budget into the test home's history, as `promptlab budget set` would."""
    from promptlab_tui.core.budget import BudgetSettings
    from promptlab_tui.core.money import usd_to_nanos
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        repo.save_budget(BudgetSettings(
            monthly_limit_nanos=usd_to_nanos(monthly_usd) if monthly_usd else None,
            daily_limit_nanos=usd_to_nanos(daily_usd) if daily_usd else None,
            thresholds=thresholds, mode=mode, max_tokens_per_prompt=max_tokens_per_prompt, timezone="UTC"))
    finally:
        repo.close()


def seed_spend(home: Path, cost_usd: str, *, when: datetime = FIXED_NOW, model: str = "gpt-4o-mini") -> None:
    """One settled run costing `cost_usd`, created at `when` (so it counts in the pinned period)."""
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.core.money import usd_to_nanos
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        pending = PendingRun(provider="openai", model=model, max_tokens=100, estimate_input_tokens=10,
                             estimate_output_tokens=10, expected_cost_nanos=0, worst_cost_nanos=0,
                             created_at=when)
        repo.reserve_run(pending, None, now=when)
        cost = CostBreakdown(input_nanos=usd_to_nanos(cost_usd))
        repo.settle_run(pending.run_id, Usage(input_tokens=10, output_tokens=10), cost, "completed",
                        finished_at=when)
    finally:
        repo.close()
