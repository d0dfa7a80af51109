"""History queries, saved prompts, retention and explicit re-pricing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.types import CostBreakdown, Usage
from tests.store.conftest import DOLLAR, pending, run_once

UTC = timezone.utc
NOW = datetime(2024, 6, 20, 12, tzinfo=UTC)


def test_recent_runs_page_newest_first_without_gaps_or_repeats(repo):
    made = [run_once(repo, i, created_at=NOW - timedelta(minutes=i // 2)) for i in range(25)]  # ties in time
    seen, before = [], None
    while page := repo.recent_runs(limit=7, before=before):
        seen += [run.id for run in page]
        before = (page[-1].created_at, page[-1].id)
    assert sorted(seen) == sorted(made) and len(seen) == 25
    times = [repo.get_run(i).created_at for i in seen]
    assert times == sorted(times, reverse=True)
    assert repo.recent_runs(1)[0].prompt_text is None  # text only when asked for
    assert repo.recent_runs(1, include_text=True)[0].prompt_text == "Hello"


def test_history_page_holds_the_history_tables_columns_page_by_page(repo):
    made = [run_once(repo, 1000 + i, created_at=NOW - timedelta(minutes=i // 2), prompt_name=f"p{i % 2}",
                     usage=Usage(input_tokens=90, output_tokens=150, cached_input_tokens=10))
            for i in range(25)]
    seen, before = [], None
    while page := repo.history_page(limit=7, before=before):
        seen += page
        before = (page[-1].created_at, page[-1].id)
    assert [row.id for row in seen] == [run.id for run in repo.recent_runs(limit=100)]
    assert sorted(row.id for row in seen) == sorted(made)
    full = repo.get_run(seen[0].id)
    row = seen[0]
    assert (row.created_at, row.model, row.provider, row.status, row.prompt_name) == (
        full.created_at, full.model, full.provider, full.status, full.prompt_name)
    assert (row.input_tokens, row.output_tokens, row.cost_nanos, row.expected_cost_nanos, row.duration_ms) == (
        100, 150, full.cost_nanos, full.expected_cost_nanos, 321)
    assert row.estimate_error_percent == pytest.approx((full.cost_nanos - full.expected_cost_nanos) * 100
                                                       / full.expected_cost_nanos)
    assert {r.prompt_name for r in repo.history_page(50, prompt_name="p1")} == {"p1"}
    assert len(repo.history_page(50, prompt_name="p1")) == 12


def test_output_stats_and_calibration_come_from_completed_runs(repo):
    for tokens in range(1, 11):
        run_once(repo, 10, usage=Usage(input_tokens=110, output_tokens=tokens * 10), estimate_input=100)
    run_once(repo, 10, status="error", usage=Usage(input_tokens=5, output_tokens=9999), estimate_input=100)
    run_once(repo, 10, usage=Usage(output_tokens=7), model="claude-3-5-haiku", prompt_name="other")
    stats = repo.output_stats("gpt-4o-mini")
    assert (stats.mean, stats.p90, stats.count) == (55, 90, 10)
    assert repo.output_stats("gpt-4o-mini", prompt_name="other") is None
    assert repo.output_stats("claude-3-5-haiku", prompt_name="other").mean == 7
    assert repo.calibration_ratio("gpt-4o-mini") == pytest.approx(1.1)
    assert repo.calibration_ratio("no-such-model") is None


def test_spend_between_sums_a_range_and_budget_status_suggests_a_limit(repo):
    for days_ago in (40, 35, 20, 2, 0):
        run_once(repo, 2 * DOLLAR, created_at=NOW - timedelta(days=days_ago))
    run_once(repo, None, created_at=NOW)
    summary = repo.spend_between(NOW - timedelta(days=3), NOW + timedelta(seconds=1))
    assert (summary.runs, summary.cost_nanos, summary.unpriced_runs) == (3, 4 * DOLLAR, 1)
    statuses = {s.kind: s for s in repo.budget_status(BudgetSettings(monthly_limit_nanos=10 * DOLLAR,
                                                                     timezone="UTC"), now=NOW)}
    month = statuses["monthly"]
    assert (month.spent_nanos, month.limit_nanos, month.unpriced_runs) == (4 * DOLLAR, 10 * DOLLAR, 1)
    assert month.projected_nanos > month.spent_nanos
    assert month.suggested_limit_nanos >= max(month.projected_nanos, 6 * DOLLAR) * 6 // 5  # May: $6
    assert statuses["daily"].limit_nanos is None and statuses["daily"].spent_nanos == 2 * DOLLAR


def test_saved_prompts_crud(repo):
    repo.save_prompt_ref("greet", "prompts/greet.toml")
    repo.save_prompt_ref("summarise", "prompts/summarise.toml")
    assert repo.rename_prompt_ref("greet", "hello", "prompts/hello.toml")
    with pytest.raises(ValueError, match="exists already"):
        repo.rename_prompt_ref("hello", "summarise")
    assert repo.delete_prompt_ref("summarise") and not repo.delete_prompt_ref("summarise")
    assert [(p.name, p.path) for p in repo.saved_prompts()] == [("hello", "prompts/hello.toml")]


def test_retention_drops_old_texts_and_keeps_the_numbers(repo):
    old = run_once(repo, 500, created_at=NOW - timedelta(days=31))
    new = run_once(repo, 700, created_at=NOW - timedelta(days=29))
    assert repo.apply_retention(None, now=NOW) == 0
    assert repo.apply_retention(30, now=NOW) == 1
    dropped, kept = repo.get_run(old), repo.get_run(new)
    assert dropped.prompt_text is None and dropped.response_text is None and dropped.cost_nanos == 500
    assert kept.prompt_text == "Hello" and kept.response_text == "Hi!"
    assert repo.total_spend().cost_nanos == 1200


def test_reprice_dry_run_changes_nothing_and_the_real_run_writes_an_audit_row(repo):
    run_once(repo, 1_000, created_at=datetime(2024, 5, 10, tzinfo=UTC))
    run_once(repo, 2_000, created_at=datetime(2024, 6, 10, tzinfo=UTC))
    unpriced = run_once(repo, None, created_at=datetime(2024, 6, 11, tzinfo=UTC))
    open_run = repo.reserve_run(pending(5_000), None)  # pending runs are never re-priced

    def double(run):
        return CostBreakdown(input_nanos=run.input_tokens * 20, output_nanos=run.output_tokens * 20,
                             price_version="v2")

    preview = repo.reprice(double, dry_run=True)
    assert [(p.period, p.runs, p.runs_changed) for p in preview.periods] == [("2024-05", 1, 1), ("2024-06", 2, 2)]
    june = preview.periods[1]
    assert (june.old_cost_nanos, june.new_cost_nanos, june.old_unpriced_runs, june.new_unpriced_runs) == (
        2_000, 2 * (90 * 20 + 150 * 20), 1, 0)
    assert repo.total_spend().cost_nanos == 3_000 and repo.price_audits() == []

    applied = repo.reprice(double, dry_run=False)
    assert applied.audit_id is not None and applied.runs_changed == 3
    assert repo.get_run(unpriced).cost_nanos == 4_800 and repo.get_run(unpriced).price_version == "v2"
    assert repo.total_spend().cost_nanos == applied.new_cost_nanos == 3 * 4_800  # rollup recounted
    assert repo.get_run(open_run.run_id).pending
    [audit] = repo.price_audits()
    assert (audit["runs_changed"], audit["old_total_nanos"], audit["new_total_nanos"]) == (3, 3_000, 14_400)
    assert [p["period"] for p in audit["periods"]] == ["2024-05", "2024-06"]
    assert repo.reprice(double, dry_run=True).runs_changed == 0


def test_retention_is_incremental_and_catches_up_when_the_policy_shortens(repo):
    ids = [run_once(repo, 1, created_at=NOW - timedelta(days=age)) for age in (100, 40, 10, 1)]
    assert repo.apply_retention(60, now=NOW) == 1
    assert repo.apply_retention(60, now=NOW) == 0  # nothing new to drop
    assert repo.apply_retention(60, now=NOW + timedelta(days=25)) == 1  # the 40-day-old run is now 65 days old
    assert repo.apply_retention(30, now=NOW + timedelta(days=25)) == 1  # a shorter policy: the 10-day-old run
    assert [repo.get_run(i).prompt_text for i in ids] == [None, None, None, "Hello"]
    with pytest.raises(ValueError, match="-1 days"):
        repo.apply_retention(-1)


def test_limit_status_is_the_ledgers_view_of_the_limited_periods(repo):
    settings = BudgetSettings(daily_limit_nanos=DOLLAR, monthly_limit_nanos=10 * DOLLAR, timezone="UTC")
    run_once(repo, DOLLAR // 4, created_at=NOW)
    held = repo.reserve_run(pending(DOLLAR // 10), settings, now=NOW)
    statuses = repo.limit_status(settings, now=NOW)
    assert [(s.kind, s.spent_nanos, s.reserved_nanos) for s in statuses] == [
        ("daily", DOLLAR // 4, DOLLAR // 10), ("monthly", DOLLAR // 4, DOLLAR // 10)]
    assert repo.limit_status(BudgetSettings(timezone="UTC"), now=NOW) == []
    assert held.periods == statuses
