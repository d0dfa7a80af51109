"""Exports read by several connections at once: the same bytes as one reader, and one consistent snapshot."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import timedelta

import pytest

from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.services import export as export_service
from promptlab_tui.store.export_queries import ExportFilter, csv_sql, snapshot_connections
from promptlab_tui.store.repository import HistoryRepository
from tests.cli.test_export_cli import START, history, record

AWKWARD_NAMES = ('say "hi", twice', "two\nlines", "comma, only", "plain", None, "carriage\rreturn")


def busy_history() -> None:
    """The export tests' history, plus 60 runs over a week with names that need quoting and some that do not."""
    history(None)
    for i in range(60):
        cost = CostBreakdown(input_nanos=1_000 * i, output_nanos=7 * i, price_version="v,1" if i % 7 == 0 else "v")
        record(START + timedelta(hours=3 * i, microseconds=i), cost, Usage(input_tokens=10 + i, output_tokens=i),
               prompt_name=AWKWARD_NAMES[i % len(AWKWARD_NAMES)], tags=("a", "b") if i % 2 else ())


def exported(fmt: str, filters: ExportFilter = ExportFilter()) -> str:
    out = io.StringIO(newline="")
    repo = HistoryRepository()
    try:
        export_service.export_runs(repo, fmt, filters, out)
    finally:
        repo.close()
    return out.getvalue()


def test_csv_lines_built_in_sql_are_what_the_csv_module_writes(isolated_home):
    busy_history()
    expected = io.StringIO(newline="")
    writer = csv.writer(expected)
    sql, params = csv_sql(ExportFilter())
    with sqlite3.connect(isolated_home / "promptlab.db") as conn:
        cursor = conn.execute(sql, params)
        writer.writerow([column[0] for column in cursor.description])
        writer.writerows(cursor)
    assert exported("csv") == expected.getvalue()
    assert 'say ""hi"", twice' in expected.getvalue() and '"two\nlines"' in expected.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "focus"])
@pytest.mark.parametrize("filters", [ExportFilter(), ExportFilter(since=START + timedelta(days=2),
                                                                     until=START + timedelta(days=5))])
@pytest.mark.parametrize(("readers", "batch"), [(2, 4), (3, 13)])  # 65 runs: 13 a chunk ends on the last one
def test_several_readers_write_exactly_what_one_reader_writes(isolated_home, monkeypatch, fmt, filters, readers,
                                                              batch):
    busy_history()
    monkeypatch.setattr(export_service, "PARALLEL_FROM", 10**9)
    one = exported(fmt, filters)
    monkeypatch.setattr(export_service, "PARALLEL_FROM", 0)  # several readers, small chunks
    monkeypatch.setattr(export_service, "READERS", readers)
    monkeypatch.setattr(export_service, "BATCH", batch)  # runs a chunk
    seen: list[int] = []
    out = io.StringIO(newline="")
    repo = HistoryRepository()
    try:
        result = export_service.export_runs(repo, fmt, filters, out, progress=seen.append)
        total = export_service.rows_to_export(repo, fmt, filters)
    finally:
        repo.close()
    assert out.getvalue() == one and one.count("\r\n") > 10
    assert result.rows == len(list(csv.reader(io.StringIO(one, newline="")))) - 1  # less the header
    assert seen == sorted(set(seen)) and len(seen) == -(-total // batch) > 1  # chunk by chunk
    assert seen[-1] == total  # the runs read, up to the progress bar's total (FOCUS: not its lines)
    assert (result.rows == total) == (fmt == "csv")


def test_the_readers_share_one_snapshot_taken_at_once(isolated_home):
    """A run settled after the readers opened is seen by none of them (they never disagree about the history)."""
    busy_history()
    repo = HistoryRepository()
    try:
        with snapshot_connections(repo.db, 2) as connections:
            before = [conn.execute("SELECT COUNT(*) FROM run").fetchone()[0] for conn in connections]
            record(START + timedelta(days=40), CostBreakdown(input_nanos=5, price_version="v"), Usage(input_tokens=1))
            after = [conn.execute("SELECT COUNT(*) FROM run").fetchone()[0] for conn in connections]
        assert before == after and before[0] == before[1]
        assert repo.db.fetch_one("SELECT COUNT(*) FROM run", ())[0] == before[0] + 1
    finally:
        repo.close()
