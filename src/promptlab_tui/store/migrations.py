"""Schema versions of the history database (`PRAGMA user_version`) and the steps between them.

Each step runs inside the caller's write transaction, so a failed migration leaves the file as it was.
The shipped schemas are frozen in `frozen_schemas`, so that migration tests build real old files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.store.frozen_schemas import (  # noqa: F401  (re-exported)
    SCHEMA_1_SQL, SCHEMA_2_SQL, SCHEMA_3_SQL, SCHEMA_4_SQL)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

SCHEMA_VERSION = 9  # what this code writes; a file with a higher user_version is refused untouched

_RUN_COLUMNS_ADDED_IN_2 = [
    "started_at DATETIME", "session_id VARCHAR", "price_version VARCHAR", "max_tokens INTEGER",
    "cache_write_tokens INTEGER NOT NULL DEFAULT 0", "cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0",
    "estimate_input_tokens INTEGER", "estimate_output_tokens INTEGER", "expected_cost_nanos INTEGER",
    "worst_cost_nanos INTEGER", "reserved_nanos INTEGER NOT NULL DEFAULT 0", "input_cost_nanos INTEGER",
    "output_cost_nanos INTEGER", "cached_input_cost_nanos INTEGER", "cache_write_cost_nanos INTEGER",
    "provider_cost_nanos INTEGER", "pid INTEGER", "pid_start VARCHAR", "hostname VARCHAR",
    "checkpoint_output_tokens INTEGER", "checkpoint_at DATETIME", "synced_at DATETIME",
]
_BUDGET_COLUMNS_ADDED_IN_2 = [
    "timezone VARCHAR", "max_cost_per_run_nanos INTEGER", "max_cost_per_session_nanos INTEGER",
    "updated_at DATETIME",
]
_ALERT_COLUMNS_ADDED_IN_2 = ["spent_nanos INTEGER NOT NULL DEFAULT 0", "limit_nanos INTEGER NOT NULL DEFAULT 0"]


def _migrate_1_to_2(conn: Connection) -> bool:
    from promptlab_tui.store.tables import RunRow, SQLModel

    for table, columns in (("run", _RUN_COLUMNS_ADDED_IN_2), ("budget", _BUDGET_COLUMNS_ADDED_IN_2),
                           ("alert", _ALERT_COLUMNS_ADDED_IN_2)):
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column}")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_run_created_at")
    for index in RunRow.__table__.indexes:
        index.create(conn, checkfirst=True)
    SQLModel.metadata.create_all(conn)  # the new tables (rollup, audit, meta); existing ones are skipped
    return True  # the rollup is counted from the old rows


def _migrate_2_to_3(conn: Connection) -> bool:
    """Per-day totals by model and by prompt (the dashboards' reports); repairs files of schema 2's first
    build (no per-day totals, narrower run indexes). Cheap: the new tables are summed from the rollup."""
    from promptlab_tui.store.dbapi import driver_connection
    from promptlab_tui.store.rollup import fill_coarser_rollups
    from promptlab_tui.store.tables import RunRow, SQLModel

    raw = driver_connection(conn)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for index in RunRow.__table__.indexes:
        found = [row[2] for row in raw.execute(f"PRAGMA index_info({index.name})")]
        if found != [column.name for column in index.columns]:
            raw.execute(f"DROP INDEX IF EXISTS {index.name}")
            index.create(conn)
    SQLModel.metadata.create_all(conn)
    if "daily_total" not in tables:
        return True  # recount everything from the runs
    fill_coarser_rollups(raw)
    return False


def _migrate_3_to_4(conn: Connection) -> bool:
    """Where a run came from (`run.source`, inferred for old runs from their session: `cli-...` was
    `promptlab run`, any other session the Lab) and the dashboard's rollups by tag, source, hour and input."""
    from promptlab_tui.store.tables import SQLModel

    conn.exec_driver_sql("ALTER TABLE run ADD COLUMN source VARCHAR")
    conn.exec_driver_sql("UPDATE run SET source = CASE WHEN session_id LIKE 'cli-%' THEN 'run' ELSE 'lab' END "
                         "WHERE session_id IS NOT NULL")
    SQLModel.metadata.create_all(conn)
    return True  # the new tables are counted from the runs


def _migrate_4_to_5(conn: Connection) -> bool:
    """Weekly totals by model and prompt, and by input (long dashboard periods): summed from the daily ones."""
    from promptlab_tui.store.dbapi import driver_connection
    from promptlab_tui.store.rollup_dims import rebuild_weeks
    from promptlab_tui.store.tables import SQLModel

    SQLModel.metadata.create_all(conn)
    rebuild_weeks(driver_connection(conn))
    return False


def _migrate_5_to_6(conn: Connection) -> bool:
    """The kind of content a run's input estimate was made for, so calibration learns per kind."""
    conn.exec_driver_sql("ALTER TABLE run ADD COLUMN estimate_kind VARCHAR")
    return False


def _migrate_6_to_7(conn: Connection) -> bool:
    """`run_link` and `response_cache` (issue 11), made on first use before: a file that has them keeps them
    and their rows (same columns); the others gain them empty."""
    from promptlab_tui.store.tables import SQLModel

    SQLModel.metadata.create_all(conn)  # existing tables are skipped
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_run_link_group ON run_link (group_id) "
                         "WHERE group_id IS NOT NULL")
    return False


