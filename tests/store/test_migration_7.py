"""Schema 7: `run_link` and `response_cache` are made by the migration, no longer on first use; a schema 6
file whose tables were made on first use keeps them and their rows."""

from __future__ import annotations

import sqlite3

from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import Usage
from promptlab_tui.store import response_cache, run_links
from promptlab_tui.store.migrations import SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository
from tests.store.test_database import columns

# What store/run_links.py and store/response_cache.py ran on first use before schema 7 (frozen here).
FIRST_USE_DDL = """
CREATE TABLE run_link (
    run_id VARCHAR NOT NULL PRIMARY KEY, group_id VARCHAR, source VARCHAR NOT NULL, position INTEGER,
    detail VARCHAR, saved_nanos INTEGER, cache_of VARCHAR, preferred BOOLEAN NOT NULL DEFAULT 0);
CREATE INDEX ix_run_link_group ON run_link (group_id) WHERE group_id IS NOT NULL;
CREATE TABLE response_cache (key VARCHAR NOT NULL PRIMARY KEY, run_id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
"""


def _schema_6_file(path, with_first_use_tables: bool) -> str:
    repo = HistoryRepository(path)
    run = repo.reserve_run(PendingRun(provider="openai", model="gpt-4o-mini", max_tokens=10,
                                      estimate_input_tokens=10, estimate_output_tokens=5, expected_cost_nanos=1,
                                      worst_cost_nanos=2), None)
    repo.settle_run(run.run_id, Usage(input_tokens=10, output_tokens=5), None, "completed", response_text="ok")
    repo.close()
    connection = sqlite3.connect(path)
    connection.executescript("DROP TABLE run_link; DROP TABLE response_cache;")  # as schema 6 left a file
    if with_first_use_tables:
        connection.executescript(FIRST_USE_DDL)
        connection.execute("INSERT INTO run_link VALUES (?, 'fallback-g1', 'fallback', 1, '{\"chain\": [\"a\", \"b\"]}',"
                           " NULL, NULL, 0)", (run.run_id,))
        connection.execute("INSERT INTO response_cache (key, run_id) VALUES ('k1', ?)", (run.run_id,))
    connection.execute("PRAGMA user_version = 6")
    connection.commit()
    connection.close()
    return run.run_id


def test_a_schema_6_file_with_first_use_tables_is_upgraded_and_keeps_their_rows(tmp_path):
    path = tmp_path / "v6.db"
    run_id = _schema_6_file(path, with_first_use_tables=True)

    repo = HistoryRepository(path)
    link = run_links.get(repo.db, run_id)
    assert repo.db.migrated_from == 6
    assert link is not None and (link.source, link.group_id, link.position) == ("fallback", "fallback-g1", 1)
    assert link.detail == {"chain": ["a", "b"]}
    assert response_cache.lookup(repo.db, "k1").run_id == run_id
    repo.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 7
    fresh = HistoryRepository(tmp_path / "fresh.db").open()
    fresh.close()
    assert columns(path) == columns(tmp_path / "fresh.db")  # the same tables, columns and indexes as a new file


def test_a_schema_6_file_without_them_gains_both_tables_by_the_migration(tmp_path):
    path = tmp_path / "v6.db"
    run_id = _schema_6_file(path, with_first_use_tables=False)

    repo = HistoryRepository(path)
    repo.open()
    assert repo.db.migrated_from == 6
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"run_link", "response_cache"} <= tables  # made by the migration, before any first use
    run_links.record(repo.db, run_links.RunLink(run_id=run_id, source="auto", detail={"selection": "auto: x"}))
    assert run_links.get(repo.db, run_id).detail == {"selection": "auto: x"}
    assert response_cache.lookup(repo.db, "missing") is None
    repo.close()


def test_a_new_file_has_both_tables_from_the_start(tmp_path):
    HistoryRepository(tmp_path / "new.db").open().close()
    tables = {row[0] for row in sqlite3.connect(tmp_path / "new.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"run_link", "response_cache"} <= tables
