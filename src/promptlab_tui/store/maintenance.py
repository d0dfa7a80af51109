"""Saved prompts, retention, explicit re-pricing (with an audit row), bulk import for synthetic history."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Iterable

from promptlab_tui.core.budget import zone
from promptlab_tui.core.history import RepricePeriod, RepriceReport, RunRecord, SavedPrompt, current_user
from promptlab_tui.core.types import CostBreakdown
from promptlab_tui.store.codec import RUN_COLUMNS, RUN_SELECT, from_db, run_from_row, run_to_row, to_db, utc_now
from promptlab_tui.store.rollup import rebuild_rollup, rollup_timezone

if TYPE_CHECKING:
    from promptlab_tui.store.database import Database


def saved_prompts(db: Database) -> list[SavedPrompt]:
    with db.raw_read() as conn:
        rows = conn.execute("SELECT name, path, updated_at FROM saved_prompt ORDER BY name").fetchall()
    return [SavedPrompt(name, path, from_db(updated)) for name, path, updated in rows]


def save_prompt_ref(db: Database, name: str, path: str, now: datetime | None = None) -> None:
    with db.raw_write() as conn:
        conn.execute("INSERT OR REPLACE INTO saved_prompt (name, path, updated_at) VALUES (?, ?, ?)",
                             (name, path, to_db(now or utc_now())))


def rename_prompt_ref(db: Database, old: str, new: str, new_path: str | None = None) -> bool:
    with db.raw_write() as conn:
        if conn.execute("SELECT 1 FROM saved_prompt WHERE name = ?", (new,)).fetchone():
            raise ValueError(f"a saved prompt named {new!r} exists already")
        result = conn.execute(
            "UPDATE saved_prompt SET name = ?, path = COALESCE(?, path), updated_at = ? WHERE name = ?",
            (new, new_path, to_db(utc_now()), old))
    return bool(result.rowcount)


def delete_prompt_ref(db: Database, name: str) -> bool:
    with db.raw_write() as conn:
        return bool(conn.execute("DELETE FROM saved_prompt WHERE name = ?", (name,)).rowcount)


RETENTION_KEY = "retention_applied_before"
_RETENTION_OVERLAP = timedelta(days=2)  # runs settled late (orphans) just before the last cutoff


def apply_retention(db: Database, days: int | None, now: datetime | None = None) -> int:
    """Drop prompt and response text of runs older than `days` (numbers are kept); None keeps everything.

    Incremental: only runs since the last cutoff are looked at, so it is cheap to call at every start.
    """
    if days is None:
        return 0
    if days < 0:
        raise ValueError(f"retention of {days} days: expected 0 or more")
    cutoff = to_db((now or utc_now()) - timedelta(days=days))
    with db.raw_write() as conn:
        found = conn.execute("SELECT value FROM meta WHERE key = ?", (RETENTION_KEY,)).fetchone()
        done = found[0] if found else None
        since = to_db(from_db(done) - _RETENTION_OVERLAP) if done else ""
        result = conn.execute(
            "UPDATE run SET prompt_text = NULL, response_text = NULL WHERE created_at >= ? AND created_at < ? "
            "AND status != 'pending' AND (prompt_text IS NOT NULL OR response_text IS NOT NULL)", (since, cutoff))
        if not done or cutoff > done:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (RETENTION_KEY, cutoff))
    return int(result.rowcount)


CostFor = Callable[[RunRecord], "CostBreakdown | None"]


def reprice(db: Database, cost_for: CostFor, dry_run: bool = True, user: str | None = None,
            now: datetime | None = None) -> RepriceReport:
    """Recompute every settled run's cost with `cost_for`; per-month differences, applied unless dry run.

    Interrupted runs settled at their worst case without a price are left as they are.
    """
    periods: dict[str, list[int]] = {}
    updates: list[tuple] = []
    with (db.raw_read() if dry_run else db.raw_write()) as conn:
        tz = zone(rollup_timezone(conn) or "UTC")
        cursor = conn.execute(f"SELECT {RUN_SELECT} FROM run WHERE status != 'pending' ORDER BY created_at")
        while rows := cursor.fetchmany(2000):
            for row in rows:
                run = run_from_row(row)
                if run.cost_nanos is not None and run.input_cost_nanos is None and run.status == "interrupted":
                    continue
                new = cost_for(run)
                new_total = None if new is None else new.total_nanos
                bucket = periods.setdefault(f"{run.created_at.astimezone(tz):%Y-%m}", [0] * 6)
                changed = new_total != run.cost_nanos or (new is not None and run.cost != new)
                bucket[0] += 1
                bucket[1] += int(changed)
                bucket[2] += run.cost_nanos or 0
                bucket[3] += new_total or 0
                bucket[4] += int(run.cost_nanos is None)
                bucket[5] += int(new_total is None)
                if changed:
                    components = (None,) * 4 if new is None else (
                        new.input_nanos, new.output_nanos, new.cached_input_nanos, new.cache_write_nanos)
                    updates.append((*components, new_total, None if new is None else new.price_version, run.id))
        report_periods = [RepricePeriod(key, *values) for key, values in sorted(periods.items())]
        audit_id = None
        if not dry_run and updates:
            conn.executemany(
                "UPDATE run SET input_cost_nanos = ?, output_cost_nanos = ?, cached_input_cost_nanos = ?, "
                "cache_write_cost_nanos = ?, cost_nanos = ?, price_version = COALESCE(?, price_version) "
                "WHERE id = ?", updates)
            rebuild_rollup(conn, None)
            detail = json.dumps([{**vars(p), "difference_nanos": p.difference_nanos} for p in report_periods])
            result = conn.execute(
                "INSERT INTO price_audit (created_at, user, runs_changed, old_total_nanos, new_total_nanos, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (to_db(now or utc_now()), user or current_user(), len(updates),
                 sum(p.old_cost_nanos for p in report_periods), sum(p.new_cost_nanos for p in report_periods),
                 detail))
            audit_id = result.lastrowid
    return RepriceReport(periods=report_periods, dry_run=dry_run, audit_id=audit_id)


def price_audits(db: Database) -> list[dict]:
    with db.raw_read() as conn:
        rows = conn.execute("SELECT id, created_at, user, runs_changed, old_total_nanos, new_total_nanos, "
                            "detail FROM price_audit ORDER BY id").fetchall()
    return [{"id": r[0], "created_at": from_db(r[1]), "user": r[2], "runs_changed": r[3],
             "old_total_nanos": r[4], "new_total_nanos": r[5], "periods": json.loads(r[6])} for r in rows]


def bulk_insert_runs(db: Database, runs: Iterable[RunRecord], batch: int = 10_000) -> int:
    """Insert settled runs fast (synthetic history, imports), then recount the rollup once."""
    sql = f"INSERT INTO run ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})"
    count = 0
    with db.raw_write() as conn:
        chunk: list[tuple] = []
        for run in runs:
            chunk.append(run_to_row(run))
            if len(chunk) >= batch:
                conn.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            conn.executemany(sql, chunk)
            count += len(chunk)
        rebuild_rollup(conn, None)
    return count


REDACTED_KEY = "stored_errors_redacted"  # meta: errors recorded before redaction existed were scrubbed once


def redact_stored_errors(db: Database) -> int:
    """Once per history: mask keys in errors recorded by an older promptlab (a key in a base URL was stored)."""
    from promptlab_tui.core.redact import redact_secrets

    if db.fetch_one("SELECT 1 FROM meta WHERE key = ?", (REDACTED_KEY,)) is not None:
        return 0
    with db.raw_write() as conn:
        rows = conn.execute("SELECT id, error FROM run WHERE error IS NOT NULL").fetchall()
        changed = [(redact_secrets(error), run_id) for run_id, error in rows if redact_secrets(error) != error]
        conn.executemany("UPDATE run SET error = ? WHERE id = ?", changed)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (REDACTED_KEY,))
    return len(changed)
