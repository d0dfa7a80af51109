"""The database file: lazy opening, migration from schema 1, and bad files refused with no data lost."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.store.database import DatabaseCorrupt, DatabaseTooNew, DatabaseUnavailable, StoreError
from promptlab_tui.store.migrations import SCHEMA_1_SQL, SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_schema_1(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_1_SQL)
    connection.executemany(
        "INSERT INTO run (id, created_at, user, provider, model, prompt_name, prompt_id, tags, input_tokens, "
        "output_tokens, cached_input_tokens, reasoning_tokens, cost_nanos, duration_ms, status, usage_estimated, "
        "error, prompt_text, response_text) VALUES (?, ?, 'ann', 'openai', 'gpt-4o-mini', 'greet', 'p1', ?, "
        "?, ?, 0, 0, ?, 500, 'completed', 0, NULL, 'Hello', 'Hi')",
        [("r1", "2024-05-01 10:00:00.000000", "a,b", 100, 20, 4_500),
         ("r2", "2024-05-02 11:00:00.000000", None, 200, 40, None),
         ("r3", "2024-05-02 12:30:00.250000", '["x"]', 300, 60, 9_000)])
    connection.execute("INSERT INTO budget VALUES (1, 5000000000, NULL, 50000000000, '80,100', 'warn', 4000)")
    connection.execute("INSERT INTO alert VALUES (1, 'daily', '2024-05-01 00:00:00.000000', 80, 'info', 'old', "
                       "'2024-05-01 10:00:00.000000', NULL)")
    connection.execute("INSERT INTO saved_prompt VALUES ('greet', 'prompts/greet.toml', '2024-04-01 09:00:00.000000')")
    connection.commit()
    connection.close()


def columns(path: Path) -> dict[str, set[tuple[str, str]]]:
    connection = sqlite3.connect(path)
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    result = {t: {(c[1], c[2].upper()) for c in connection.execute(f"PRAGMA table_info({t})")} for t in tables}
    result["indexes"] = {(row[0], "") for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'")}
    connection.close()
    return result


def test_importing_the_repository_is_cheap_and_nothing_opens_until_first_use(tmp_path):
    code = ("import sys; from promptlab_tui.store.repository import HistoryRepository; "
            "r = HistoryRepository(sys.argv[1]); "
            "print('sqlalchemy' in sys.modules, 'sqlmodel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "h.db")], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
    assert not (tmp_path / "h.db").exists()


def test_a_new_database_is_in_wal_mode_at_the_current_schema(repo):
    repo.open()
    connection = sqlite3.connect(repo.path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()


def test_a_schema_1_database_opens_with_every_row_kept(tmp_path):
    path = tmp_path / "old.db"
    make_schema_1(path)
    repo = HistoryRepository(path)
    runs = {run.id: run for run in repo.recent_runs(10, include_text=True)}
    assert set(runs) == {"r1", "r2", "r3"}
    assert runs["r1"].created_at == datetime(2024, 5, 1, 10, tzinfo=UTC) and runs["r1"].tags == ("a", "b")
    assert runs["r3"].tags == ("x",) and runs["r1"].response_text == "Hi" and runs["r1"].cost_nanos == 4_500
    assert runs["r2"].cost_nanos is None and runs["r1"].cost is None  # a total with no breakdown
    assert repo.db.migrated_from == 1
    total = repo.total_spend()  # the rollup was built from the old rows
    assert (total.runs, total.cost_nanos, total.unpriced_runs) == (3, 13_500, 1)
    budget = repo.get_budget()
    assert budget.daily_limit_nanos == 5_000_000_000 and budget.thresholds == (80, 100) and budget.mode == "warn"
    assert [a.message for a in repo.alerts()] == ["old"]
    assert [p.name for p in repo.saved_prompts()] == ["greet"]
    repo.close()
    # The migrated file has the same columns and indexes as a new one.
    fresh = HistoryRepository(tmp_path / "fresh.db").open()
    fresh.close()
    assert columns(path) == columns(tmp_path / "fresh.db")


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path):
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "new.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE run (id TEXT PRIMARY KEY, shiny_new_column TEXT)")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    before = digest(path)
    repo = HistoryRepository(path)
    with pytest.raises(DatabaseTooNew, match=f"schema version {SCHEMA_VERSION + 1}.*newer.*untouched"):
        repo.recent_runs()
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["new.db"]  # no -wal/-shm either


@pytest.mark.parametrize("content", [b"this is not a database at all\n" * 50,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_corrupted_file_gives_a_clear_error_and_is_left_as_it_was(tmp_path, content):
    path = tmp_path / "promptlab.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseCorrupt) as error:
        HistoryRepository(path).recent_runs()
    assert str(path) in str(error.value) and ("untouched" in str(error.value) or "nothing was changed" in
                                              str(error.value))
    assert path.read_bytes() == content


def test_someone_elses_sqlite_file_is_not_taken_for_a_history(tmp_path):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(DatabaseCorrupt, match="not a promptlab history"):
        HistoryRepository(path).open()
    assert digest(path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_read_only_folder_gives_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            HistoryRepository(folder / "promptlab.db").open()
    finally:
        folder.chmod(0o755)


def test_a_read_only_folder_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    """As root the permission bits do not stop writes, so the folder is reported read-only by os.access."""
    folder = tmp_path / "ro"
    folder.mkdir()
    repo = HistoryRepository(folder / "promptlab.db")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == folder else real_access(p, mode))
    with pytest.raises(DatabaseUnavailable, match=f"{folder}.*read-only"):
        repo.open()
    assert list(folder.iterdir()) == []


def test_a_folder_that_cannot_be_created_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseUnavailable, match="cannot create the folder"):
        HistoryRepository(blocker / "sub" / "promptlab.db").open()


def test_store_errors_from_sqlite_are_explained(repo, monkeypatch):
    repo.save_budget(BudgetSettings(timezone="UTC"))
    with pytest.raises(StoreError, match="history database"):
        with repo.db.write() as conn:
            conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
    assert repo.get_budget() is not None  # the failed transaction changed nothing


def test_the_repository_works_from_several_threads(repo):
    import threading

    from tests.store.conftest import run_once

    errors = []

    def work():
        try:
            for _ in range(10):
                run_once(repo, 10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and repo.total_spend().runs == 40 and repo.total_spend().cost_nanos == 400


def test_a_full_disk_is_reported_and_the_failed_write_changes_nothing(repo):
    from tests.store.conftest import pending

    kept = repo.reserve_run(pending(1000), None)
    conn = repo.db.thread_connection()  # the connection this thread's next write uses: nearly no room left
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    huge = pending(1000)
    huge.prompt_text = "x" * 200_000
    with pytest.raises(DatabaseUnavailable, match="disk is full.*nothing was written"):
        repo.reserve_run(huge, None)
    assert repo.get_run(huge.run_id) is None and repo.get_run(kept.run_id).pending
