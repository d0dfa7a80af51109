"""Schema 6: runs remember the kind of content their input estimate was made for (calibration per kind)."""

from __future__ import annotations

import sqlite3

from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import Usage
from promptlab_tui.store.migrations import SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository


def test_a_schema_5_database_gains_the_estimate_kind_and_old_runs_count_as_text(tmp_path):
    path = tmp_path / "v5.db"
    repo = HistoryRepository(path)
    run = repo.reserve_run(PendingRun(provider="anthropic", model="claude-haiku-4-5", max_tokens=10,
                                      estimate_input_tokens=100, estimate_output_tokens=5, expected_cost_nanos=1,
                                      worst_cost_nanos=2), None)
    repo.settle_run(run.run_id, Usage(input_tokens=120, output_tokens=5), None, "completed")
    repo.close()
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE run DROP COLUMN estimate_kind")  # as schema 5 left it
    connection.execute("PRAGMA user_version = 5")
    connection.commit()
    connection.close()

    repo = HistoryRepository(path)
    assert float(repo.calibration_ratio("claude-haiku-4-5")) == 1.2  # an old run is a text run
    assert repo.db.migrated_from == 5
    assert repo.calibration_ratio("claude-haiku-4-5", "tools") is None
    repo.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 6
