"""Cursors over every run for `promptlab export`: the formatting is done in SQL, so the caller only streams.

Each function returns a live sqlite3 cursor inside a read transaction (one consistent snapshot); rows
are never fetched all at once, so memory stays flat whatever the history's size. Money leaves as exact
USD decimal text (nano-dollar integers printed with nine places, trailing zeros trimmed), never a float.
"""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterator, Mapping

from promptlab_tui.store.codec import to_db

if TYPE_CHECKING:
    from promptlab_tui.store.database import Database


def usd_sql(column: str) -> str:
    """Exact USD text of a nano-dollar column, like core.money.usd_string ('0.0004125', '10'); NULL stays NULL."""
    digits = f"printf('%d.%09d', {column} / 1000000000, {column} % 1000000000)"
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE rtrim(rtrim({digits}, '0'), '.') END"


def iso_sql(column: str) -> str:
    """'2026-11-30 09:15:02.123456' (stored UTC) -> '2026-11-30T09:15:02.123456Z'."""
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE replace({column}, ' ', 'T') || 'Z' END"


# (CSV header, SQL expression): what `export --format csv` writes, one run a row.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"), ("created_at", iso_sql("created_at")), ("finished_at", iso_sql("finished_at")),
    ("status", "status"), ("provider", "provider"), ("model", "model"), ("user", "user"),
    ("prompt_name", "prompt_name"), ("tags", "tags"), ("source", "source"), ("max_tokens", "max_tokens"),
    ("input_tokens", "input_tokens"), ("output_tokens", "output_tokens"),
    ("cached_input_tokens", "cached_input_tokens"),
    ("cache_write_tokens", "cache_write_tokens + cache_write_1h_tokens"),
    ("reasoning_tokens", "reasoning_tokens"), ("usage_estimated", "usage_estimated"),
    ("estimate_input_tokens", "estimate_input_tokens"), ("estimate_output_tokens", "estimate_output_tokens"),
    ("expected_cost_usd", usd_sql("expected_cost_nanos")), ("cost_usd", usd_sql("cost_nanos")),
    ("input_cost_usd", usd_sql("input_cost_nanos")), ("output_cost_usd", usd_sql("output_cost_nanos")),
    ("cached_input_cost_usd", usd_sql("cached_input_cost_nanos")),
    ("cache_write_cost_usd", usd_sql("cache_write_cost_nanos")),
    ("provider_cost_usd", usd_sql("provider_cost_nanos")), ("price_version", "price_version"),
    ("duration_ms", "duration_ms"), ("error", "error"),
)


