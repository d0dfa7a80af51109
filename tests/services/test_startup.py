"""Start-of-session maintenance: orphans settled, then the retention policy applied, once, and never a blocker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.services.context import ServiceContext
from promptlab_tui.store.repository import HistoryRepository


def old_run(days: int) -> str:
    repo = HistoryRepository()
    when = datetime.now(UTC) - timedelta(days=days)
    reservation = repo.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000,
                                              prompt_text="old prompt", created_at=when), None)
    repo.settle_run(reservation.run_id, Usage(input_tokens=11, output_tokens=6), CostBreakdown(input_nanos=7),
                    "completed", response_text="old answer", finished_at=when)
    repo.close()
    return reservation.run_id


def test_retention_drops_old_text_and_keeps_the_numbers(isolated_home):
    old, recent = old_run(10), old_run(1)
    (isolated_home / "config.toml").write_text("retention_days = 5\n", encoding="utf-8")
    report = ServiceContext().startup_maintenance()
    assert report.texts_dropped == 1 and report.retention_problem is None
    history = HistoryRepository()
    dropped, kept = history.get_run(old), history.get_run(recent)
    assert dropped.prompt_text is None and dropped.response_text is None
    assert (dropped.input_tokens, dropped.output_tokens, dropped.cost_nanos) == (11, 6, 7)
    assert kept.prompt_text == "old prompt" and kept.response_text == "old answer"


def test_without_a_retention_policy_everything_is_kept(isolated_home):
    old = old_run(400)
    assert ServiceContext().startup_maintenance().texts_dropped == 0
    assert HistoryRepository().get_run(old).response_text == "old answer"


def test_it_runs_once_per_context(isolated_home, monkeypatch):
    (isolated_home / "config.toml").write_text("retention_days = 5\n", encoding="utf-8")
    context = ServiceContext()
    calls: list[int] = []
    original = HistoryRepository.apply_retention
    monkeypatch.setattr(HistoryRepository, "apply_retention",
                        lambda self, days, now=None: calls.append(days) or original(self, days, now))
    context.startup_maintenance()
    context.startup_maintenance()
    assert calls == [5]


def test_a_broken_config_skips_retention_and_says_why(isolated_home):
    old = old_run(10)
    (isolated_home / "config.toml").write_text("retention_days = 0\n", encoding="utf-8")
    report = ServiceContext().startup_maintenance()
    assert report.retention_problem and "retention_days" in report.retention_problem
    assert HistoryRepository().get_run(old).response_text == "old answer"


def test_tracking_off_touches_no_history(isolated_home):
    report = ServiceContext(tracking=False).startup_maintenance()
    assert report.settled == [] and report.texts_dropped == 0
    assert not (isolated_home / "promptlab.db").exists()
