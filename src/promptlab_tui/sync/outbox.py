"""The outbox: runs to push, kept in the local database so that it survives restarts and kills.

Triggers on the run table (store/sync_schema.py, made by the schema) queue a run whenever it is settled or
changed afterwards (re-priced, text erased by retention) while the outbox is on, so the ledger needs no
knowledge of sync; a run re-queued while a push is in flight stays queued (rows are removed only if their
queued_at is unchanged).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from promptlab_tui.store.sync_schema import OUTBOX_ON_KEY

_RUN_COLUMNS = ("id, created_at, finished_at, provider, model, prompt_name, tags, status, input_tokens, "
                "output_tokens, cached_input_tokens, cache_write_tokens + cache_write_1h_tokens, reasoning_tokens, "
                "cost_nanos, duration_ms, prompt_text, response_text")
GIVE_UP_ATTEMPTS = 1_000_000  # a run the server refused as invalid: kept, shown as an error, not retried


def install(conn: sqlite3.Connection, backfill: bool = True) -> int:
    """Switch the outbox on (its tables and triggers are the schema's); queue every settled run not pushed yet.
    Returns the queue length."""
    conn.execute("INSERT OR IGNORE INTO sync_state (key, value) VALUES (?, 'on')", (OUTBOX_ON_KEY,))
    if backfill:
        conn.execute("INSERT OR IGNORE INTO sync_outbox (run_id, queued_at) SELECT id, "
                     "strftime('%Y-%m-%d %H:%M:%f', 'now') FROM run WHERE status != 'pending' AND synced_at IS NULL")
    return pending_count(conn)


def installed(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sync_state WHERE key = ?", (OUTBOX_ON_KEY,)).fetchone() is not None


def uninstall(conn: sqlite3.Connection) -> None:
    """Logged out: the queue and the team's state are forgotten and the triggers stop queueing."""
    conn.execute("DELETE FROM sync_outbox")
    conn.execute("DELETE FROM sync_state")


def pending_count(conn: sqlite3.Connection) -> int:
    if not installed(conn):
        return 0
    return conn.execute("SELECT count(*) FROM sync_outbox WHERE attempts < ?", (GIVE_UP_ATTEMPTS,)).fetchone()[0]


def failed(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT run_id, last_error FROM sync_outbox WHERE attempts >= ? ORDER BY run_id",
                        (GIVE_UP_ATTEMPTS,)).fetchall()


def take(conn: sqlite3.Connection, limit: int, with_text: bool) -> list[tuple[str, dict[str, Any]]]:
    """Up to `limit` queued runs as (queued_at, body); text only when the member shares it."""
    rows = conn.execute(
        f"SELECT o.queued_at, {_RUN_COLUMNS} FROM sync_outbox o JOIN run r ON r.id = o.run_id "
        "WHERE o.attempts < ? ORDER BY o.queued_at LIMIT ?", (GIVE_UP_ATTEMPTS, limit)).fetchall()
    orphaned = conn.execute("SELECT o.run_id FROM sync_outbox o LEFT JOIN run r ON r.id = o.run_id "
                            "WHERE r.id IS NULL").fetchall()
    if orphaned:  # runs deleted locally: nothing to push
        conn.executemany("DELETE FROM sync_outbox WHERE run_id = ?", orphaned)
    return [(row[0], run_body(row[1:], with_text)) for row in rows]


def run_body(row: tuple, with_text: bool) -> dict[str, Any]:
    (run_id, created, finished, provider, model, prompt_name, tags, status, inp, out, cached, cache_write, reasoning,
     cost, duration, prompt_text, response_text) = row
    body: dict[str, Any] = {
        "id": run_id, "created_at": _instant(created), "finished_at": _instant(finished), "provider": provider,
        "model": model, "prompt_name": prompt_name, "tags": json.loads(tags) if tags else [], "status": status,
        "input_tokens": inp, "output_tokens": out, "cached_input_tokens": cached, "cache_write_tokens": cache_write,
        "reasoning_tokens": reasoning, "cost_nanos": cost, "duration_ms": duration}
    if with_text:
        body["prompt_text"] = prompt_text
        body["response_text"] = response_text
    return body


def _instant(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).isoformat()


def done(conn: sqlite3.Connection, pushed: list[tuple[str, str]], now: str) -> None:
    conn.executemany("DELETE FROM sync_outbox WHERE run_id = ? AND queued_at = ?",
                     [(run_id, queued) for queued, run_id in pushed])
    conn.executemany("UPDATE run SET synced_at = ? WHERE id = ?", [(now, run_id) for _queued, run_id in pushed])


def give_up(conn: sqlite3.Connection, run_id: str, error: str) -> None:
    conn.execute("UPDATE sync_outbox SET attempts = ?, last_error = ? WHERE run_id = ?",
                 (GIVE_UP_ATTEMPTS, error[:500], run_id))


def set_state(conn: sqlite3.Connection, **values: str) -> None:
    conn.executemany("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                     "value = excluded.value", list(values.items()))


def get_state(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM sync_state WHERE key != ?", (OUTBOX_ON_KEY,)).fetchall())
