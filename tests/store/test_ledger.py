"""The ledger in one process: reserve before the call, settle after it, refuse what would pass a hard limit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from promptlab_tui.core.budget import BudgetRefusal, BudgetSettings, PromptTooLarge
from promptlab_tui.core.types import Usage
from promptlab_tui.store.ledger import LedgerError
from tests.store.conftest import DOLLAR, cost, pending, run_once

UTC = timezone.utc
NOW = datetime(2024, 5, 14, 15, 0, tzinfo=UTC)


def daily(limit_usd: int = 1, **extra) -> BudgetSettings:
    return BudgetSettings(daily_limit_nanos=limit_usd * DOLLAR, timezone="Europe/London", **extra)


def test_a_run_is_written_pending_with_its_worst_case_held_then_settled_to_its_cost(repo):
    settings = daily()
    reservation = repo.reserve_run(pending(300_000_000), settings, now=NOW)
    stored = repo.get_run(reservation.run_id)
    assert stored.status == "pending" and stored.reserved_nanos == 300_000_000 and stored.pid is not None
    [status] = repo.budget_status(settings, now=NOW)[:1]
    assert (status.spent_nanos, status.reserved_nanos) == (0, 300_000_000)

    settled = repo.settle_run(reservation.run_id, Usage(input_tokens=80, cached_input_tokens=20, output_tokens=40),
                              cost(12_345), "completed", response_text="Hi", duration_ms=812,
                              provider_cost_nanos=12_000)
    assert settled.status == "completed" and settled.cost_nanos == 12_345 and settled.cost.total_nanos == 12_345
    assert (settled.input_tokens, settled.cached_input_tokens, settled.output_tokens) == (80, 20, 40)
    assert settled.provider_cost_nanos == 12_000 and settled.response_text == "Hi" and settled.duration_ms == 812
    [status] = repo.budget_status(settings, now=NOW)[:1]
    assert (status.spent_nanos, status.reserved_nanos) == (12_345, 0)


def test_hard_mode_refuses_what_would_pass_the_limit_with_the_numbers_and_writes_nothing(repo):
    settings = daily(1)
    run_once(repo, 700_000_000, created_at=NOW - timedelta(hours=2))
    repo.reserve_run(pending(200_000_000), settings, now=NOW)  # still running: held
    with pytest.raises(BudgetRefusal) as refused:
        repo.reserve_run(pending(100_000_001), settings, now=NOW)
    refusal = refused.value
    assert refusal.scope == "daily"
    assert (refusal.spent_nanos, refusal.reserved_nanos, refusal.limit_nanos) == (700_000_000, 200_000_000, DOLLAR)
    assert refusal.worst_case_nanos == 100_000_001 and refusal.remaining_nanos == 100_000_000
    assert refusal.resets_at == datetime(2024, 5, 14, 23, tzinfo=UTC)  # midnight in London (BST)
    assert repo.count_runs() == 2
    # Exactly what is left still fits: no false block.
    assert repo.reserve_run(pending(100_000_000), settings, now=NOW).reserved_nanos == 100_000_000


def test_the_tightest_period_is_the_one_reported(repo):
    settings = BudgetSettings(daily_limit_nanos=5 * DOLLAR, weekly_limit_nanos=2 * DOLLAR,
                              monthly_limit_nanos=50 * DOLLAR, timezone="UTC")
    run_once(repo, DOLLAR + DOLLAR // 2, created_at=NOW - timedelta(days=1))  # Monday, same ISO week
    with pytest.raises(BudgetRefusal) as refused:
        repo.reserve_run(pending(DOLLAR), settings, now=NOW)
    assert refused.value.scope == "weekly" and refused.value.remaining_nanos == DOLLAR // 2


def test_warn_mode_records_the_run_and_says_which_limit_it_passes(repo):
    settings = daily(1, mode="warn")
    run_once(repo, 900_000_000, created_at=NOW - timedelta(minutes=5))
    reservation = repo.reserve_run(pending(200_000_000), settings, now=NOW)
    assert repo.get_run(reservation.run_id).status == "pending"
    assert len(reservation.warnings) == 1 and "daily budget" in reservation.warnings[0]


def test_per_run_cap_and_prompt_token_limit(repo):
    settings = BudgetSettings(max_cost_per_run_nanos=50_000, max_tokens_per_prompt=1000, timezone="UTC")
    with pytest.raises(BudgetRefusal) as refused:
        repo.reserve_run(pending(50_001), settings, now=NOW)
    assert refused.value.scope == "run" and "per-run cap" in str(refused.value)
    with pytest.raises(PromptTooLarge):
        repo.reserve_run(pending(10, estimate_input=1001), settings, now=NOW)
    assert repo.reserve_run(pending(50_000, estimate_input=1000), settings, now=NOW)
    assert repo.count_runs() == 1


def test_an_unpriced_run_holds_nothing_and_counts_as_a_run_without_a_price(repo):
    settings = daily(1)
    reservation = repo.reserve_run(pending(None), settings, now=NOW)
    assert reservation.reserved_nanos == 0
    repo.settle_run(reservation.run_id, Usage(input_tokens=10, output_tokens=5), None, "completed", finished_at=NOW)
    [status] = repo.budget_status(settings, now=NOW)[:1]
    assert status.spent_nanos == 0 and status.unpriced_runs == 1
    assert repo.get_run(reservation.run_id).cost_nanos is None


def test_settling_twice_never_counts_twice_and_unknown_runs_are_an_error(repo):
    reservation = repo.reserve_run(pending(1000), None, now=NOW)
    repo.settle_run(reservation.run_id, Usage(output_tokens=3), cost(600), "completed")
    again = repo.settle_run(reservation.run_id, Usage(output_tokens=3), cost(900), "completed")
    assert again.cost_nanos == 600
    assert repo.total_spend().cost_nanos == 600 and repo.total_spend().runs == 1
    with pytest.raises(LedgerError, match="no run"):
        repo.settle_run("no-such-run", None, None, "completed")
    with pytest.raises(LedgerError, match="pending"):
        repo.settle_run(reservation.run_id, None, None, "pending")


def test_a_cancelled_or_failed_run_still_records_what_was_spent(repo):
    settings = daily(1)
    first = repo.reserve_run(pending(500_000), settings, now=NOW)
    repo.checkpoint_run(first.run_id, 40)
    assert repo.get_run(first.run_id).checkpoint_output_tokens == 40
    repo.settle_run(first.run_id, Usage(input_tokens=100, output_tokens=40, estimated=True), cost(7_000),
                    "cancelled", response_text="partial", error="cancelled by the user")
    second = repo.reserve_run(pending(500_000), settings, now=NOW)
    repo.settle_run(second.run_id, Usage(input_tokens=100), cost(3_000), "error", error="stream broke")
    runs = {run.id: run for run in repo.recent_runs(10)}
    assert runs[first.run_id].usage_estimated and runs[first.run_id].status == "cancelled"
    assert runs[second.run_id].error == "stream broke"
    assert repo.budget_status(settings, now=NOW)[0].spent_nanos == 10_000
    assert repo.rollup_rows("2024-01-01", "2025-01-01")[0].error_runs == 1


def test_threshold_alerts_are_raised_once_per_threshold_per_period_until_acknowledged(repo):
    settings = daily(10)
    run_once(repo, 7_600_000_000, created_at=NOW - timedelta(hours=1))
    first = repo.record_threshold_alerts(settings, now=NOW)
    assert [(a.threshold, a.level, a.period_kind) for a in first] == [(75, "warning", "daily")]
    assert "75%" in first[0].message and "$7.60" in first[0].message and "$10.00" in first[0].message
    assert repo.record_threshold_alerts(settings, now=NOW) == []
    run_once(repo, 2_500_000_000, created_at=NOW - timedelta(minutes=30))
    second = repo.record_threshold_alerts(settings, now=NOW)
    assert [(a.threshold, a.level) for a in second] == [(90, "warning"), (100, "critical")]
    assert len(repo.alerts()) == 3
    assert repo.acknowledge_alert(second[0].id) == 1 and repo.acknowledge_alert(second[0].id) == 0
    assert len(repo.alerts()) == 2 and len(repo.alerts(include_acknowledged=True)) == 3
    # The next day is a new period: the same thresholds alert again when crossed.
    run_once(repo, 8_000_000_000, created_at=NOW + timedelta(days=1))
    assert len(repo.record_threshold_alerts(settings, now=NOW + timedelta(days=1, hours=1))) == 1
    assert repo.acknowledge_alert() == 3 and repo.alerts() == []


def test_budget_is_saved_and_read_back(repo):
    assert repo.get_budget() is None
    settings = BudgetSettings(daily_limit_nanos=2 * DOLLAR, monthly_limit_nanos=40 * DOLLAR, thresholds=(50, 100),
                              mode="warn", max_tokens_per_prompt=8000, timezone="America/New_York",
                              max_cost_per_run_nanos=DOLLAR // 10, max_cost_per_session_nanos=DOLLAR)
    repo.save_budget(settings)
    assert repo.get_budget() == settings
