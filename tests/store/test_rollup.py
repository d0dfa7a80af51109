"""Totals are exact: the daily rollup equals the raw rows, and budget figures agree in any time zone."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlab_tui.core.budget import BudgetSettings, period_bounds
from promptlab_tui.core.types import Usage
from tests.store.conftest import run_once

UTC = timezone.utc
NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)  # the day London moves to summer time


def raw_totals(repo, start=None, end=None):
    return sorted((r.created_at, r.cost_nanos) for r in repo.iter_runs(start, end) if r.status != "pending")


def fill(repo, count: int, seed: int = 1) -> list[tuple[datetime, int | None]]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        created = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 70))
        actual = None if rng.random() < 0.1 else rng.randrange(0, 5_000_000)
        status = rng.choice(["completed", "completed", "error", "cancelled"])
        run_once(repo, actual, created_at=created, status=status, prompt_name=rng.choice(["a", "b", None]),
                 usage=Usage(input_tokens=rng.randrange(1000), output_tokens=rng.randrange(500),
                             cached_input_tokens=rng.randrange(50), reasoning_tokens=rng.randrange(20)))
        made.append((created, actual))
    return made


def test_rollup_equals_the_raw_rows_and_totals_equal_their_rows(repo):
    made = fill(repo, 150)
    rows = repo.rollup_rows("2000-01-01", "2100-01-01")
    total = repo.total_spend()
    raw = repo.spend_between()
    assert sum(r.cost_nanos for r in rows) == total.cost_nanos == raw.cost_nanos == sum(c or 0 for _, c in made)
    assert sum(r.unpriced_runs for r in rows) == total.unpriced_runs == raw.unpriced_runs
    assert sum(r.runs for r in rows) == total.runs == raw.runs == 150
    assert total.input_tokens == raw.input_tokens and total.cached_input_tokens == raw.cached_input_tokens
    assert total.reasoning_tokens == raw.reasoning_tokens and total.output_tokens == raw.output_tokens
    by_day: dict[str, list[int]] = {}
    for r in rows:
        day = by_day.setdefault(r.day, [0, 0, 0])
        day[0] += r.runs
        day[1] += r.cost_nanos
        day[2] += r.unpriced_runs
    with repo.db.read() as conn:  # the per-day totals the budgets read agree with the detailed rollup
        totals = {d: [runs, cost, unpriced] for d, runs, cost, unpriced in conn.exec_driver_sql(
            "SELECT day, runs, cost_nanos, unpriced_runs FROM daily_total").all()}
    assert totals == by_day
    rebuilt_before = [(r.day, r.model, r.prompt_name, r.runs, r.cost_nanos) for r in rows]
    from promptlab_tui.store.rollup import rebuild_rollup

    with repo.db.write() as conn:
        rebuild_rollup(conn, None)
    rebuilt = [(r.day, r.model, r.prompt_name, r.runs, r.cost_nanos)
               for r in repo.rollup_rows("2000-01-01", "2100-01-01")]
    assert rebuilt == rebuilt_before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tz=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]),
       hours=st.integers(min_value=0, max_value=24 * 40))
def test_budget_status_equals_sums_of_raw_rows_whichever_zone_the_rollup_is_in(tmp_path_factory, tz, hours):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(tmp_path_factory.mktemp("db") / "history.db")
    try:
        repo.save_budget(BudgetSettings(timezone="Europe/London"))  # the rollup keeps London days
        made = fill(repo, 40, seed=hours)
        now = NOW - timedelta(hours=hours)
        budget = BudgetSettings(daily_limit_nanos=1, weekly_limit_nanos=1, monthly_limit_nanos=1, timezone=tz)
        for status in repo.budget_status(budget, now=now):
            start, end = period_bounds(status.kind, now, tz)
            assert (status.start, status.end) == (start, end)
            assert status.spent_nanos == sum(c or 0 for t, c in made if start <= t < end)
            assert status.unpriced_runs == sum(c is None for t, c in made if start <= t < end)
    finally:
        repo.close()


def test_changing_the_budget_time_zone_recounts_the_rollup_in_local_days(repo):
    late_evening_new_york = datetime(2024, 3, 15, 2, 30, tzinfo=UTC)  # 14 March, 22:30 in New York
    run_once(repo, 1000, created_at=late_evening_new_york)
    repo.save_budget(BudgetSettings(timezone="UTC"))
    run_once(repo, 1, created_at=NOW)
    assert [r.day for r in repo.rollup_rows("2024-03-01", "2024-04-01")] == ["2024-03-15", "2024-03-31"]
    repo.save_budget(BudgetSettings(timezone="America/New_York"))
    assert [r.day for r in repo.rollup_rows("2024-03-01", "2024-04-01")] == ["2024-03-14", "2024-03-31"]


def test_rows_written_through_sqlmodel_read_back_the_same(repo):
    """Other code (bench's synthetic history) may insert through SQLAlchemy Core: same timestamp text."""
    from sqlalchemy import insert, select

    from promptlab_tui.store.tables import RunRow

    created = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    with repo.db.write() as conn:
        conn.execute(insert(RunRow.__table__), [{"id": "x", "created_at": created, "provider": "openai",
                                                  "model": "gpt-4o", "status": "completed", "cost_nanos": 5}])
    assert repo.get_run("x").created_at == created
    run_once(repo, 7, created_at=datetime(2024, 1, 2, 3, 4, 6, 120, tzinfo=UTC))
    with repo.db.read() as conn:
        values = conn.execute(select(RunRow.__table__.c.created_at).order_by("created_at")).scalars().all()
    assert values == [created, datetime(2024, 1, 2, 3, 4, 6, 120, tzinfo=UTC)]
    assert [r.id for r in repo.recent_runs(5)][-1] == "x"
