"""Schema 3 (per-day totals by model and by prompt): a schema-2 file, of either build, opens with every row kept."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.store.migrations import SCHEMA_2_SQL, SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository
from tests.store.test_database import columns

UTC = timezone.utc
NOW = datetime(2024, 5, 20, 12, tzinfo=UTC)
RUNS = [  # id, hours before NOW, model, prompt, cost (None: no price)
    ("r1", 1, "gpt-4o-mini", "greet", 4_500), ("r2", 3, "gpt-4o", None, None), ("r3", 30, "gpt-4o-mini", "sum", 9_000),
    ("r4", 50, "gpt-4o", "greet", 1_250), ("r5", 24 * 9, "gpt-4o-mini", "greet", 700),
]


def make_schema_2(path: Path, first_build: bool = False) -> None:
    """A real version-2 file: runs with a rollup in UTC days (the first build had no per-day totals)."""
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_2_SQL)
    for run_id, hours, model, prompt, cost in RUNS:
        created = (NOW - timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S.%f")
        connection.execute(
            "INSERT INTO run (id, created_at, provider, model, prompt_name, input_tokens, output_tokens, "
            "cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, usage_estimated, "
            "reserved_nanos, cost_nanos, status) VALUES (?, ?, 'openai', ?, ?, 100, 20, 0, 0, 0, 0, 0, 0, ?, "
            "'completed')", (run_id, created, model, prompt, cost))
    connection.execute("INSERT INTO daily_rollup (day, provider, model, prompt_name, runs, input_tokens, "
                       "output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, "
                       "unpriced_runs, error_runs) SELECT substr(created_at, 1, 10), provider, model, "
                       "COALESCE(prompt_name, ''), COUNT(*), SUM(input_tokens), SUM(output_tokens), 0, 0, 0, "
                       "COALESCE(SUM(cost_nanos), 0), SUM(cost_nanos IS NULL), 0 FROM run GROUP BY 1, 2, 3, 4")
    connection.execute("INSERT INTO daily_total SELECT day, SUM(runs), SUM(input_tokens), SUM(output_tokens), 0, 0, "
                       "0, SUM(cost_nanos), SUM(unpriced_runs) FROM daily_rollup GROUP BY day")
    connection.execute("INSERT INTO meta VALUES ('rollup_timezone', 'UTC')")
    connection.execute("INSERT INTO budget (id, daily_limit_nanos, thresholds, mode, timezone) "
                       "VALUES (1, 5000000000, '75,90,100', 'hard', 'UTC')")
    if first_build:
        connection.executescript("DROP TABLE daily_total; DROP INDEX ix_run_model_prompt_created; "
                                 "DROP INDEX ix_run_created; CREATE INDEX ix_run_created ON run (created_at, id);")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("first_build", [False, True])
def test_a_schema_2_database_opens_at_schema_3_with_its_reports_and_budget_exact(tmp_path, first_build):
    path = tmp_path / "v2.db"
    make_schema_2(path, first_build)
    repo = HistoryRepository(path)
    assert repo.count_runs() == len(RUNS) and repo.db.migrated_from == 2
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=1)
    by_model = {g.key: (g.runs, g.cost_nanos, g.unpriced_runs) for g in repo.spend_by_model(start, end)}
    assert by_model == {"gpt-4o-mini": (3, 14_200, 0), "gpt-4o": (2, 1_250, 1)}
    assert [(g.key, g.cost_nanos) for g in repo.top_prompts(start, end)] == [("sum", 9_000), ("greet", 6_450),
                                                                            ("", 0)]
    daily = repo.budget_status(repo.get_budget(), now=NOW)[0]
    assert (daily.kind, daily.spent_nanos, daily.unpriced_runs) == ("daily", 4_500, 1)
    repo.close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    connection.close()
    fresh = HistoryRepository(tmp_path / "fresh.db").open()
    fresh.close()
    assert columns(path) == columns(tmp_path / "fresh.db")  # same tables, columns and indexes as a new file
    index_columns = {name: [row[2] for row in sqlite3.connect(path).execute(f"PRAGMA index_info({name})")]
                     for name in ("ix_run_created", "ix_run_model_prompt_created")}
    assert index_columns == {"ix_run_created": ["created_at", "id", "status", "cost_nanos"],
                             "ix_run_model_prompt_created": ["model", "prompt_name", "created_at"]}


def test_after_the_migration_new_runs_count_in_every_rollup(tmp_path):
    from tests.store.conftest import run_once

    path = tmp_path / "v2.db"
    make_schema_2(path)
    repo = HistoryRepository(path)
    repo.save_budget(BudgetSettings(timezone="UTC"))
    run_once(repo, 10_000, created_at=NOW)
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=1)
    assert {g.key: g.cost_nanos for g in repo.spend_by_model(start, end)}["gpt-4o-mini"] == 24_200
    assert sum(g.cost_nanos for g in repo.spend_by_day(start, end)) == repo.total_spend().cost_nanos == 25_450
    repo.close()
