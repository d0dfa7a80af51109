"""Schema 7: the sync outbox, sync state, team alert map and the two queueing triggers are made by the migration,
no longer at login; a schema 6 file that has them (a member who logged in) keeps them and their rows."""

from __future__ import annotations

import sqlite3

import pytest

from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import Usage
from promptlab_tui.store.migrations import SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository
from promptlab_tui.sync import outbox

# What sync/outbox.py and sync/team_alerts.py ran at login before schema 7 (frozen here).
FIRST_USE_DDL = """
CREATE TABLE sync_outbox (run_id TEXT PRIMARY KEY, queued_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT);
CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TRIGGER sync_queue_insert AFTER INSERT ON run WHEN NEW.status != 'pending' BEGIN
    INSERT INTO sync_outbox (run_id, queued_at) VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (run_id) DO UPDATE SET queued_at = excluded.queued_at, attempts = 0, last_error = NULL; END;
CREATE TRIGGER sync_queue_update AFTER UPDATE OF status, cost_nanos, input_tokens, output_tokens, prompt_text,
    response_text ON run WHEN NEW.status != 'pending' BEGIN
    INSERT INTO sync_outbox (run_id, queued_at) VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (run_id) DO UPDATE SET queued_at = excluded.queued_at, attempts = 0, last_error = NULL; END;
CREATE TABLE sync_team_alert (server_id INTEGER PRIMARY KEY, local_id INTEGER NOT NULL,
    ack_sent INTEGER NOT NULL DEFAULT 0);
"""
SYNC_OBJECTS = {"sync_outbox", "sync_state", "sync_team_alert", "sync_queue_insert", "sync_queue_update"}


def _settled_run(repo: HistoryRepository) -> str:
    run = repo.reserve_run(PendingRun(provider="openai", model="gpt-4o-mini", max_tokens=10, estimate_input_tokens=10,
                                      estimate_output_tokens=5, expected_cost_nanos=1, worst_cost_nanos=2), None)
    repo.settle_run(run.run_id, Usage(input_tokens=10, output_tokens=5), None, "completed", response_text="ok")
    return run.run_id


def _schema_6_file(path, logged_in: bool) -> str:  # type: ignore[no-untyped-def]
    repo = HistoryRepository(path)
    run_id = _settled_run(repo)
    repo.close()
    connection = sqlite3.connect(path)
    connection.executescript("DROP TRIGGER sync_queue_insert; DROP TRIGGER sync_queue_update; DROP TABLE sync_outbox;"
                             " DROP TABLE sync_state; DROP TABLE sync_team_alert;")  # as schema 6 left a file
    if logged_in:
        connection.executescript(FIRST_USE_DDL)
        connection.execute("INSERT INTO sync_outbox (run_id, queued_at, attempts) VALUES (?, '2026-01-01', 2)",
                           (run_id,))
        connection.execute("INSERT INTO sync_state (key, value) VALUES ('last_sync_at', '2026-01-01T10:00:00')")
        connection.execute("INSERT INTO sync_team_alert (server_id, local_id, ack_sent) VALUES (7, 1, 1)")
    connection.execute("PRAGMA user_version = 6")
    connection.commit()
    connection.close()
    return run_id


def _sync_objects(path) -> set[str]:  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(path)
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sync_%'")}
    connection.close()
    return names


def _queued(repo: HistoryRepository) -> list[tuple]:
    with repo.db.raw_read() as conn:
        return conn.execute("SELECT run_id, attempts FROM sync_outbox ORDER BY queued_at").fetchall()


def test_a_logged_in_schema_6_file_keeps_its_outbox_state_and_alert_map(tmp_path):
    path = tmp_path / "v6.db"
    old_run = _schema_6_file(path, logged_in=True)
    repo = HistoryRepository(path)
    new_run = _settled_run(repo)  # the file is migrated on first use: the outbox stays on and queues it
    assert repo.db.migrated_from == 6
    assert _queued(repo) == [(old_run, 2), (new_run, 0)]
    with repo.db.raw_read() as conn:
        assert outbox.installed(conn) and outbox.get_state(conn) == {"last_sync_at": "2026-01-01T10:00:00"}
        assert conn.execute("SELECT server_id, local_id, ack_sent FROM sync_team_alert").fetchall() == [(7, 1, 1)]
    repo.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 7
    assert _sync_objects(path) == SYNC_OBJECTS


@pytest.mark.parametrize("tables_already_made", [False, True], ids=["bare", "tables-without-triggers"])
def test_a_schema_6_file_never_logged_in_gains_the_tables_and_queues_only_after_login(tmp_path, tables_already_made):
    path = tmp_path / "v6.db"
    old = _schema_6_file(path, logged_in=False)
    assert not _sync_objects(path)
    if tables_already_made:  # as an earlier step's create_all may leave them: no trigger, so never logged in
        connection = sqlite3.connect(path)
        connection.executescript("CREATE TABLE sync_outbox (run_id TEXT PRIMARY KEY, queued_at TEXT NOT NULL, "
                                 "attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT); "
                                 "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
        connection.close()
    repo = HistoryRepository(path)
    first = _settled_run(repo)
    assert _sync_objects(path) == SYNC_OBJECTS and _queued(repo) == []  # not logged in: nothing is queued
    with repo.db.raw_write() as conn:
        assert outbox.install(conn) == 2  # login: the earlier settled runs are queued once
    second = _settled_run(repo)
    assert sorted(run_id for run_id, _ in _queued(repo)) == sorted([old, first, second])
    with repo.db.raw_write() as conn:
        outbox.uninstall(conn)  # logout: the queue is dropped and the triggers stop
    _settled_run(repo)
    assert _queued(repo) == []
    repo.close()


def test_a_new_file_has_the_sync_tables_and_triggers(tmp_path):
    repo = HistoryRepository(tmp_path / "new.db")
    _settled_run(repo)
    assert _queued(repo) == []
    repo.close()
    assert _sync_objects(tmp_path / "new.db") == SYNC_OBJECTS


def test_a_file_with_this_schemas_sync_objects_keeps_its_outbox_switch(tmp_path):
    """Run again over a file that has the gated triggers already (as when another step is numbered after this one):
    the switch decides, not the triggers' presence."""
    path = tmp_path / "again.db"
    repo = HistoryRepository(path)
    _settled_run(repo)
    repo.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 6")
    connection.commit()
    connection.close()
    repo = HistoryRepository(path)
    _settled_run(repo)
    assert repo.db.migrated_from == 6 and _queued(repo) == []
    with repo.db.raw_read() as conn:
        assert not outbox.installed(conn)
    repo.close()
