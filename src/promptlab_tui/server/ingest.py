"""Idempotent ingest: one upsert per batch keyed by (team, client run UUID).

A run pushed again (a retried batch, a run re-settled or re-priced) replaces its row's numbers, so
it is counted once whatever the number of pushes; an open reservation with the same id is settled
in the same transaction, so the run's cost replaces the reservation exactly once.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, NamedTuple

from sqlalchemy import Connection, update

from promptlab_tui.server import schema as t
from promptlab_tui.server import spend
from promptlab_tui.server.models import RunIn
from promptlab_tui.server.teams import now_utc

_NUMBERS = ("finished_at", "provider", "model", "prompt_name", "tags", "status", "input_tokens", "output_tokens",
            "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "cost_nanos", "duration_ms",
            "prompt_text", "response_text", "source", "updated_at")


def as_utc(value: datetime | None) -> datetime | None:
    """UTC for every stored instant (SQLite keeps no offset, so the wall time must be UTC's)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc) if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def upsert_statement(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(t.run)
    return statement.on_conflict_do_update(
        index_elements=[t.run.c.team_id, t.run.c.id],
        set_={name: statement.excluded[name] for name in _NUMBERS},
        where=t.run.c.member_id == statement.excluded.member_id)  # never overwrite another member's run


_PG_COLUMNS = (("team_id", "int"), ("id", "varchar"), ("member_id", "int"), ("created_at", "timestamptz"),
               ("finished_at", "timestamptz"), ("provider", "varchar"), ("model", "varchar"),
               ("prompt_name", "varchar"), ("tags", "text"), ("status", "varchar"), ("input_tokens", "bigint"),
               ("output_tokens", "bigint"), ("cached_input_tokens", "bigint"), ("cache_write_tokens", "bigint"),
               ("reasoning_tokens", "bigint"), ("cost_nanos", "bigint"), ("duration_ms", "bigint"),
               ("prompt_text", "text"), ("response_text", "text"), ("source", "varchar"), ("updated_at", "timestamptz"))
_NAMES = ", ".join(n for n, _ in _PG_COLUMNS)
# PostgreSQL: COPY the batch into a session's temporary table; lock its ids; then ONE statement reads the
# old rows (for the rollup) and upserts (a statement's CTEs share one snapshot, so `old` is before the upsert).
_PG_STAGE = ("CREATE TEMP TABLE IF NOT EXISTS run_incoming ("
             + ", ".join(f"{n} {k}" for n, k in _PG_COLUMNS) + ") ON COMMIT DELETE ROWS")
_PG_LOCK = ("SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT " + spend.PG_RUN_LOCK_KEY.format(id="id")
            + " AS k FROM run_incoming ORDER BY k) AS keys")
_PG_MERGE = (
    "WITH old AS (SELECT r.* FROM run_incoming AS i CROSS JOIN LATERAL (SELECT id, member_id, created_at, "
    "cost_nanos FROM run WHERE run.team_id = i.team_id AND run.id = i.id LIMIT 1) AS r), "  # LIMIT: one key probe per id, whatever the stats say
    f"merged AS (INSERT INTO run ({_NAMES}) SELECT {_NAMES} FROM run_incoming ON CONFLICT (team_id, id) DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n in _NUMBERS) + " WHERE run.member_id = excluded.member_id RETURNING 1) "
    "SELECT id, member_id, created_at, cost_nanos FROM old")
_PG_SETTLE = ("UPDATE reservation SET status = 'settled' WHERE id IN (SELECT id FROM run_incoming) "
              "AND team_id = %(team)s AND status = 'open'")


def stage_table(dbapi_connection: Any) -> None:
    """On each new PostgreSQL connection (database.make_engine): the session's staging table, committed at once."""
    dbapi_connection.execute(_PG_STAGE)
    dbapi_connection.commit()


class _Old(NamedTuple):
    id: str
    member_id: int | None
    created_at: datetime
    cost_nanos: int | None


def _pg_copy_upsert(connection: Connection, team_id: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stage, lock, read the old rows and upsert, settle open reservations: five statements whatever the batch size."""
    raw = connection.connection.driver_connection  # psycopg 3, inside SQLAlchemy's transaction
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY run_incoming ({_NAMES}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n, _ in _PG_COLUMNS])
        cursor.execute(_PG_LOCK)  # concurrent pushes of the same runs: the later one sees the earlier's rows
        cursor.execute(_PG_MERGE, prepare=False)  # planned per batch: a plan cached on an empty table seq-scans
        before = {row[0]: _Old(*row) for row in cursor.fetchall()}
        cursor.execute(_PG_SETTLE, {"team": team_id})
    return before


def run_values(team_id: int, member_id: int | None, run: RunIn, share_text: bool, source: str) -> dict[str, Any]:
    return {
        "team_id": team_id, "id": run.id, "member_id": member_id, "created_at": as_utc(run.created_at),
        "finished_at": as_utc(run.finished_at), "provider": run.provider, "model": run.model, "prompt_name": run.prompt_name,
        "tags": json.dumps(run.tags) if run.tags else None, "status": run.status, "input_tokens": run.input_tokens,
        "output_tokens": run.output_tokens, "cached_input_tokens": run.cached_input_tokens,
        "cache_write_tokens": run.cache_write_tokens, "reasoning_tokens": run.reasoning_tokens,
        "cost_nanos": run.cost_nanos, "duration_ms": run.duration_ms,
        "prompt_text": run.prompt_text if share_text else None,
        "response_text": run.response_text if share_text else None,
        "source": source, "updated_at": now_utc()}


def ingest(connection: Connection, team_id: int, member_id: int, runs: list[RunIn], share_text: bool,
           source: str = "sync") -> int:
    if not runs:
        return 0
    latest: dict[str, RunIn] = {run.id: run for run in runs}  # a batch naming one run twice keeps the last
    rows = [run_values(team_id, member_id, run, share_text, source) for run in latest.values()]
    ids = list(latest)
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        before = _pg_copy_upsert(connection, team_id, rows)
    else:  # SQLite: BEGIN IMMEDIATE serialises writers already
        before = spend.previous(connection, team_id, ids)
        connection.execute(upsert_statement(connection.dialect.name), rows)
    tz, deltas = spend.team_zone(connection, team_id), spend.new_deltas()
    for row in rows:  # the rollup moves by what each run's row changed (nothing for another member's run)
        old = before.get(row["id"])
        if old is not None and old.member_id != member_id:
            continue
        if old is not None:
            spend.add(deltas, old.member_id, old.created_at, -(old.cost_nanos or 0), -1, tz)
        spend.add(deltas, member_id, row["created_at"], row["cost_nanos"], 1, tz)
    spend.apply(connection, team_id, deltas)
    if not postgres:
        connection.execute(update(t.reservation).where(
            t.reservation.c.team_id == team_id, t.reservation.c.status == "open",
            t.reservation.c.id.in_(ids)).values(status="settled"))
    return len(rows)
