"""The benchmarks' history cache: built once per key, copied per bench, the same history (and end) each time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import bench.synthetic as synthetic


def runs_in(home: Path) -> tuple[int, int]:
    with sqlite3.connect(home / "promptlab.db") as conn:
        return conn.execute("SELECT COUNT(*), SUM(COALESCE(cost_nanos, 0)) FROM run").fetchone()


def test_a_history_is_generated_once_and_each_bench_gets_its_own_copy(tmp_path, monkeypatch):
    monkeypatch.setenv(synthetic.CACHE_ENV, str(tmp_path / "cache"))
    built = []
    real_fill = synthetic.fill_home
    monkeypatch.setattr(synthetic, "fill_home", lambda *a, **k: built.append(a) or real_fill(*a, **k))

    first_end = synthetic.cached_fill(120, str(tmp_path / "a"), seed=3)
    with sqlite3.connect(tmp_path / "a" / "promptlab.db") as conn:  # a bench writes to its copy
        conn.execute("DELETE FROM run WHERE rowid % 2 = 0")
    second_end = synthetic.cached_fill(120, str(tmp_path / "b"), seed=3)

    assert len(built) == 1 and first_end == second_end
    assert runs_in(tmp_path / "b")[0] == 120 and runs_in(tmp_path / "a")[0] < 120
    other = synthetic.cached_fill(120, str(tmp_path / "c"), seed=4)  # another seed: another history
    assert len(built) == 2 and runs_in(tmp_path / "c") != runs_in(tmp_path / "b") and other >= first_end
    assert oct((tmp_path / "b" / "promptlab.db").stat().st_mode & 0o777) == "0o600"
