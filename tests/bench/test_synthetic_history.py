"""The synthetic history the benchmarks run on: what lands in the database is consistent and exact."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.synthetic import fill_home

END = datetime(2025, 3, 31, 18, 0, tzinfo=timezone.utc)


def test_generated_runs_are_exact_and_the_rollup_matches_them(isolated_home: Path):
    report = fill_home(1500, str(isolated_home), seed=3, end=END)

    db = sqlite3.connect(isolated_home / "promptlab.db")
    runs, cost, unpriced, first, last = db.execute(
        "SELECT COUNT(*), SUM(cost_nanos), SUM(cost_nanos IS NULL), MIN(created_at), MAX(created_at) FROM run"
    ).fetchone()
    assert runs == report.runs == 1500
    assert cost == report.cost_nanos and unpriced == report.unpriced_runs > 0
    # a run's total is the sum of its parts, in integer nanos
    assert db.execute("SELECT COUNT(*) FROM run WHERE cost_nanos != input_cost_nanos + output_cost_nanos"
                      " + cached_input_cost_nanos + cache_write_cost_nanos").fetchone()[0] == 0
    # the rollup the dashboards read agrees with the raw rows
    assert db.execute("SELECT SUM(runs), SUM(cost_nanos), SUM(unpriced_runs) FROM daily_rollup").fetchone() \
        == (1500, cost, unpriced)
    assert datetime.fromisoformat(first).replace(tzinfo=timezone.utc) >= END - timedelta(days=183)
    assert datetime.fromisoformat(last).replace(tzinfo=timezone.utc) <= END
    statuses = dict(db.execute("SELECT status, COUNT(*) FROM run GROUP BY status").fetchall())
    assert statuses["completed"] > 1300 and statuses.get("error", 0) > 0
    models = db.execute("SELECT model FROM run GROUP BY model ORDER BY COUNT(*) DESC").fetchall()
    assert models[0] == ("gpt-4o-mini",) and len(models) > 10


def test_the_same_seed_gives_the_same_history(tmp_path: Path):
    first = fill_home(200, str(tmp_path / "a"), seed=5, end=END)
    second = fill_home(200, str(tmp_path / "b"), seed=5, end=END)
    assert (first.cost_nanos, first.unpriced_runs) == (second.cost_nanos, second.unpriced_runs)