def _migrate_7_to_8(conn: Connection) -> bool:
    """The sync outbox, sync state and team alert map with their triggers, made at login before: a file that
    has them keeps them and their rows (its outbox stays switched on); the others gain them empty and off."""
    from promptlab_tui.store.tables import SQLModel
    from promptlab_tui.store.sync_schema import OUTBOX_ON_KEY, create_sync_triggers

    # Login made the ungated triggers (create_all of an earlier step may have made the tables, never a trigger;
    # gated ones are this schema's own, their switch already says whether the outbox is on).
    trigger = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = "
                                   "'sync_queue_insert'").first()
    logged_in = trigger is not None and "sync_state" not in trigger[0]
    SQLModel.metadata.create_all(conn)  # existing tables are skipped
    create_sync_triggers(conn)
    if logged_in:
        conn.exec_driver_sql("INSERT OR IGNORE INTO sync_state (key, value) VALUES (?, 'on')", (OUTBOX_ON_KEY,))
    return False


def _migrate_8_to_9(conn: Connection) -> bool:
    """Per-day totals by tag and model and by source and model (the what-if by tag and by source): counted from
    the runs for these two tables only, in the rollup's zone."""
    from promptlab_tui.store.dbapi import driver_connection
    from promptlab_tui.store.rollup import make_rollup_days, rollup_timezone
    from promptlab_tui.store.rollup_dims import fill_model_dimensions
    from promptlab_tui.store.tables import SQLModel

    SQLModel.metadata.create_all(conn)  # existing tables are skipped
    raw = driver_connection(conn)
    tz_name = rollup_timezone(raw)
    if tz_name is None:  # no run was ever settled: nothing to count
        return False
    raw.execute("DELETE FROM daily_tag_model")
    raw.execute("DELETE FROM daily_source_model")
    if make_rollup_days(raw, tz_name):
        fill_model_dimensions(raw)
        raw.execute("DROP TABLE rollup_days")
    return False


MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4, 4: _migrate_4_to_5, 5: _migrate_5_to_6,
              6: _migrate_6_to_7, 7: _migrate_7_to_8,
              8: _migrate_8_to_9}


def create_current_schema(conn: Connection) -> None:
    from promptlab_tui.store.tables import SQLModel
    from promptlab_tui.store.sync_schema import create_sync_triggers

    SQLModel.metadata.create_all(conn)
    create_sync_triggers(conn)


def migrate(conn: Connection, found: int, target: int) -> bool:
    """Run every step from `found` to `target`; True when the rollup must then be recounted from the runs."""
    recount = False
    for version in range(found, target):
        recount = MIGRATIONS[version](conn) or recount
    conn.exec_driver_sql(f"PRAGMA user_version = {int(target)}")
    return recount