@dataclass(frozen=True)
class ExportFilter:
    """Runs created in [since, until); None ends are open. Pending runs are left out (not yet settled)."""

    since: datetime | None = None
    until: datetime | None = None
    model: str | None = None
    prompt: str | None = None
    status: str | None = None
    tag: str | None = None
    source: str | None = None  # lab, run, compare, batch, fallback, cache, optimise (core.history.RUN_SOURCES)
    after: tuple[str, str] | None = None  # keyset (created_at text, id): only runs after this one (from `since` on)
    through: tuple[str, str] | None = None  # ... up to this one, included (before `until`)

    def where(self) -> tuple[str, tuple]:
        clauses, params = ["status != 'pending'"], []
        # A keyset bound replaces the time bound it implies: SQLite then walks the index between the keys.
        if self.since is not None and self.after is None:
            clauses.append("created_at >= ?")
            params.append(to_db(self.since))
        if self.until is not None and self.through is None:
            clauses.append("created_at < ?")
            params.append(to_db(self.until))
        for column, value in (("model", self.model), ("prompt_name", self.prompt), ("status", self.status),
                              ("source", self.source)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.tag is not None:  # tags are a JSON list: an exact element match, not a substring
            clauses.append("EXISTS (SELECT 1 FROM json_each(run.tags) WHERE json_each.value = ?)")
            params.append(self.tag)
        for clause, key in (("(created_at, id) > (?, ?)", self.after), ("(created_at, id) <= (?, ?)", self.through)):
            if key is not None:
                clauses.append(clause)
                params += key
        return " AND ".join(clauses), tuple(params)


def csv_sql(filters: ExportFilter) -> tuple[str, tuple]:
    """The SELECT behind the CSV export (also what the benchmark hands to the sqlite3 shell)."""
    where, params = filters.where()
    columns = ", ".join(f"{expression} AS {name}" for name, expression in CSV_COLUMNS)
    # INDEXED BY: walk ix_run_created in time order (no sort, no temporary b-tree whatever the size).
    return f"SELECT {columns} FROM run INDEXED BY ix_run_created WHERE {where} ORDER BY created_at, id", params


# Columns that hold only our own formatting of numbers and times: never a comma, a quote or a line break.
_CSV_FREE_TEXT = ("id", "status", "provider", "model", "user", "prompt_name", "source", "price_version", "error")


def csv_line_sql(filters: ExportFilter) -> tuple[str, tuple]:
    """csv_sql's rows as finished CSV lines (one column, `line`), byte for byte what csv.writer writes of them."""
    from promptlab_tui.store.export_lines import csv_line, quoted

    sql, params = csv_sql(filters)
    fields: list = []
    for name, expression in CSV_COLUMNS:
        if name == "tags":  # JSON text: nearly always quoted, so checked on its own (not in the line's one check)
            fields.append(("%s", [quoted(expression)]))
        else:
            fields.append(expression)
    plain = {expression for name, expression in CSV_COLUMNS if name not in _CSV_FREE_TEXT}
    return f"SELECT {csv_line(fields, plain)} AS line{sql[sql.index(' FROM run '):]}", params


def jsonl_sql(filters: ExportFilter) -> tuple[str, tuple]:
    return csv_sql(filters)  # the same columns; the service builds one object per row


@contextmanager
def export_cursor(db: Database, sql: str, params: tuple) -> Iterator[sqlite3.Cursor]:
    """A cursor over `sql` inside one read transaction (a snapshot: runs settling meanwhile do not tear it)."""
    with db.raw_read() as conn:
        cursor = conn.execute(sql, params)
        try:
            yield cursor
        finally:
            cursor.close()


@contextmanager
def snapshot_connections(db: Database, count: int) -> Iterator[list[sqlite3.Connection]]:
    """`count` connections, each in a read transaction on the same snapshot (readers on several cores).

    The snapshots are taken while a write transaction holds every writer off (a moment, nothing written),
    so no run can settle between them: together they read one consistent history, as one cursor would.
    """
    from promptlab_tui.store.dbapi import open_connection

    with ExitStack() as stack:
        connections = []
        with db.raw_write():
            for _ in range(count):
                conn = open_connection(db.path)
                stack.callback(conn.close)
                conn.execute("PRAGMA temp_store = MEMORY")  # a reader's small temporary tables: no file needed
                conn.execute("BEGIN")
                conn.execute("SELECT 1 FROM run LIMIT 1").fetchall()  # a WAL read snapshot starts at the first read
                stack.callback(_end_read, conn)
                connections.append(conn)
        yield connections


def _end_read(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def count_in(conn: sqlite3.Connection, filters: ExportFilter) -> int:
    """How many runs `filters` holds, on `conn` (a reader's snapshot)."""
    where, params = filters.where()
    return int(conn.execute(f"SELECT COUNT(*) FROM run INDEXED BY ix_run_created WHERE {where}", params).fetchone()[0])


def chunk_end(conn: sqlite3.Connection, filters: ExportFilter, runs: int) -> tuple[str, str] | None:
    """The key of the `runs`-th run of `filters` in export order (walking the index), None if there are fewer."""
    where, params = filters.where()
    row = conn.execute(f"SELECT created_at, id FROM run INDEXED BY ix_run_created WHERE {where} "
                       "ORDER BY created_at, id LIMIT 1 OFFSET ?", (*params, runs - 1)).fetchone()
    return (row[0], row[1]) if row else None


def chunk_sql(line_sql: str, params: tuple) -> tuple[str, tuple]:
    """The lines of `line_sql` (a `line` column) as one UTF-8 BLOB (no decoding in Python), each line ending in
    CRLF, and their count: one row, so one trip through Python (and its GIL) per chunk instead of per line.
    group_concat keeps the subquery's order (SQLite feeds an aggregate the rows as the ordered subquery yields
    them; the export tests check it)."""
    return (f"SELECT CAST(group_concat(line, char(13, 10)) || char(13, 10) AS BLOB), COUNT(*) FROM ({line_sql})",
            params)


def count_runs(db: Database, filters: ExportFilter, condition: str = "") -> int:
    where, params = filters.where()
    row = db.fetch_one(f"SELECT COUNT(*) FROM run WHERE {where}{condition}", params)
    return int(row[0]) if row else 0


def count_unpriced(db: Database, filters: ExportFilter) -> int:
    return count_runs(db, filters, " AND cost_nanos IS NULL")


def label_case(column: str, labels: Mapping[str, str], suffix: str = "") -> str:
    """A CASE mapping stored provider names to display names (unknown names pass through)."""
    arms = " ".join(f"WHEN {_quote(name)} THEN {_quote(label + suffix)}" for name, label in sorted(labels.items()))
    fallback = f"{column} || {_quote(suffix)}" if suffix else column
    return f"CASE {column} {arms} ELSE {fallback} END" if arms else fallback


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
