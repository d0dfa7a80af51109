"""Dashboard reports read the rollups, and always equal sums over the raw rows (exact nanos, unpriced runs)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import Usage
from tests.store.conftest import cost, run_once

UTC = timezone.utc
NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)  # the day London moves to summer time
MODELS = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("anthropic", "claude-3-5-haiku")]


def fill(repo, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(count):
        provider, model = rng.choice(MODELS)
        created = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 12))
        actual = None if rng.random() < 0.15 else rng.randrange(0, 5_000_000)
        run = PendingRun(provider=provider, model=model, max_tokens=500, estimate_input_tokens=100,
                         estimate_output_tokens=200, expected_cost_nanos=None, worst_cost_nanos=actual,
                         prompt_name=rng.choice(["a", "b", "c", None]), created_at=created)
        repo.reserve_run(run, None, now=created)
        repo.settle_run(run.run_id, Usage(input_tokens=rng.randrange(1000), output_tokens=rng.randrange(500)),
                        None if actual is None else cost(actual),
                        rng.choice(["completed", "completed", "error", "cancelled"]), finished_at=created)


def raw_groups(repo, start, end, key):
    """{key: [runs, cost, unpriced, input, output]} summed in Python over every settled run in [start, end)."""
    groups: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    for run in repo.iter_runs(start, end):
        if run.status == "pending":
            continue
        sums = groups[key(run)]
        sums[0] += 1
        sums[1] += run.cost_nanos or 0
        sums[2] += run.cost_nanos is None
        sums[3] += run.input_tokens
        sums[4] += run.output_tokens
    return dict(groups)


def as_sums(group) -> list[int]:
    return [group.runs, group.cost_nanos, group.unpriced_runs, group.input_tokens, group.output_tokens]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start_minutes=st.integers(0, 60 * 24 * 13), length_minutes=st.integers(1, 60 * 24 * 14),
       on_midnights=st.booleans(), zone_name=st.sampled_from(["Europe/London", "America/New_York", "UTC"]))
def test_reports_equal_sums_over_the_raw_rows_for_any_range_and_zone(tmp_path_factory, start_minutes, length_minutes,
                                                                      on_midnights, zone_name):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(tmp_path_factory.mktemp("db") / "history.db")
    try:
        repo.save_budget(BudgetSettings(timezone="Europe/London"))  # the rollup keeps London days
        fill(repo, 60, seed=start_minutes)
        start = NOW - timedelta(days=13) + timedelta(minutes=start_minutes)
        end = start + timedelta(minutes=length_minutes)
        if on_midnights:  # whole local days: everything from the rollup
            london = ZoneInfo("Europe/London")
            start = datetime.combine(start.astimezone(london).date(), datetime.min.time(), london).astimezone(UTC)
            end = datetime.combine(end.astimezone(london).date(), datetime.min.time(), london).astimezone(UTC)
            end += timedelta(days=1)

        by_model = {(g.provider, g.key): as_sums(g) for g in repo.spend_by_model(start, end)}
        assert by_model == raw_groups(repo, start, end, lambda r: (r.provider, r.model))

        tz = ZoneInfo(zone_name)
        by_day = {g.key: as_sums(g) for g in repo.spend_by_day(start, end, tz_name=zone_name)}
        assert by_day == raw_groups(repo, start, end, lambda r: r.created_at.astimezone(tz).date().isoformat())
        assert list(by_day) == sorted(by_day)

        expected = raw_groups(repo, start, end, lambda r: r.prompt_name or "")
        top = repo.top_prompts(start, end, limit=2)
        assert [as_sums(g) for g in top] == [expected[g.key] for g in top]
        ranked = sorted(expected.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
        assert [g.key for g in top] == [name for name, _ in ranked[:2]]
    finally:
        repo.close()


def test_spend_by_day_defaults_to_the_budgets_zone_and_lists_only_days_with_runs(repo):
    repo.save_budget(BudgetSettings(timezone="America/New_York"))
    run_once(repo, 1_000, created_at=datetime(2024, 3, 15, 2, 30, tzinfo=UTC))  # 14 March, 22:30 in New York
    run_once(repo, None, created_at=datetime(2024, 3, 17, 15, 0, tzinfo=UTC))
    days = repo.spend_by_day(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    assert [(d.key, d.runs, d.cost_nanos, d.unpriced_runs) for d in days] == [
        ("2024-03-14", 1, 1_000, 0), ("2024-03-17", 1, 0, 1)]


def test_pending_runs_and_runs_outside_the_range_are_not_counted(repo):
    from tests.store.conftest import pending

    repo.save_budget(BudgetSettings(timezone="UTC"))
    run_once(repo, 500, created_at=datetime(2024, 5, 1, 10, tzinfo=UTC))
    run_once(repo, 700, created_at=datetime(2024, 5, 2, 0, 0, tzinfo=UTC))  # the end is exclusive
    repo.reserve_run(pending(9_000, created_at=datetime(2024, 5, 1, 11, tzinfo=UTC)), None,
                     now=datetime(2024, 5, 1, 11, tzinfo=UTC))
    start, end = datetime(2024, 5, 1, 9, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)
    assert [(g.key, g.runs, g.cost_nanos) for g in repo.spend_by_model(start, end)] == [("gpt-4o-mini", 1, 500)]
    assert [(g.key, g.cost_nanos) for g in repo.top_prompts(start, end)] == [("greet", 500)]
    assert repo.spend_by_model(end, start) == [] and repo.top_prompts(start, end, limit=0) == []


def test_reports_of_an_empty_history_are_empty(repo):
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
    assert repo.spend_by_model(start, end) == [] and repo.spend_by_day(start, end) == []
    assert repo.top_prompts(start, end) == []
