"""Deleting one run (e.g. one whose prompt held a secret), with the per-day totals kept equal to the rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.core.history import RunRecord
from promptlab_tui.store.codec import RUN_SELECT, run_from_row
from promptlab_tui.store.rollup import add_to_rollup, rollup_timezone
from promptlab_tui.store.rollup_dims import DIMENSION_TABLES

if TYPE_CHECKING:
    from promptlab_tui.store.database import Database

_ROLLUP_TABLES = ("daily_rollup", "daily_total", "daily_model", "daily_prompt", *DIMENSION_TABLES)


class RunNotDeletable(ValueError):
    """No such run, or it is still running (its reservation holds budget until it settles)."""


def delete_run(db: Database, run_id: str) -> RunRecord:
    """Remove the run's row and take it out of the per-day totals, in one write transaction; returns what
    was deleted. Raises RunNotDeletable for an unknown or still pending run."""
    with db.raw_write() as conn:
        row = conn.execute(f"SELECT {RUN_SELECT} FROM run WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotDeletable(f"no run {run_id!r} in the history")
        record = run_from_row(row)
        if record.pending:
            raise RunNotDeletable(f"run {run_id} is still running (or waits to be settled at the next start); "
                                  "delete it once it has settled")
        conn.execute("DELETE FROM run WHERE id = ?", (run_id,))
        tz_name = rollup_timezone(conn)
        if tz_name is not None:  # settled runs are always counted in the rollup, in its zone
            add_to_rollup(conn, tz_name, record.created_at, record.provider, record.model, record.prompt_name,
                          _tokens(record), record.cost_nanos, record.status, tags=record.tags,
                          source=record.source, prompt_id=record.prompt_id, sign=-1)
            for table in _ROLLUP_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE runs = 0")
    return record


def _tokens(record: RunRecord) -> tuple[int, int, int, int, int]:
    return (record.input_tokens, record.output_tokens, record.cached_input_tokens,
            record.cache_write_tokens + record.cache_write_1h_tokens, record.reasoning_tokens)
