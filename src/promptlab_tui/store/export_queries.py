"""Cursors over every run for `promptlab export`: the formatting is done in SQL, so the caller only streams.

Each function returns a live sqlite3 cursor inside a read transaction (one consistent snapshot); rows
are never fetched all at once, so memory stays flat whatever the history's size. Money leaves as exact
USD decimal text (nano-dollar integers printed with nine places, trailing zeros trimmed), never a float.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
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

    def where(self) -> tuple[str, tuple]:
        clauses, params = ["status != 'pending'"], []
        if self.since is not None:
            clauses.append("created_at >= ?")
            params.append(to_db(self.since))
        if self.until is not None:
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
        return " AND ".join(clauses), tuple(params)


def csv_sql(filters: ExportFilter) -> tuple[str, tuple]:
    """The SELECT behind the CSV export (also what the benchmark hands to the sqlite3 shell)."""
    where, params = filters.where()
    columns = ", ".join(f"{expression} AS {name}" for name, expression in CSV_COLUMNS)
    # INDEXED BY: walk ix_run_created in time order (no sort, no temporary b-tree whatever the size).
    return f"SELECT {columns} FROM run INDEXED BY ix_run_created WHERE {where} ORDER BY created_at, id", params


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


def count_unpriced(db: Database, filters: ExportFilter) -> int:
    where, params = filters.where()
    row = db.fetch_one(f"SELECT COUNT(*) FROM run WHERE {where} AND cost_nanos IS NULL", params)
    return int(row[0]) if row else 0


def label_case(column: str, labels: Mapping[str, str], suffix: str = "") -> str:
    """A CASE mapping stored provider names to display names (unknown names pass through)."""
    arms = " ".join(f"WHEN {_quote(name)} THEN {_quote(label + suffix)}" for name, label in sorted(labels.items()))
    fallback = f"{column} || {_quote(suffix)}" if suffix else column
    return f"CASE {column} {arms} ELSE {fallback} END" if arms else fallback


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
