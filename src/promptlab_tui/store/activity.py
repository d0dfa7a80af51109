"""Recent activity: keyset pages of runs sorted by any column, filtered by model, tag, status, source and text.

Sorted by time (the default) a page is an index range read whatever the history's size; sorted by another
column, the runs of the asked range are sorted (bound the range to the dashboard's period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from promptlab_tui.core.history import RunRecord
from promptlab_tui.store.codec import RUN_SELECT_NO_TEXT, run_from_row, to_db

if TYPE_CHECKING:
    from sqlite3 import Connection

# sort name -> SQL expression (NULLs made comparable so that keyset comparisons hold)
SORTS = {
    "time": "created_at", "cost": "COALESCE(cost_nanos, -1)", "model": "model",
    "prompt": "COALESCE(prompt_name, '')", "status": "status", "duration": "COALESCE(duration_ms, -1)",
    "input": "(input_tokens + cached_input_tokens + cache_write_tokens + cache_write_1h_tokens)",
    "output": "output_tokens", "source": "COALESCE(source, '')",
}


@dataclass(frozen=True)
class ActivityQuery:
    """What the recent-activity table shows: sort column and direction, filters, page size, optional range."""

    sort: str = "time"  # one of SORTS
    descending: bool = True
    model: str | None = None
    tag: str | None = None
    status: str | None = None
    source: str | None = None
    text: str | None = None  # part of the prompt name, any case
    prompt: str | None = None  # the exact prompt name ('' for runs without one)
    start: datetime | None = None  # [start, end) of created_at
    end: datetime | None = None
    limit: int = 50


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def activity_rows(conn: Connection, query: ActivityQuery,
                  cursor: tuple | None = None) -> tuple[list[RunRecord], tuple | None]:
    """(runs of one page, the cursor of the next page or None at the end). A cursor is (sort value, created_at
    text, id) of the page's last row; pass it back unchanged."""
    if query.sort not in SORTS:
        raise ValueError(f"sort {query.sort!r}: expected one of {', '.join(SORTS)}")
    if query.limit < 1:
        raise ValueError("page size must be 1 or more")
    expr = SORTS[query.sort]
    clauses: list[str] = []
    params: list = []
    for column, value in (("model", query.model), ("status", query.status), ("COALESCE(source, '')", query.source)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.tag is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(tags) AND tags LIKE '[%' THEN tags "
                       "ELSE '[]' END) AS t WHERE t.value = ?)")
        params.append(query.tag)
    if query.prompt is not None:
        clauses.append("COALESCE(prompt_name, '') = ?")
        params.append(query.prompt)
    if query.text:
        clauses.append("prompt_name LIKE ? ESCAPE '\\'")
        params.append(f"%{_escape_like(query.text)}%")
    if query.start is not None:
        clauses.append("created_at >= ?")
        params.append(to_db(query.start))
    if query.end is not None:
        clauses.append("created_at < ?")
        params.append(to_db(query.end))
    order = "DESC" if query.descending else "ASC"
    compare = "<" if query.descending else ">"
    if cursor is not None:
        if query.sort == "time":
            clauses.append(f"(created_at, id) {compare} (?, ?)")
            params += list(cursor[1:])
        else:
            clauses.append(f"({expr}, created_at, id) {compare} (?, ?, ?)")
            params += list(cursor)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    keys = "created_at, id" if query.sort == "time" else f"{expr}, created_at, id"
    ordering = ", ".join(f"{key.strip()} {order}" for key in _split_keys(keys))
    sql = f"SELECT {RUN_SELECT_NO_TEXT}, {expr} FROM run{where} ORDER BY {ordering} LIMIT ?"
    rows = conn.execute(sql, (*params, query.limit + 1)).fetchall()
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    runs = [run_from_row(row[:-1]) for row in rows]
    next_cursor = (rows[-1][-1], rows[-1][1], rows[-1][0]) if more and rows else None
    return runs, next_cursor


def _split_keys(keys: str) -> list[str]:
    """Split 'a, (b + c), d' at top-level commas."""
    out, depth, current = [], 0, ""
    for char in keys:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += char
    return out + [current]
