"""Schema versions of the history database (`PRAGMA user_version`) and the steps between them.

Each step runs inside the caller's write transaction, so a failed migration leaves the file as it was.
Schema 1 is frozen here as it was shipped, so that migration tests can build a real version-1 file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

SCHEMA_VERSION = 2  # what this code writes; a file with a higher user_version is refused untouched

# Schema 1: runs without the ledger (no reservation, checkpoint, estimate or cost components),
# no rollup, no price audit, budgets without time zone or caps.
SCHEMA_1_SQL = """
CREATE TABLE run (
    id VARCHAR NOT NULL PRIMARY KEY,
    created_at DATETIME NOT NULL,
    finished_at DATETIME,
    user VARCHAR,
    provider VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    prompt_name VARCHAR,
    prompt_id VARCHAR,
    tags VARCHAR,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_nanos INTEGER,
    duration_ms INTEGER,
    status VARCHAR NOT NULL,
    usage_estimated BOOLEAN NOT NULL,
    error VARCHAR,
    prompt_text VARCHAR,
    response_text VARCHAR
);
CREATE INDEX ix_run_created_at ON run (created_at);
CREATE TABLE budget (
    id INTEGER NOT NULL PRIMARY KEY,
    daily_limit_nanos INTEGER,
    weekly_limit_nanos INTEGER,
    monthly_limit_nanos INTEGER,
    thresholds VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,
    max_tokens_per_prompt INTEGER
);
CREATE TABLE alert (
    id INTEGER NOT NULL PRIMARY KEY,
    period_kind VARCHAR NOT NULL,
    period_start DATETIME NOT NULL,
    threshold INTEGER NOT NULL,
    level VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    acknowledged_at DATETIME
);
CREATE UNIQUE INDEX ux_alert_period_threshold ON alert (period_kind, period_start, threshold);
CREATE TABLE saved_prompt (
    name VARCHAR NOT NULL PRIMARY KEY,
    path VARCHAR NOT NULL,
    updated_at DATETIME NOT NULL
);
PRAGMA user_version = 1;
"""

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


def _migrate_1_to_2(conn: Connection) -> None:
    from promptlab_tui.store.tables import RunRow, SQLModel

    for table, columns in (("run", _RUN_COLUMNS_ADDED_IN_2), ("budget", _BUDGET_COLUMNS_ADDED_IN_2),
                           ("alert", _ALERT_COLUMNS_ADDED_IN_2)):
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column}")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_run_created_at")
    for index in RunRow.__table__.indexes:
        index.create(conn, checkfirst=True)
    SQLModel.metadata.create_all(conn)  # the new tables (rollup, audit, meta); existing ones are skipped


MIGRATIONS = {1: _migrate_1_to_2}


def create_current_schema(conn: Connection) -> None:
    from promptlab_tui.store.tables import SQLModel

    SQLModel.metadata.create_all(conn)


def migrate(conn: Connection, found: int, target: int) -> list[int]:
    """Run every step from `found` to `target`; returns the versions passed through."""
    passed = []
    version = found
    while version < target:
        MIGRATIONS[version](conn)
        version += 1
        passed.append(version)
    conn.exec_driver_sql(f"PRAGMA user_version = {int(target)}")
    return passed
