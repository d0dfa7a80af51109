"""What the benchmarks compare is fair and what the docs publish is the committed run's output."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from bench.bench_history import raw_sql
from bench.docs import generated_block, quoted_results, DOCS, BEGIN, END
from bench.synthetic import fill_home
from tests.conftest import requires_vocab

NOW = datetime(2025, 3, 31, 18, 0, tzinfo=timezone.utc)


def test_the_history_baselines_use_the_tables_own_indexes(isolated_home: Path):
    fill_home(300, str(isolated_home), seed=5, end=NOW)
    conn = sqlite3.connect(isolated_home / "promptlab.db")
    for name, (sql, params) in raw_sql(NOW).items():
        assert "NOT INDEXED" not in sql.upper(), name
        plan = " ".join(str(step[3]) for step in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "INDEX" in plan, f"{name}: {plan}"


@requires_vocab
def test_the_tracking_bench_streams_past_a_checkpoint(isolated_home: Path):
    from bench.bench_tracking import measure

    on_row, overhead_row = measure(runs=1, history=200, words=22)

    assert "1.0 checkpoints per tracked run" in on_row["note"]
    assert overhead_row["value"] is not None and "inside the store's calls" in overhead_row["note"]
    assert on_row["baseline"] > 1000  # the run lasted longer than the 1 s checkpoint interval


def test_the_docs_table_is_generated_from_the_committed_results():
    source = quoted_results()
    saved = json.loads(source.read_text())
    text = DOCS.read_text()
    block = text[text.index(BEGIN):text.index(END) + len(END)]

    assert source.parent.name == "results" and source.exists()
    assert saved["machine"]["commit"] and saved["machine"]["load_average"] is not None
    assert saved["machine"]["commit"].split("+")[0] in source.name
    assert block == generated_block(source)
