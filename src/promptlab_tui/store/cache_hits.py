"""Cache hits in SQL: $0 runs with 0 tokens (store.run_links, `cache_of` set) that copy an earlier answer.

What learns from past runs (output estimates, durations, calibration, estimate accuracy, max-tokens advice)
leaves them out: they say nothing about the model, and the run they copied is counted already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite3 import Connection


def not_cache_hit(conn: Connection, run: str = "run") -> str:
    """An SQL condition (starting with " AND") true for every run of table alias `run` but the cache hits."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_link'").fetchone():
        return ""  # no link recorded yet (older files make the table on first use): no cache hit either
    return f" AND NOT EXISTS (SELECT 1 FROM run_link l WHERE l.run_id = {run}.id AND l.cache_of IS NOT NULL)"
